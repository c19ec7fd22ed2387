"""The confirmation page of a decision link: opened without signing in, posted with its CSRF token,
explaining a used, expired or invalid link in the language of the link's user."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.support.fixtures import UserFactory
from tests.support.ui import csrf_of, sign_in
from workflows.adapters.clock import FixedClock
from workflows.adapters.notifier import RecordingNotifier
from workflows.domain.principals import SYSTEM, Actor
from workflows.services import queries
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.outbox import dispatch_outbox
from workflows.services.targets import add_target
from workflows.services.users import add_user

ONBOARDING = {"channel_name": "杭州西湖代理", "channel_type": "agent", "region": "east"}


def _links(svc: Services, make_user: UserFactory, *, locale: str = "zh") -> tuple[dict[str, str], int, Actor]:
    manager = make_user(roles=("channel_manager",))
    add_user(svc, actor=SYSTEM, login=f"finance_{locale}", display_name="李财务", groups=["finance"], locale=locale)
    from workflows.services.users import actor_for

    finance = actor_for(svc, login=f"finance_{locale}")
    add_target(svc, actor=finance, owner_type="user", owner=str(finance.id), kind="webhook",
               url="json://127.0.0.1:9/f")
    inst = start_instance(svc, actor=manager, workflow="channel_onboarding", data=ONBOARDING)
    fire_trigger(svc, actor=manager, instance_id=inst.id, trigger="submit")
    notifier = RecordingNotifier()
    dispatch_outbox(svc, notifier=notifier)
    (message,) = notifier.sent
    prefix = f"{svc.public_url}/links/"
    return {a.action: a.url.removeprefix(prefix) for a in message.actions}, inst.id, finance


def test_a_link_opens_a_chinese_confirmation_page_without_signing_in_and_approves(
        svc: Services, client: TestClient, make_user: UserFactory) -> None:
    links, instance_id, finance = _links(svc, make_user)
    page = client.get(f"/links/{links['approve']}")
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "same-origin"  # the token stays on the site
    text = page.text
    assert "部门审核" in text and "此链接以 李财务 的身份决定" in text
    assert "杭州西湖代理" in text and "代理商" in text and "东区" in text
    assert 'class="decision approve chosen" autofocus' in text
    done = client.post(f"/links/{links['approve']}", data={"csrf_token": csrf_of(page), "decision": "approve",
                                                           "comment": "同意"})
    assert done.status_code == 200
    assert "流程实例等待其他部门的决定。" in done.text
    assert "此链接已使用，不能再次决定。" in done.text
    history = queries.history(svc, instance_id=instance_id)
    assert [(e.actor_login, e.data.get("via")) for e in history if e.action == "task_completed"] == [
        (finance.login, "link")]
    sign_in(client, svc, finance.login)
    assert "通过消息中的链接" in client.get(f"/instances/{instance_id}").text
    client.cookies.clear()
    again = client.get(f"/links/{links['reject']}")
    assert again.status_code == 410 and "此链接已被使用" in again.text


def test_an_english_users_link_explains_in_english_that_it_expired(
        svc: Services, client: TestClient, clock: FixedClock, make_user: UserFactory) -> None:
    links, _, _ = _links(svc, make_user, locale="en")
    clock.advance(timedelta(days=4))
    page = client.get(f"/links/{links['open']}")
    assert page.status_code == 410
    assert "The link expired on" in page.text and "Open the task from your inbox." in page.text


def test_a_post_without_the_pages_csrf_token_is_refused_and_decides_nothing(
        svc: Services, client: TestClient, make_user: UserFactory) -> None:
    links, instance_id, _ = _links(svc, make_user)
    refused = client.post(f"/links/{links['approve']}", data={"decision": "approve", "csrf_token": "forged"})
    assert refused.status_code == 403
    assert [e for e in queries.history(svc, instance_id=instance_id) if e.action == "task_completed"] == []
    assert client.get(f"/links/{links['approve']}").status_code == 200


def test_an_invalid_link_is_a_404_page_and_a_signed_in_stranger_is_told_whose_decision_it_is(
        svc: Services, client: TestClient, make_user: UserFactory) -> None:
    links, _, _ = _links(svc, make_user)
    bad = client.get("/links/" + "A" * 40)
    assert bad.status_code == 404 and "此链接无效" in bad.text
    other = make_user("market")
    sign_in(client, svc, other.login)
    page = client.get(f"/links/{links['open']}")
    assert f"您当前以 {other.login} 登录，但决定将以链接接收人 李财务 的身份做出。" in page.text
    assert "chosen" not in page.text  # "open" preselects no decision
