"""Notification channels without code, through the API: targets added over HTTP receive real messages
(a local SMTP server and a local webhook receiver), secrets stay masked, a test message reports the
provider's answer, preferences mute kinds of message, a group's robot receives meeting agendas, and
dead letters are listed and requeued."""

from __future__ import annotations

import socket
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.support.fixtures import LoginFactory, UserFactory, bearer
from tests.support.receivers import HttpReceiver, SmtpReceiver, free_port
from workflows.adapters.notifier import AppriseNotifier
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.outbox import DispatchResult, dispatch_outbox
from workflows.services.records import notify

PAYLOAD = {"workflow": "complaint", "workflow_title_zh": "投诉处理", "workflow_title_en": "Complaint handling",
           "instance_id": 7, "state": "investigating", "state_title_zh": "调查中", "state_title_en": "Investigating",
           "task": "investigate"}
TOKEN, SECRET = "accesstoken0123456789abcd", "signsecret0123456789wxyz"


def queue(svc: Services, recipient: str, template: str = "task_opened") -> int:
    with svc.uow() as uow:
        notify(uow, now=svc.clock.now(), instance_id=None, recipients=[recipient], template=template,
               payload=PAYLOAD)
        uow.commit()
    with svc.uow(write=False) as uow:
        return int(uow.conn.execute(select(t.outbox.c.id).order_by(t.outbox.c.id.desc())).scalars().first() or 0)


def status_of(svc: Services, outbox_id: int) -> str:
    with svc.uow(write=False) as uow:
        return str(uow.conn.execute(select(t.outbox.c.status).where(t.outbox.c.id == outbox_id)).scalar_one())


def audit_actions(svc: Services, entity_type: str) -> list[str]:
    with svc.uow(write=False) as uow:
        return list(uow.conn.execute(select(t.audit_events.c.action).where(
            t.audit_events.c.entity_type == entity_type).order_by(t.audit_events.c.id)).scalars())


def user_id(client: TestClient, headers: dict[str, str]) -> int:
    return int(client.get("/api/v1/users/me", headers=headers).json()["id"])


def test_an_email_target_added_through_the_api_receives_a_real_test_message(
        client: TestClient, login_as: LoginFactory) -> None:
    me = login_as()
    with SmtpReceiver() as smtp:
        added = client.post("/api/v1/notification-targets", headers=me,
                            json={"kind": "email", "url": smtp.url(to="li@example.com"), "locale": "en"})
        assert added.status_code == 201, added.text
        target = added.json()
        assert target["owner_type"] == "user" and target["owner"] == str(user_id(client, me))
        answer = client.post(f"/api/v1/notification-targets/{target['id']}/test", headers=me).json()
        assert answer["ok"] is True and answer["error"] is None
    (mail,) = smtp.mails
    assert mail.recipients == ["li@example.com"]
    assert mail.subject == "channelops test message"
    assert f"This is a test of notification target #{target['id']} (email)" in mail.body


def test_a_webhook_target_added_through_the_api_receives_a_queued_notification(
        client: TestClient, svc: Services, login_as: LoginFactory) -> None:
    me = login_as()
    with HttpReceiver() as hook:
        added = client.post("/api/v1/notification-targets", headers=me,
                            json={"kind": "webhook", "url": hook.url("/me")})
        assert added.status_code == 201, added.text
        queue(svc, f"user:{user_id(client, me)}")
        assert dispatch_outbox(svc, notifier=AppriseNotifier()) == DispatchResult(sent=1)
    (post,) = hook.posts
    assert post.path == "/me" and post.json["title"] == "新待办：investigate（投诉处理 #7）"
    assert "当前状态：调查中" in post.json["message"]


def test_secrets_are_write_only_and_shown_masked_in_every_answer(
        client: TestClient, login_as: LoginFactory) -> None:
    me = login_as()
    url = f"dingtalk://{SECRET}@{TOKEN}/"
    added = client.post("/api/v1/notification-targets", headers=me, json={"kind": "dingtalk", "url": url})
    assert added.status_code == 201, added.text
    assert added.json()["url"] == "dingtalk://****wxyz@****abcd/"
    target_id = added.json()["id"]
    hook = client.post("/api/v1/notification-targets", headers=me, json={
        "kind": "webhook", "url": "json://ops:hunter2hunter2xy@127.0.0.1:9/in?+X-Token=tokentoken42&team=ops"})
    assert hook.json()["url"] == "json://ops:****r2xy@127.0.0.1:9/in?+X-Token=****en42&team=ops"
    changed = client.patch(f"/api/v1/notification-targets/{target_id}", headers=me,
                           json={"url": f"dingtalk://{TOKEN}9999/"})
    assert changed.json()["url"] == "dingtalk://****9999/"
    texts = [client.get("/api/v1/notification-targets", headers=me).text,
             client.get(f"/api/v1/notification-targets/{target_id}", headers=me).text, added.text, hook.text,
             changed.text]
    assert not any(secret in text for text in texts for secret in (SECRET, TOKEN, "hunter2", "tokentoken"))


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"kind": "email", "url": "json://127.0.0.1:9/x"}, "url", "a email target needs a mailto/mailtos:// URL"),
    ({"kind": "email", "url": "mailto://bot@example.com?to=not-an-address"}, "url",
     "to= must list e-mail addresses, not 'not-an-address'"),
    ({"kind": "dingtalk", "url": "dingtalk://bad-token!/"}, "url", "dingtalk://TOKEN/ or dingtalk://SECRET@TOKEN/"),
    ({"kind": "wecom", "url": "feishu://abc"}, "url", "wecombot://KEY"),
    ({"kind": "sms", "url": "json://127.0.0.1:9/x"}, "kind", "must be one of email, dingtalk, feishu, wecom, webhook"),
    ({"kind": "webhook", "url": "json://127.0.0.1:9/x y"}, "url", "contains a space"),
])
def test_a_url_that_does_not_fit_its_kind_is_refused_at_the_field(
        client: TestClient, login_as: LoginFactory, body: dict[str, Any], field: str, words: str) -> None:
    me = login_as()
    answer = client.post("/api/v1/notification-targets", headers=me, json=body)
    assert answer.status_code == 422
    (error,) = answer.json()["errors"]
    assert error["path"] == field and words in error["message"]
    assert client.get("/api/v1/notification-targets", headers=me).json() == []


def test_a_test_message_to_a_closed_port_reports_the_failure(client: TestClient, login_as: LoginFactory) -> None:
    me = login_as()
    port = free_port()  # nothing listens there
    target = client.post("/api/v1/notification-targets", headers=me,
                         json={"kind": "webhook", "url": f"json://127.0.0.1:{port}/hook"}).json()
    answer = client.post(f"/api/v1/notification-targets/{target['id']}/test", headers=me)
    assert answer.status_code == 200
    assert answer.json()["ok"] is False
    assert "Connection refused" in answer.json()["error"] or "connection" in answer.json()["error"].lower()


def test_a_host_that_never_answers_cannot_hang_the_test_request(client: TestClient, login_as: LoginFactory) -> None:
    me = login_as()
    with SmtpSilent() as port:
        target = client.post("/api/v1/notification-targets", headers=me, json={
            "kind": "email", "url": f"mailto://bot@example.com?smtp=127.0.0.1&port={port}&mode=insecure&to=a@b.cn"}
        ).json()
        client.app.state.probe_notifier = AppriseNotifier(timeout=1.0)  # type: ignore[attr-defined]
        started = time.monotonic()
        answer = client.post(f"/api/v1/notification-targets/{target['id']}/test", headers=me).json()
    assert answer["ok"] is False and answer["error"]
    assert time.monotonic() - started < 8


class SmtpSilent:
    """A port that accepts connections and never says a word (a hung mail server)."""

    def __enter__(self) -> int:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        port: int = self.sock.getsockname()[1]
        return port

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


def test_others_targets_and_group_targets_are_for_admins(client: TestClient, login_as: LoginFactory) -> None:
    me, other, admin = login_as("sales"), login_as(), login_as(admin=True)
    refused = client.post("/api/v1/notification-targets", headers=me, json={
        "owner_type": "group", "owner": "sales", "kind": "webhook", "url": "json://127.0.0.1:9/x"})
    assert refused.status_code == 403
    theirs = client.post("/api/v1/notification-targets", headers=other,
                         json={"kind": "webhook", "url": "json://127.0.0.1:9/theirs"}).json()
    assert client.delete(f"/api/v1/notification-targets/{theirs['id']}", headers=me).status_code == 403
    group = client.post("/api/v1/notification-targets", headers=admin, json={
        "owner_type": "group", "owner": "sales", "kind": "webhook", "url": "json://127.0.0.1:9/desk"})
    assert group.status_code == 201
    assert client.get("/api/v1/notification-targets", headers=me).json() == []
    listed = client.get("/api/v1/notification-targets?owner_type=group", headers=admin).json()
    assert [(x["owner"], x["url"]) for x in listed] == [("sales", "json://127.0.0.1:9/desk")]
    assert client.delete(f"/api/v1/notification-targets/{theirs['id']}", headers=admin).status_code == 204
    assert client.get(f"/api/v1/notification-targets/{theirs['id']}", headers=other).status_code == 404


def test_every_change_to_a_target_is_audited(client: TestClient, svc: Services, login_as: LoginFactory) -> None:
    me = login_as()
    target = client.post("/api/v1/notification-targets", headers=me,
                         json={"kind": "webhook", "url": f"json://127.0.0.1:{free_port()}/x"}).json()
    client.patch(f"/api/v1/notification-targets/{target['id']}", headers=me, json={"locale": "en"})
    client.post(f"/api/v1/notification-targets/{target['id']}/test", headers=me)
    client.delete(f"/api/v1/notification-targets/{target['id']}", headers=me)
    assert audit_actions(svc, "notification_target") == ["created", "changed", "tested", "removed"]


def test_preferences_mute_a_kind_of_message_on_one_target_kind_and_mute_everything(
        client: TestClient, svc: Services, login_as: LoginFactory) -> None:
    me = login_as()
    uid = user_id(client, me)
    assert client.get(f"/api/v1/users/{uid}/notification-preferences", headers=me).json()["channels"] == {}
    with HttpReceiver() as hook:
        client.post("/api/v1/notification-targets", headers=me, json={"kind": "webhook", "url": hook.url("/mine")})
        saved = client.put(f"/api/v1/users/{uid}/notification-preferences", headers=me,
                           json={"channels": {"reminder": ["email"]}})
        assert saved.status_code == 200 and saved.json()["channels"] == {"reminder": ["email"]}
        queue(svc, f"user:{uid}", "task_reminder")
        queue(svc, f"user:{uid}", "task_opened")
        assert dispatch_outbox(svc, notifier=AppriseNotifier()) == DispatchResult(sent=2)
        assert [p.json["title"].split("：")[0] for p in hook.posts] == ["新待办"]  # the reminder went nowhere
        client.put(f"/api/v1/users/{uid}/notification-preferences", headers=me, json={"muted": True})
        queue(svc, f"user:{uid}", "task_opened")
        dispatch_outbox(svc, notifier=AppriseNotifier())
        assert len(hook.posts) == 1
    assert client.get(f"/api/v1/users/{uid}/notification-preferences", headers=me).json()["muted"] is True
    assert audit_actions(svc, "notification_preferences") == ["changed", "changed"]


def test_preferences_name_known_kinds_only_and_are_the_users_own(client: TestClient, login_as: LoginFactory) -> None:
    me, other = login_as(), login_as()
    uid = user_id(client, me)
    bad = client.put(f"/api/v1/users/{uid}/notification-preferences", headers=me,
                     json={"channels": {"gossip": ["email"], "reminder": ["sms"]}})
    assert bad.status_code == 422
    assert sorted(e["path"] for e in bad.json()["errors"]) == ["channels.gossip", "channels.reminder[0]"]
    assert client.get(f"/api/v1/users/{uid}/notification-preferences", headers=other).status_code == 403


def test_a_groups_robot_receives_the_meeting_agenda_once_and_its_members_their_own(
        client: TestClient, svc: Services, login_as: LoginFactory, make_user: UserFactory) -> None:
    from channels.meetings.agendas import prepare_agenda
    from channels.meetings.series import create_meeting

    admin = login_as(admin=True)
    make_user("market"), make_user("market")  # members without targets of their own
    with HttpReceiver() as hook:
        robot = client.post("/api/v1/notification-targets", headers=admin, json={
            "owner_type": "group", "owner": "market", "kind": "webhook", "url": hook.url("/market-robot"),
            "locale": "en"})
        assert robot.status_code == 201, robot.text
        meeting = create_meeting(svc, actor=SYSTEM, kind="joint", rrule="FREQ=MONTHLY;BYDAY=1TU",
                                 starts_at=datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
                                 attendee_groups=["market"])
        prepare_agenda(svc, actor=SYSTEM, meeting_id=meeting.id)
        result = dispatch_outbox(svc, notifier=AppriseNotifier())
    assert result.sent == 3  # the robot's row, and one per member (no targets: nothing to send)
    (post,) = hook.posts
    assert post.path == "/market-robot"
    assert post.json["title"].startswith("Agenda: ") and "(Asia/Shanghai)" in post.json["title"]
    assert f"/meetings/{meeting.id}?occurrence=" in post.json["message"]


def dead_row(svc: Services, recipient: str, template: str = "task_opened") -> int:
    outbox_id = queue(svc, recipient, template)
    with svc.uow() as uow:
        uow.conn.execute(t.outbox.update().where(t.outbox.c.id == outbox_id).values(
            status="dead", attempts=5, last_error="target 1: connection refused"))
        uow.commit()
    return outbox_id


def test_an_admin_lists_dead_letters_with_filters_and_pages(
        client: TestClient, svc: Services, login_as: LoginFactory) -> None:
    admin = login_as(admin=True)
    ids = [dead_row(svc, "user:1"), dead_row(svc, "group:finance", "task_reminder"), dead_row(svc, "user:1")]
    queue(svc, "user:1")  # pending
    page = client.get("/api/v1/outbox?status=dead&limit=2", headers=admin).json()
    assert page["total"] == 3 and [i["id"] for i in page["items"]] == [ids[2], ids[1]]
    assert page["items"][0]["last_error"] == "target 1: connection refused"
    second = client.get("/api/v1/outbox?status=dead&limit=2&offset=2", headers=admin).json()
    assert [i["id"] for i in second["items"]] == [ids[0]]
    by_kind = client.get("/api/v1/outbox?status=dead&kind=task_reminder", headers=admin).json()
    assert [i["recipient"] for i in by_kind["items"]] == ["group:finance"]
    by_recipient = client.get("/api/v1/outbox?recipient=user:1", headers=admin).json()
    assert by_recipient["total"] == 3
    assert client.get("/api/v1/outbox?status=dead&from=2030-01-01T00:00:00Z", headers=admin).json()["total"] == 0
    assert client.get("/api/v1/outbox?status=lost", headers=admin).status_code == 422


def test_a_requeued_dead_letter_goes_back_to_pending_and_is_then_delivered(
        client: TestClient, svc: Services, login_as: LoginFactory, settings: Any) -> None:
    admin, me = login_as(admin=True), login_as()
    hook = HttpReceiver()
    client.post("/api/v1/notification-targets", headers=me, json={"kind": "webhook", "url": hook.url("/late")})
    outbox_id = queue(svc, f"user:{user_id(client, me)}")
    assert dispatch_outbox(svc, notifier=AppriseNotifier(), max_attempts=1) == DispatchResult(dead=1)
    assert client.post(f"/api/v1/outbox/{outbox_id}/requeue", headers=me).status_code == 403
    answer = client.post(f"/api/v1/outbox/{outbox_id}/requeue", headers=admin)
    assert answer.status_code == 200 and answer.json()["status"] == "pending" and answer.json()["attempts"] == 0
    assert client.post(f"/api/v1/outbox/{outbox_id}/requeue", headers=admin).status_code == 409
    with hook:
        assert dispatch_outbox(svc, notifier=AppriseNotifier()) == DispatchResult(sent=1)
    assert status_of(svc, outbox_id) == "sent" and hook.count("/late") == 1
    assert audit_actions(svc, "outbox") == ["requeued"]


def test_a_bulk_requeue_takes_ids_or_a_filter(client: TestClient, svc: Services, login_as: LoginFactory) -> None:
    admin = login_as(admin=True)
    first, second = dead_row(svc, "user:1"), dead_row(svc, "user:2")
    reminder = dead_row(svc, "user:2", "task_reminder")
    done = client.post("/api/v1/outbox/requeue", headers=admin, json={"ids": [first]}).json()
    assert done == {"requeued": [first], "count": 1}
    refused = client.post("/api/v1/outbox/requeue", headers=admin, json={"ids": [first, second]})
    assert refused.status_code == 409 and f"{first} is pending" in refused.json()["detail"]
    assert status_of(svc, second) == "dead"  # nothing changed
    by_filter = client.post("/api/v1/outbox/requeue", headers=admin,
                            json={"filter": {"kind": "task_reminder", "recipient": "user:2"}}).json()
    assert by_filter == {"requeued": [reminder], "count": 1}
    later = client.post("/api/v1/outbox/requeue", headers=admin, json={"filter": {"from": "2030-01-01T00:00:00Z"}})
    assert later.json() == {"requeued": [], "count": 0}
    everything = client.post("/api/v1/outbox/requeue", headers=admin, json={"filter": {}}).json()
    assert everything == {"requeued": [second], "count": 1}
    assert client.post("/api/v1/outbox/requeue", headers=admin, json={}).status_code == 422
    assert audit_actions(svc, "outbox") == ["requeued"] * 3


def test_only_admins_read_the_outbox(client: TestClient, login_as: LoginFactory, settings: Any) -> None:
    assert client.get("/api/v1/outbox", headers=login_as(roles=("viewer",))).status_code == 403
    assert client.get("/api/v1/outbox", headers=bearer(settings, 10**6)).status_code == 401


def test_a_groups_shared_mailbox_receives_the_agenda_by_email(
        client: TestClient, svc: Services, login_as: LoginFactory, make_user: UserFactory) -> None:
    from channels.meetings.agendas import prepare_agenda
    from channels.meetings.series import create_meeting

    admin = login_as(admin=True)
    make_user("committee")
    with SmtpReceiver() as smtp:
        mailbox = client.post("/api/v1/notification-targets", headers=admin, json={
            "owner_type": "group", "owner": "committee", "kind": "email", "url": smtp.url(to="committee@example.com")})
        assert mailbox.status_code == 201, mailbox.text
        meeting = create_meeting(svc, actor=SYSTEM, kind="joint", rrule="FREQ=MONTHLY;BYDAY=1TU",
                                 starts_at=datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
                                 attendee_groups=["committee"])
        prepare_agenda(svc, actor=SYSTEM, meeting_id=meeting.id)
        dispatch_outbox(svc, notifier=AppriseNotifier())
    (mail,) = smtp.mails
    assert mail.recipients == ["committee@example.com"]
    assert mail.subject == "会议议程：跨部门联席会议（2026-12-01 10:00 (Asia/Shanghai)）"
    assert f"议程与日历邀请：http://127.0.0.1:8000/meetings/{meeting.id}?occurrence=" in mail.body
