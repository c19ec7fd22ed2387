"""Channels and meetings on the demo data: filters, KPI charts, the KPI import report, an agenda,
its calendar file and a committee decision."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from channelops import demo
from tests.browser.conftest import PageFactory, log_in, screenshot, sqlite_only
from workflows.services.context import Services

pytestmark = pytest.mark.browser


@sqlite_only
def test_channels_kpi_import_and_a_committee_decision_on_the_demo_data(
        svc: Services, open_page: PageFactory, request: pytest.FixtureRequest) -> None:
    demo.seed(svc)
    admin = open_page()
    log_in(admin, "admin", password=demo.PASSWORD)
    admin.get_by_role("button", name="English").click()
    admin.get_by_role("link", name="Channels").click()
    admin.get_by_label("Card").select_option("yellow")
    admin.get_by_role("button", name="Apply").click()
    rows = admin.locator("tbody tr")
    expect(rows.first).to_be_visible()
    expect(rows.filter(has_not=admin.locator(".card-yellow"))).to_have_count(0)
    rows.first.get_by_role("link").click()
    expect(admin.locator("#chart-kpi[data-rendered=true]")).to_be_attached()
    screenshot(admin, f"{request.node.name}-channel")

    admin.goto("/channels/kpis/import")
    bad = b"channel_code,period,sales_actual\nC-001,2026-10,510000\nC-999,2026-10,1000\nC-002,2026-13,5\n"
    admin.set_input_files("#file", files=[{"name": "kpi.csv", "mimeType": "text/csv", "buffer": bad}])
    admin.get_by_role("button", name="Import", exact=True).click()
    report = admin.get_by_role("alert")
    expect(report).to_contain_text("Nothing was imported from kpi.csv: 2 problems")
    expect(report.locator("tbody tr")).to_have_count(2)
    expect(report).to_contain_text("unknown channel 'C-999'")
    screenshot(admin, f"{request.node.name}-import-refused")
    good = b"channel_code,period,sales_actual\nC-001,2026-10,510000\n"
    admin.set_input_files("#file", files=[{"name": "kpi.csv", "mimeType": "text/csv", "buffer": good}])
    admin.get_by_role("button", name="Import", exact=True).click()
    expect(admin.locator(".message.success")).to_contain_text("Imported 1 rows from kpi.csv")

    committee = open_page()
    log_in(committee, "chen.committee", password=demo.PASSWORD)
    committee.get_by_role("button", name="English").click()
    committee.get_by_role("link", name="Meetings").click()
    committee.locator(".cards h2 a").first.click()
    expect(committee.get_by_role("heading", name="Agenda")).to_be_visible()
    with committee.expect_download() as download:
        committee.get_by_role("link", name="Add to calendar (.ics)").click()
    assert download.value.suggested_filename.endswith(".ics")

    item = committee.locator("ol.items > li", has=committee.locator("details.record")).first
    item.locator("summary").click()
    item.get_by_label("Decision").fill("委员会同意 — agreed")
    item.get_by_role("button", name="Record").click()
    expect(committee.locator("#messages")).to_contain_text("The decision was recorded.")
    expect(committee.locator(".decision-record", has_text="委员会同意 — agreed")).to_be_visible()
    screenshot(committee, f"{request.node.name}-meeting")
