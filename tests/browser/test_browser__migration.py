"""An admin publishes a new version, follows the offer, maps a state, reads the dry run and confirms."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PageFactory, Person, log_in, screenshot
from tests.support.migration import seed
from workflows.services.context import Services
from workflows.services.users import actor_for

pytestmark = pytest.mark.browser


def test_admin_maps_a_removed_state_reads_the_dry_run_and_migrates(
        svc: Services, person: Callable[..., Person], open_page: PageFactory, request: pytest.FixtureRequest) -> None:
    person("admin.wu", admin=True, locale="en")
    seeded = seed(svc, actor_for(svc, login="admin.wu"), reviewing=1, parked=1, no_region=1)
    page = open_page()
    log_in(page, "admin.wu")
    page.goto("/workflows/sop_review?published=2")
    expect(page.locator("#migrate-offer")).to_contain_text("3 instances run on older versions.")
    page.get_by_role("link", name="Migrate them").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Migrate running instances")
    page.get_by_role("button", name="Dry run").click()
    expect(page.locator("#counts")).to_have_text("1 of 3 instances can move; 2 blocked.")
    expect(page.locator(f"#row-{seeded.parked[0]}")).to_contain_text("State Parked is not in the new version: map it")
    expect(page.locator(f"#row-{seeded.no_region[0]}")).to_contain_text("The new version requires Region")
    expect(page.locator(f"#row-{seeded.reviewing[0]}")).to_contain_text("Department review (IT)")

    page.get_by_label("Parked").select_option(label="On hold")
    page.get_by_role("button", name="Dry run").click()
    expect(page.locator("#counts")).to_have_text("2 of 3 instances can move; 1 blocked.")
    expect(page.locator(f"#row-{seeded.parked[0]}")).to_contain_text("Parked → On hold")
    screenshot(page, f"{request.node.name}-dry-run")

    page.get_by_role("button", name="Migrate 2 instances").click()
    expect(page.locator("#migrated")).to_contain_text("Migrated 2 instances to version 2; 1 blocked.")
    expect(page.locator(f"#row-{seeded.parked[0]}")).to_contain_text("Migrated")
    screenshot(page, f"{request.node.name}-done")

    page.get_by_role("link", name=f"#{seeded.parked[0]}").click()
    expect(page.locator(".timeline")).to_contain_text("Migrated")
    expect(page.locator(".timeline")).to_contain_text("version 1 → 2")
