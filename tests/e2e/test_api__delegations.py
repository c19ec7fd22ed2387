"""Absence and delegation over HTTP: record, list, end, hand over; assign a task (admins and leads only)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

from channelops.settings import Settings
from tests.integration.helpers import task_for
from tests.support.fixtures import UserFactory, bearer
from tests.support.fuzz import failures
from workflows.domain.principals import Actor
from workflows.services.context import Services
from workflows.services.delegations import add_delegation
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.tasks import claim_task

ONBOARDING = {"channel_name": "华东旗舰店", "channel_type": "direct_store", "region": "east"}


@pytest.fixture
def people(make_user: UserFactory) -> dict[str, Actor]:
    return {"admin": make_user(admin=True, login="boss"), "manager": make_user(roles=("channel_manager",)),
            "zhang": make_user("sales", login="zhang.san"), "li": make_user("sales", login="li.si"),
            "lead": make_user("sales", roles=("lead",), login="sales.lead"),
            "market_lead": make_user("market", roles=("lead",)), "market": make_user("market", login="ma.ke")}


def headers(settings: Settings, person: Actor) -> dict[str, str]:
    assert person.id is not None
    return bearer(settings, person.id)


def submitted(svc: Services, manager: Actor) -> int:
    inst = start_instance(svc, actor=manager, workflow="channel_onboarding", data=ONBOARDING)
    fire_trigger(svc, actor=manager, instance_id=inst.id, trigger="submit")
    return inst.id


def absence(**change: Any) -> dict[str, Any]:
    return {"substitute": "li.si", "starts_on": "2026-11-23", "ends_on": "2026-11-27", **change}


def test_a_user_records_their_absence_sees_it_and_their_substitute_sees_it_too(
        client: TestClient, settings: Settings, people: dict[str, Actor]) -> None:
    zhang, li = headers(settings, people["zhang"]), headers(settings, people["li"])
    made = client.post("/api/v1/delegations", json=absence(note="年假"), headers=zhang)
    assert made.status_code == 201
    body = made.json()
    assert (body["user_login"], body["substitute_login"], body["status"], body["note"]) == (
        "zhang.san", "li.si", "running", "年假")
    assert [d["id"] for d in client.get("/api/v1/delegations", headers=li).json()] == [body["id"]]
    assert client.get(f"/api/v1/delegations/{body['id']}", headers=li).json()["user_login"] == "zhang.san"
    ended = client.delete(f"/api/v1/delegations/{body['id']}", headers=zhang)
    assert (ended.status_code, ended.json()["status"], ended.json()["ended_by"]) == (200, "ended", "zhang.san")
    assert client.get("/api/v1/delegations", headers=zhang).json() == []
    assert [d["status"] for d in client.get("/api/v1/delegations?current=false", headers=zhang).json()] == ["ended"]
    again = client.delete(f"/api/v1/delegations/{body['id']}", headers=zhang)
    assert (again.status_code, again.json()["detail"]) == (409, f"absence {body['id']} was already ended by zhang.san")


def test_an_admin_records_someone_elses_absence_and_lists_everyones(
        client: TestClient, settings: Settings, people: dict[str, Actor]) -> None:
    boss = headers(settings, people["admin"])
    made = client.post("/api/v1/delegations", json=absence(user="zhang.san", workflows=["channel_onboarding"]),
                       headers=boss)
    assert (made.status_code, made.json()["created_by"], made.json()["workflows"]) == (
        201, "boss", ["channel_onboarding"])
    assert [d["user_login"] for d in client.get("/api/v1/delegations", headers=boss).json()] == ["zhang.san"]
    assert len(client.get("/api/v1/delegations?user=li.si", headers=boss).json()) == 1
    refused = client.post("/api/v1/delegations", json=absence(user="li.si", substitute="ma.ke"),
                          headers=headers(settings, people["zhang"]))
    assert (refused.status_code, refused.json()["detail"]) == (
        403, "only an admin may record, list or end another user's absence")


def test_invalid_absences_are_refused_with_each_problem_at_its_field(
        client: TestClient, settings: Settings, people: dict[str, Actor]) -> None:
    zhang = headers(settings, people["zhang"])
    refused = client.post("/api/v1/delegations", json=absence(substitute="zhang.san", ends_on="2026-11-20"),
                          headers=zhang)
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    assert sorted((e["path"], e["message"]) for e in refused.json()["errors"]) == [
        ("ends_on", "the absence ends before it starts"), ("substitute", "nobody can stand in for themselves")]
    client.post("/api/v1/delegations", json=absence(substitute="zhang.san"), headers=headers(settings, people["li"]))
    chain = client.post("/api/v1/delegations", json=absence(), headers=zhang)
    assert (chain.status_code, chain.json()["detail"]) == (
        409, "li.si is away themselves from 2026-11-23 to 2026-11-27 (substitute zhang.san); "
             "choose another substitute")
    assert client.get("/api/v1/delegations?user=nobody", headers=headers(settings, people["admin"])).status_code == 404


def test_a_handover_moves_the_claimed_tasks_and_the_history_shows_on_whose_behalf_the_substitute_decided(
        client: TestClient, svc: Services, settings: Settings, people: dict[str, Actor]) -> None:
    instance_id = submitted(svc, people["manager"])
    sales = task_for(svc, instance_id, "sales")
    claim_task(svc, actor=people["zhang"], task_id=sales)
    zhang, li = headers(settings, people["zhang"]), headers(settings, people["li"])
    delegation = client.post("/api/v1/delegations", json=absence(), headers=zhang).json()["id"]
    moved = client.post(f"/api/v1/delegations/{delegation}/handover", headers=zhang)
    assert moved.json() == {"delegation_id": delegation, "substitute_login": "li.si", "handed_over": [sales],
                            "kept": []}
    assert [t["id"] for t in client.get("/api/v1/tasks?assigned=me", headers=li).json()["items"]] == [sales]
    decided = client.post(f"/api/v1/tasks/{sales}/complete", json={"decision": "approve"}, headers=li)
    assert decided.status_code == 200
    events = client.get(f"/api/v1/instances/{instance_id}/history", headers=li).json()
    done = next(e for e in events if e["action"] == "task_completed")
    assert (done["actor_login"], done["data"]["on_behalf_of"]) == ("li.si", "zhang.san")
    exported = client.get("/api/v1/exports/tasks", headers=li)
    header, *rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert (header[12], header[-1]) == ("决定人", "被代理人")  # li.si reads Chinese
    assert [(row[0], row[12], row[-1]) for row in rows if row[0] == str(sales)] == [(str(sales), "li.si", "zhang.san")]


def test_an_admin_or_the_lead_of_the_tasks_group_assigns_it_to_a_member(
        client: TestClient, svc: Services, settings: Settings, people: dict[str, Actor]) -> None:
    sales = task_for(svc, submitted(svc, people["manager"]), "sales")
    by_lead = client.post(f"/api/v1/tasks/{sales}/assign", json={"login": "zhang.san"},
                          headers=headers(settings, people["lead"]))
    assert (by_lead.status_code, by_lead.json()["assignee_id"]) == (200, people["zhang"].id)
    by_admin = client.post(f"/api/v1/tasks/{sales}/assign", json={"login": "li.si"},
                           headers=headers(settings, people["admin"]))
    assert (by_admin.status_code, by_admin.json()["assignee_id"]) == (200, people["li"].id)


def test_assigning_is_refused_to_others_and_to_non_members(
        client: TestClient, svc: Services, settings: Settings, people: dict[str, Actor]) -> None:
    sales = task_for(svc, submitted(svc, people["manager"]), "sales")
    for who in ("market_lead", "zhang"):
        refused = client.post(f"/api/v1/tasks/{sales}/assign", json={"login": "li.si"},
                              headers=headers(settings, people[who]))
        assert (refused.status_code, refused.json()["detail"]) == (
            403, "only an admin or a lead of the task's group may assign it"), who
    outsider = client.post(f"/api/v1/tasks/{sales}/assign", json={"login": "ma.ke"},
                           headers=headers(settings, people["lead"]))
    assert outsider.status_code == 422
    assert outsider.json()["errors"] == [{"path": "login",
                                          "message": "ma.ke is not a member of the task's group 'sales'"}]
    assert client.get(f"/api/v1/tasks/{sales}", headers=headers(settings, people["lead"])).json()["assignee_id"] is None


def test_every_request_to_the_delegation_routes_passes_every_schemathesis_check(
        client: TestClient, svc: Services, settings: Settings, people: dict[str, Actor]) -> None:
    submitted(svc, people["manager"])
    for login, substitute in (("zhang.san", "li.si"), ("ma.ke", "sales.lead")):
        add_delegation(svc, actor=people["admin"], login=login, substitute=substitute,
                       starts_on=svc.clock.now().date(), ends_on=svc.clock.now().date())
    found = failures(client.app, headers=headers(settings, people["admin"]), examples=40,
                     only=lambda path: path.startswith("/api/v1/delegations") or path.endswith("/assign"))
    assert found == []
