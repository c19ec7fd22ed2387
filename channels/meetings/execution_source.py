"""The joint meeting's "department execution" section: last month's compliance per department.

The section lists no items to decide; its facts carry the figures (`compliance.compliance_report`
as the system) that the renderers show as a table. Only joint meetings have it.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from channels.meetings.drafts import Section, Window
from workflows.domain.principals import SYSTEM
from workflows.services.compliance import compliance_report
from workflows.services.context import Services

NAME = "department_execution"
FIGURES = ("group", "title_zh", "title_en", "received", "on_time", "late", "overdue", "escalated", "on_time_rate",
           "median_hours", "p90_hours", "sla_attainment")


def previous_month(window: Window) -> str:
    """The month before the one the meeting is held in (its own zone)."""
    local = window.meeting_at.astimezone(ZoneInfo(window.zone))
    index = local.year * 12 + local.month - 2
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def department_execution(svc: Services, window: Window) -> Section:
    period = previous_month(window)
    report = compliance_report(svc, actor=SYSTEM, period=period)
    rows = [group.model_dump(mode="json", include=set(FIGURES)) for group in report.groups]
    return Section(NAME, facts={"period": period, "departments": rows})
