"""The start form marks the variant the chosen channel type selects, as it is picked; the instance
page's drawn diagram notes the IT review as 线上渠道 only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PageFactory, Person, log_in, sqlite_only
from workflows.services import instances
from workflows.services.context import Services
from workflows.services.users import actor_for

pytestmark = pytest.mark.browser


@sqlite_only
@pytest.mark.parametrize(("locale", "none", "online"), [
    ("zh", "不适用任何方案：按标准流程执行。", "适用方案： 线上渠道"),
    ("en", "No variant applies: the definition as written.", "Applies: Online channels"),
])
def test_picking_an_online_channel_type_marks_the_online_variant(
    person: Callable[..., Person], open_page: PageFactory, locale: str, none: str, online: str
) -> None:
    person("variant.manager", roles=("channel_manager",), locale=locale)
    page = open_page()
    log_in(page, "variant.manager")
    page.goto("/workflows/channel_onboarding/start")
    status = page.locator("#variant-applies")
    expect(status).to_have_text(none)

    page.locator("#field-channel_type").select_option("social")
    expect(status).to_have_text(online)
    expect(page.locator("#variant-online")).to_have_class("applies")

    page.locator("#field-channel_type").select_option("agent")
    expect(status).to_have_text(none)


@sqlite_only
def test_the_drawn_diagram_notes_the_it_review_of_online_channels(
    svc: Services, person: Callable[..., Person], open_page: PageFactory
) -> None:
    person("variant.manager", roles=("channel_manager",))
    data = {"channel_name": "抖音小店", "channel_type": "social", "region": "east"}
    started = instances.start_instance(svc, actor=actor_for(svc, login="variant.manager"),
                                       workflow="channel_onboarding", data=data)
    page = open_page()
    log_in(page, "variant.manager")
    page.goto(f"/instances/{started.id}")

    expect(page.locator("#instance-variant")).to_have_text("线上渠道")
    expect(page.locator("pre.mermaid svg")).to_contain_text("部门审核 + 信息技术部（仅线上渠道）")
