"""The joint meeting's agenda on the demo data, as the committee reads it in zh and en: an instance is
one item (its overdue tasks and SLA breaches under it), falls read to two decimals, actions by title,
the invitation is plain text with absolute links and attendees, and the printed page has no buttons."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from channelops import demo
from tests.browser.conftest import PageFactory, log_in, screenshot
from workflows.services.context import Services

pytestmark = pytest.mark.browser

WORDS = {
    "zh": {"meetings": "会议", "folded": "另有 3 项列于上方相关事项之下", "late": "逾期或已升级的待办",
           "breach": "时限超时", "ics": "加入日历（.ics）", "print": "打印", "record": "记录决定",
           "terminate": "终止合作", "fall": "环比下降 45.82%"},
    "en": {"meetings": "Meetings", "folded": "3 more listed under their items above",
           "late": "Overdue or escalated task", "breach": "SLA breach", "ics": "Add to calendar (.ics)",
           "print": "Print", "record": "Record the decision", "terminate": "Terminate",
           "fall": "fell 45.82%"},
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_committee_reads_each_instance_once_with_what_is_late_under_it(
        svc: Services, open_page: PageFactory, request: pytest.FixtureRequest, lang: str) -> None:
    demo.seed(svc)
    words: Callable[[str], str] = WORDS[lang].__getitem__
    page = open_page()
    log_in(page, "chen.committee", password=demo.PASSWORD)
    if lang == "en":
        page.get_by_role("button", name="English").click()
    page.get_by_role("navigation").get_by_role("link", name=words("meetings"), exact=True).click()
    page.locator(".cards h2 a").first.click()

    alarm = page.locator("ol.items > li", has_text=words("fall")).first
    expect(alarm).to_contain_text(words("late"))
    expect(alarm).to_contain_text(words("breach"))
    expect(page.locator("p.folded-note", has_text=words("folded"))).to_be_visible()
    termination = page.locator("ol.items > li", has=page.locator("details.record")).first
    termination.locator("summary").click()
    options = termination.locator("select[name=trigger] option").all_inner_texts()
    assert words("terminate") in options and "terminate" not in options
    screenshot(page, f"{request.node.name}-agenda")

    with page.expect_download() as download:
        page.get_by_role("link", name=words("ics")).click()
    with open(download.value.path(), "rb") as ics:
        event = Calendar.from_ical(ics.read()).walk("VEVENT")[0]
    description = str(event["DESCRIPTION"])
    assert f"{svc.public_url}/instances/" in description  # absolute links (CHANNELOPS_PUBLIC_URL)
    assert "**" not in description and "](" not in description
    assert len(event["ATTENDEE"]) >= 5  # the demo's attendees have e-mail addresses

    page.emulate_media(media="print")
    expect(page.get_by_role("button", name=words("print"))).to_be_hidden()
    expect(page.locator("details.record").first).to_be_hidden()
