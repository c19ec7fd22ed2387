"""In the Chinese UI an admin creates a group, puts two people in it and records an absence of one with
the other as substitute; the substitute approves the absent reviewer's task, and the instance's
history says on whose behalf."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import expect

from channelops.settings import Settings
from tests.browser.conftest import PASSWORD, PageFactory, Person, log_in, screenshot
from tests.support.fixtures import bearer
from workflows.domain.principals import SYSTEM
from workflows.services import definitions as instances_definitions
from workflows.services import instances, queries, tasks
from workflows.services.context import Services
from workflows.services.users import actor_for

pytestmark = pytest.mark.browser
CONTRACT_REVIEW = """name: contract_review
title: {zh: 合同审核, en: Contract review}
start: [role:channel_manager]
states:
  - name: under_review
    title: {zh: 审核中, en: Under review}
    initial: true
    tasks:
      - name: legal_review
        title: {zh: 法务审核, en: Legal review}
        groups: [legal]
        decisions: [approve, reject]
        outcomes: {approve: approve, reject: reject}
  - {name: approved, title: {zh: 已通过, en: Approved}, final: true}
  - {name: rejected, title: {zh: 已驳回, en: Rejected}, final: true}
transitions:
  - {trigger: approve, source: under_review, dest: approved, title: {zh: 通过, en: Approve}}
  - {trigger: reject, source: under_review, dest: rejected, title: {zh: 驳回, en: Reject}}
"""


def test_an_admin_records_an_absence_and_the_substitute_approves_on_behalf_of_the_absent_reviewer(
        svc: Services, settings: Settings, live_url: str, person: Callable[..., Person], open_page: PageFactory,
        request: pytest.FixtureRequest) -> None:
    boss = person("boss", admin=True)
    person("liu.manager", roles=("channel_manager",), logs_in=False)
    with httpx.Client(base_url=live_url, headers=bearer(settings, boss.id)) as api:
        people = {}
        for login, name in (("zhang.san", "张三"), ("li.si", "李四")):
            made = api.post("/api/v1/users", json={"login": login, "display_name": name, "password": PASSWORD})
            assert made.status_code == 201, made.text
            people[login] = made.json()["id"]

    page = open_page()
    log_in(page, "boss")
    page.get_by_role("link", name="组", exact=True).first.click()  # the admin's groups page
    page.locator("#g-code").fill("legal")
    page.locator("#g-zh").fill("法务部")
    page.locator("#g-en").fill("Legal")
    page.get_by_role("button", name="创建组").click()
    expect(page.locator("tr.group-row", has_text="legal")).to_contain_text("法务部")
    for login in people:
        page.goto(f"/admin/users/{people[login]}")
        page.get_by_label("法务部").check()
        page.get_by_role("button", name="保存").click()
        expect(page.locator("#messages")).to_contain_text("已保存。")
    # a contract review for the new group: publishing it checks that the group exists
    published = instances_definitions.publish_definition(svc, actor=SYSTEM, source=CONTRACT_REVIEW)
    assert published.version == 1
    manager = actor_for(svc, login="liu.manager")
    inst = instances.start_instance(svc, actor=manager, workflow="contract_review", data={})
    zhang = actor_for(svc, login="zhang.san")
    legal = next(t for t in queries.inbox(svc, actor=zhang).items if t.candidate_group == "legal")
    tasks.claim_task(svc, actor=zhang, task_id=legal.id)  # then 张三 goes on leave

    page.get_by_role("navigation").get_by_role("link", name="缺席代理").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("缺席与代理")
    page.get_by_label("缺席人").select_option("zhang.san")
    page.get_by_label("代理人").select_option("li.si")
    page.get_by_label("合同审核").check()
    page.get_by_label("备注").fill("年假")
    page.get_by_role("button", name="登记").click()
    expect(page.locator("#messages")).to_contain_text("缺席已登记，已通知代理人。")
    row = page.locator("tr[data-absence]", has_text="张三")
    expect(row).to_contain_text("李四")
    expect(row).to_contain_text("缺席中")
    row.get_by_role("button", name="交接未完成待办").click()
    expect(page.locator("#messages")).to_contain_text("已将 1 项未完成待办交给代理人。")
    screenshot(page, f"{request.node.name}-absences")

    substitute = open_page()
    log_in(substitute, "li.si")
    substitute.goto("/inbox")
    task = substitute.locator("li.task", has=substitute.get_by_role("link", name=f"实例 #{inst.id}"))
    expect(task).to_contain_text("代 张三")
    task.get_by_role("button", name="通过").click()
    expect(substitute.locator("#messages")).to_contain_text("已通过")
    substitute.goto(f"/instances/{inst.id}")
    history = substitute.locator(".timeline")
    expect(history).to_contain_text("李四 代 张三")
    expect(history).to_contain_text("待办已交给代理人 张三 → 李四")
    expect(history).to_contain_text("审核中 → 已通过")
    screenshot(substitute, f"{request.node.name}-history")
