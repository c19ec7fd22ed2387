"""Use cases on agendas: prepare (generate or regenerate, store, distribute), read, and the sweep
that prepares every agenda that has fallen due.

Contracts:
- Preparing is one transaction: the items, the occurrence's new checksum and SEQUENCE, the audit
  row and the outbox rows commit together or not at all.
- Regenerating keeps every decision already recorded (see `builder.store`); the invitation's
  SEQUENCE grows only when the agenda or the meeting's details changed after it was sent.
- The sweep is safe to repeat and to run in several workers: each occurrence is claimed in its
  own transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL) and only prepared while it has no agenda.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from channels.meetings import builder, distribution
from channels.meetings import tables as m
from channels.meetings.access import require_read
from channels.meetings.reading import agenda_view, choose_occurrence
from channels.meetings.series import lay_out, meeting_row
from channels.meetings.views import AgendaView
from channels.permissions import ChannelAction, require
from workflows.domain.errors import ChannelOpsError, Conflict
from workflows.domain.principals import SYSTEM, Actor
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services
from workflows.services.records import audit

log = logging.getLogger(__name__)


def _lock(uow: UnitOfWork, occurrence_id: int, *, skip_locked: bool = False) -> dict[str, Any] | None:
    query = select(m.occurrences).where(m.occurrences.c.id == occurrence_id)
    if uow.dialect == "postgresql":
        query = query.with_for_update(skip_locked=skip_locked)
    row = uow.conn.execute(query).mappings().first()
    return None if row is None else dict(row)


def prepare_in(svc: Services, uow: UnitOfWork, *, actor: Actor, meeting: dict[str, Any], occurrence: dict[str, Any],
               distribute: bool = True) -> AgendaView:
    """Generate `occurrence`'s agenda inside an open unit of work (occurrence row already locked)."""
    if occurrence["status"] == "cancelled":
        raise Conflict(f"occurrence {occurrence['id']} is cancelled; it has no agenda")
    now = svc.clock.now()
    window, previous_id = builder.window_for(uow, occurrence, now=now, zone=meeting["timezone"])
    sections = builder.build(svc, uow, window=window, previous_id=previous_id, kind=meeting["kind"])
    checksum = builder.store(uow, occurrence_id=occurrence["id"], sections=sections, previous_id=previous_id,
                             now=now)
    invite = [checksum, occurrence["starts_at"], occurrence["ends_at"], meeting["title_zh"], meeting["title_en"],
              meeting["location"], meeting["video_url"], meeting["attendee_users"], meeting["attendee_groups"]]
    checksum = hashlib.sha256(repr(invite).encode()).hexdigest()
    changed = checksum != occurrence["agenda_checksum"]
    sent = occurrence["distributed_sequence"] is not None
    sequence = occurrence["sequence"] + (1 if changed and sent else 0)
    values = {"agenda_generated_at": now, "agenda_checksum": checksum, "window_start": window.start,
              "agenda_meta": builder.section_meta(sections), "sequence": sequence}
    if distribute and (changed or not sent):
        values["distributed_sequence"] = sequence
    uow.conn.execute(update(m.occurrences).where(m.occurrences.c.id == occurrence["id"]).values(**values))
    occurrence = {**occurrence, **values}
    view = agenda_view(uow, meeting=meeting, occurrence=occurrence, now=now)
    recipients = 0
    if "distributed_sequence" in values:
        recipients = distribution.distribute(uow, agenda=view, now=now, updated=sent, base_url=svc.public_url)
    audit(uow, now=now, actor=actor, entity_type="meeting", entity_id=meeting["id"], action="agenda_prepared",
          data={"occurrence_id": occurrence["id"], "items": sum(len(s.items) for s in view.sections),
                "changed": changed, "sequence": sequence, "recipients": recipients})
    return view


def prepare_agenda(svc: Services, *, actor: Actor, meeting_id: int, occurrence_id: int | None = None,
                   distribute: bool = True) -> AgendaView:
    """Generate (or regenerate) the agenda of an occurrence (default: the next one) and send it out.

    Raises:
        NotFound: no such meeting or occurrence. PermissionDenied: not the committee or an admin.
        Conflict: the occurrence is cancelled.
    """
    require(actor, ChannelAction.ORGANISE_MEETINGS)
    with svc.uow() as uow:
        meeting = meeting_row(uow, meeting_id)
        chosen = choose_occurrence(uow, meeting_id=meeting_id, occurrence_id=occurrence_id, now=svc.clock.now())
        occurrence = _lock(uow, chosen["id"])
        assert occurrence is not None
        view = prepare_in(svc, uow, actor=actor, meeting=meeting, occurrence=occurrence, distribute=distribute)
        uow.commit()
    return view


def get_agenda(svc: Services, *, actor: Actor, meeting_id: int, occurrence_id: int | None = None) -> AgendaView:
    """The stored agenda of an occurrence (default: the next one); attendees, committee, admins, auditors."""
    with svc.uow(write=False) as uow:
        meeting = meeting_row(uow, meeting_id)
        require_read(actor, meeting)
        now = svc.clock.now()
        occurrence = choose_occurrence(uow, meeting_id=meeting_id, occurrence_id=occurrence_id, now=now)
        return agenda_view(uow, meeting=meeting, occurrence=occurrence, now=now)


@dataclass(frozen=True)
class SweepResult:
    laid_out: int = 0
    prepared: int = 0
    failed: int = 0


def prepare_due_agendas(svc: Services, *, now: datetime | None = None) -> SweepResult:
    """Lay out upcoming occurrences, then prepare each agenda whose time has come and that has none yet.

    A failing occurrence is logged and skipped (the next sweep tries it again); the others go on.
    """
    moment = now or svc.clock.now()
    with svc.uow() as uow:
        meetings = [dict(r) for r in uow.conn.execute(select(m.meetings).where(m.meetings.c.active.is_(True)))
                    .mappings()]
        laid_out = sum(lay_out(svc, uow, meeting=row, start=moment, now=moment) for row in meetings)
        uow.commit()
    c = m.occurrences.c
    with svc.uow(write=False) as uow:
        due = list(uow.conn.execute(select(c.id).where(c.status == "scheduled", c.agenda_generated_at.is_(None),
                                                       c.prepare_at <= moment, c.ends_at > moment)
                                    .order_by(c.prepare_at, c.id)).scalars())
    prepared = failed = 0
    for occurrence_id in due:
        try:
            prepared += _prepare_one(svc, occurrence_id)
        except Exception as exc:  # isolate the failing occurrence; the sweep goes on
            failed += 1
            log.warning("agenda of occurrence %s failed: %s", occurrence_id, exc,
                        exc_info=not isinstance(exc, ChannelOpsError))
    return SweepResult(laid_out=laid_out, prepared=prepared, failed=failed)


def _prepare_one(svc: Services, occurrence_id: int) -> int:
    with svc.uow() as uow:
        occurrence = _lock(uow, occurrence_id, skip_locked=True)
        if occurrence is None or occurrence["agenda_generated_at"] is not None:
            return 0  # another worker holds it or has prepared it
        meeting = meeting_row(uow, occurrence["meeting_id"])
        prepare_in(svc, uow, actor=SYSTEM, meeting=meeting, occurrence=occurrence)
        uow.commit()
    return 1
