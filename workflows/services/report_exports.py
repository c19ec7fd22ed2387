"""The department compliance and process reports as tables to export (CSV / XLSX): the same
figures, and the same permission rules, as `GET /reports/compliance` and `GET /reports/process`."""

from __future__ import annotations

from workflows.domain.principals import Actor
from workflows.services import compliance, process
from workflows.services.context import Services
from workflows.services.tabular import Column, Table

COMPLIANCE_COLUMNS = (
    Column("period", "Month"), Column("group", "Group"), Column("title_zh", "Department (zh)"),
    Column("title_en", "Department (en)"), Column("received", "Received", "int"),
    Column("on_time", "Decided on time", "int"), Column("late", "Decided late", "int"),
    Column("overdue", "Still overdue", "int"), Column("open", "Open, not yet due", "int"),
    Column("escalated", "Escalated", "int"), Column("on_time_rate", "On-time rate (%)", "float"),
    Column("median_hours", "Median decision time (working h)", "float"),
    Column("p90_hours", "P90 decision time (working h)", "float"),
    Column("sla_attainment", "SLA attainment (%)", "float"),
)
PROCESS_COLUMNS = (
    Column("workflow", "Workflow"), Column("version", "Version", "int"), Column("state", "State"),
    Column("title_zh", "State (zh)"), Column("title_en", "State (en)"), Column("visits", "Visits", "int"),
    Column("p50_hours", "Median time in state (working h)", "float"),
    Column("p90_hours", "P90 time in state (working h)", "float"),
    Column("total_hours", "Total time in state (working h)", "float"),
    Column("waiting_now", "Waiting now", "int"),
    Column("longest_wait_hours", "Longest wait so far (working h)", "float"),
)


def compliance_table(svc: Services, *, actor: Actor, period: str, group: str | None = None) -> Table:
    """One row per group of the month's compliance report (the people and the trend stay in JSON)."""
    report = compliance.compliance_report(svc, actor=actor, period=period, group=group)
    rows = [{**g.model_dump(exclude={"sla", "people", "trend"}), "period": report.period} for g in report.groups]
    return Table.of("compliance", columns=COMPLIANCE_COLUMNS, rows=rows)


def process_table(svc: Services, *, actor: Actor, workflow: str, version: int | None = None,
                  weeks: int = process.DEFAULT_WEEKS) -> Table:
    """One row per state of the process report: visits and the working hours spent in it."""
    report = process.process_report(svc, actor=actor, workflow=workflow, version=version, weeks=weeks)
    rows = [{**s.model_dump(), "workflow": report.workflow, "version": report.version} for s in report.states]
    return Table.of("process", columns=PROCESS_COLUMNS, rows=rows)
