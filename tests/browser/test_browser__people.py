"""In Chinese, an admin creates a region group, puts a user in it and the user sees its title on
their profile (titles, never codes)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PageFactory, Person, log_in, screenshot, sqlite_only
from workflows.services.context import Services
from workflows.services.users import actor_for

pytestmark = pytest.mark.browser


@sqlite_only
def test_an_admin_creates_a_group_adds_a_user_to_it_and_the_user_sees_its_title(
        svc: Services, person: Callable[..., Person], open_page: PageFactory, request: pytest.FixtureRequest) -> None:
    person("admin", admin=True)
    zhou = person("zhou", "market")
    page = open_page()
    log_in(page, "admin")
    page.get_by_role("link", name="组", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("组")
    page.locator("#g-code").fill("region:east")
    page.locator("#g-zh").fill("东区")
    page.locator("#g-en").fill("East")
    page.get_by_role("button", name="创建组").click()
    expect(page.locator("tr.group-row", has_text="region:east")).to_contain_text("东区")
    page.goto(f"/admin/users/{zhou.id}")
    page.get_by_label("东区").check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#messages")).to_contain_text("已保存。")
    screenshot(page, f"{request.node.name}-user")
    assert actor_for(svc, login="zhou").groups == frozenset({"market", "region:east"})
    page.goto("/admin/users?group=region:east")
    expect(page.locator("tr.user-row")).to_have_count(1)
    expect(page.locator("tr.user-row")).to_contain_text("市场部、东区")
    other = open_page()
    log_in(other, "zhou")
    other.locator("header .who").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("个人资料")
    expect(other.locator("main")).to_contain_text("东区")
    expect(other.locator("main")).not_to_contain_text("region:east")
