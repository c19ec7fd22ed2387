"""The create forms in Chinese: an administrator registers a channel, sets up a meeting series and
adds a company day off through the forms, and sees each listed; a mistake is shown at its field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PageFactory, Person, log_in, screenshot
from workflows.services.context import Services

pytestmark = pytest.mark.browser


def test_an_admin_creates_a_channel_a_meeting_and_a_holiday_through_the_forms_in_chinese(
        svc: Services, person: Callable[..., Person], open_page: PageFactory, request: pytest.FixtureRequest) -> None:
    person("wang.admin", admin=True)  # zh
    person("zhao.finance", "finance", logs_in=False)
    page = open_page()
    log_in(page, "wang.admin")

    page.get_by_role("link", name="渠道", exact=True).click()
    page.get_by_role("link", name="新建渠道").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("新建渠道")
    page.locator("#f-code").fill("C-031")
    page.locator("#f-name").fill("杭州直营店3号")
    page.locator("#f-type").select_option(label="直营店")
    page.locator("#f-region").select_option(label="东区")
    page.locator("#f-target").fill("abc")
    page.get_by_role("button", name="登记渠道").click()
    expect(page.locator("#err-monthly_target")).to_have_text("请输入数字。")
    expect(page.locator("#f-name")).to_have_value("杭州直营店3号")
    screenshot(page, f"{request.node.name}-channel-refused")
    page.locator("#f-target").fill("1200000")
    page.locator("#f-contacts").fill("电话: 0571-8888")
    page.get_by_role("button", name="登记渠道").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("杭州直营店3号")
    page.get_by_role("link", name="渠道", exact=True).click()
    row = page.locator("tbody tr", has_text="C-031")
    expect(row).to_contain_text("杭州直营店3号")
    expect(row).to_contain_text("直营店")
    expect(row).to_contain_text("待入驻")

    page.get_by_role("link", name="会议", exact=True).click()
    page.get_by_role("link", name="新建会议").click()
    page.locator("#f-title-zh").fill("月度联席会议")
    page.locator("#f-title-en").fill("Monthly joint meeting")
    page.locator("#f-repeat").select_option(label="每月第 n 个星期几")
    page.locator("#f-nth").select_option(label="第一个")
    page.locator("#f-weekday").select_option(label="星期二")
    page.locator("#f-date").fill("2026-12-01")
    page.locator("#f-time").fill("10:00")
    page.locator("#f-location").fill("总部 3 楼会议室")
    page.locator("#f-video").fill("https://meet.example.com/joint")
    page.locator("#f-users").select_option(label="zhao.finance")
    page.get_by_label("渠道管理委员会").check()
    screenshot(page, f"{request.node.name}-meeting-form")
    page.get_by_role("button", name="创建会议").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("月度联席会议")
    expect(page.locator(".summary")).to_contain_text("总部 3 楼会议室")
    page.get_by_role("link", name="会议", exact=True).click()
    card = page.locator(".card", has_text="月度联席会议")
    expect(card).to_contain_text("2026-12-01 10:00")
    expect(card).to_contain_text("2027-01-05 10:00")

    page.get_by_role("link", name="公司日历").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026 年公司日历")
    page.locator("#f-day").fill("2026-12-31")
    page.locator("#f-kind").select_option(label="休息日")
    page.locator("#f-note").fill("公司年会")
    page.get_by_role("button", name="添加", exact=True).click()
    entry = page.locator("#day-2026-12-31")
    expect(entry).to_contain_text("休息日")
    expect(entry).to_contain_text("公司年会")
    page.locator("#f-day").fill("2026-12-31")
    page.get_by_role("button", name="添加", exact=True).click()
    expect(page.locator("#err-day")).to_have_text("该日期已有设置：请先删除。")
    screenshot(page, f"{request.node.name}-calendar")
    assert not svc.calendar.is_working_day(date(2026, 12, 31))
