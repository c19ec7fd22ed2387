"""Decision links in task notifications: issued per user who may decide, signed, single-use,
expiring, revoked when the task closes, the user is deactivated or the task goes to someone else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.support.fixtures import UserFactory
from tests.support.receivers import SmtpReceiver
from workflows.adapters.clock import FixedClock
from workflows.adapters.notifier import AppriseNotifier, RecordingNotifier, Sent
from workflows.domain.errors import InvalidInput
from workflows.domain.principals import SYSTEM, Actor
from workflows.persistence import tables as t
from workflows.services import action_links, queries
from workflows.services.action_links import LinkRefused
from workflows.services.auth import deactivate_user
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.outbox import dispatch_outbox
from workflows.services.targets import add_target
from workflows.services.tasks import claim_task, complete_task

ONBOARDING = {"channel_name": "华东旗舰店", "channel_type": "direct_store", "region": "east"}


@pytest.fixture
def signed(svc: Services) -> Services:
    svc.link_secret = "link-test-secret-0123456789-0123456789"
    svc.public_url = "https://ops.example.cn"
    return svc


def _submit(svc: Services, manager: Actor) -> int:
    inst = start_instance(svc, actor=manager, workflow="channel_onboarding", subject={"type": "channel", "id": "9"},
                          data=ONBOARDING)
    fire_trigger(svc, actor=manager, instance_id=inst.id, trigger="submit")
    return inst.id


def _target(svc: Services, user: Actor, url: str, kind: str = "webhook", locale: str | None = None) -> None:
    add_target(svc, actor=user, owner_type="user", owner=str(user.id), kind=kind, url=url, locale=locale)


def _token(message: Sent, action: str) -> str:
    url = next(a.url for a in message.actions if a.action == action)
    assert url.startswith("https://ops.example.cn/links/")
    return url.rsplit("/", 1)[1]


def test_a_reviewers_notification_carries_a_link_per_decision_and_one_to_open(
        signed: Services, make_user: UserFactory) -> None:
    manager, finance = make_user(roles=("channel_manager",)), make_user("finance")
    _target(signed, finance, "json://127.0.0.1:9/f", locale="en")
    _submit(signed, manager)
    notifier = RecordingNotifier()
    dispatch_outbox(signed, notifier=notifier)
    (message,) = notifier.sent
    assert [(a.action, a.label) for a in message.actions] == [
        ("approve", "Approve"), ("reject", "Reject"), ("request_changes", "Request changes"),
        ("open", "Open and comment")]
    with signed.uow(write=False) as uow:
        links = uow.conn.execute(select(t.action_links)).mappings().all()
    assert [(r["user_id"], r["expires_at"] - r["created_at"]) for r in links] == [(finance.id, timedelta(hours=72))]


def test_approving_through_the_link_decides_as_its_user_and_the_audit_says_so(
        signed: Services, make_user: UserFactory) -> None:
    manager, finance = make_user(roles=("channel_manager",)), make_user("finance")
    _target(signed, finance, "json://127.0.0.1:9/f")
    instance_id = _submit(signed, manager)
    notifier = RecordingNotifier()
    dispatch_outbox(signed, notifier=notifier)
    token = _token(notifier.sent[0], "approve")
    page = action_links.open_link(signed, token=token)
    assert (page.reason, page.action, page.decisions) == ("ok", "approve", ["approve", "reject", "request_changes"])
    result = action_links.decide(signed, token=token, decision="approve", comment="邮件里同意")
    assert result.instance.id == instance_id and not result.moved  # market and sales still to decide
    history = queries.history(signed, instance_id=instance_id)
    (decided,) = [e for e in history if e.action == "task_completed"]
    assert (decided.actor_login, decided.comment, decided.data["via"]) == (finance.login, "邮件里同意", "link")
    with pytest.raises(LinkRefused) as again:
        action_links.decide(signed, token=_token(notifier.sent[0], "reject"), decision="reject", comment=None)
    assert again.value.reason == "used"
    assert action_links.open_link(signed, token=token).reason == "used"


def test_a_forged_or_altered_link_is_invalid(signed: Services, make_user: UserFactory) -> None:
    manager, finance = make_user(roles=("channel_manager",)), make_user("finance")
    _target(signed, finance, "json://127.0.0.1:9/f")
    _submit(signed, manager)
    notifier = RecordingNotifier()
    dispatch_outbox(signed, notifier=notifier)
    token = _token(notifier.sent[0], "approve")
    forged = action_links.token_for(Services(engine=signed.engine, clock=signed.clock, calendar=signed.calendar,
                                             registry=signed.registry, link_secret="another-secret"),
                                    link_id=1, action="approve")
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged, "x" * 20):
        with pytest.raises(LinkRefused) as refused:
            action_links.open_link(signed, token=bad)
        assert refused.value.reason == "invalid"


def test_a_link_expires(signed: Services, clock: FixedClock, make_user: UserFactory) -> None:
    manager, finance = make_user(roles=("channel_manager",)), make_user("finance")
    _target(signed, finance, "json://127.0.0.1:9/f")
    _submit(signed, manager)
    notifier = RecordingNotifier()
    dispatch_outbox(signed, notifier=notifier)
    clock.advance(timedelta(hours=73))
    token = _token(notifier.sent[0], "approve")
    assert action_links.open_link(signed, token=token).reason == "expired"
    with pytest.raises(LinkRefused):
        action_links.decide(signed, token=token, decision="approve", comment=None)


def test_a_link_stops_when_the_task_is_decided_the_user_deactivated_or_the_task_claimed_by_another(
        signed: Services, make_user: UserFactory) -> None:
    manager, admin = make_user(roles=("channel_manager",)), make_user(admin=True)
    finance, colleague, market = make_user("finance"), make_user("finance"), make_user("market")
    for user in (finance, colleague, market):
        _target(signed, user, f"json://127.0.0.1:9/{user.id}")
    _submit(signed, manager)
    notifier = RecordingNotifier()
    dispatch_outbox(signed, notifier=notifier)
    by_user = {m.url.rsplit("/", 1)[1]: m for m in notifier.sent}
    finance_token = _token(by_user[str(finance.id)], "approve")
    colleague_token = _token(by_user[str(colleague.id)], "approve")
    market_token = _token(by_user[str(market.id)], "approve")
    finance_task = next(t.id for t in queries.inbox(signed, actor=colleague).items)
    claim_task(signed, actor=colleague, task_id=finance_task)
    assert action_links.open_link(signed, token=finance_token).reason == "reassigned"
    assert action_links.open_link(signed, token=colleague_token).reason == "ok"
    deactivate_user(signed, actor=admin, user_id=colleague.id)
    assert action_links.open_link(signed, token=colleague_token).reason == "deactivated"
    market_task = next(t.id for t in queries.inbox(signed, actor=market).items)
    complete_task(signed, actor=market, task_id=market_task, decision="approve")
    assert action_links.open_link(signed, token=market_token).reason == "closed"
    with pytest.raises(LinkRefused) as refused:
        action_links.decide(signed, token=market_token, decision="approve", comment=None)
    assert refused.value.reason == "closed"


def test_a_revoked_link_and_a_decision_the_task_does_not_offer(signed: Services, make_user: UserFactory) -> None:
    manager, finance = make_user(roles=("channel_manager",)), make_user("finance")
    _target(signed, finance, "json://127.0.0.1:9/f")
    _submit(signed, manager)
    notifier = RecordingNotifier()
    dispatch_outbox(signed, notifier=notifier)
    token = _token(notifier.sent[0], "approve")
    with pytest.raises(InvalidInput):
        action_links.decide(signed, token=token, decision="done", comment=None)
    assert action_links.open_link(signed, token=token).reason == "ok"  # the refused decision used nothing up
    task_id = action_links.open_link(signed, token=token).task_id
    assert action_links.revoke(signed, task_id=task_id, reason="withdrawn") == 1
    assert action_links.open_link(signed, token=token).reason == "revoked"


def test_the_requester_gets_no_decision_links_and_a_group_target_gets_none(
        signed: Services, make_user: UserFactory) -> None:
    both = make_user("finance", roles=("channel_manager",))
    _target(signed, both, "json://127.0.0.1:9/both")
    add_target(signed, actor=SYSTEM, owner_type="group", owner="finance", kind="webhook", url="json://127.0.0.1:9/g")
    _submit(signed, both)
    notifier = RecordingNotifier()
    dispatch_outbox(signed, notifier=notifier)
    assert sorted(m.url for m in notifier.sent) == ["json://127.0.0.1:9/both", "json://127.0.0.1:9/g"]
    assert all(m.actions == () for m in notifier.sent)


def test_the_mail_has_buttons_in_html_and_the_addresses_in_its_text_part(
        signed: Services, make_user: UserFactory) -> None:
    manager, finance = make_user(roles=("channel_manager",)), make_user("finance")
    with SmtpReceiver() as smtp:
        _target(signed, finance, smtp.url(to="finance@example.com"), kind="email")
        _submit(signed, manager)
        dispatch_outbox(signed, notifier=AppriseNotifier())
    (mail,) = smtp.mails
    assert '<a href="https://ops.example.cn/links/' in mail.html and ">通过</a>" in mail.html
    assert "截止时间：" in mail.html
    assert mail.body.count("https://ops.example.cn/links/") == 4
    assert "驳回: https://ops.example.cn/links/" in mail.body


def test_dingtalk_gets_markdown_links_and_a_webhook_gets_the_addresses_as_lines() -> None:
    from workflows.adapters.notifier import ActionLink, with_actions

    actions = (ActionLink(label="通过", url="https://x/links/a", action="approve"),
               ActionLink(label="打开[详情]", url="https://x/links/b", action="open"))
    body, fmt = with_actions("dingtalk", "新待办", actions)
    assert fmt == "markdown" and body == "新待办\n\n- [通过](https://x/links/a)\n- [打开\\[详情\\]](https://x/links/b)"
    body, fmt = with_actions("wecombot", "新待办", actions)
    assert fmt == "text" and body == "新待办\n通过: https://x/links/a\n打开[详情]: https://x/links/b"
    html, fmt = with_actions("mailto", "a <b> & c", actions)
    assert fmt == "html" and "<p>a &lt;b&gt; &amp; c</p>" in html
