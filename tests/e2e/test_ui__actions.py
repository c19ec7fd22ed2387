"""What the UI's forms do: decide, claim, fire, start, switch language; a user's mistake is a message."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.ui import sign_in
from workflows.domain.principals import SYSTEM
from workflows.services import instances, queries
from workflows.services.context import Services
from workflows.services.users import actor_for, add_user

HTMX = {"HX-Request": "true"}


@pytest.fixture
def onboarding(svc: Services) -> int:
    """A submitted onboarding with one review task per department."""
    for login, groups, roles in (("liu.manager", [], ["channel_manager"]), ("zhao.finance", ["finance"], []),
                                 ("qian.finance", ["finance"], []), ("li.market", ["market"], [])):
        add_user(svc, actor=SYSTEM, login=login, groups=groups, roles=roles, locale="en")
    manager = actor_for(svc, login="liu.manager")
    inst = instances.start_instance(svc, actor=manager, workflow="channel_onboarding",
                                    data={"channel_name": "x", "channel_type": "agent", "region": "east"})
    instances.fire_trigger(svc, actor=manager, instance_id=inst.id, trigger="submit")
    return inst.id


def _task(svc: Services, instance_id: int, login: str) -> int:
    actor = actor_for(svc, login=login)
    return next(t.id for t in queries.inbox(svc, actor=actor).items if t.instance_id == instance_id)


def test_a_decision_through_htmx_answers_a_message_and_removes_the_task(svc: Services, client: TestClient,
                                                                       onboarding: int) -> None:
    token = sign_in(client, svc, "zhao.finance")
    task_id = _task(svc, onboarding, "zhao.finance")
    response = client.post(f"/inbox/tasks/{task_id}/complete", headers={**HTMX, "X-CSRF-Token": token},
                           data={"decision": "reject", "comment": "资信不足"})
    assert response.status_code == 200
    assert 'hx-swap-oob="innerHTML"' in response.text and "Under review to Rejected" in response.text
    assert f'id="task-{task_id}"' not in response.text
    assert queries.get_instance(svc, actor=SYSTEM, instance_id=onboarding).instance.state == "rejected"


def test_deciding_a_task_twice_is_a_clear_message_not_a_500(svc: Services, client: TestClient,
                                                           onboarding: int) -> None:
    token = sign_in(client, svc, "zhao.finance")
    task_id = _task(svc, onboarding, "zhao.finance")
    client.post(f"/inbox/tasks/{task_id}/complete", data={"decision": "approve", "csrf_token": token})
    again = client.post(f"/inbox/tasks/{task_id}/complete", headers={**HTMX, "X-CSRF-Token": token},
                        data={"decision": "approve"})
    assert again.status_code == 409
    assert "someone may have acted first" in again.text and "already completed" in again.text


def test_a_bad_decision_and_another_groups_task_are_refused_with_a_message(svc: Services, client: TestClient,
                                                                         onboarding: int) -> None:
    token = sign_in(client, svc, "zhao.finance")
    own = _task(svc, onboarding, "zhao.finance")
    bad = client.post(f"/inbox/tasks/{own}/complete", data={"decision": "maybe", "csrf_token": token})
    assert bad.status_code == 422 and "must be one of" in bad.text
    market = _task(svc, onboarding, "li.market")
    refused = client.post(f"/inbox/tasks/{market}/complete", data={"decision": "approve", "csrf_token": token})
    assert refused.status_code == 403 and "You may not do this." in refused.text


def test_claiming_shows_the_task_as_mine_and_others_see_it_taken(svc: Services, client: TestClient,
                                                                onboarding: int) -> None:
    token = sign_in(client, svc, "zhao.finance")
    task_id = _task(svc, onboarding, "zhao.finance")
    claimed = client.post(f"/inbox/tasks/{task_id}/claim", headers={**HTMX, "X-CSRF-Token": token})
    assert "claimed by you" in claimed.text and "Release" in claimed.text
    client.cookies.clear()
    other = sign_in(client, svc, "qian.finance")
    taken = client.post(f"/inbox/tasks/{task_id}/claim", headers={**HTMX, "X-CSRF-Token": other})
    assert taken.status_code == 409 and "claimed by someone else" in taken.text


def test_the_inbox_filters_by_workflow_and_answers_htmx_with_the_list_only(svc: Services, client: TestClient,
                                                                          onboarding: int) -> None:
    sign_in(client, svc, "zhao.finance")
    full = client.get("/inbox?workflow=channel_onboarding")
    assert full.text.count('class="task card"') == 1 and "<html" in full.text
    part = client.get("/inbox?workflow=complaint", headers={**HTMX, "HX-Target": "task-list"})
    assert "<html" not in part.text and 'class="task card"' not in part.text


def test_firing_a_trigger_from_the_instance_page(svc: Services, client: TestClient) -> None:
    add_user(svc, actor=SYSTEM, login="he.manager", roles=["channel_manager"], locale="en")
    inst = instances.start_instance(svc, actor=actor_for(svc, login="he.manager"), workflow="complaint",
                                    data={"severity": "low", "handler": "he.manager"})
    token = sign_in(client, svc, "he.manager")
    page = client.get(f"/instances/{inst.id}")
    assert 'value="acknowledge"' in page.text
    fired = client.post(f"/instances/{inst.id}/fire", data={"trigger": "acknowledge", "comment": "on it",
                                                            "revision": "1", "csrf_token": token})
    assert fired.url.path == f"/instances/{inst.id}" and "Done: " in fired.text
    stale = client.post(f"/instances/{inst.id}/fire", data={"trigger": "resolve", "revision": "1",
                                                            "csrf_token": token})
    assert stale.status_code == 409 and "not 1" in stale.text
    bad_json = client.post(f"/instances/{inst.id}/fire", data={"trigger": "resolve", "data": "{oops",
                                                               "csrf_token": token})
    assert bad_json.status_code == 422 and "not valid JSON" in bad_json.text


def test_starting_an_instance_from_its_form_checks_the_fields(svc: Services, client: TestClient) -> None:
    add_user(svc, actor=SYSTEM, login="he.manager", roles=["channel_manager"], locale="en")
    token = sign_in(client, svc, "he.manager")
    missing = client.post("/workflows/channel_onboarding/start", data={"csrf_token": token, "data.region": "east"})
    assert missing.status_code == 422 and "data.channel_name" in missing.text
    started = client.post("/workflows/channel_onboarding/start",
                          data={"csrf_token": token, "data.channel_name": "南京代理商", "data.channel_type": "agent",
                                "data.region": "east", "subject_id": "C-900"})
    assert started.url.path.startswith("/instances/") and "南京代理商" in started.text and "C-900" in started.text


def test_the_language_choice_is_stored_on_the_user(svc: Services, client: TestClient, onboarding: int) -> None:
    token = sign_in(client, svc, "zhao.finance")
    switched = client.post("/language", data={"locale": "zh", "next": "/inbox", "csrf_token": token})
    assert switched.url.path == "/inbox" and "<h1>待办</h1>" in switched.text
    assert actor_for(svc, login="zhao.finance").locale == "zh"
