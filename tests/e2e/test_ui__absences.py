"""The absences page and the task card's "assign to" control, in Chinese and English."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.integration.helpers import task_for
from tests.support.ui import sign_in
from workflows.domain.principals import SYSTEM
from workflows.services import instances
from workflows.services.context import Services
from workflows.services.delegations import list_delegations
from workflows.services.queries import get_task
from workflows.services.tasks import claim_task
from workflows.services.users import actor_for, add_user


@pytest.fixture
def onboarding(svc: Services) -> int:
    for login, name, groups, roles, admin in (
            ("liu.manager", "刘经理", [], ["channel_manager"], False), ("zhang.san", "张三", ["sales"], [], False),
            ("li.si", "李四", ["sales"], [], False), ("wang.lead", "王组长", ["sales"], ["lead"], False),
            ("boss", "管理员", [], [], True)):
        add_user(svc, actor=SYSTEM, login=login, display_name=name, groups=groups, roles=roles, is_admin=admin)
    manager = actor_for(svc, login="liu.manager")
    inst = instances.start_instance(svc, actor=manager, workflow="channel_onboarding",
                                    data={"channel_name": "x", "channel_type": "agent", "region": "east"})
    instances.fire_trigger(svc, actor=manager, instance_id=inst.id, trigger="submit")
    return inst.id


def test_an_admin_records_an_absence_for_someone_hands_over_and_the_substitute_decides_on_their_behalf(
        svc: Services, client: TestClient, onboarding: int) -> None:
    sales = task_for(svc, onboarding, "sales")
    claim_task(svc, actor=actor_for(svc, login="zhang.san"), task_id=sales)
    token = sign_in(client, svc, "boss")
    page = client.get("/absences")
    assert "缺席与代理" in page.text and "所有人的缺席" in page.text and 'name="user"' in page.text
    recorded = client.post("/absences", data={"csrf_token": token, "user": "zhang.san", "substitute": "li.si",
                                              "starts_on": "2026-11-23", "ends_on": "2026-11-27",
                                              "workflows": ["channel_onboarding"], "note": "年假"})
    assert "缺席已登记，已通知代理人。" in recorded.text
    row = re.search(r'<tr id="absence-(\d+)".*?</tr>', recorded.text, re.S)
    assert row is not None and "张三" in row.group(0) and "李四" in row.group(0) and "渠道入驻审核" in row.group(0)
    assert "缺席中" in row.group(0)
    handed = client.post(f"/absences/{row.group(1)}/handover", data={"csrf_token": token})
    assert "已将 1 项未完成待办交给代理人。" in handed.text
    token = sign_in(client, svc, "li.si")
    inbox = client.get("/inbox")
    assert "代 张三" in inbox.text
    client.post(f"/inbox/tasks/{sales}/complete", data={"csrf_token": token, "decision": "approve",
                                                        "back": f"/instances/{onboarding}"})
    history = client.get(f"/instances/{onboarding}").text.split('id="h-history"', 1)[1]
    assert "李四 代 张三" in history and "待办已交给代理人 张三 → 李四" in history
    assert "zhang.san" not in history and "li.si" not in history  # people by their names, not their logins


def test_a_user_sees_only_their_own_absences_and_cannot_name_someone_else(
        svc: Services, client: TestClient, onboarding: int) -> None:
    token = sign_in(client, svc, "zhang.san")
    client.post("/language", data={"csrf_token": token, "locale": "en", "next": "/absences"})
    page = client.get("/absences")
    assert "My absences, and whom I stand in for" in page.text and 'name="user"' not in page.text
    bad = client.post("/absences", data={"csrf_token": token, "substitute": "zhang.san",
                                         "starts_on": "2026-11-23", "ends_on": "2026-11-27"})
    assert bad.status_code == 422 and "nobody can stand in for themselves" in bad.text
    refused = client.post("/absences", data={"csrf_token": token, "user": "li.si", "substitute": "wang.lead",
                                             "starts_on": "2026-11-23", "ends_on": "2026-11-27"})
    assert refused.status_code == 403
    assert list_delegations(svc, actor=SYSTEM) == []


def test_the_group_lead_assigns_a_task_from_its_card_and_members_see_no_such_control(
        svc: Services, client: TestClient, onboarding: int) -> None:
    sales = task_for(svc, onboarding, "sales")
    token = sign_in(client, svc, "zhang.san")
    assert f'id="assign-{sales}"' not in client.get(f"/instances/{onboarding}").text
    token = sign_in(client, svc, "wang.lead")
    page = client.get(f"/instances/{onboarding}").text
    control = page.split(f'id="assign-{sales}"', 1)[1].split("</select>", 1)[0]
    assert "李四 (li.si)" in control and "刘经理" not in control
    done = client.post(f"/inbox/tasks/{sales}/assign", data={"csrf_token": token, "login": "li.si",
                                                            "back": f"/instances/{onboarding}"})
    assert done.status_code == 200 and "待办已指派 → 李四" in done.text
    assert get_task(svc, task_id=sales).assignee_id == actor_for(svc, login="li.si").id
