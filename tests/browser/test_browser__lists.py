"""Lists people use, in a real browser, in Chinese and English: the instance list's state drop-down,
subject names and search; meeting recurrence in words; the KPI chart's score axis; confirmations
before acting on an instance or starting one; the inbox counter after an inline decision."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from channels.meetings.series import create_meeting
from channels.registry import create_channel
from tests.browser.conftest import PageFactory, Person, log_in, screenshot, sqlite_only
from tests.support.meetings import FIRST_TUESDAY
from workflows.services import instances, queries
from workflows.services.context import Services
from workflows.services.users import actor_for

pytestmark = pytest.mark.browser

TEXTS = {
    "zh": {"state": "状态", "under_review": "审核中", "draft": "草稿", "subject": "渠道 华东旗舰店",
           "search": "搜索", "apply": "应用", "recurrence": "每季度第一个周二 10:00",
           "monthly": "每月第一个周二 10:00", "confirm_fire": "确定要“提交”吗？", "submit": "提交",
           "count": r"显示 1 项，共 1 项待办任务", "approve": "通过"},
    "en": {"state": "State", "under_review": "Under review", "draft": "Draft", "subject": "channel 华东旗舰店",
           "search": "Search", "apply": "Apply", "recurrence": "first Tuesday of every quarter, 10:00",
           "monthly": "first Tuesday of every month, 10:00", "confirm_fire": "Submit: are you sure?",
           "submit": "Submit", "count": r"1 of 1 open tasks", "approve": "Approve"},
}


def _world(svc: Services, person: Callable[..., Person], locale: str) -> dict[str, int]:
    person("liu.manager", roles=("channel_manager",), locale=locale)
    person("chen", "committee", locale=locale, logs_in=False)
    person("li.market", "market", locale=locale)
    manager = actor_for(svc, login="liu.manager")
    flagship = create_channel(svc, actor=manager, values={"code": "E-001", "name": "华东旗舰店", "type": "ecommerce",
                                                          "region": "east"})
    other = create_channel(svc, actor=manager, values={"code": "S-002", "name": "广州代理商", "type": "agent",
                                                       "region": "south"})
    submitted = instances.start_instance(
        svc, actor=manager, workflow="channel_onboarding", subject={"type": "channel", "id": str(flagship.id)},
        data={"channel_name": "华东旗舰店", "channel_type": "ecommerce", "region": "east"})
    instances.fire_trigger(svc, actor=manager, instance_id=submitted.id, trigger="submit")
    draft = instances.start_instance(
        svc, actor=manager, workflow="channel_onboarding", subject={"type": "channel", "id": str(other.id)},
        data={"channel_name": "广州代理商", "channel_type": "agent", "region": "south"})
    complaint = instances.start_instance(svc, actor=manager, workflow="complaint",
                                         data={"severity": "high", "summary": "物流延误超过5天"})
    chen = actor_for(svc, login="chen")
    create_meeting(svc, actor=chen, kind="kpi_review", rrule="FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU",
                   starts_at=FIRST_TUESDAY,
                   attendee_groups=["committee", "market"], attendee_users=[manager.id or 0])
    return {"submitted": submitted.id, "draft": draft.id, "complaint": complaint.id, "flagship": flagship.id}


@sqlite_only
@pytest.mark.parametrize("locale", ["zh", "en"])
def test_the_instance_list_filters_by_state_title_names_subjects_and_searches(
        svc: Services, person: Callable[..., Person], open_page: PageFactory, request: pytest.FixtureRequest,
        locale: str) -> None:
    ids = _world(svc, person, locale)
    words = TEXTS[locale]
    page = open_page()
    log_in(page, "liu.manager")
    page.goto("/instances")
    state = page.get_by_label(words["state"], exact=True)
    expect(state).to_have_js_property("tagName", "SELECT")
    state.select_option(label=words["under_review"])
    page.get_by_role("button", name=words["apply"]).click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(words["subject"])
    expect(rows.first).to_contain_text(words["under_review"])
    expect(rows.first.get_by_role("link", name=words["subject"])).to_have_attribute(
        "href", f"/channels/{ids['flagship']}")
    screenshot(page, f"{request.node.name}-state")

    page.goto("/instances")
    page.get_by_label(words["search"]).fill("广州")  # the subject's name
    page.get_by_role("button", name=words["apply"]).click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(words["draft"])
    page.get_by_label(words["search"]).fill("物流延误")  # a text in the instance's data
    page.get_by_role("button", name=words["apply"]).click()
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("link", name=f"#{ids['complaint']}")).to_be_visible()


@sqlite_only
@pytest.mark.parametrize("locale", ["zh", "en"])
def test_the_meetings_page_says_the_recurrence_in_words(
        svc: Services, person: Callable[..., Person], open_page: PageFactory, locale: str) -> None:
    _world(svc, person, locale)
    page = open_page()
    log_in(page, "li.market")
    page.goto("/meetings")
    expect(page.locator(".recurrence").first).to_have_text(TEXTS[locale]["recurrence"])
    expect(page.locator("main")).not_to_contain_text("FREQ=")


@sqlite_only
@pytest.mark.parametrize("locale", ["zh", "en"])
def test_firing_a_trigger_and_starting_an_instance_ask_first(
        svc: Services, person: Callable[..., Person], open_page: PageFactory, locale: str) -> None:
    ids = _world(svc, person, locale)
    words = TEXTS[locale]
    page = open_page()
    log_in(page, "liu.manager")
    page.goto(f"/instances/{ids['draft']}")
    page.get_by_role("button", name=words["submit"], exact=True).click()
    expect(page.locator("#current-state")).to_have_text(words["under_review"])
    assert any(words["confirm_fire"] in q for q in page.confirmations)  # type: ignore[attr-defined]

    page.goto("/workflows/complaint/start")
    page.locator("#field-severity").select_option(index=0)
    asked = len(page.confirmations)  # type: ignore[attr-defined]
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/instances/\d+$"))
    assert len(page.confirmations) == asked + 1  # type: ignore[attr-defined]


@sqlite_only
def test_declining_the_confirmation_leaves_the_instance_where_it_was(
        svc: Services, person: Callable[..., Person], open_page: PageFactory) -> None:
    ids = _world(svc, person, "en")
    page = open_page()
    log_in(page, "liu.manager")
    page.goto(f"/instances/{ids['draft']}")
    page.refusals.append(True)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator("#current-state")).to_have_text("Draft")
    assert page.refusals == []  # type: ignore[attr-defined]  (the question was asked and refused)
    assert queries.get_instance(svc, actor=actor_for(svc, login="liu.manager"),
                                instance_id=ids["draft"]).instance.state == "draft"


@sqlite_only
@pytest.mark.parametrize("locale", ["zh", "en"])
def test_the_inbox_counter_goes_down_after_an_inline_decision(
        svc: Services, person: Callable[..., Person], open_page: PageFactory, locale: str) -> None:
    ids = _world(svc, person, locale)
    manager = actor_for(svc, login="liu.manager")
    second = instances.start_instance(svc, actor=manager, workflow="channel_onboarding",
                                      data={"channel_name": "x", "channel_type": "agent", "region": "east"})
    instances.fire_trigger(svc, actor=manager, instance_id=second.id, trigger="submit")
    page = open_page()
    log_in(page, "li.market")
    page.goto("/inbox")
    count = page.locator("#task-count")
    two = TEXTS[locale]["count"].replace("1", "2")
    expect(count).to_have_text(re.compile(two))
    task = page.locator("li.task", has=page.locator(f"a[href='/instances/{ids['submitted']}']"))
    task.get_by_role("button", name=TEXTS[locale]["approve"]).click()
    expect(task).to_have_count(0)
    expect(count).to_have_text(re.compile(TEXTS[locale]["count"]))
    left = queries.inbox(svc, actor=actor_for(svc, login="li.market")).items
    assert [t.instance_id for t in left] == [second.id]


@sqlite_only
@pytest.mark.parametrize("locale", ["zh", "en"])
def test_the_kpi_chart_puts_scores_on_their_own_axis_without_overshoot_and_diagram_labels_do_not_overlap(
        svc: Services, open_page: PageFactory, request: pytest.FixtureRequest, locale: str) -> None:
    from channelops import demo

    demo.seed(svc)
    page = open_page()
    log_in(page, "admin", password=demo.PASSWORD)
    if locale == "en":
        page.get_by_role("button", name="English").click()
    page.goto("/channels/20")
    canvas = page.locator("#chart-kpi[data-rendered=true]")
    expect(canvas).to_be_attached()
    chart = page.evaluate("""() => {
        const chart = window.Chart.getChart(document.getElementById('chart-kpi'));
        return {axes: Object.fromEntries(Object.entries(chart.scales).map(([k, s]) => [k, [s.min, s.max, s.position]])),
                sets: chart.data.datasets.map(d => [d.yAxisID, d.cubicInterpolationMode, d.label])};
    }""")
    assert chart["axes"]["score"][:3] == [0, 5, "right"], chart
    assert chart["axes"]["percent"][2] == "left" and chart["axes"]["percent"][1] > 5, chart
    satisfaction = "客户满意度" if locale == "zh" else "Customer satisfaction"
    assert [s[0] for s in chart["sets"] if s[2] == satisfaction] == ["score"], chart
    assert {s[1] for s in chart["sets"]} == {"monotone"}, chart
    screenshot(page, f"{request.node.name}-kpi")

    for workflow in ("complaint", "channel_onboarding", "card_escalation", "channel_lifecycle", "emergency_response"):
        page.goto(f"/workflows/{workflow}")
        _labels_apart(page, workflow)
    screenshot(page, f"{request.node.name}-diagram")


def _labels_apart(page: Page, workflow: str) -> None:
    """No two transition labels of the diagram overlap on the screen."""
    expect(page.locator(".mermaid[data-labels-separated=true]")).to_be_attached()
    labels = page.locator(".mermaid svg g.edgeLabel")
    boxes = [(labels.nth(i).text_content(), labels.nth(i).bounding_box()) for i in range(labels.count())]
    boxes = [(text, b) for text, b in boxes if b and b["width"] > 1]
    assert len(boxes) >= 2, boxes
    for i, (first, a) in enumerate(boxes):
        for second, b in boxes[i + 1:]:
            overlap = (min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"]) > 2
                       and min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"]) > 2)
            assert not overlap, (workflow, first, a, second, b)
