"""The same pages in Chinese and English; the choice is remembered per user."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, PageFactory, Person, log_in, screenshot, sqlite_only
from workflows.services import instances
from workflows.services.context import Services
from workflows.services.users import actor_for

pytestmark = pytest.mark.browser
PAGES = {  # path: (heading in zh, heading in en)
    "/inbox": ("待办", "Inbox"),
    "/dashboard": ("总览", "Dashboard"),
    "/instances": ("流程实例", "Instances"),
    "/workflows": ("流程", "Workflows"),
}


def test_pages_read_in_chinese_then_english_and_the_choice_is_remembered(
        svc: Services, person: Callable[..., Person], open_page: PageFactory, request: pytest.FixtureRequest) -> None:
    person("liu.manager", roles=("channel_manager",), logs_in=False)
    person("li.market", "market")  # locale zh, the default
    manager = actor_for(svc, login="liu.manager")
    data = {"channel_name": "成都直营店", "channel_type": "direct_store", "region": "west"}
    inst = instances.start_instance(svc, actor=manager, workflow="channel_onboarding", data=data)
    instances.fire_trigger(svc, actor=manager, instance_id=inst.id, trigger="submit", comment="资料已齐备")
    page = open_page()
    page.goto("/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    log_in(page, "li.market")
    for path, (zh, _) in PAGES.items():
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(zh)
        assert page.get_attribute("html", "lang") == "zh-CN"
        screenshot(page, f"{request.node.name}-zh-{path.strip('/')}")
    page.goto(f"/instances/{inst.id}")
    expect(page.locator("#current-state")).to_have_text("审核中")
    expect(page.locator(".task").first.get_by_role("button", name="通过")).to_be_visible()
    screenshot(page, f"{request.node.name}-zh-instance")

    page.get_by_role("button", name="English").click()
    expect(page.locator("#current-state")).to_have_text("Under review")
    expect(page.locator(".task").first.get_by_role("button", name="Approve")).to_be_visible()
    screenshot(page, f"{request.node.name}-en-instance")
    for path, (_, en) in PAGES.items():
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(en)
        assert page.get_attribute("html", "lang") == "en"
        screenshot(page, f"{request.node.name}-en-{path.strip('/')}")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    other = open_page(PHONE)  # another browser: the language comes from the user's record
    log_in(other, "li.market")
    other.goto("/inbox")
    expect(other.get_by_role("heading", level=1)).to_have_text("Inbox")


@sqlite_only
def test_a_failed_login_says_so_in_the_current_language(person: Callable[..., Person], open_page: PageFactory,
                                                        request: pytest.FixtureRequest) -> None:
    person("li.market", "market")
    page = open_page()
    page.goto("/login")
    page.locator("#username").fill("li.market")
    page.locator("#password").fill("wrong password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_have_text("登录名或密码错误。")
    page.get_by_role("button", name="English").click()
    page.locator("#username").fill("nobody.here")
    page.locator("#password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong login or password.")
    screenshot(page, f"{request.node.name}-failed")


@sqlite_only
def test_the_dashboard_draws_its_chart(svc: Services, person: Callable[..., Person], open_page: PageFactory,
                                       request: pytest.FixtureRequest) -> None:
    person("liu.manager", roles=("channel_manager",), locale="en")
    manager = actor_for(svc, login="liu.manager")
    for severity in ("high", "low"):
        instances.start_instance(svc, actor=manager, workflow="complaint", data={"severity": severity})
    page = open_page()
    log_in(page, "liu.manager")
    page.goto("/dashboard")
    expect(page.locator("#chart-open[data-rendered=true]")).to_be_attached()
    expect(page.locator("table").first).to_contain_text("Complaint")
    screenshot(page, f"{request.node.name}-dashboard")
