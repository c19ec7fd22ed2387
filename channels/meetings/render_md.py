"""Agendas and minutes as Markdown (also the plain text of e-mails and chat summaries)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from channels.meetings.render_execution import execution_lines
from channels.meetings.texts import Lang, pick, shift_note, word
from channels.meetings.views import AgendaView, ItemView, SectionView


def local(moment: datetime | None, zone: str) -> str:
    return "—" if moment is None else f"{moment.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}"


def title_of(agenda: AgendaView, lang: Lang) -> str:
    meeting = agenda.meeting
    return meeting.title_zh if lang == "zh" else meeting.title_en


def header_lines(agenda: AgendaView, lang: Lang) -> list[tuple[str, str]]:
    """(label, value) pairs shown above the sections: when, where, video, shift, attendees, window."""
    zone = agenda.meeting.timezone
    occ = agenda.occurrence
    lines = [(word("when", lang), f"{local(occ.starts_at, zone)}–{occ.ends_at.astimezone(ZoneInfo(zone)):%H:%M} "
                                  f"({zone})")]
    note = shift_note(occ.shift, lang)
    if note:
        lines.append(("⚠", note))
    if agenda.meeting.location:
        lines.append((word("where", lang), agenda.meeting.location))
    if agenda.meeting.video_url:
        lines.append((word("video", lang), agenda.meeting.video_url))
    people = ", ".join(f"{a.display_name or a.login}" for a in agenda.attendees) or word("none", lang)
    lines.append((word("attendees", lang), people))
    if agenda.meeting.attendee_groups:
        lines.append((word("groups", lang), ", ".join(agenda.meeting.attendee_groups)))
    if agenda.generated_at is None:
        lines.append((word("generated", lang), word("not_generated", lang, at=local(occ.prepare_at, zone))))
    else:
        lines.append((word("generated", lang), local(agenda.generated_at, zone)))
        lines.append((word("window", lang), f"{local(agenda.window_start, zone)} – {local(agenda.generated_at, zone)}"))
    return lines


def item_lines(item: ItemView, lang: Lang, *, zone: str) -> list[str]:
    title = item.title_zh if lang == "zh" else item.title_en
    link = f" ([{'#'}{item.instance_id or item.channel_id}]({item.link}))" if item.link else ""
    lines = [f"{item.position + 1}. **{title}**{link}",
             f"   - {word('ask', lang)}: {item.ask_zh if lang == 'zh' else item.ask_en}"]
    if item.triggers:
        lines.append(f"   - {word('triggers', lang)}: {', '.join(f'`{x}`' for x in item.triggers)}")
    if item.carried_from is not None:
        lines.append(f"   - {word('carried', lang)}")
    if item.decision is not None:
        d = item.decision
        state = word("deferred" if d.outcome == "deferred" else "decided", lang)
        fired = f" · {word('fired', lang)} `{d.trigger}` ({d.from_state} → {d.to_state})" if d.trigger else ""
        lines.append(f"   - {word('decision', lang)} ({state}, {d.decided_by_login}, {local(d.decided_at, zone)}): "
                     f"{d.summary}{fired}")
    return lines


def workflow_title(section: SectionView, workflow: str, lang: Lang) -> str:
    found = (section.facts.get("workflow_titles") or {}).get(workflow)
    return str(found[0] if lang == "zh" else found[1]) if found else workflow


def section_lines(section: SectionView, lang: Lang, *, zone: str) -> list[str]:
    lines = [f"## {pick((section.title_zh, section.title_en), lang)} ({section.total})", ""]
    attainment = section.facts.get("attainment") or {}
    for workflow, goals in attainment.items():
        shown = ", ".join(f"{g.get(f'title_{lang}', g['goal'])} {word('attainment', lang)} "
                          f"{'—' if g['attainment'] is None else str(g['attainment']) + '%'}" for g in goals)
        lines.append(f"- {workflow_title(section, workflow, lang)}: {shown}")
    execution = execution_lines(section.facts, lang)
    lines += execution
    if not section.items and not execution:
        lines.append(f"- {word('none', lang)}")
    for item in section.items:
        lines += item_lines(item, lang, zone=zone)
    if section.total > len(section.items):
        lines.append(f"- {word('more', lang, n=section.total - len(section.items))}")
    return [*lines, ""]


def agenda_markdown(agenda: AgendaView, lang: Lang, *, minutes: bool = False) -> str:
    zone = agenda.meeting.timezone
    kind = word("minutes" if minutes else "agenda", lang)
    lines = [f"# {title_of(agenda, lang)} · {kind}", ""]
    lines += [f"- **{label}**: {value}" for label, value in header_lines(agenda, lang)]
    if minutes:
        present = {a.id for a in agenda.attendees if a.id in agenda.present}
        lines.append(f"- **{word('present', lang)}**: " + (", ".join(
            a.display_name or a.login for a in agenda.attendees if a.id in present) or word("none", lang)))
        lines.append(f"- **{word('absent', lang)}**: " + (", ".join(
            a.display_name or a.login for a in agenda.attendees if a.id not in present) or word("none", lang)))
    lines.append("")
    for section in agenda.sections:
        if minutes:
            section = section.model_copy(update={"items": [i for i in section.items if i.decision is not None],
                                                 "total": sum(i.decision is not None for i in section.items)})
            if not section.items:
                continue
        lines += section_lines(section, lang, zone=zone)
    return "\n".join(lines).rstrip() + "\n"


def summary(agenda: AgendaView, lang: Lang) -> str:
    """A few lines for chat targets and the e-mail body: when, where, how many items per section."""
    lines = [f"{label}: {value}" for label, value in header_lines(agenda, lang)[:4]]
    counts = [f"{pick((s.title_zh, s.title_en), lang)}: {s.total}" for s in agenda.sections if s.total]
    lines += counts or [word("none", lang)]
    return "\n".join(lines)
