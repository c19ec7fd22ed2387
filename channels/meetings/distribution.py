"""Send an agenda and its invitation to every attendee through the outbox.

One outbox row per attendee (users named by the meeting and members of its groups, each once), and
one per attendee group that has a target of its own (`robot:G`: the group's chat robot or mailbox,
not its members again), in the transaction that stored the agenda. The payload carries a short
summary with a link for chat targets and the .ics for e-mail targets (zh and en, picked per target by the dispatcher).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from channels.meetings.render_ics import agenda_ics
from channels.meetings.render_md import local, summary
from channels.meetings.texts import LANGS
from channels.meetings.views import AgendaView
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services.records import notify

TEMPLATE = "meeting_agenda"
CANCELLED = "meeting_cancelled"


def organiser_of(uow: UnitOfWork, login: str) -> tuple[str, str] | None:
    row = uow.conn.execute(select(t.users.c.email, t.users.c.display_name).where(t.users.c.login == login)).first()
    return (row.email, row.display_name or login) if row is not None and row.email else None


def payload(agenda: AgendaView, *, stamp: datetime, organiser: tuple[str, str] | None, updated: bool,
            base_url: str = "") -> dict[str, Any]:
    meeting, occ = agenda.meeting, agenda.occurrence
    link = f"/meetings/{meeting.id}?occurrence={occ.id}"  # the web UI page; the outbox puts CHANNELOPS_PUBLIC_URL first
    filename = f"meeting-{meeting.id}-{occ.starts_at:%Y%m%d}.ics"
    content_type = f"text/calendar; method={'CANCEL' if occ.status == 'cancelled' else 'REQUEST'}"
    return {
        "meeting_id": meeting.id, "occurrence_id": occ.id, "sequence": occ.sequence, "updated": updated,
        "meeting_title_zh": meeting.title_zh, "meeting_title_en": meeting.title_en,
        "starts_local": f"{local(occ.starts_at, meeting.timezone)} ({meeting.timezone})",
        "location": meeting.location or meeting.video_url or "", "link": link,
        **{f"summary_{lang}": summary(agenda, lang) for lang in LANGS},
        "attachments": [{"filename": filename, "content_type": content_type,
                         "content": {lang: agenda_ics(agenda, lang, stamp=stamp, organiser=organiser, base_url=base_url)
                                     for lang in LANGS}}],
    }


def robots(uow: UnitOfWork, groups: list[str]) -> list[str]:
    """`robot:G` for each of `groups` that has an active target of its own, in the meeting's order."""
    if not groups:
        return []
    c = t.notification_targets.c
    owning = set(uow.conn.execute(select(c.owner).where(c.owner_type == "group", c.owner.in_(groups),
                                                        c.active.is_(True))).scalars())
    return [f"robot:{group}" for group in dict.fromkeys(groups) if group in owning]


def distribute(uow: UnitOfWork, *, agenda: AgendaView, now: datetime, updated: bool,
               template: str = TEMPLATE, base_url: str = "") -> int:
    """Write one outbox row per attendee and attendee group robot (`template`: the agenda, or its
    cancellation); returns how many."""
    organiser = organiser_of(uow, agenda.meeting.created_by)
    body = payload(agenda, stamp=now, organiser=organiser, updated=updated, base_url=base_url)
    recipients = [f"user:{person.id}" for person in agenda.attendees] + robots(uow, agenda.meeting.attendee_groups)
    notify(uow, now=now, instance_id=None, recipients=recipients, template=template, payload=body)
    return len(recipients)
