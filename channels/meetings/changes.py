"""Change a meeting (place, link, length, attendees, titles) or cancel one occurrence; the invitations
already sent are updated (SEQUENCE + 1) or cancelled (``METHOD:CANCEL``) through the outbox.

Each change is one transaction: the meeting or occurrence row, the regenerated agendas of the
occurrences whose invitation went out, their outbox rows and the audit row.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from channels.meetings import distribution
from channels.meetings import tables as m
from channels.meetings.agendas import prepare_in
from channels.meetings.reading import agenda_view
from channels.meetings.series import meeting_row, meeting_view, problems_in
from channels.meetings.views import MeetingView, OccurrenceView
from channels.permissions import ChannelAction, require
from workflows.domain.errors import Conflict, InvalidInput, NotFound, Problem
from workflows.domain.principals import Actor
from workflows.services.context import Services
from workflows.services.records import audit

CHANGEABLE = ("title_zh", "title_en", "duration_minutes", "location", "video_url", "attendee_users",
              "attendee_groups", "prepare_days")


def update_meeting(svc: Services, *, actor: Actor, meeting_id: int, changes: dict[str, Any]) -> MeetingView:
    """Apply `changes` (only `CHANGEABLE` fields) to a meeting and to its occurrences not over yet.

    Occurrences whose invitation was sent get their agenda regenerated and an updated invitation.

    Raises:
        PermissionDenied, NotFound, InvalidInput (every problem with the new values).
    """
    require(actor, ChannelAction.ORGANISE_MEETINGS)
    refused = [Problem(name, "cannot be changed (create a new meeting for another kind, start or rule)")
               for name in sorted(set(changes) - set(CHANGEABLE))]
    refused += [Problem(name, "must not be null") for name in sorted(changes)
                if changes[name] is None and name in CHANGEABLE and name != "video_url"]
    if refused:
        raise InvalidInput("the change is not valid", refused)
    now = svc.clock.now()
    with svc.uow() as uow:
        meeting = {**meeting_row(uow, meeting_id), **changes}
        problems = problems_in(uow, kind=meeting["kind"], starts_at=meeting["starts_at"], timezone=meeting["timezone"],
                             attendee_users=meeting["attendee_users"], attendee_groups=meeting["attendee_groups"],
                             duration_minutes=meeting["duration_minutes"], prepare_days=meeting["prepare_days"])
        if problems:
            raise InvalidInput("the meeting is not valid", problems)
        if not changes:  # nothing to change: nothing to write or send
            return meeting_view(uow, meeting, now=now)
        uow.conn.execute(update(m.meetings).where(m.meetings.c.id == meeting_id).values(**changes))
        c = m.occurrences.c
        ahead = [dict(r) for r in uow.conn.execute(select(m.occurrences).where(
            c.meeting_id == meeting_id, c.ends_at > now, c.status == "scheduled")).mappings()]
        for occurrence in ahead:
            ends_at = occurrence["starts_at"] + timedelta(minutes=meeting["duration_minutes"])
            uow.conn.execute(update(m.occurrences).where(c.id == occurrence["id"]).values(ends_at=ends_at))
            if occurrence["distributed_sequence"] is not None:
                prepare_in(svc, uow, actor=actor, meeting=meeting, occurrence={**occurrence, "ends_at": ends_at})
        audit(uow, now=now, actor=actor, entity_type="meeting", entity_id=meeting_id, action="updated",
              data={"changed": sorted(changes)})
        view = meeting_view(uow, meeting, now=now)
        uow.commit()
    return view


def cancel_occurrence(svc: Services, *, actor: Actor, meeting_id: int, occurrence_id: int,
                      reason: str = "") -> OccurrenceView:
    """Cancel one occurrence; attendees who got its invitation get a cancellation (SEQUENCE + 1).

    Raises:
        NotFound: no such occurrence of that meeting. Conflict: it is over already.
        Cancelling a cancelled occurrence again returns it unchanged and sends nothing.
    """
    require(actor, ChannelAction.ORGANISE_MEETINGS)
    now = svc.clock.now()
    with svc.uow() as uow:
        meeting = meeting_row(uow, meeting_id)
        c = m.occurrences.c
        row = uow.conn.execute(select(m.occurrences).where(c.id == occurrence_id, c.meeting_id == meeting_id)
                               ).mappings().first()
        if row is None:
            raise NotFound(f"meeting {meeting_id} has no occurrence {occurrence_id}")
        if row["status"] == "cancelled":  # cancelling again changes and sends nothing
            return OccurrenceView.model_validate({k: row[k] for k in OccurrenceView.model_fields})
        if row["ends_at"] <= now:
            raise Conflict(f"occurrence {occurrence_id} is over; it can no longer be cancelled")
        sent = row["distributed_sequence"] is not None
        values = {"status": "cancelled", "sequence": row["sequence"] + (1 if sent else 0)}
        if sent:
            values["distributed_sequence"] = values["sequence"]
        uow.conn.execute(update(m.occurrences).where(c.id == occurrence_id).values(**values))
        occurrence = {**dict(row), **values}
        if sent:
            view = agenda_view(uow, meeting=meeting, occurrence=occurrence, now=now)
            distribution.distribute(uow, agenda=view, now=now, updated=True, template=distribution.CANCELLED,
                                    base_url=svc.public_url)
        audit(uow, now=now, actor=actor, entity_type="meeting", entity_id=meeting_id, action="occurrence_cancelled",
              comment=reason or None, data={"occurrence_id": occurrence_id})
        uow.commit()
    return OccurrenceView.model_validate({k: occurrence[k] for k in OccurrenceView.model_fields})


