"""Agendas and minutes as one printable HTML page, from the Jinja2 template `templates/agenda.html`.

The template is autoescaped: titles, summaries, names and links from the data are escaped, so a
value cannot add markup to the page. This module only chooses what the page shows (the header
lines, the attendance of the minutes, the decided items) and hands it to the template.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from markupsafe import Markup

from channels.meetings.render_execution import execution_html
from channels.meetings.render_md import detail_lines, goal_text, header_lines, local, title_of, workflow_title
from channels.meetings.texts import Lang, word
from channels.meetings.views import AgendaView, ItemView, SectionView

TEMPLATES = Path(__file__).with_name("templates")


@cache
def _template() -> Template:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return env.get_template("agenda.html")


def agenda_html(agenda: AgendaView, lang: Lang, *, minutes: bool = False) -> str:
    """The agenda (or, with `minutes`, its attendance and decided items) as a page in `lang`."""
    zone = agenda.meeting.timezone
    meta = header_lines(agenda, lang)
    if minutes:
        present = set(agenda.present)
        for key, chosen in (("present", True), ("absent", False)):
            names = [a.display_name or a.login for a in agenda.attendees if (a.id in present) == chosen]
            meta.append((word(key, lang), ", ".join(names) or word("none", lang)))
    sections = []
    for section in agenda.sections:
        if minutes:
            decided = [i for i in section.items if i.decision is not None]
            if not decided:
                continue
            section = section.model_copy(update={"items": decided, "total": len(decided)})
        sections.append(section)

    def attainment(section: SectionView) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        for workflow, goals in (section.facts.get("attainment") or {}).items():
            yield workflow_title(section, workflow, lang), goals

    def local_time(moment: datetime | None) -> str:
        return local(moment, zone)

    def fixed(name: str, **values: object) -> str:
        return word(name, lang, **values)

    def execution(section: SectionView) -> Markup:
        """The department execution table (`render_execution` escapes every value it prints)."""
        return Markup(execution_html(section.facts, lang))

    def details(item: ItemView) -> list[str]:
        return detail_lines(item, lang)

    def goal(entry: dict[str, Any]) -> str:
        return goal_text(entry, lang)

    return _template().render(
        lang=lang, heading=f"{title_of(agenda, lang)} · {word('minutes' if minutes else 'agenda', lang)}",
        meta=meta, sections=sections, attainment=attainment, local=local_time, word=fixed,
        execution=execution, details=details, goal_text=goal)
