"""In a real browser (zh): an admin adds a department's robot, tests it, and requeues a dead notification
from the dashboard's tile."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import PageFactory, Person, log_in, screenshot, sqlite_only
from tests.support.receivers import HttpReceiver
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.records import notify

pytestmark = [pytest.mark.browser, sqlite_only]


def test_an_admin_adds_and_tests_a_group_robot_then_requeues_a_dead_notification(
        svc: Services, person: Callable[..., Person], open_page: PageFactory, request: pytest.FixtureRequest) -> None:
    person("wang.admin", admin=True)
    with svc.uow() as uow:
        notify(uow, now=svc.clock.now(), instance_id=None, recipients=["group:finance"], template="task_opened",
               payload={"task": "review"})
        uow.commit()
    with svc.uow() as uow:
        uow.conn.execute(t.outbox.update().values(status="dead", attempts=5, last_error="target 9: refused"))
        uow.commit()
    page = open_page()
    log_in(page, "wang.admin")
    with HttpReceiver() as hook:
        page.get_by_role("navigation").get_by_role("link", name="通知").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("通知")
        form = page.locator("form:has(#group-url)")
        form.locator("#group-owner").select_option(label="财务部")
        form.locator("#group-kind").select_option(label="Webhook")
        form.locator("#group-url").fill(hook.url("/finance-robot"))
        form.get_by_role("button", name="添加").click()
        row = page.locator("section[aria-labelledby=h-groups] tbody tr").first
        expect(row).to_contain_text("财务部")
        row.get_by_role("button", name="发送测试消息").click()
        expect(page.locator("#messages")).to_contain_text("测试消息已发送")
        screenshot(page, f"{request.node.name}-tested")
    (post,) = hook.posts
    assert post.path == "/finance-robot" and post.json["title"] == "channelops 测试消息"
    page.get_by_role("navigation").get_by_role("link", name="总览").click()
    page.locator("#tile-dead a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("发件箱")
    expect(page.locator("#outbox-total")).to_have_text("共 1 条通知")
    page.get_by_role("button", name="重新发送", exact=True).click()
    expect(page.locator("#messages")).to_contain_text("已重新排队 1 条通知")
    screenshot(page, f"{request.node.name}-requeued")
    with svc.uow(write=False) as uow:
        assert list(uow.conn.execute(select(t.outbox.c.status)).scalars()) == ["pending"]
