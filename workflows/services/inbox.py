"""The inbox with context: a page of tasks, each with what its card shows, filtered and sorted.

A card names the subject, the requester, the definition's key fields (`card_fields`), the other
reviewers' decisions so far and the running SLA. The context of a whole page is read in a fixed
number of queries (instances, sibling tasks, SLA clocks, user names), never one per task.
Subject names (a channel's name, type and region) are added by the layer that knows subjects
(`channels.task_subjects`), in one more query.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import aliased

from workflows.domain.errors import NotFound
from workflows.domain.group_titles import group_title
from workflows.domain.principals import Actor
from workflows.domain.rows import Row
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services
from workflows.services.queries import Page, task_view
from workflows.services.views import CardValue, PeerDecision, TaskContext, TaskView

Due = Literal["all", "overdue", "soon"]
Sort = Literal["due", "created", "workflow", "requester", "subject", "follow_up"]
DUES: tuple[Due, ...] = ("all", "overdue", "soon")
SORTS: tuple[Sort, ...] = ("due", "created", "workflow", "requester", "subject", "follow_up")


@dataclass(frozen=True)
class Filters:
    """What the inbox narrows to. `subjects`: a select of subject ids (of `subject_type`) to keep,
    built by the layer that knows the subjects (e.g. the channels of a type and region);
    `subject_order`: the subject's name as a column expression, for sorting by subject."""

    assigned: Literal["me", "group"] = "group"
    status: Literal["open", "completed", "cancelled", "all"] = "open"
    workflow: str | None = None
    due: Due = "all"
    requester: str | None = None
    escalated: bool | None = None
    subject_type: str | None = None
    subjects: Select[Any] | None = None
    subject_order: ColumnElement[Any] | None = None


def cards(svc: Services, *, actor: Actor, filters: Filters, sort: Sort = "due", limit: int = 100,
          offset: int = 0) -> Page:
    """`actor`'s tasks (theirs and their groups'), each with its `context`, `limit` at a time."""
    requester = aliased(t.users)
    query = (select(t.tasks, t.instances.c.workflow, t.instances.c.definition_id)
             .join(t.instances, t.instances.c.id == t.tasks.c.instance_id)
             .outerjoin(requester, requester.c.id == t.instances.c.requester_id)
             .where(*_conditions(svc, actor, filters, requester)))
    order: list[Any] = {
        "due": [t.tasks.c.due_at.is_(None), t.tasks.c.due_at],
        "created": [t.tasks.c.created_at.desc()],
        "workflow": [t.instances.c.workflow],
        "requester": [requester.c.display_name.is_(None), requester.c.display_name, requester.c.login],
        "subject": ([] if filters.subject_order is None else [filters.subject_order.is_(None), filters.subject_order])
        + [t.instances.c.subject_type, t.instances.c.subject_id],
        # the assignee's follow-up date first (tasks without one last), then the due date
        "follow_up": [t.tasks.c.follow_up_on.is_(None), t.tasks.c.follow_up_on, t.tasks.c.due_at.is_(None),
                      t.tasks.c.due_at],
    }[sort]
    with svc.uow(write=False) as uow:
        total = uow.conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = uow.conn.execute(query.order_by(*order, t.tasks.c.id).limit(limit).offset(offset)).mappings().all()
        items = with_context(svc, uow, rows)
    return Page(items=items, total=int(total), limit=limit, offset=offset)


def _conditions(svc: Services, actor: Actor, filters: Filters, requester: Any) -> list[ColumnElement[bool]]:
    mine = t.tasks.c.assignee_id == actor.id
    found: list[ColumnElement[bool]] = [
        mine if filters.assigned == "me"
        else or_(mine, t.tasks.c.assignee_id.is_(None) & t.tasks.c.candidate_group.in_(sorted(actor.groups)))]
    if filters.status != "all":
        found.append(t.tasks.c.status == filters.status)
    if filters.workflow:
        found.append(t.instances.c.workflow == filters.workflow)
    now = svc.clock.now()
    if filters.due == "overdue":
        found.append(t.tasks.c.due_at <= now)
    elif filters.due == "soon":  # less than a working day left, or overdue
        found.append(t.tasks.c.due_at < svc.calendar.add_working_time(now, svc.calendar.working_day_length()))
    if filters.requester:
        text = f"%{filters.requester.lower()}%"
        found.append(or_(func.lower(requester.c.login).like(text), func.lower(requester.c.display_name).like(text)))
    if filters.escalated is not None:
        found.append(t.tasks.c.escalated_at.is_not(None) if filters.escalated else t.tasks.c.escalated_at.is_(None))
    if filters.subject_type is not None:
        found.append(t.instances.c.subject_type == filters.subject_type)
    if filters.subjects is not None:
        found.append(t.instances.c.subject_id.in_(filters.subjects.scalar_subquery()))
    return found


def with_context(svc: Services, uow: UnitOfWork, rows: Sequence[Row]) -> list[TaskView]:
    """Task rows (with `workflow` and `definition_id`) as views with their card context, in four queries."""
    if not rows:
        return []
    instance_ids = sorted({int(r["instance_id"]) for r in rows})
    i = t.instances.c
    instances = {r["id"]: r for r in uow.conn.execute(
        select(i.id, i.state, i.subject_type, i.subject_id, i.data, i.requester_id, i.definition_id)
        .where(i.id.in_(instance_ids))).mappings()}
    tk = t.tasks.c
    siblings = uow.conn.execute(
        select(tk.id, tk.instance_id, tk.name, tk.entry, tk.candidate_group, tk.original_group, tk.status,
               tk.decision, tk.completed_by, tk.comment)
        .where(tk.instance_id.in_(instance_ids), tk.status != "cancelled", tk.trigger.is_(None))
        .order_by(tk.id)).mappings().all()
    s = t.sla_clocks.c
    clocks = uow.conn.execute(select(s.instance_id, s.due_at, s.breached_at, s.status)
                              .where(s.instance_id.in_(instance_ids), s.status.in_(("running", "paused")))
                              ).mappings().all()
    people = {r["requester_id"] for r in instances.values()} | {r["completed_by"] for r in siblings}
    names = _names(uow, {p for p in people if p is not None})
    views = []
    for row in rows:
        view = task_view(svc, uow, row, workflow=row["workflow"], definition_id=row["definition_id"])
        inst = instances[row["instance_id"]]
        peers = [r for r in siblings if r["instance_id"] == view.instance_id and r["name"] == view.name
                 and r["entry"] == row["entry"] and r["id"] != view.id]
        own_clocks = [c for c in clocks if c["instance_id"] == view.instance_id]
        views.append(view.model_copy(update={"context": _context(svc, uow, view, inst, peers, own_clocks, names)}))
    return views


def card(svc: Services, *, task_id: int) -> TaskView:
    """One task with its card context (after a claim or a release, or on a link's page)."""
    found = by_ids(svc, task_ids=[task_id])
    if not found:
        raise NotFound(f"task {task_id} not found")
    return found[0]


def by_ids(svc: Services, *, task_ids: Sequence[int]) -> list[TaskView]:
    """The tasks of `task_ids` that exist, with their card context, in the order given (a few queries)."""
    query = (select(t.tasks, t.instances.c.workflow, t.instances.c.definition_id)
             .join(t.instances, t.instances.c.id == t.tasks.c.instance_id).where(t.tasks.c.id.in_(list(task_ids))))
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(query).mappings().all()
        order = {task_id: i for i, task_id in enumerate(task_ids)}
        return with_context(svc, uow, sorted(rows, key=lambda r: order[r["id"]]))


def _names(uow: UnitOfWork, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(ids)
    if not wanted:
        return {}
    rows = uow.conn.execute(select(t.users.c.id, t.users.c.login, t.users.c.display_name)
                            .where(t.users.c.id.in_(wanted)))
    return {r.id: r.display_name or r.login for r in rows}


def _context(svc: Services, uow: UnitOfWork, view: TaskView, inst: Row, peers: Sequence[Row], clocks: Sequence[Row],
             names: dict[int, str]) -> TaskContext:
    compiled = svc.compiled(uow.conn, inst["definition_id"])
    definition = compiled.definition
    state = compiled.states.get(inst["state"])
    state_zh, state_en = (state.title.zh, state.title.en) if state is not None and state.title else (
        inst["state"], inst["state"])
    data = inst["data"] or {}
    fields = []
    for name in definition.card_fields:
        spec = definition.fields.get(name)
        if spec is None or data.get(name) in (None, "", [], {}):
            continue
        title = spec.title
        fields.append(CardValue(name=name, title_zh=title.zh if title else name, title_en=title.en if title else name,
                                value=data[name], value_zh=_text(data[name]), value_en=_text(data[name])))
    found = compiled.tasks.get(view.name)
    policy = None if found is None or view.trigger is not None else str(found[1].policy)
    due = [c["due_at"] for c in clocks if c["due_at"] is not None and c["status"] == "running"]
    group_zh, group_en = group_title(view.candidate_group) if view.candidate_group else (None, None)
    return TaskContext(
        state=inst["state"], state_zh=state_zh, state_en=state_en, group_zh=group_zh, group_en=group_en,
        subject_type=inst["subject_type"],
        subject_id=inst["subject_id"], requester_id=inst["requester_id"],
        requester_name=names.get(inst["requester_id"]) if inst["requester_id"] is not None else None,
        fields=fields, policy=policy, peers=[_peer(p, names) for p in peers] if policy is not None else [],
        sla_due_at=min(due) if due else None, sla_breached=any(c["breached_at"] is not None for c in clocks))


def _peer(row: Row, names: dict[int, str]) -> PeerDecision:
    group = row["original_group"] or row["candidate_group"]
    zh, en = group_title(group) if group else ("—", "—")
    return PeerDecision(task_id=row["id"], group=group, group_zh=zh, group_en=en, status=row["status"],
                        decision=row["decision"], comment=row["comment"],
                        decided_by=names.get(row["completed_by"]) if row["completed_by"] is not None else None)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return str(value)[:200]
