"""What the department compliance report hands back (see `compliance.compliance_report`)."""

from __future__ import annotations

from datetime import datetime

from workflows.services.views import View


class Counts(View):
    """Tasks a group received in a month, by what became of them as of the report's moment."""

    received: int = 0
    on_time: int = 0  # decided by the due time (or without one)
    late: int = 0  # decided after the due time
    overdue: int = 0  # still open, past the due time
    open: int = 0  # still open, not due yet (or without a due time)
    cancelled: int = 0  # closed without this group's decision (e.g. another group decided first)
    escalated: int = 0  # escalated on the due time (they count in one of the above as well)
    on_time_rate: float | None = None  # percent on_time of on_time + late + overdue, 0.01; None when 0


class PersonFigures(Counts):
    """One person's share of a group's month: tasks they decided (or hold overdue)."""

    user_id: int
    login: str
    display_name: str
    median_hours: float | None = None
    p90_hours: float | None = None


class MonthFigures(Counts):
    period: str


class WorkflowAttainment(View):
    """SLA goals of a workflow the group worked on, over the clocks stopped in the month (all goals)."""

    workflow: str
    title_zh: str
    title_en: str
    met: int
    breached: int
    attainment: float | None


class GroupCompliance(Counts):
    group: str
    title_zh: str
    title_en: str
    median_hours: float | None = None  # decision time, working hours, of the tasks decided
    p90_hours: float | None = None
    sla_attainment: float | None = None  # met of met + breached over `sla`, percent, 0.01
    sla: list[WorkflowAttainment]
    people: list[PersonFigures]
    trend: list[MonthFigures]  # the 12 months ending with the report's month, oldest first


class ComplianceReport(View):
    period: str
    start: datetime
    end: datetime
    as_of: datetime
    groups: list[GroupCompliance]
