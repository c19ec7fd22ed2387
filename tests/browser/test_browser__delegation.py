"""An admin records an absence with a substitute in the Chinese UI; the substitute approves the absent
reviewer's task, and the instance's history says on whose behalf."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import expect

from channelops.settings import Settings
from tests.browser.conftest import PASSWORD, PageFactory, Person, log_in, screenshot
from tests.support.fixtures import bearer
from workflows.services import instances, queries, tasks
from workflows.services.context import Services
from workflows.services.users import actor_for

pytestmark = pytest.mark.browser


def test_an_admin_records_an_absence_and_the_substitute_approves_on_behalf_of_the_absent_reviewer(
        svc: Services, settings: Settings, live_url: str, person: Callable[..., Person], open_page: PageFactory,
        request: pytest.FixtureRequest) -> None:
    boss = person("boss", admin=True)
    person("liu.manager", roles=("channel_manager",), logs_in=False)
    # group UI: see users branch — the admin puts both reviewers into the sales group through the API for now
    with httpx.Client(base_url=live_url, headers=bearer(settings, boss.id)) as api:
        for login, name in (("zhang.san", "张三"), ("li.si", "李四")):
            made = api.post("/api/v1/users", json={"login": login, "display_name": name, "groups": ["sales"],
                                                   "password": PASSWORD})
            assert made.status_code == 201, made.text
    manager = actor_for(svc, login="liu.manager")
    inst = instances.start_instance(svc, actor=manager, workflow="channel_onboarding",
                                    data={"channel_name": "杭州代理商", "channel_type": "agent", "region": "east"})
    instances.fire_trigger(svc, actor=manager, instance_id=inst.id, trigger="submit")
    zhang = actor_for(svc, login="zhang.san")
    sales = next(t for t in queries.inbox(svc, actor=zhang).items if t.candidate_group == "sales")
    tasks.claim_task(svc, actor=zhang, task_id=sales.id)  # then 张三 goes on leave

    page = open_page()
    log_in(page, "boss")
    page.get_by_role("navigation").get_by_role("link", name="缺席代理").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("缺席与代理")
    page.get_by_label("缺席人").select_option("zhang.san")
    page.get_by_label("代理人").select_option("li.si")
    page.get_by_label("渠道入驻审核").check()
    page.get_by_label("备注").fill("年假")
    page.get_by_role("button", name="登记").click()
    expect(page.locator("#messages")).to_contain_text("缺席已登记，已通知代理人。")
    row = page.locator("tr[data-absence]", has_text="张三")
    expect(row).to_contain_text("李四")
    expect(row).to_contain_text("缺席中")
    row.get_by_role("button", name="交接未完成待办").click()
    expect(page.locator("#messages")).to_contain_text("已将 1 项未完成待办交给代理人。")
    screenshot(page, f"{request.node.name}-absences")

    substitute = open_page()
    log_in(substitute, "li.si")
    substitute.goto("/inbox")
    task = substitute.locator("li.task", has=substitute.get_by_role("link", name=f"实例 #{inst.id}"))
    expect(task).to_contain_text("代 zhang.san")
    task.get_by_role("button", name="通过").click()
    expect(substitute.locator("#messages")).to_contain_text("已通过")
    substitute.goto(f"/instances/{inst.id}")
    history = substitute.locator(".timeline")
    expect(history).to_contain_text("li.si 代 zhang.san")
    expect(history).to_contain_text("待办已交给代理人 zhang.san → li.si")
    screenshot(substitute, f"{request.node.name}-history")
