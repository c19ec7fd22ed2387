"""Follow-up dates in the web UI: the assignee sets and clears the date on the task's page, the inbox
card shows it and the inbox sorts by it; a colleague sees the date but no form, and a bad date is an
error page, not a 500."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.support.ui import sign_in
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.queries import get_task
from workflows.services.tasks import claim_task
from workflows.services.users import actor_for, add_user


def market_task(svc: Services, name: str) -> int:
    applicant = actor_for(svc, login="applicant")
    inst = start_instance(svc, actor=applicant, workflow="channel_onboarding",
                          data={"channel_name": name, "channel_type": "agent", "region": "east"})
    fire_trigger(svc, actor=applicant, instance_id=inst.id, trigger="submit")
    with svc.uow(write=False) as uow:
        return int(uow.conn.execute(select(t.tasks.c.id).where(
            t.tasks.c.instance_id == inst.id, t.tasks.c.candidate_group == "market")).scalar_one())


@pytest.fixture
def tasks(svc: Services) -> list[int]:
    add_user(svc, actor=SYSTEM, login="applicant", roles=["channel_manager"])
    add_user(svc, actor=SYSTEM, login="reviewer", groups=["market"])
    add_user(svc, actor=SYSTEM, login="colleague", groups=["market"], locale="en")
    found = [market_task(svc, name) for name in ("甲", "乙")]
    for task_id in found:
        claim_task(svc, actor=actor_for(svc, login="reviewer"), task_id=task_id)
    return found


def test_the_assignee_sets_and_clears_a_follow_up_date_on_the_task_page(
        client: TestClient, svc: Services, tasks: list[int]) -> None:
    first, second = tasks
    csrf = sign_in(client, svc, "reviewer")
    page = client.get(f"/inbox/tasks/{first}").text
    assert "跟进日期" in page and 'name="date" type="date" min="2026-11-23" max="2027-11-24"' in page
    saved = client.post(f"/inbox/tasks/{first}/follow-up", data={"csrf_token": csrf, "date": "2026-11-25"})
    assert saved.status_code == 200, saved.text
    assert "跟进日期已保存：当天上午会提醒您。" in saved.text
    assert '<time datetime="2026-11-25">2026-11-25</time>' in saved.text
    inbox = client.get("/inbox", params={"sort": "follow_up"}).text
    assert '<option value="follow_up" selected>跟进日期</option>' in inbox
    cards = re.findall(r'data-task="(\d+)"', inbox)
    assert cards == [str(first), str(second)]
    assert "2026-11-25 跟进" in inbox
    cleared = client.post(f"/inbox/tasks/{first}/follow-up", data={"csrf_token": csrf, "clear": "1"})
    assert "已清除跟进日期。" in cleared.text
    assert '<time datetime="2026-11-25">' not in cleared.text


def test_a_colleague_sees_no_form_and_may_not_post_one(client: TestClient, svc: Services,
                                                       tasks: list[int]) -> None:
    csrf = sign_in(client, svc, "colleague")
    page = client.get(f"/inbox/tasks/{tasks[0]}").text
    assert "Only the person who has claimed this task can set its follow-up date." in page
    assert 'name="date"' not in page
    refused = client.post(f"/inbox/tasks/{tasks[0]}/follow-up", data={"csrf_token": csrf, "date": "2026-11-25"})
    assert refused.status_code == 403
    assert "claim the task first" in refused.text


@pytest.mark.parametrize("day", ["2026-11-20", "not a day", ""])
def test_a_bad_follow_up_date_is_an_error_page_and_changes_nothing(
        client: TestClient, svc: Services, tasks: list[int], day: str) -> None:
    csrf = sign_in(client, svc, "reviewer")
    response = client.post(f"/inbox/tasks/{tasks[0]}/follow-up", data={"csrf_token": csrf, "date": day})
    assert response.status_code == 422
    assert "请修正输入。" in response.text
    assert get_task(svc, task_id=tasks[0]).follow_up_on is None
