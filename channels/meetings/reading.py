"""Read a stored agenda (with its decisions) into an `AgendaView`; used inside any unit of work."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from channels.meetings import tables as m
from channels.meetings.access import attendee_rows
from channels.meetings.series import meeting_view, occurrence_view
from channels.meetings.texts import OPTIONAL, SECTIONS
from channels.meetings.views import AgendaView, AttendeeView, DecisionView, ItemView, SectionView
from workflows.domain.errors import NotFound
from workflows.persistence.uow import UnitOfWork


def link_for(instance_id: int | None, channel_id: str | None) -> str | None:
    """The item's page in the web UI (people read the agendas; the JSON also carries the ids)."""
    if instance_id is not None:
        return f"/instances/{instance_id}"
    return None if channel_id is None else f"/channels/{channel_id}"


def choose_occurrence(uow: UnitOfWork, *, meeting_id: int, occurrence_id: int | None, now: Any) -> dict[str, Any]:
    """The occurrence asked for, or the meeting's next one not over yet (else its last one)."""
    c = m.occurrences.c
    query = select(m.occurrences).where(c.meeting_id == meeting_id)
    if occurrence_id is not None:
        row = uow.conn.execute(query.where(c.id == occurrence_id)).mappings().first()
        if row is None:
            raise NotFound(f"meeting {meeting_id} has no occurrence {occurrence_id}")
        return dict(row)
    row = uow.conn.execute(query.where(c.ends_at > now, c.status != "cancelled").order_by(c.starts_at)
                           .limit(1)).mappings().first()
    if row is None:
        row = uow.conn.execute(query.order_by(c.starts_at.desc()).limit(1)).mappings().first()
    if row is None:
        raise NotFound(f"meeting {meeting_id} has no occurrence")
    return dict(row)


def agenda_view(uow: UnitOfWork, *, meeting: Mapping[str, Any], occurrence: Mapping[str, Any], now: Any,
                ) -> AgendaView:
    a, d = m.agenda_items.c, m.decisions.c
    items = uow.conn.execute(select(m.agenda_items).where(a.occurrence_id == occurrence["id"],
                                                          a.status != "withdrawn")
                             .order_by(a.position, a.id)).mappings().all()
    decisions = {r["item_id"]: DecisionView.model_validate(dict(r)) for r in uow.conn.execute(
        select(m.decisions).where(d.occurrence_id == occurrence["id"])).mappings()}
    meta = occurrence["agenda_meta"] or {}
    sections = []
    for name, zh, en in SECTIONS:
        if name in OPTIONAL and name not in meta:  # an agenda without it (another kind, or older)
            continue
        listed = [_item(dict(row), decisions.get(row["id"])) for row in items if row["section"] == name]
        info = meta.get(name, {})
        sections.append(SectionView(name=name, title_zh=zh, title_en=en, items=listed,
                                    total=max(int(info.get("total", 0)), len(listed)), facts=info.get("facts", {})))
    people = [AttendeeView.model_validate({k: u[k] for k in AttendeeView.model_fields})
              for u in attendee_rows(uow, meeting)]
    return AgendaView(meeting=meeting_view(uow, meeting, now=now), occurrence=occurrence_view(occurrence),
                      generated_at=occurrence["agenda_generated_at"], window_start=occurrence["window_start"],
                      attendees=people, present=list(occurrence["present_users"] or []), sections=sections)


def _item(row: Mapping[str, Any], decision: DecisionView | None) -> ItemView:
    fields = {name: row[name] for name in ItemView.model_fields if name in row}
    status = "decided" if decision is not None and decision.outcome == "decided" else (
        "deferred" if decision is not None else row["status"])
    return ItemView.model_validate({**fields, "status": status, "decision": decision,
                                    "link": link_for(row["instance_id"], row["channel_id"])})
