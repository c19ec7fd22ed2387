"""Message templates: every name the engine and the shipped definitions write has a zh and an en text,
and rendering never fails, whatever the payload."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workflows.adapters.templates import MESSAGES, message_names, render
from workflows.services.outbox import with_link

ROOT = Path(__file__).resolve().parents[2] / "workflows"
PAYLOAD = {
    "workflow": "channel_onboarding", "workflow_title_zh": "渠道入驻审核", "workflow_title_en": "Channel onboarding",
    "instance_id": 42, "state": "under_review", "state_title_zh": "审核中", "state_title_en": "Under review",
    "subject_type": "channel", "subject_id": "C-001", "task": "department_review",
    "due_at": "2026-11-26T09:00:00+00:00", "actor": "li.lei", "comment": "资料齐全", "trigger": "approve",
    "goal": "resolution",
}


def written_template_names() -> set[str]:
    sources = [*(ROOT / "services").glob("*.py"), *(ROOT.parent / "channels").rglob("*.py")]
    code = "\n".join(p.read_text(encoding="utf-8") for p in sources)
    yaml = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "definitions").glob("*.yaml"))
    return set(re.findall(r'template="(\w+)"', code)) | set(re.findall(r"template: (\w+)", yaml))


def test_every_template_the_code_and_definitions_write_has_a_text_in_both_languages() -> None:
    names, texts = written_template_names(), message_names()
    assert len(names) >= 16
    assert names - set(texts) == set()
    assert all(texts[name] == {"zh", "en"} for name in texts)


@pytest.mark.parametrize("name", sorted(n for n in message_names()
                                        if not n.startswith(("meeting_", "kpi_", "delegation_"))))
@pytest.mark.parametrize("locale", ["zh", "en"])
def test_each_template_renders_every_placeholder_from_a_full_payload(name: str, locale: str) -> None:
    title, body = render(name, PAYLOAD, locale)
    assert "$" not in title + body and "{" not in title + body and "—" not in title
    assert ("渠道入驻审核" if locale == "zh" else "Channel onboarding") in title
    assert "#42" in title and body


def test_the_locale_picks_the_workflow_and_state_titles_of_that_language() -> None:
    zh_title, zh_body = render("task_opened", PAYLOAD, "zh")
    en_title, en_body = render("task_opened", PAYLOAD, "en")
    assert zh_title == "新待办：department_review（渠道入驻审核 #42）" and "当前状态：审核中" in zh_body
    assert en_title == "New task: department_review (Channel onboarding #42)" and "State: Under review" in en_body


def test_due_times_are_shown_in_the_business_time_zone() -> None:
    assert "截止时间：2026-11-26 17:00 (Asia/Shanghai)" in render("task_reminder", PAYLOAD, "zh")[1]
    assert "Due: 2026-11-26 09:00 (UTC)" in render("task_reminder", PAYLOAD, "en", zone="UTC")[1]


def test_lines_whose_values_are_missing_are_left_out() -> None:
    title, body = render("approval_rejected", {"task_id": 3, "trigger": "terminate", "instance_id": 9,
                                               "comment": None}, "en")
    assert title == "Approval rejected: terminate (workflow #9)"
    assert body == "Your request to \u201cterminate\u201d workflow #9 was not approved."


def test_an_unknown_template_gets_a_generic_message() -> None:
    title, body = render("quarterly_party", PAYLOAD, "zh")
    assert title == "通知（渠道入驻审核 #42）"
    assert body.startswith("渠道入驻审核 #42 有一条通知（quarterly_party）。")


@pytest.mark.parametrize("payload", [{}, {"instance_id": None}, {"due_at": "next week", "task": ["a", 1]},
                                     {"comment": "cost $5 and ${x}", "actor": "system"}, {1: "odd key"}])
@pytest.mark.parametrize("locale", ["zh", "en", "fr", "", None])
def test_rendering_never_fails_whatever_the_payload_or_locale(payload: dict[object, object],
                                                              locale: str | None) -> None:
    title, body = render("task_opened", payload, locale)  # type: ignore[arg-type]
    assert title and body


def test_dollar_signs_in_values_are_kept_as_written_and_the_system_actor_is_named() -> None:
    _, body = render("changes_requested", {**PAYLOAD, "comment": "cost $5 and ${x}", "actor": "system"}, "zh")
    assert "意见：cost $5 and ${x}" in body and "操作人：系统" in body


def test_a_task_is_named_by_its_title_in_the_reader_s_language() -> None:
    payload = {"task": "department_review", "task_title_zh": "部门审核", "task_title_en": "Department review",
               "workflow": "channel_onboarding", "instance_id": 7}
    assert "部门审核" in render("task_opened", payload, "zh")[0]
    assert "Department review" in render("task_opened", payload, "en")[0]


MEETING = {"meeting_id": 3, "meeting_title_zh": "跨部门联席会议", "meeting_title_en": "Cross-department joint meeting",
           "starts_local": "2026-12-01 10:00 (Asia/Shanghai)", "link": "http://ops.example.cn/meetings/3?occurrence=7",
           "summary_zh": "时间: 2026-12-01 10:00", "summary_en": "When: 2026-12-01 10:00"}


@pytest.mark.parametrize("name", sorted(n for n in message_names() if n.startswith("meeting_")))
@pytest.mark.parametrize("locale", ["zh", "en"])
def test_each_meeting_template_renders_every_placeholder_from_a_meeting_payload(name: str, locale: str) -> None:
    title, body = render(name, MEETING, locale)
    assert "$" not in title + body and "{" not in title + body and "—" not in title
    assert ("跨部门联席会议" if locale == "zh" else "Cross-department joint meeting") in title
    assert "2026-12-01 10:00" in title and body


def test_a_message_about_an_instance_ends_with_the_link_to_its_page() -> None:
    payload = {"workflow": "complaint", "instance_id": 12, "link": "https://ops.example.cn/instances/12"}
    assert render("sla_breached", payload, "en")[1].endswith("Open: https://ops.example.cn/instances/12")
    assert render("sla_breached", payload, "zh")[1].endswith("查看：https://ops.example.cn/instances/12")
    assert "查看" not in render("sla_breached", {"workflow": "complaint", "instance_id": 12}, "zh")[1]


def test_links_are_made_absolute_with_the_public_url() -> None:
    base = "https://ops.example.cn"
    assert with_link({"instance_id": 5}, public_url=base)["link"] == "https://ops.example.cn/instances/5"
    assert with_link({"link": "/meetings/3"}, public_url=base)["link"] == "https://ops.example.cn/meetings/3"
    assert with_link({"link": "https://elsewhere/x", "instance_id": 5}, public_url=base)["link"] == "https://elsewhere/x"
    assert "link" not in with_link({"title": "no instance"}, public_url=base)


def test_a_sales_alarm_names_the_channel_the_change_and_the_emergency_response() -> None:
    payload = {"subject_type": "channel", "subject_id": "SH-001 上海旗舰店", "period": "2026-10", "previous": 120000.0,
               "current": 90000.0, "change_pct": -25.0, "instance_id": 77, "workflow": "emergency_response"}
    title, body = render("kpi_alarm", payload, "zh")
    assert title == "销售额报警：渠道 SH-001 上海旗舰店（2026-10）"
    assert "变化 -25.0%（120000.0 → 90000.0）" in body and "应急响应 #77" in body
    assert "changed by -25.0%" in render("kpi_alarm", payload, "en")[1]


def test_a_missing_monthly_report_names_the_channel_and_the_month() -> None:
    payload = {"subject_type": "channel", "subject_id": "GZ-007", "period": "2026-10"}
    assert render("kpi_report_missing", payload, "en")[0] == "Monthly KPI report missing: channel GZ-007 (2026-10)"
    assert render("kpi_report_missing", payload, "zh")[0] == "KPI 月度数据未上报：渠道 GZ-007（2026-10）"


def test_the_texts_live_in_one_file_per_language_for_translators() -> None:
    assert sorted(path.name for path in MESSAGES.glob("*.txt")) == ["en.txt", "zh.txt"]
    zh = (MESSAGES / "zh.txt").read_text(encoding="utf-8")
    assert "{% block task_opened %}\n新待办：{{ task }}（{{ ref }}）" in zh


def test_markup_and_template_syntax_in_values_reach_the_plain_text_as_written() -> None:
    payload = {**PAYLOAD, "task": "<script>alert(1)</script>", "comment": "{{ 7 * 7 }} {% if x %}"}
    title, body = render("task_opened", payload, "en")
    assert title == "New task: <script>alert(1)</script> (Channel onboarding #42)"
    assert "Comment: {{ 7 * 7 }} {% if x %}" in body


def test_a_value_of_several_lines_stays_in_its_place() -> None:
    _, body = render("changes_requested", {**PAYLOAD, "comment": "first\n\nthird"}, "en")
    assert "Comment: first\n\nthird\nDue: 2026-11-26 17:00 (Asia/Shanghai)" in body


# Absence and delegation: the delegation_* messages are about no instance (no workflow title, no #id).
ABSENCE = {"absent": "张三", "absent_login": "zhang.san", "substitute": "李四", "starts_on": "2026-12-01",
           "ends_on": "2026-12-05", "workflows": "channel_onboarding", "note": "年假", "actor": "admin",
           "count": 2, "tasks": "#7, #9"}


def test_the_substitute_is_told_whom_they_stand_in_for_and_when() -> None:
    zh_title, zh_body = render("delegation_created", ABSENCE, "zh")
    en_title, en_body = render("delegation_created", ABSENCE, "en")
    assert zh_title == "代理安排：张三 不在岗（2026-12-01 至 2026-12-05）"
    assert "仅限流程：channel_onboarding" in zh_body and "备注：年假" in zh_body and "操作人：admin" in zh_body
    assert en_title == "You stand in for 张三 (2026-12-01 to 2026-12-05)" and "Note: 年假" in en_body


def test_a_handover_message_counts_the_tasks_and_names_them() -> None:
    title, body = render("delegation_handover", ABSENCE, "zh")
    assert title == "代理交接：张三 的 2 项待办已转给你" and "#7, #9" in body
    assert render("delegation_handover", ABSENCE, "en")[0] == "Handed over: 2 tasks of 张三"


def test_a_task_routed_to_a_substitute_says_on_whose_behalf() -> None:
    body = render("task_opened", {**PAYLOAD, "on_behalf_of": "zhang.san"}, "zh")[1]
    assert "此待办代 zhang.san 处理" in body
    assert "on behalf of zhang.san" in render("task_opened", {**PAYLOAD, "on_behalf_of": "zhang.san"}, "en")[1]
    assert "代" not in render("task_opened", PAYLOAD, "zh")[1].replace("当前状态", "")
