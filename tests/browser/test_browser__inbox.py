"""A finance reviewer decides the onboarding review in the inbox, in a real browser."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, PageFactory, Person, log_in, screenshot, sqlite_only
from workflows.services import instances, queries, tasks
from workflows.services.context import Services
from workflows.services.users import actor_for

pytestmark = pytest.mark.browser


def _onboarding_waiting_for_finance(svc: Services, person: Callable[..., Person]) -> int:
    """An onboarding submitted by a channel manager, already approved by market and sales."""
    person("liu.manager", roles=("channel_manager",), logs_in=False)
    person("li.market", "market", logs_in=False)
    person("wang.sales", "sales", logs_in=False)
    manager = actor_for(svc, login="liu.manager")
    inst = instances.start_instance(svc, actor=manager, workflow="channel_onboarding",
                                    data={"channel_name": "杭州代理商", "channel_type": "agent", "region": "east"})
    instances.fire_trigger(svc, actor=manager, instance_id=inst.id, trigger="submit")
    for login in ("li.market", "wang.sales"):
        reviewer = actor_for(svc, login=login)
        task = next(t for t in queries.inbox(svc, actor=reviewer).items if t.instance_id == inst.id)
        tasks.complete_task(svc, actor=reviewer, task_id=task.id, decision="approve", comment="ok")
    return inst.id


def test_finance_reviewer_approves_onboarding_and_the_instance_advances(
        svc: Services, person: Callable[..., Person], open_page: PageFactory, request: pytest.FixtureRequest) -> None:
    instance_id = _onboarding_waiting_for_finance(svc, person)
    person("zhao.finance", "finance", locale="en")
    page = open_page()
    log_in(page, "zhao.finance")
    page.goto("/inbox")
    task = page.locator("li.task", has=page.get_by_role("link", name=f"instance #{instance_id}"))
    expect(task).to_contain_text("Department review")
    expect(task.locator(".due")).to_contain_text("working time left")
    screenshot(page, f"{request.node.name}-inbox")

    task.get_by_label("Comment").fill("资信良好 — credit checked")
    task.get_by_role("button", name="Approve").click()

    expect(page.locator("#messages")).to_contain_text("approved")
    expect(page.locator("#messages")).to_contain_text("Under review to Approved")
    expect(task).to_have_count(0)
    screenshot(page, f"{request.node.name}-decided")

    page.locator("#messages").get_by_role("link", name=f"Open instance #{instance_id}").click()
    expect(page.locator("#current-state")).to_have_text("Approved")
    expect(page.locator(".timeline")).to_contain_text("资信良好 — credit checked")
    expect(page.locator(".mermaid svg")).to_be_visible()
    expect(page.locator(".mermaid svg g.current, .mermaid svg .node.current").first).to_be_attached()
    screenshot(page, f"{request.node.name}-instance")


@sqlite_only
def test_a_reviewer_claims_releases_and_requests_changes_on_a_phone(
        svc: Services, person: Callable[..., Person], open_page: PageFactory, request: pytest.FixtureRequest) -> None:
    instance_id = _onboarding_waiting_for_finance(svc, person)
    person("zhao.finance", "finance", locale="en")
    page = open_page(PHONE)
    log_in(page, "zhao.finance")
    page.goto("/inbox")
    task = page.locator("li.task", has=page.get_by_role("link", name=f"instance #{instance_id}"))
    task.get_by_role("button", name="Claim").click()
    expect(task).to_contain_text("claimed by you")
    task.get_by_role("button", name="Release").click()
    expect(task).to_contain_text("not claimed")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the inbox is {width} px wide on a {PHONE['width']} px screen"
    screenshot(page, f"{request.node.name}-inbox")

    task.get_by_label("Comment").fill("please add the bank statement")
    task.get_by_role("button", name="Request changes").click()
    expect(task).to_have_count(0)
    page.goto(f"/instances/{instance_id}")
    expect(page.locator("#current-state")).to_have_text("Changes requested")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, f"{request.node.name}-instance")
    assert re.search("changes requested", page.locator(".timeline").inner_text())
