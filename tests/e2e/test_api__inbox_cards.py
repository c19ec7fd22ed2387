"""The inbox with context over HTTP: subject by name, requester, key fields, the other reviewers,
filters and sorts, and bulk decisions with a result per task."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from channelops.settings import Settings
from channels.registry import create_channel
from tests.support.fixtures import bearer
from workflows.domain.principals import SYSTEM
from workflows.services.context import Services
from workflows.services.users import add_user


def _channel(svc: Services, code: str, name: str, kind: str, region: str) -> int:
    return create_channel(svc, actor=SYSTEM, values={"code": code, "name": name, "type": kind, "region": region}).id


def _submit(client: TestClient, manager: dict[str, str], channel_id: int, name: str, kind: str, region: str) -> int:
    started = client.post("/api/v1/instances", headers=manager, json={
        "workflow": "channel_onboarding", "subject": {"type": "channel", "id": str(channel_id)},
        "data": {"channel_name": name, "channel_type": kind, "region": region}})
    assert started.status_code == 201, started.text
    instance_id: int = started.json()["id"]
    assert client.post(f"/api/v1/instances/{instance_id}/events", headers=manager,
                       json={"trigger": "submit"}).status_code == 200
    return instance_id


@pytest.fixture
def people(svc: Services, settings: Settings) -> dict[str, dict[str, str]]:
    users = {"manager": add_user(svc, actor=SYSTEM, login="wang.manager", display_name="王经理",
                                 roles=["channel_manager"]),
             "other_manager": add_user(svc, actor=SYSTEM, login="zhao.manager", display_name="赵经理",
                                       roles=["channel_manager"]),
             "finance": add_user(svc, actor=SYSTEM, login="li.finance", display_name="李财务", groups=["finance"]),
             "market": add_user(svc, actor=SYSTEM, login="chen.market", display_name="陈市场", groups=["market"]),
             "viewer": add_user(svc, actor=SYSTEM, login="v", roles=["viewer"])}
    return {role: bearer(settings, user.id) for role, user in users.items()}


def _tasks(client: TestClient, who: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    answer = client.get("/api/v1/tasks", headers=who, params=params)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def test_a_card_names_the_channel_the_requester_the_key_fields_and_what_the_others_decided(
        client: TestClient, svc: Services, people: dict[str, dict[str, str]]) -> None:
    channel = _channel(svc, "SW-1", "成都春熙路直营店", "direct_store", "southwest")
    instance_id = _submit(client, people["manager"], channel, "成都春熙路直营店（新址）", "direct_store", "southwest")
    market_task = _tasks(client, people["market"])[0]["id"]
    client.post(f"/api/v1/tasks/{market_task}/complete", headers=people["market"],
                json={"decision": "approve", "comment": "市场部同意"})
    [card] = _tasks(client, people["finance"])
    ctx = card["context"]
    assert card["instance_id"] == instance_id
    assert ctx["subject_name"] == "成都春熙路直营店"
    assert [(f["title_zh"], f["value_zh"]) for f in ctx["subject_facts"]] == [("类型", "直营店"), ("区域", "西南区")]
    assert ctx["requester_name"] == "王经理"
    # the type and region are on the subject line; the application's own name differs, so it is shown
    assert [(f["title_zh"], f["value_en"]) for f in ctx["fields"]] == [("渠道名称", "成都春熙路直营店（新址）")]
    assert ctx["policy"] == "all"
    peers = {p["group"]: (p["status"], p["decision"], p["decided_by"], p["comment"]) for p in ctx["peers"]}
    assert peers == {"market": ("completed", "approve", "陈市场", "市场部同意"), "sales": ("open", None, None, None)}
    assert ctx["state_zh"] == "审核中"


def test_a_card_without_a_registered_channel_shows_the_key_fields_by_title(
        client: TestClient, people: dict[str, dict[str, str]]) -> None:
    started = client.post("/api/v1/instances", headers=people["manager"], json={
        "workflow": "channel_onboarding", "data": {"channel_name": "新渠道", "channel_type": "social",
                                                   "region": "north"}})
    client.post(f"/api/v1/instances/{started.json()['id']}/events", headers=people["manager"],
                json={"trigger": "submit"})
    [card] = _tasks(client, people["finance"])
    assert card["context"]["subject_name"] is None
    assert [(f["title_zh"], f["value_zh"]) for f in card["context"]["fields"]] == [
        ("渠道名称", "新渠道"), ("渠道类型", "社交电商"), ("区域", "北区")]


def test_the_inbox_filters_by_type_region_requester_and_sorts_by_subject_and_requester(
        client: TestClient, svc: Services, people: dict[str, dict[str, str]]) -> None:
    plan = [("E-1", "杭州代理", "agent", "east", "manager"), ("S-1", "广州电商", "ecommerce", "south", "other_manager"),
            ("E-2", "上海直营", "direct_store", "east", "other_manager")]
    for code, name, kind, region, who in plan:
        _submit(client, people[who], _channel(svc, code, name, kind, region), name, kind, region)
    finance = people["finance"]
    assert len(_tasks(client, finance)) == 3
    east = [t["context"]["subject_name"] for t in _tasks(client, finance, region="east", sort="subject")]
    assert east == sorted(["杭州代理", "上海直营"])
    assert [t["context"]["subject_name"] for t in _tasks(client, finance, channel_type="ecommerce")] == ["广州电商"]
    assert [t["context"]["subject_name"] for t in _tasks(client, finance, requester="王")] == ["杭州代理"]
    assert [t["context"]["subject_name"] for t in _tasks(client, finance, requester="zhao", region="east")] == [
        "上海直营"]
    by_requester = [t["context"]["requester_name"] for t in _tasks(client, finance, sort="requester")]
    assert by_requester == sorted(by_requester) and len(by_requester) == 3
    assert _tasks(client, finance, due="overdue") == []
    assert len(_tasks(client, finance, escalated=False)) == 3
    assert client.get("/api/v1/tasks", headers=finance, params={"sort": "nonsense"}).status_code == 422


def test_a_page_of_cards_is_read_in_a_fixed_number_of_queries(
        client: TestClient, svc: Services, people: dict[str, dict[str, str]]) -> None:
    def count_for(n: int) -> int:
        statements: list[str] = []

        def seen(*args: Any) -> None:
            statements.append(str(args[2]))

        event.listen(svc.engine, "before_cursor_execute", seen)
        try:
            assert len(_tasks(client, people["finance"])) == n
        finally:
            event.remove(svc.engine, "before_cursor_execute", seen)
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    for i in range(2):
        _submit(client, people["manager"], _channel(svc, f"Q-{i}", f"渠道{i}", "agent", "east"), f"渠道{i}", "agent",
                "east")
    count_for(2)  # warm: the caller and the compiled definition are cached after one request
    two = count_for(2)
    for i in range(2, 8):
        _submit(client, people["manager"], _channel(svc, f"Q-{i}", f"渠道{i}", "agent", "east"), f"渠道{i}", "agent",
                "east")
    assert count_for(8) == two


def test_bulk_decisions_decide_each_task_and_say_why_the_others_failed(
        client: TestClient, svc: Services, people: dict[str, dict[str, str]]) -> None:
    instances = [_submit(client, people["manager"], _channel(svc, f"B-{i}", f"批量{i}", "agent", "east"), f"批量{i}",
                         "agent", "east") for i in range(3)]
    finance = people["finance"]
    ids = [t["id"] for t in _tasks(client, finance)]
    market_id = _tasks(client, people["market"])[0]["id"]
    client.post(f"/api/v1/tasks/{ids[0]}/complete", headers=finance, json={"decision": "approve"})
    answer = client.post("/api/v1/tasks/bulk-decisions", headers=finance,
                         json={"task_ids": [*ids, market_id, 999999], "decision": "approve", "comment": "同意"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["decided"], body["failed"]) == (2, 3)
    outcomes = [(i["task_id"], i["outcome"]) for i in body["items"]]
    assert outcomes == [(ids[0], "closed"), (ids[1], "ok"), (ids[2], "ok"), (market_id, "not_allowed"),
                        (999999, "not_found")]
    assert "already completed" in body["items"][0]["reason"]
    assert {i["instance_id"] for i in body["items"] if i["outcome"] == "ok"} <= set(instances)
    history = client.get(f"/api/v1/instances/{body['items'][1]['instance_id']}/history", headers=finance).json()
    assert [(e["action"], e["comment"]) for e in history if e["action"] == "task_completed"] == [
        ("task_completed", "同意")]


def test_a_bulk_decision_is_bounded_and_checked(client: TestClient, people: dict[str, dict[str, str]]) -> None:
    finance = people["finance"]
    too_many = client.post("/api/v1/tasks/bulk-decisions", headers=finance,
                           json={"task_ids": list(range(1, 102)), "decision": "approve"})
    assert too_many.status_code == 422
    twice = client.post("/api/v1/tasks/bulk-decisions", headers=finance, json={"task_ids": [5, 5],
                                                                               "decision": "approve"})
    assert [(i["task_id"], i["outcome"]) for i in twice.json()["items"]] == [(5, "not_found")]
    assert client.post("/api/v1/tasks/bulk-decisions", json={"task_ids": [1], "decision": "approve"}
                       ).status_code == 401
