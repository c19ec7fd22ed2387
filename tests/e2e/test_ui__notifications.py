"""The notification pages: a user adds a target, sends it a test message and chooses what arrives by
which channel; an admin adds a group's robot, sees the dead letters on the dashboard and requeues them."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.support.fixtures import UserFactory
from tests.support.receivers import HttpReceiver, free_port
from tests.support.ui import sign_in
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.preferences import get_preferences
from workflows.services.records import notify
from workflows.services.targets import list_targets

TILE = re.compile(r'<span class="n">(\d+)</span> ([^<]+)</a>')


def dead(svc: Services, count: int, recipient: str = "user:1") -> list[int]:
    with svc.uow() as uow:
        notify(uow, now=svc.clock.now(), instance_id=None, recipients=[f"{recipient}#{n}" for n in range(count)],
               template="task_opened", payload={"task": "review"})
        uow.commit()
    with svc.uow() as uow:
        ids = list(uow.conn.execute(select(t.outbox.c.id).order_by(t.outbox.c.id)).scalars())[-count:]
        uow.conn.execute(t.outbox.update().where(t.outbox.c.id.in_(ids)).values(
            status="dead", attempts=5, last_error="target 3: Connection refused"))
        uow.commit()
    return ids


def test_a_user_adds_a_webhook_target_tests_it_and_sees_what_arrived(
        svc: Services, client: TestClient, make_user: UserFactory) -> None:
    user = make_user(login="ui_notify")
    csrf = sign_in(client, svc, "ui_notify")
    page = client.get("/notifications")
    assert "我的通知目标" in page.text and "你还没有通知目标" in page.text
    with HttpReceiver() as hook:
        added = client.post("/notifications/targets", data={"csrf_token": csrf, "kind": "webhook",
                                                             "url": hook.url("/ui"), "locale": "zh"})
        assert added.status_code == 200 and "Webhook" in added.text
        (target,) = list_targets(svc, actor=user)
        tested = client.post(f"/notifications/targets/{target.id}/test", data={"csrf_token": csrf})
    assert f"发往通知目标 #{target.id} 的测试消息已发送" in tested.text
    (post,) = hook.posts
    assert post.json["title"] == "channelops 测试消息"
    assert f"这是通知目标 #{target.id}（webhook）的测试消息，由 ui_notify 发送" in post.json["message"]


def test_a_failed_test_message_shows_the_providers_error(
        svc: Services, client: TestClient, make_user: UserFactory) -> None:
    user = make_user(login="ui_fail")
    csrf = sign_in(client, svc, "ui_fail")
    client.post("/notifications/targets", data={"csrf_token": csrf, "kind": "webhook",
                                                "url": f"json://127.0.0.1:{free_port()}/x"})
    (target,) = list_targets(svc, actor=user)
    tested = client.post(f"/notifications/targets/{target.id}/test", data={"csrf_token": csrf})
    assert f"发往通知目标 #{target.id} 的测试消息发送失败" in tested.text and "服务方答复" in tested.text


def test_a_url_of_the_wrong_kind_is_refused_on_an_error_page(
        svc: Services, client: TestClient, make_user: UserFactory) -> None:
    user = make_user(login="ui_bad")
    csrf = sign_in(client, svc, "ui_bad")
    answer = client.post("/notifications/targets", data={"csrf_token": csrf, "kind": "email",
                                                         "url": "json://127.0.0.1:9/x"})
    assert answer.status_code == 422 and "请修正输入" in answer.text and "mailto" in answer.text
    assert list_targets(svc, actor=user) == []


def test_the_preferences_form_saves_which_kinds_arrive_by_which_channel(
        svc: Services, client: TestClient, make_user: UserFactory) -> None:
    user = make_user(login="ui_prefs")
    csrf = sign_in(client, svc, "ui_prefs")
    kinds = ("email", "dingtalk", "feishu", "wecom", "webhook")
    form = {"csrf_token": csrf, **{f"{m}.{k}": "on" for m in ("task_assigned", "overdue", "meeting", "card_alarm",
                                                               "other") for k in kinds}, "reminder.dingtalk": "on"}
    saved = client.post("/notifications/preferences", data=form)
    assert saved.status_code == 200 and "通知偏好已保存" in saved.text
    prefs = get_preferences(svc, actor=user, user_id=user.id or 0)
    assert prefs.channels == {"reminder": ["dingtalk"]} and prefs.muted is False
    client.post("/notifications/preferences", data={**form, "muted": "on"})
    assert get_preferences(svc, actor=user, user_id=user.id or 0).muted is True
    assert 'name="muted" checked' in client.get("/notifications").text


def test_an_admin_adds_a_group_robot_and_others_see_no_group_section(
        svc: Services, client: TestClient, make_user: UserFactory) -> None:
    admin = make_user(admin=True, login="ui_admin")
    make_user(login="ui_plain")
    csrf = sign_in(client, svc, "ui_admin")
    client.post("/notifications/targets", data={"csrf_token": csrf, "owner_type": "group", "owner": "finance",
                                                "kind": "dingtalk", "url": "dingtalk://abcdefghijkl12345678/"})
    (robot,) = list_targets(svc, actor=admin, owner_type="group")
    page = client.get("/notifications").text
    assert robot.owner == "finance" and "财务部" in page and "dingtalk://****5678/" in page
    assert "abcdefghijkl" not in page
    sign_in(client, svc, "ui_plain")
    assert "部门通知目标" not in client.get("/notifications").text
    csrf = sign_in(client, svc, "ui_plain")
    refused = client.post("/notifications/targets", data={"csrf_token": csrf, "owner_type": "group",
                                                          "owner": "finance", "kind": "webhook", "url": "json://h/x"})
    assert refused.status_code == 403


def test_the_dashboard_shows_admins_the_exact_dead_count_with_a_link(
        svc: Services, client: TestClient, make_user: UserFactory) -> None:
    make_user(admin=True, login="dash_admin")
    make_user(login="dash_plain")
    dead(svc, 7)
    sign_in(client, svc, "dash_admin")
    html = client.get("/dashboard").text
    tiles = {label.strip(): int(n) for n, label in TILE.findall(html)}
    assert tiles["条发送失败的通知"] == 7
    assert '<a href="/admin/outbox?status=dead"><span class="n">7</span>' in html
    sign_in(client, svc, "dash_plain")
    assert "发送失败的通知" not in client.get("/dashboard").text
    assert client.get("/admin/outbox").status_code == 403


def test_an_admin_requeues_one_dead_letter_then_every_one_matching_a_filter(
        svc: Services, client: TestClient, make_user: UserFactory) -> None:
    make_user(admin=True, login="ob_admin")
    ids = dead(svc, 3)
    csrf = sign_in(client, svc, "ob_admin")
    page = client.get("/admin/outbox?status=dead").text
    assert "共 3 条通知" in page and "Connection refused" in page and "新待办" in page
    assert all(f'action="/admin/outbox/{i}/requeue"' in page for i in ids)
    one = client.post(f"/admin/outbox/{ids[0]}/requeue", data={"csrf_token": csrf})
    assert "已重新排队 1 条通知" in one.text and "共 2 条通知" in one.text
    rest = client.post("/admin/outbox/requeue", data={"csrf_token": csrf, "kind": "task_opened"})
    assert "已重新排队 2 条通知" in rest.text and "共 0 条通知" in rest.text
    pending = client.get("/admin/outbox?status=pending").text
    assert "共 3 条通知" in pending
    assert client.get("/admin/outbox?from=2026-13-01").status_code == 422
