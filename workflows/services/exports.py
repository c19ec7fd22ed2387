"""Exports of the engine's data as tables: instances, tasks, the audit trail, the SLA report.

Each function checks the caller's right and the filters at once (so a refusal or a bad filter is
an error before any byte is sent) and returns a `Table` whose rows stream from the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select

from workflows.domain.errors import InvalidInput, Problem
from workflows.domain.principals import Actor
from workflows.persistence import tables as t
from workflows.services import reports
from workflows.services.context import Services
from workflows.services.export_access import require_export, sees_every_task
from workflows.services.tabular import Column, Table, streamed

INSTANCE_COLUMNS = (
    Column("id", "Instance", "int"), Column("workflow", "Workflow"), Column("workflow_title", "Workflow title"),
    Column("definition_version", "Version", "int"), Column("subject_type", "Subject type"),
    Column("subject_id", "Subject"), Column("state", "State"), Column("status", "Status"),
    Column("requester", "Requester"), Column("created_at", "Created", "datetime"),
    Column("updated_at", "Updated", "datetime"), Column("state_entered_at", "In this state since", "datetime"),
    Column("closed_at", "Closed", "datetime"), Column("data", "Data", "json"),
)
TASK_COLUMNS = (
    Column("id", "Task", "int"), Column("instance_id", "Instance", "int"), Column("workflow", "Workflow"),
    Column("name", "Task name"), Column("candidate_group", "Group"), Column("assignee", "Assignee"),
    Column("status", "Status"), Column("decision", "Decision"), Column("comment", "Comment"),
    Column("created_at", "Created", "datetime"), Column("due_at", "Due", "datetime"),
    Column("completed_at", "Decided", "datetime"), Column("completed_by", "Decided by"),
    Column("escalated_at", "Escalated", "datetime"), Column("on_behalf_of", "On behalf of"),
)
AUDIT_COLUMNS = (
    Column("id", "Entry", "int"), Column("at", "When", "datetime"), Column("actor_login", "Who"),
    Column("action", "Action"), Column("entity_type", "Entity type"), Column("entity_id", "Entity"),
    Column("instance_id", "Instance", "int"), Column("from_state", "From"), Column("to_state", "To"),
    Column("trigger", "Trigger"), Column("comment", "Comment"), Column("data", "Data", "json"),
)
SLA_COLUMNS = (
    Column("workflow", "Workflow"), Column("goal", "SLA goal"), Column("met", "Met", "int"),
    Column("breached", "Breached", "int"), Column("attainment", "Attainment (%)", "float"),
    Column("average_used_hours", "Average time used (h)", "float"),
    Column("open_breached", "Open and breached", "int"), Column("start", "From", "datetime"),
    Column("end", "To", "datetime"),
)


def between(column: Any, start: datetime | None, end: datetime | None) -> list[ColumnElement[bool]]:
    """`start <= column < end`, each bound optional; naive or reversed bounds are a 422."""
    problems = [Problem(name, "needs a timezone, e.g. 2026-11-01T00:00:00+08:00")
                for name, moment in (("from", start), ("to", end)) if moment is not None and moment.utcoffset() is None]
    if not problems and start is not None and end is not None and start >= end:
        problems.append(Problem("from", "must be before to"))
    if problems:
        raise InvalidInput("the time window is not valid", problems)
    return [c for c in (column >= start if start else None, column < end if end else None) if c is not None]


def _equal(pairs: tuple[tuple[Any, Any], ...]) -> list[ColumnElement[bool]]:
    return [column == value for column, value in pairs if value is not None]


def _titles(svc: Services, locale: str) -> dict[str, str]:
    d = t.definitions.c
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(select(d.name, d.title_zh, d.title_en).order_by(d.name, d.version)).all()
    return {r.name: r.title_zh if locale == "zh" else r.title_en for r in rows}  # the latest version wins


def instances_table(svc: Services, *, actor: Actor, locale: str = "zh", workflow: str | None = None,
                    state: str | None = None, status: str | None = None, subject_id: str | None = None,
                    start: datetime | None = None, end: datetime | None = None) -> Table:
    """Instances (oldest first) started in [start, end), filtered like `GET /instances`."""
    require_export(actor, "instances")
    i = t.instances.c
    conditions = _equal(((i.workflow, workflow), (i.state, state), (i.status, status), (i.subject_id, subject_id)))
    conditions += between(i.created_at, start, end)
    requester = t.users.alias("requester")
    query = (select(t.instances, requester.c.login.label("requester"))
             .outerjoin(requester, requester.c.id == i.requester_id).where(*conditions).order_by(i.id))
    titles = _titles(svc, locale)

    def shape(row: Mapping[str, Any]) -> Mapping[str, Any]:
        return {**row, "workflow_title": titles.get(row["workflow"], row["workflow"])}

    return Table("instances", INSTANCE_COLUMNS, streamed(svc, query, columns=INSTANCE_COLUMNS, shape=shape))


def tasks_table(svc: Services, *, actor: Actor, status: str | None = None, workflow: str | None = None,
                group: str | None = None, start: datetime | None = None, end: datetime | None = None) -> Table:
    """Tasks (oldest first) created in [start, end). The committee, admins and auditors get every
    task; anyone else the tasks assigned to them, open to their groups, or decided by them."""
    require_export(actor, "tasks")
    k, i = t.tasks.c, t.instances.c
    assignee, decider, absent = t.users.alias("assignee"), t.users.alias("decider"), t.users.alias("absent")
    conditions = _equal(((k.status, status), (i.workflow, workflow), (k.candidate_group, group)))
    conditions += between(k.created_at, start, end)
    if not sees_every_task(actor):
        conditions.append(or_(k.assignee_id == actor.id, k.completed_by == actor.id,
                              k.assignee_id.is_(None) & k.candidate_group.in_(sorted(actor.groups))))
    query: Select[Any] = (
        select(k.id, k.instance_id, i.workflow, k.name, k.candidate_group, assignee.c.login.label("assignee"),
               k.status, k.decision, k.comment, k.created_at, k.due_at, k.completed_at,
               decider.c.login.label("completed_by"), k.escalated_at, absent.c.login.label("on_behalf_of"))
        .join(t.instances, i.id == k.instance_id)
        .outerjoin(assignee, assignee.c.id == k.assignee_id).outerjoin(decider, decider.c.id == k.completed_by)
        .outerjoin(absent, absent.c.id == k.on_behalf_of)
        .where(*conditions).order_by(k.id))
    return Table("tasks", TASK_COLUMNS, streamed(svc, query, columns=TASK_COLUMNS))


def audit_table(svc: Services, *, actor: Actor, instance_id: int | None = None, entity_type: str | None = None,
                entity_id: str | None = None, action: str | None = None, login: str | None = None,
                start: datetime | None = None, end: datetime | None = None) -> Table:
    """The audit trail, oldest first: all of it for admins and auditors, one instance's for others."""
    require_export(actor, "audit", instance_id=instance_id)
    conditions = audit_conditions(instance_id=instance_id, entity_type=entity_type, entity_id=entity_id,
                                  action=action, login=login, start=start, end=end)
    query = select(t.audit_events).where(*conditions).order_by(t.audit_events.c.id)
    return Table("audit", AUDIT_COLUMNS, streamed(svc, query, columns=AUDIT_COLUMNS))


def audit_conditions(*, instance_id: int | None = None, entity_type: str | None = None,
                     entity_id: str | None = None, action: str | None = None, login: str | None = None,
                     start: datetime | None = None, end: datetime | None = None) -> list[ColumnElement[bool]]:
    """The audit trail's filters (each optional, all of them at once), shared by the list and the export."""
    e = t.audit_events.c
    conditions = _equal(((e.instance_id, instance_id), (e.entity_type, entity_type), (e.entity_id, entity_id),
                         (e.action, action), (e.actor_login, login)))
    return conditions + between(e.at, start, end)


def sla_table(svc: Services, *, actor: Actor, workflow: str, start: datetime | None = None,
              end: datetime | None = None) -> Table:
    """`GET /reports/sla` as one row per goal (the open breaches are not in the export)."""
    require_export(actor, "sla")
    report = reports.sla_report(svc, workflow=workflow, start=start, end=end)
    rows = [{**goal.model_dump(), "workflow": report.workflow, "start": report.start, "end": report.end,
             "average_used_hours": None if goal.average_used_seconds is None
             else round(goal.average_used_seconds / 3600, 2)} for goal in report.goals]
    return Table.of("sla", columns=SLA_COLUMNS, rows=rows)
