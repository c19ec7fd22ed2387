"""Record what a meeting decided on an agenda item, and who was there.

A decision may fire a workflow trigger on the item's instance. The trigger goes through the engine's
own path (`fire_in`: permissions, guards, approvals, audit with the meeting as its reason) in the
same transaction as the decision: either both are stored or neither is.

Idempotency: an item takes at most one decision (a second one is a 409, and the unique constraint on
`meeting_decisions.item_id` holds under races), and a repeated `Idempotency-Key` returns the first
answer without doing anything again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from channels.meetings import tables as m
from channels.meetings.access import attendee_rows
from channels.meetings.reading import choose_occurrence
from channels.meetings.series import meeting_row
from channels.meetings.views import DecisionView
from channels.permissions import ChannelAction, require
from workflows.domain.errors import Conflict, InvalidInput, NotFound, Problem
from workflows.domain.principals import Actor
from workflows.persistence.uow import UnitOfWork
from workflows.services import steps
from workflows.services.context import Services
from workflows.services.instances import fire_in
from workflows.services.records import audit, claim_key, remember

OUTCOMES = ("decided", "deferred")


def _item(uow: UnitOfWork, *, meeting_id: int, item_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    a, o = m.agenda_items.c, m.occurrences.c
    query = (select(m.agenda_items, o.meeting_id, o.status.label("occurrence_status"))
             .join(m.occurrences, o.id == a.occurrence_id).where(a.id == item_id))
    if uow.dialect == "postgresql":  # concurrent decisions on one item queue here
        query = query.with_for_update(of=m.agenda_items)
    row = uow.conn.execute(query).mappings().first()
    if row is None or row["meeting_id"] != meeting_id:
        raise NotFound(f"meeting {meeting_id} has no agenda item {item_id}")
    if row["status"] == "withdrawn":
        raise Conflict(f"agenda item {item_id} was withdrawn from the agenda (it no longer applies)")
    if row["occurrence_status"] == "cancelled":
        raise Conflict(f"the meeting of agenda item {item_id} was cancelled")
    return dict(row), meeting_row(uow, meeting_id)


def record_decision(
    svc: Services, *, actor: Actor, meeting_id: int, item_id: int, summary: str, outcome: str = "decided",
    trigger: str | None = None, data: Mapping[str, Any] | None = None, idempotency_key: str | None = None,
) -> DecisionView:
    """Record the decision on agenda item `item_id`; fire `trigger` on its instance when given.

    Raises:
        PermissionDenied: not a committee member (or the engine refuses the trigger to this actor).
        NotFound: no such meeting or item. InvalidInput: bad outcome, empty summary, a trigger on an
        item without an instance, or instance data the workflow refuses.
        Conflict: the item already has a decision, was withdrawn, or the trigger is not allowed now.
    """
    require(actor, ChannelAction.DECIDE_MEETING_ITEM)
    problems = [] if outcome in OUTCOMES else [Problem("outcome", f"must be one of {', '.join(OUTCOMES)}")]
    if not summary.strip():
        problems.append(Problem("summary", "say what was decided"))
    if trigger is not None and outcome != "decided":
        problems.append(Problem("trigger", "only a decision (not a deferral) may fire a trigger"))
    if problems:
        raise InvalidInput("the decision is not valid", problems)
    now = svc.clock.now()
    with svc.uow() as uow:
        scope = f"decide:{meeting_id}:{item_id}"
        item, meeting = _item(uow, meeting_id=meeting_id, item_id=item_id)  # first: a retry waits, then finds the key
        if (stored := claim_key(uow, actor=actor, key=idempotency_key, scope=scope, now=svc.clock.now())) is not None:
            return DecisionView.model_validate(stored)
        if uow.conn.execute(select(m.decisions.c.id).where(m.decisions.c.item_id == item_id)).first() is not None:
            raise Conflict(f"agenda item {item_id} already has a decision")
        values: dict[str, Any] = {"occurrence_id": item["occurrence_id"], "item_id": item_id, "outcome": outcome,
                                  "summary": summary.strip(), "trigger": trigger, "instance_id": item["instance_id"],
                                  "from_state": None, "to_state": None, "approval_task_id": None,
                                  "decided_by": actor.id, "decided_by_login": actor.login, "decided_at": now}
        if trigger is not None:
            values.update(_fire(svc, uow, actor=actor, item=item, meeting=meeting, trigger=trigger,
                                summary=summary.strip(), data=data))
        try:
            decision_id = uow.conn.execute(insert(m.decisions).returning(m.decisions.c.id), values).scalar_one()
        except IntegrityError as exc:
            raise Conflict(f"agenda item {item_id} already has a decision") from exc
        uow.conn.execute(update(m.agenda_items).where(m.agenda_items.c.id == item_id)
                         .values(status=outcome, updated_at=now))
        audit(uow, now=now, actor=actor, entity_type="meeting", entity_id=meeting_id, action="decision_recorded",
              instance_id=item["instance_id"], trigger=trigger, comment=summary.strip(),
              data={"occurrence_id": item["occurrence_id"], "item_id": item_id, "outcome": outcome,
                    "decision_id": decision_id})
        view = DecisionView.model_validate({**values, "id": decision_id})
        remember(uow, actor=actor, key=idempotency_key, response=view)
        uow.commit()
    return view


def _fire(svc: Services, uow: UnitOfWork, *, actor: Actor, item: Mapping[str, Any], meeting: Mapping[str, Any],
          trigger: str, summary: str, data: Mapping[str, Any] | None) -> dict[str, Any]:
    if item["instance_id"] is None:
        raise InvalidInput("the decision is not valid",
                           [Problem("trigger", "this agenda item has no workflow instance to fire a trigger on")])
    inst = steps.lock_instance(uow, item["instance_id"])
    reason = {"meeting_id": meeting["id"], "occurrence_id": item["occurrence_id"], "agenda_item_id": item["id"]}
    title = meeting["title_zh"]
    result = fire_in(svc, uow, actor=actor, inst=inst, trigger=trigger, comment=f"{title}决定：{summary}",
                     data=data, reason=reason)
    return {"from_state": result.from_state, "to_state": result.to_state,
            "approval_task_id": result.approval_task_id}


def record_attendance(svc: Services, *, actor: Actor, meeting_id: int, present: Sequence[int],
                      occurrence_id: int | None = None) -> list[int]:
    """Set who attended an occurrence (default: the next or current one); committee only; audited.

    Raises:
        InvalidInput: someone listed is not an attendee of the meeting.
    """
    require(actor, ChannelAction.RECORD_ATTENDANCE)
    now = svc.clock.now()
    with svc.uow() as uow:
        meeting = meeting_row(uow, meeting_id)
        occurrence = choose_occurrence(uow, meeting_id=meeting_id, occurrence_id=occurrence_id, now=now)
        invited = {row["id"] for row in attendee_rows(uow, meeting)}
        problems = [Problem("present", f"user {u} is not an attendee of meeting {meeting_id}") for u in present
                    if u not in invited]
        if problems:
            raise InvalidInput("the attendance is not valid", problems)
        chosen = sorted(set(present))
        uow.conn.execute(update(m.occurrences).where(m.occurrences.c.id == occurrence["id"])
                         .values(present_users=chosen))
        audit(uow, now=now, actor=actor, entity_type="meeting", entity_id=meeting_id, action="attendance_recorded",
              data={"occurrence_id": occurrence["id"], "present": chosen})
        uow.commit()
    return chosen
