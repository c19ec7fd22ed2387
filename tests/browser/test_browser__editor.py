"""An admin writes, fixes, previews, publishes and starts a workflow in the editor; reviewers stay out."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PageFactory, Person, log_in, screenshot, sqlite_only
from tests.browser.proposal import BROKEN, BROKEN_AT, FIXED_LINE

pytestmark = pytest.mark.browser


def test_admin_fixes_the_error_at_its_line_publishes_and_starts_improvement_proposal(
        person: Callable[..., Person], open_page: PageFactory, request: pytest.FixtureRequest) -> None:
    person("admin.wu", admin=True, locale="en")
    page = open_page()
    log_in(page, "admin.wu")
    page.get_by_role("link", name="Workflow editor").click()
    page.get_by_role("link", name="New workflow").click()
    page.wait_for_load_state("load")  # the scripts that check as you type are ready

    page.locator("#source").fill(BROKEN)
    problems = page.locator(".problem-list")
    expect(problems).to_contain_text("unknown state 'fundd'")
    expect(page.locator(f"#gutter span:nth-child({BROKEN_AT})")).to_have_class("error")
    expect(page.locator("#feedback")).to_contain_text("Not published yet")
    screenshot(page, f"{request.node.name}-error")

    problems.get_by_role("button", name=f"line {BROKEN_AT}").first.click()
    page.keyboard.type(FIXED_LINE)
    expect(page.locator("#valid")).to_be_visible()
    expect(page.locator("#gutter span.error")).to_have_count(0)
    expect(page.locator("#feedback .mermaid svg")).to_be_visible()
    screenshot(page, f"{request.node.name}-valid")

    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#messages")).to_contain_text("Published improvement_proposal version 1")
    page.get_by_role("link", name="Start").first.click()
    page.get_by_label("Summary").fill("门店数字化收银试点")
    page.get_by_label("Budget (CNY)").fill("50000")
    page.get_by_label("Id (e.g. channel code)").fill("C-007")
    page.get_by_role("button", name="Start").click()

    expect(page.locator("#current-state")).to_have_text("Submitted")
    expect(page.locator(".mermaid svg")).to_be_visible()
    expect(page.locator(".mermaid svg .current").first).to_be_attached()
    expect(page.locator("#h-tasks + p, #h-tasks ~ ul")).to_contain_text("Department evaluation")
    expect(page.locator(".sla")).to_contain_text("Funding decision")
    screenshot(page, f"{request.node.name}-started")


@sqlite_only
def test_a_reviewer_cannot_reach_the_admin_pages(person: Callable[..., Person], open_page: PageFactory,
                                                 request: pytest.FixtureRequest) -> None:
    person("li.market", "market", locale="en")
    page = open_page()
    log_in(page, "li.market")
    expect(page.get_by_role("link", name="Workflow editor")).to_have_count(0)
    for path in ("/admin/workflows", "/admin/workflows/editor"):
        response = page.goto(path)
        assert response is not None and response.status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text("You may not do this.")
        expect(page.locator("#source")).to_have_count(0)
    screenshot(page, f"{request.node.name}-refused")
