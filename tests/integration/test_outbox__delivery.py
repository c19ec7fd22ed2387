"""Notifications are never lost: the outbox dispatcher delivers through apprise to real receivers,
retries with backoff, gives up into dead letters an admin can requeue, and fans out to groups and roles."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.integration.helpers import count
from tests.support.fixtures import START, UserFactory
from tests.support.receivers import HttpReceiver, SmtpReceiver
from workflows.adapters.clock import FixedClock
from workflows.adapters.notifier import AppriseNotifier, RecordingNotifier
from workflows.domain.errors import InvalidInput, PermissionDenied
from workflows.domain.principals import Actor
from workflows.persistence import tables as t
from workflows.services.auth import deactivate_user
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.outbox import NO_TARGETS, DispatchResult, dispatch_outbox, list_outbox, requeue_dead
from workflows.services.records import notify
from workflows.services.targets import add_target, list_targets, remove_target

PAYLOAD = {"workflow": "complaint", "workflow_title_zh": "投诉处理", "workflow_title_en": "Complaint handling",
           "instance_id": 7, "state": "investigating", "state_title_zh": "调查中", "state_title_en": "Investigating",
           "task": "investigate", "due_at": "2026-11-24T09:00:00+00:00"}


ONBOARDING = {"channel_name": "华东旗舰店", "channel_type": "direct_store", "region": "east"}


def queue(svc: Services, recipient: str, *, template: str = "task_opened", **payload: Any) -> int:
    """Write an outbox row the way every step does, and return its id."""
    with svc.uow() as uow:
        notify(uow, now=svc.clock.now(), instance_id=None, recipients=[recipient], template=template,
               payload={**PAYLOAD, **payload})
        uow.commit()
    with svc.uow(write=False) as uow:
        return int(uow.conn.execute(select(t.outbox.c.id).order_by(t.outbox.c.id.desc())).scalars().first() or 0)


def row(svc: Services, outbox_id: int) -> dict[str, Any]:
    with svc.uow(write=False) as uow:
        return dict(uow.conn.execute(select(t.outbox).where(t.outbox.c.id == outbox_id)).mappings().one())


def tries(svc: Services, outbox_id: int) -> list[dict[str, Any]]:
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(select(t.delivery_attempts).where(t.delivery_attempts.c.outbox_id == outbox_id)
                                .order_by(t.delivery_attempts.c.id)).mappings()
        return [dict(r) for r in rows]


def target(svc: Services, user: Actor, url: str, *, kind: str = "webhook", locale: str | None = None) -> int:
    return add_target(svc, actor=user, owner_type="user", owner=str(user.id), kind=kind, url=url, locale=locale).id


@pytest.fixture
def admin(make_user: UserFactory) -> Actor:
    return make_user(admin=True)


def test_a_local_smtp_server_receives_the_task_opened_mail_of_an_onboarding_submission(
        svc: Services, make_user: UserFactory) -> None:
    manager, reviewer = make_user(roles=("channel_manager",)), make_user("market")
    make_user("sales"), make_user("finance")
    with SmtpReceiver() as smtp:
        target(svc, reviewer, smtp.url(to="market@example.com"), kind="email")
        inst = start_instance(svc, actor=manager, workflow="channel_onboarding",
                              subject={"type": "channel", "id": "C-9"}, data=ONBOARDING)
        fire_trigger(svc, actor=manager, instance_id=inst.id, trigger="submit")
        result = dispatch_outbox(svc, notifier=AppriseNotifier())
    assert result == DispatchResult(sent=3)  # one task_opened per department; sales and finance have no targets
    (mail,) = smtp.mails
    assert mail.recipients == ["market@example.com"]
    assert mail.subject == f"新待办：部门审核（渠道入驻审核 #{inst.id}）"
    assert "对象：渠道 C-9" in mail.body and "截止时间：" in mail.body


def test_a_mail_is_plain_text_so_markup_in_a_comment_arrives_as_written_and_never_as_html(
        svc: Services, make_user: UserFactory) -> None:
    user = make_user()
    with SmtpReceiver() as smtp:
        target(svc, user, smtp.url(to="user@example.com"), kind="email", locale="en")
        queue(svc, f"user:{user.id}", template="changes_requested", comment="<script>alert(1)</script> & <b>x</b>")
        assert dispatch_outbox(svc, notifier=AppriseNotifier()) == DispatchResult(sent=1)
    (mail,) = smtp.mails
    assert mail.html == ""  # apprise's default for e-mail is HTML: it would pass the markup through
    assert "Comment: <script>alert(1)</script> & <b>x</b>" in mail.body


def test_a_json_webhook_receives_the_rendered_title_and_body_in_the_targets_locale(
        svc: Services, make_user: UserFactory) -> None:
    user = make_user("sales")
    with HttpReceiver() as hook:
        target(svc, user, hook.url("/ops"), locale="en")
        outbox_id = queue(svc, f"user:{user.id}")
        dispatch_outbox(svc, notifier=AppriseNotifier())
    (post,) = hook.posts
    assert post.path == "/ops"
    assert post.json["title"] == "New task: investigate (Complaint handling #7)"
    assert "Due: 2026-11-24 17:00 (Asia/Shanghai)" in post.json["message"]
    assert (row(svc, outbox_id)["status"], [a["ok"] for a in tries(svc, outbox_id)]) == ("sent", [True])


def test_a_notice_for_a_receiver_that_is_down_waits_with_backoff_and_arrives_once_when_it_is_back(
        svc: Services, clock: FixedClock, make_user: UserFactory) -> None:
    user, hook = make_user(), HttpReceiver()  # not started: its port is closed
    target(svc, user, hook.url())
    outbox_id = queue(svc, f"login:{user.login}")
    assert dispatch_outbox(svc, notifier=AppriseNotifier()) == DispatchResult(retried=1)
    waiting = row(svc, outbox_id)
    assert (waiting["status"], waiting["attempts"], waiting["next_attempt_at"]) == ("pending", 1,
                                                                                   START + timedelta(seconds=30))
    assert "Connection error" in waiting["last_error"]
    with hook:
        assert dispatch_outbox(svc, notifier=AppriseNotifier()) == DispatchResult()  # not due until the clock moves
        clock.advance(timedelta(seconds=30))
        assert dispatch_outbox(svc, notifier=AppriseNotifier()) == DispatchResult(sent=1)
        assert dispatch_outbox(svc, notifier=AppriseNotifier()) == DispatchResult()
    assert hook.count("/hook") == 1
    assert [a["ok"] for a in tries(svc, outbox_id)] == [False, True]


def test_a_notice_that_keeps_failing_backs_off_then_dies_and_an_admin_requeue_delivers_it(
        svc: Services, clock: FixedClock, make_user: UserFactory, admin: Actor) -> None:
    user, hook = make_user(), HttpReceiver()
    target(svc, user, hook.url())
    outbox_id = queue(svc, f"user:{user.id}")
    waits, results = [], []
    for _ in range(5):
        results.append(dispatch_outbox(svc, notifier=AppriseNotifier(), max_attempts=5))
        waits.append(row(svc, outbox_id)["next_attempt_at"] - clock.now())
        clock.set(row(svc, outbox_id)["next_attempt_at"])
    assert [w.total_seconds() for w in waits[:4]] == [30, 60, 120, 240]
    assert results[-1] == DispatchResult(dead=1) and row(svc, outbox_id)["status"] == "dead"
    assert dispatch_outbox(svc, notifier=AppriseNotifier()) == DispatchResult()  # the dead stay put
    with hook:
        assert requeue_dead(svc, actor=admin, outbox_id=outbox_id).status == "pending"
        assert dispatch_outbox(svc, notifier=AppriseNotifier()) == DispatchResult(sent=1)
    assert hook.count("/hook") == 1 and len(tries(svc, outbox_id)) == 6
    assert count(svc, t.audit_events, t.audit_events.c.action == "requeued") == 1


def test_only_an_admin_may_requeue_a_dead_notice_or_list_the_outbox(svc: Services, make_user: UserFactory) -> None:
    user, notifier = make_user(), RecordingNotifier(failing={"json://127.0.0.1:9/down"})
    target(svc, user, "json://127.0.0.1:9/down")
    outbox_id = queue(svc, f"user:{user.id}")
    assert dispatch_outbox(svc, notifier=notifier, max_attempts=1) == DispatchResult(dead=1)
    with pytest.raises(PermissionDenied):
        requeue_dead(svc, actor=user, outbox_id=outbox_id)
    with pytest.raises(PermissionDenied):
        list_outbox(svc, actor=user)
    assert row(svc, outbox_id)["status"] == "dead"


def test_a_retry_repeats_only_the_targets_that_failed(svc: Services, clock: FixedClock, make_user: UserFactory) -> None:
    user, notifier = make_user(), RecordingNotifier(failing={"json://127.0.0.1:9/b"})
    target(svc, user, "json://127.0.0.1:9/a")
    target(svc, user, "json://127.0.0.1:9/b")
    queue(svc, f"user:{user.id}")
    assert dispatch_outbox(svc, notifier=notifier) == DispatchResult(retried=1)
    notifier.failing.clear()
    clock.advance(timedelta(seconds=30))
    assert dispatch_outbox(svc, notifier=notifier) == DispatchResult(sent=1)
    assert notifier.urls() == ["json://127.0.0.1:9/a", "json://127.0.0.1:9/b"]


def test_group_recipients_reach_the_groups_target_and_each_active_member_once_per_url(
        svc: Services, make_user: UserFactory, admin: Actor) -> None:
    first, second, gone, outsider = make_user("finance"), make_user("finance"), make_user("finance"), make_user("sales")
    add_target(svc, actor=admin, owner_type="group", owner="finance", kind="webhook", url="json://127.0.0.1:9/desk")
    target(svc, first, "json://127.0.0.1:9/shared")
    target(svc, second, "json://127.0.0.1:9/shared")
    target(svc, second, "json://127.0.0.1:9/second")
    target(svc, gone, "json://127.0.0.1:9/gone")
    target(svc, outsider, "json://127.0.0.1:9/outsider")
    deactivate_user(svc, actor=admin, user_id=gone.id or 0)
    notifier = RecordingNotifier()
    queue(svc, "group:finance")
    assert dispatch_outbox(svc, notifier=notifier) == DispatchResult(sent=1)
    assert notifier.urls() == ["json://127.0.0.1:9/desk", "json://127.0.0.1:9/shared", "json://127.0.0.1:9/second"]


def test_role_recipients_reach_the_active_users_with_that_role(
        svc: Services, make_user: UserFactory, admin: Actor) -> None:
    member, manager = make_user("committee"), make_user(roles=("channel_manager",))
    for user, path in ((member, "/member"), (manager, "/manager"), (admin, "/admin")):
        target(svc, user, f"json://127.0.0.1:9{path}")
    notifier = RecordingNotifier()
    queue(svc, "role:committee")
    queue(svc, "role:admin")
    assert dispatch_outbox(svc, notifier=notifier) == DispatchResult(sent=2)
    assert notifier.urls() == ["json://127.0.0.1:9/member", "json://127.0.0.1:9/admin"]


def test_a_recipient_without_targets_is_marked_sent_with_a_note(svc: Services, make_user: UserFactory) -> None:
    user = make_user()
    removed = target(svc, user, "json://127.0.0.1:9/old")
    remove_target(svc, actor=user, target_id=removed)
    outbox_id = queue(svc, f"user:{user.id}")
    assert dispatch_outbox(svc, notifier=RecordingNotifier()) == DispatchResult(sent=1)
    assert (row(svc, outbox_id)["status"], row(svc, outbox_id)["last_error"]) == ("sent", NO_TARGETS)


def test_two_concurrent_dispatchers_deliver_each_notice_exactly_once(svc: Services, make_user: UserFactory) -> None:
    user, start, results, errors = make_user(), threading.Barrier(2), [], []

    def dispatcher() -> None:
        start.wait()
        try:
            results.append(dispatch_outbox(svc, notifier=AppriseNotifier()))
        except Exception as exc:  # re-raised below, in the test's thread
            errors.append(exc)

    with HttpReceiver() as hook:
        target(svc, user, hook.url())
        for number in range(20):
            queue(svc, f"user:{user.id}", instance_id=number)
        workers = [threading.Thread(target=dispatcher) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
    assert errors == []
    titles = sorted(post.json["title"] for post in hook.posts)
    assert titles == sorted(f"新待办：investigate（投诉处理 #{n}）" for n in range(20))
    assert sum(r.sent for r in results) == 20 and count(svc, t.delivery_attempts) == 20


def test_a_target_needs_a_known_kind_and_a_url_apprise_can_use_for_that_kind(
        svc: Services, make_user: UserFactory) -> None:
    user = make_user()
    for kind, url in (("sms", "json://127.0.0.1:9/x"), ("webhook", "foo://bar"), ("email", "json://127.0.0.1:9/x"),
                      ("dingtalk", "")):
        with pytest.raises(InvalidInput):
            target(svc, user, url, kind=kind)
    assert target(svc, user, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc123", kind="wecom") > 0


def test_a_user_manages_only_their_own_targets_and_sees_their_secrets_masked(
        svc: Services, make_user: UserFactory, admin: Actor) -> None:
    user, other = make_user("sales"), make_user("sales")
    with pytest.raises(PermissionDenied):
        add_target(svc, actor=user, owner_type="user", owner=str(other.id), kind="webhook", url="json://h.example/x")
    with pytest.raises(PermissionDenied):
        add_target(svc, actor=user, owner_type="group", owner="sales", kind="webhook", url="json://h.example/x")
    target(svc, user, "dingtalk://signsecret@accesstoken123", kind="dingtalk")
    add_target(svc, actor=admin, owner_type="user", owner=str(other.id), kind="feishu", url="feishu://tok-123")
    (mine,) = list_targets(svc, actor=user)
    assert mine.kind == "dingtalk" and "signsecret" not in mine.url and "accesstoken123" not in mine.url
    assert len(list_targets(svc, actor=admin)) == 2
