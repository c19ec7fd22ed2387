"""An occurrence as an iCalendar invitation (RFC 5545/5546 ``METHOD:REQUEST``), written with `icalendar`.

One VEVENT per occurrence: its UID is stable for the occurrence (`meeting-<id>-<rule time>@channelops`,
so a moved or updated occurrence replaces the invite people already have) and its SEQUENCE grows each
time the invite's content changes after it was sent. Times carry the meeting's TZID with a VTIMEZONE.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

from channels.meetings.render_md import agenda_text, title_of
from channels.meetings.texts import Lang
from channels.meetings.views import AgendaView

PRODID = "-//channelops//meetings//EN"
NO_ORGANISER = "mailto:channelops@channelops.invalid"


def _address(email: str, name: str, *, organiser: bool = False) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = vText(name)
    if not organiser:
        address.params["ROLE"] = vText("REQ-PARTICIPANT")
        address.params["PARTSTAT"] = vText("NEEDS-ACTION")
        address.params["RSVP"] = vText("TRUE")
    return address


def agenda_ics(agenda: AgendaView, lang: Lang, *, stamp: datetime, organiser: tuple[str, str] | None = None,
               base_url: str = "") -> str:
    """The invitation for `agenda`'s occurrence; DESCRIPTION is the agenda as plain text, its links
    absolute under `base_url` (CHANNELOPS_PUBLIC_URL).

    Attendees without an e-mail address cannot be invited by calendar and are left out of it.
    """
    zone = ZoneInfo(agenda.meeting.timezone)
    occ = agenda.occurrence
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if occ.status == "cancelled" else "REQUEST")
    event = Event()
    event.add("uid", occ.uid)
    event.add("sequence", occ.sequence)
    event.add("dtstamp", stamp.astimezone(ZoneInfo("UTC")))
    event.add("dtstart", occ.starts_at.astimezone(zone))
    event.add("dtend", occ.ends_at.astimezone(zone))
    event.add("summary", title_of(agenda, lang))
    event.add("description", agenda_text(agenda, lang, base_url=base_url))
    event.add("status", "CANCELLED" if occ.status == "cancelled" else "CONFIRMED")
    if agenda.meeting.location:
        event.add("location", agenda.meeting.location)
    if agenda.meeting.video_url:
        event.add("url", agenda.meeting.video_url)
    if organiser is not None:
        event.add("organizer", _address(organiser[0], organiser[1], organiser=True), encode=False)
    else:
        event.add("organizer", vCalAddress(NO_ORGANISER), encode=False)
    for person in agenda.attendees:
        if person.email:
            event.add("attendee", _address(person.email, person.display_name or person.login), encode=False)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    text: str = calendar.to_ical().decode("utf-8")
    return text
