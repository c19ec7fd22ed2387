"""The inbox page: cards say what is decided, filters narrow them, several tasks are decided at once."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from channels.registry import create_channel
from tests.support.ui import sign_in
from workflows.domain.principals import SYSTEM
from workflows.services import instances, queries
from workflows.services.context import Services
from workflows.services.tasks import complete_task
from workflows.services.users import actor_for, add_user


def _onboard(svc: Services, code: str, name: str, kind: str, region: str) -> int:
    channel = create_channel(svc, actor=SYSTEM, values={"code": code, "name": name, "type": kind, "region": region})
    manager = actor_for(svc, login="wang.manager")
    inst = instances.start_instance(svc, actor=manager, workflow="channel_onboarding",
                                    subject={"type": "channel", "id": str(channel.id)},
                                    data={"channel_name": name, "channel_type": kind, "region": region})
    instances.fire_trigger(svc, actor=manager, instance_id=inst.id, trigger="submit")
    return inst.id


@pytest.fixture
def world(svc: Services) -> list[int]:
    add_user(svc, actor=SYSTEM, login="wang.manager", display_name="王经理", roles=["channel_manager"])
    add_user(svc, actor=SYSTEM, login="li.finance", display_name="李财务", groups=["finance"], locale="zh")
    add_user(svc, actor=SYSTEM, login="chen.market", display_name="陈市场", groups=["market"], locale="en")
    ids = [_onboard(svc, "SH-1", "上海南京路直营店", "direct_store", "east"),
           _onboard(svc, "GZ-1", "广州天河代理", "agent", "south")]
    market = actor_for(svc, login="chen.market")
    first = next(t.id for t in queries.inbox(svc, actor=market).items if t.instance_id == ids[0])
    complete_task(svc, actor=market, task_id=first, decision="approve", comment="市场部同意")
    return ids


def _cards(html: str) -> list[str]:
    return re.findall(r'<li class="task card" id="task-(\d+)"', html)


def test_a_card_in_chinese_says_the_channel_type_region_requester_and_the_other_reviewers(
        svc: Services, client: TestClient, world: list[int]) -> None:
    sign_in(client, svc, "li.finance")
    page = client.get("/inbox").text
    assert len(_cards(page)) == 2
    assert "上海南京路直营店" in page and "直营店" in page and "东区" in page and "广州天河代理" in page
    assert "王经理" in page and "其他审核人" in page and "市场部" in page and "陈市场" in page
    assert "“市场部同意”" in page and "尚未决定" in page
    assert "财务部" in page and "finance 组" not in page
    assert "批量决定" in page


def test_an_english_card_and_the_region_and_type_filters(svc: Services, client: TestClient,
                                                         world: list[int]) -> None:
    sign_in(client, svc, "chen.market")
    page = client.get("/inbox").text
    assert len(_cards(page)) == 1 and "Guangzhou" not in page and "广州天河代理" in page
    assert "South" in page and "Agent / distributor" in page
    sign_in(client, svc, "li.finance")
    east = client.get("/inbox", params={"region": "east"}).text
    assert "上海南京路直营店" in east and "广州天河代理" not in east
    agents = client.get("/inbox", params={"channel_type": "agent"}, headers={"HX-Request": "true",
                                                                             "HX-Target": "task-list"}).text
    assert "广州天河代理" in agents and "上海南京路直营店" not in agents and "<html" not in agents
    assert len(_cards(agents)) == 1
    assert len(_cards(client.get("/inbox", params={"requester": "nobody"}).text)) == 0
    assert len(_cards(client.get("/inbox", params={"requester": "王"}).text)) == 2
    assert len(_cards(client.get("/inbox", params={"escalated": "yes"}).text)) == 0
    assert len(_cards(client.get("/inbox", params={"escalated": "no"}).text)) == 2


def test_bulk_decisions_in_the_inbox_decide_each_task_and_list_the_outcome(
        svc: Services, client: TestClient, world: list[int]) -> None:
    token = sign_in(client, svc, "li.finance")
    ids = [int(i) for i in _cards(client.get("/inbox").text)]
    finance = actor_for(svc, login="li.finance")
    complete_task(svc, actor=finance, task_id=ids[1], decision="approve")  # decided meanwhile (another tab)
    answer = client.post("/inbox/bulk", data={"csrf_token": token, "decision": "approve", "comment": "批量通过",
                                              "task_ids": [str(i) for i in ids]})
    assert answer.status_code == 200
    text = answer.text
    assert "已决定 1 项，1 项未决定" in text
    assert f'data-task="{ids[1]}"' in text and "未决定：该任务已被决定或已关闭" in text
    assert _cards(text) == []
    assert "部门审核 · 上海南京路直营店" in text and "部门审核 · 广州天河代理" in text
    inst = queries.get_instance(svc, actor=SYSTEM, instance_id=world[0])
    assert [t.candidate_group for t in inst.tasks] == ["sales"]


def test_a_bulk_post_without_the_csrf_token_is_refused(svc: Services, client: TestClient, world: list[int]) -> None:
    sign_in(client, svc, "li.finance")
    answer = client.post("/inbox/bulk", data={"decision": "approve", "task_ids": ["1"]})
    assert answer.status_code == 403
