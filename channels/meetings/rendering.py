"""One entry to the renderings: JSON, Markdown, HTML and iCalendar, in zh or en."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from channels.meetings.render_html import agenda_html
from channels.meetings.render_ics import agenda_ics
from channels.meetings.render_md import agenda_markdown
from channels.meetings.texts import Lang
from channels.meetings.views import AgendaView

Format = Literal["json", "md", "html", "ics"]
MEDIA_TYPES: dict[str, str] = {"json": "application/json", "md": "text/markdown; charset=utf-8",
                               "html": "text/html; charset=utf-8",
                               "ics": "text/calendar; charset=utf-8; method=REQUEST"}


@dataclass(frozen=True)
class Rendered:
    text: str
    media_type: str
    filename: str


def render(agenda: AgendaView, *, format: Format, lang: Lang, stamp: datetime, minutes: bool = False,
           organiser: tuple[str, str] | None = None, base_url: str = "") -> Rendered:
    """`agenda` (or its minutes) as text; iCalendar is for agendas only (the invitation). Links in
    Markdown and iCalendar are absolute under `base_url` (CHANNELOPS_PUBLIC_URL)."""
    occ = agenda.occurrence
    base = f"{'minutes' if minutes else 'agenda'}-{agenda.meeting.id}-{occ.starts_at:%Y%m%d}-{lang}"
    if format == "md":
        text = agenda_markdown(agenda, lang, minutes=minutes, base_url=base_url)
    elif format == "html":
        text = agenda_html(agenda, lang, minutes=minutes)
    elif format == "ics":
        text = agenda_ics(agenda, lang, stamp=stamp, organiser=organiser, base_url=base_url)
        base = f"meeting-{agenda.meeting.id}-{occ.starts_at:%Y%m%d}"
    else:
        text = agenda.model_dump_json(indent=2)
    return Rendered(text=text, media_type=MEDIA_TYPES[format], filename=f"{base}.{format}")
