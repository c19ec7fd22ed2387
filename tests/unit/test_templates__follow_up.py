"""The follow-up reminder reads in Chinese and English, with the task's title and the day."""

from __future__ import annotations

from workflows.adapters.templates import render

PAYLOAD = {"workflow": "channel_onboarding", "workflow_title_zh": "渠道入驻审核",
           "workflow_title_en": "Channel onboarding", "instance_id": 42, "task": "department_review",
           "task_title_zh": "部门审核", "task_title_en": "Department review", "follow_up_on": "2026-12-01"}


def test_the_follow_up_reminder_names_the_task_and_the_day_in_chinese() -> None:
    title, body = render("task_follow_up", PAYLOAD, "zh")[:2]
    assert title == "跟进提醒：部门审核（渠道入驻审核 #42）"
    assert "您设定今天（2026-12-01）跟进 渠道入驻审核 #42 的待办 部门审核。" in body


def test_the_follow_up_reminder_names_the_task_and_the_day_in_english() -> None:
    title, body = render("task_follow_up", PAYLOAD, "en")[:2]
    assert title == "Follow up: Department review (Channel onboarding #42)"
    assert "You asked to come back to the task Department review in Channel onboarding #42 today (2026-12-01)." in body
