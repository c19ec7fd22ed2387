"""The reviewer's and the committee's day in a real browser: cards with context, several tasks decided
at once, a decision straight from the e-mail, and every page usable on a 390×844 phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from channels.registry import create_channel
from tests.browser.conftest import DESKTOP, PHONE, PageFactory, Person, log_in, screenshot, sqlite_only
from tests.support.receivers import SmtpReceiver
from workflows.adapters.notifier import AppriseNotifier
from workflows.domain.principals import SYSTEM
from workflows.services import instances, queries, tasks
from workflows.services.context import Services
from workflows.services.outbox import dispatch_outbox
from workflows.services.targets import add_target
from workflows.services.users import actor_for

pytestmark = pytest.mark.browser
LANGS = pytest.mark.parametrize("lang", ["zh", "en"])
TEXT = {
    "zh": {"others": "其他审核人", "pending": "尚未决定", "east": "东区", "agent": "代理商",
           "bulk": "通过所选任务", "result": "已决定 2 项，1 项未决定", "closed": "未决定：该任务已被决定或已关闭",
           "region": "区域", "moved": "流转到「已通过」", "used": "此链接已被使用",
           "decides_as": "此链接以 zhao.finance 的身份决定"},
    "en": {"others": "Other reviewers", "pending": "not decided yet", "east": "East",
           "agent": "Agent / distributor", "bulk": "Approve the ticked tasks", "result": "2 decided, 1 not decided",
           "closed": "not decided: it was already decided or closed", "region": "Region",
           "moved": "Under review to Approved", "used": "The link has already been used",
           "decides_as": "This link decides as zhao.finance"},
}


def _onboard(svc: Services, code: str, name: str, kind: str, region: str, *, approvals: tuple[str, ...] = ()) -> int:
    channel = create_channel(svc, actor=SYSTEM, values={"code": code, "name": name, "type": kind, "region": region})
    manager = actor_for(svc, login="liu.manager")
    inst = instances.start_instance(svc, actor=manager, workflow="channel_onboarding",
                                    subject={"type": "channel", "id": str(channel.id)},
                                    data={"channel_name": name, "channel_type": kind, "region": region})
    instances.fire_trigger(svc, actor=manager, instance_id=inst.id, trigger="submit")
    for login in approvals:
        reviewer = actor_for(svc, login=login)
        task = next(t for t in queries.inbox(svc, actor=reviewer).items if t.instance_id == inst.id)
        tasks.complete_task(svc, actor=reviewer, task_id=task.id, decision="approve", comment=f"{login} 同意")
    return inst.id


def _people(person: Callable[..., Person], lang: str) -> None:
    person("liu.manager", roles=("channel_manager",), logs_in=False)
    person("li.market", "market", logs_in=False)
    person("wang.sales", "sales", logs_in=False)
    person("zhao.finance", "finance", locale=lang)


def _no_sideways_scrolling(page: Page, what: str) -> None:
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{what} is {width} px wide on a {inner} px screen"


def _reachable(page: Page, selector: str) -> None:
    """Every matching button lies within the screen's width and is big enough to tap."""
    buttons = page.locator(selector)
    assert buttons.count() > 0, selector
    for i in range(buttons.count()):
        box = buttons.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (selector, box)
        assert box["height"] >= 40, (selector, box)


@LANGS
def test_cards_say_what_is_decided_and_filter_by_region(
        svc: Services, person: Callable[..., Person], open_page: PageFactory, request: pytest.FixtureRequest,
        lang: str) -> None:
    _people(person, lang)
    _onboard(svc, "HZ-1", "杭州西湖代理", "agent", "east", approvals=("li.market",))
    _onboard(svc, "GZ-1", "广州天河电商", "ecommerce", "south")
    words = TEXT[lang]
    page = open_page()
    log_in(page, "zhao.finance")
    page.goto("/inbox")
    card = page.locator("li.task", has_text="杭州西湖代理")
    expect(card.locator(".subject")).to_contain_text(words["agent"])
    expect(card.locator(".subject")).to_contain_text(words["east"])
    expect(card).to_contain_text(words["others"])
    expect(card.locator(".peer.approve")).to_contain_text("li.market")
    expect(card.locator(".peer.open")).to_contain_text(words["pending"])
    expect(card.locator(".requester")).to_have_text("liu.manager")
    screenshot(page, f"inbox-desktop-{lang}")
    page.get_by_label(words["region"], exact=True).select_option("east")
    expect(page.locator("li.task")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"region=east"))
    expect(page.locator("li.task").first).to_contain_text("杭州西湖代理")


@LANGS
def test_a_reviewer_decides_several_tasks_at_once_and_sees_each_result(
        svc: Services, person: Callable[..., Person], open_page: PageFactory, lang: str) -> None:
    _people(person, lang)
    ids = [_onboard(svc, f"B-{i}", f"批量渠道{i}", "agent", "east", approvals=("li.market", "wang.sales"))
           for i in range(3)]
    page = open_page()
    log_in(page, "zhao.finance")
    page.goto("/inbox")
    for i in range(3):
        page.locator("li.task", has_text=f"批量渠道{i}").locator("input.pick").check()
    finance = actor_for(svc, login="zhao.finance")  # meanwhile, in another tab, one is decided
    first = next(t.id for t in queries.inbox(svc, actor=finance).items if t.instance_id == ids[0])
    tasks.complete_task(svc, actor=finance, task_id=first, decision="approve")
    page.locator("#bulk-comment").fill("批量同意 / approved in bulk")
    page.get_by_role("button", name=TEXT[lang]["bulk"]).click()
    result = page.locator("#bulk-result")
    expect(result).to_contain_text(TEXT[lang]["result"])
    expect(result.locator(f'li[data-task="{first}"]')).to_contain_text(TEXT[lang]["closed"])
    expect(result.locator("li.ok")).to_have_count(2)
    expect(page.locator("li.task")).to_have_count(0)
    for instance_id in ids:
        assert queries.get_instance(svc, actor=SYSTEM, instance_id=instance_id).instance.state == "approved"


def _link_from_mail(svc: Services, live_url: str, lang: str) -> tuple[str, int]:
    """The onboarding's last review, mailed to the finance reviewer through a real SMTP server:
    returns the approve link of the mail's HTML part and the instance."""
    svc.public_url = live_url
    finance = actor_for(svc, login="zhao.finance")
    with SmtpReceiver() as smtp:
        add_target(svc, actor=finance, owner_type="user", owner=str(finance.id), kind="email",
                   url=smtp.url(to="zhao@example.com"))
        instance_id = _onboard(svc, "CD-1", "成都春熙路直营店", "direct_store", "southwest",
                               approvals=("li.market", "wang.sales"))
        dispatch_outbox(svc, notifier=AppriseNotifier())
    mail = next(m for m in smtp.mails if "zhao@example.com" in m.recipients)
    hrefs = re.findall(r'href="([^"]+)"', mail.html)
    assert len(hrefs) == 4 and all(h.startswith(f"{live_url}/links/") for h in hrefs)
    assert hrefs[0] in mail.body  # the text part carries the addresses too
    return hrefs[0].replace("&amp;", "&"), instance_id


@LANGS
def test_a_reviewer_approves_from_the_email_without_signing_in_and_the_instance_moves(
        svc: Services, person: Callable[..., Person], open_page: PageFactory, live_url: str, lang: str) -> None:
    _people(person, lang)
    approve, instance_id = _link_from_mail(svc, live_url, lang)
    words = TEXT[lang]
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = open_page(viewport)
        page.goto(approve)
        expect(page.locator(".link-user")).to_contain_text(words["decides_as"])
        expect(page.locator(".subject")).to_contain_text("成都春熙路直营店")
        expect(page.locator("button.decision.approve.chosen")).to_be_focused()
        screenshot(page, f"link-confirmation-{size}-{lang}")
        if size == "phone":
            _no_sideways_scrolling(page, "the link's confirmation page")
            _reachable(page, "form.link-form button.decision")
    page.locator("#link-comment").fill("手机上同意 / approved from the mail")
    page.locator("button.decision.approve").click()
    expect(page.locator("#link-result")).to_contain_text(words["moved"])
    assert queries.get_instance(svc, actor=SYSTEM, instance_id=instance_id).instance.state == "approved"
    history = queries.history(svc, instance_id=instance_id)
    assert [e.data.get("via") for e in history if e.action == "task_completed"][-1] == "link"
    page.goto(approve)
    expect(page.locator("#link-refused")).to_contain_text(words["used"])


def _agenda(svc: Services) -> int:
    from channels.meetings.agendas import prepare_agenda
    from channels.meetings.series import create_meeting

    card = instances.start_instance(svc, actor=SYSTEM, workflow="card_escalation", subject={"type": "channel",
                                                                                          "id": "1"})
    instances.fire_trigger(svc, actor=SYSTEM, instance_id=card.id, trigger="issue_yellow")
    meeting = create_meeting(svc, actor=SYSTEM, kind="joint", rrule="FREQ=MONTHLY;BYDAY=1TU",
                             starts_at=datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
                             attendee_groups=["committee"])
    prepare_agenda(svc, actor=SYSTEM, meeting_id=meeting.id, distribute=False)
    return meeting.id


@sqlite_only
@LANGS
def test_every_page_of_the_day_fits_a_phone_and_the_screens_are_kept(
        svc: Services, person: Callable[..., Person], open_page: PageFactory, lang: str) -> None:
    _people(person, lang)
    person("qian.admin", "committee", admin=True, locale=lang)
    instance_id = _onboard(svc, "SZ-1", "深圳南山社交电商", "social", "south", approvals=("li.market",))
    meeting_id = _agenda(svc)
    pages = {"inbox": ("zhao.finance", "/inbox", "li.task button.decision"),
             "task": ("zhao.finance", f"/instances/{instance_id}", "li.task button.decision"),
             "instance": ("qian.admin", f"/instances/{instance_id}", None),
             "dashboard": ("qian.admin", "/dashboard", None),
             "agenda": ("qian.admin", f"/meetings/{meeting_id}", None)}
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        signed: dict[str, Page] = {}
        for name, (login, path, buttons) in pages.items():
            if login not in signed:
                signed[login] = open_page(viewport)
                log_in(signed[login], login)
            page = signed[login]
            page.goto(path)
            expect(page.locator("main h1").first).to_be_visible()
            if size == "phone":
                _no_sideways_scrolling(page, f"the {name} page")
                if buttons:
                    _reachable(page, buttons)
            screenshot(page, f"{name}-{size}-{lang}")
