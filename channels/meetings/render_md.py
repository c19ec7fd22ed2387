"""Agendas and minutes as Markdown (also the plain text of e-mails and chat summaries)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
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


def trigger_titles(item: ItemView, lang: Lang) -> list[str]:
    """The item's possible actions by title (the stored `trigger_titles`), else by name."""
    titles = item.facts.get("trigger_titles") or {}
    return [str(titles[x][0 if lang == "zh" else 1]) if x in titles else x for x in item.triggers]


def detail_lines(item: ItemView, lang: Lang) -> list[str]:
    """What an item carries besides its title and ask: possible actions, the overdue tasks and SLA
    breaches of its instance (listed here, not as items of their own), whether it was carried over."""
    lines = []
    if item.triggers:
        separator = "、" if lang == "zh" else ", "
        lines.append(f"{word('triggers', lang)}: {separator.join(trigger_titles(item, lang))}")
    for fact in ("late_tasks", "breaches"):
        for entry in item.facts.get(fact) or []:
            lines.append(f"{word(fact, lang)}: {entry['title_zh'] if lang == 'zh' else entry['title_en']}")
    if item.carried_from is not None:
        lines.append(word("carried", lang))
    return lines


def item_lines(item: ItemView, lang: Lang, *, zone: str, base_url: str = "") -> list[str]:
    title = item.title_zh if lang == "zh" else item.title_en
    link = f" ([{'#'}{item.instance_id or item.channel_id}]({base_url}{item.link}))" if item.link else ""
    lines = [f"{item.position + 1}. **{title}**{link}",
             f"   - {word('ask', lang)}: {item.ask_zh if lang == 'zh' else item.ask_en}"]
    lines += [f"   - {line}" for line in detail_lines(item, lang)]
    if item.decision is not None:
        d = item.decision
        state = word("deferred" if d.outcome == "deferred" else "decided", lang)
        fired = f" · {word('fired', lang)} `{d.trigger}` ({d.from_state} → {d.to_state})" if d.trigger else ""
        lines.append(f"   - {word('decision', lang)} ({state}, {d.decided_by_login}, {local(d.decided_at, zone)}): "
                     f"{d.summary}{fired}")
    return lines


def goal_text(goal: dict[str, Any], lang: Lang) -> str:
    """'响应时限 达成率 95.5%' or, when no clock stopped in the window, what is known: the breaches."""
    title = goal.get(f"title_{lang}", goal["goal"])
    shown = (f"{word('attainment', lang)} {goal['attainment']}%" if goal["attainment"] is not None
             else word("none_stopped", lang))
    opened = int(goal.get("open_breached") or 0)
    return f"{title} {shown}" + (f"（{word('open_breached', lang, n=opened)}）" if opened and lang == "zh"
                                 else f" ({word('open_breached', lang, n=opened)})" if opened else "")


def workflow_title(section: SectionView, workflow: str, lang: Lang) -> str:
    found = (section.facts.get("workflow_titles") or {}).get(workflow)
    return str(found[0] if lang == "zh" else found[1]) if found else workflow


def section_lines(section: SectionView, lang: Lang, *, zone: str, base_url: str = "") -> list[str]:
    lines = [f"## {pick((section.title_zh, section.title_en), lang)} ({section.total})", ""]
    attainment = section.facts.get("attainment") or {}
    for workflow, goals in attainment.items():
        shown = ", ".join(goal_text(g, lang) for g in goals)
        lines.append(f"- {workflow_title(section, workflow, lang)}: {shown}")
    execution = execution_lines(section.facts, lang)
    lines += execution
    if section.facts.get("folded"):
        lines.append(f"- {word('folded', lang, n=section.facts['folded'])}")
    elif not section.items and not execution and not attainment:
        lines.append(f"- {word('none', lang)}")
    for item in section.items:
        lines += item_lines(item, lang, zone=zone, base_url=base_url)
    if section.total > len(section.items):
        lines.append(f"- {word('more', lang, n=section.total - len(section.items))}")
    return [*lines, ""]


def agenda_markdown(agenda: AgendaView, lang: Lang, *, minutes: bool = False, base_url: str = "") -> str:
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
        lines += section_lines(section, lang, zone=zone, base_url=base_url)
    return "\n".join(lines).rstrip() + "\n"


def summary(agenda: AgendaView, lang: Lang) -> str:
    """A few lines for chat targets and the e-mail body: when, where, how many items per section."""
    lines = [f"{label}: {value}" for label, value in header_lines(agenda, lang)[:4]]
    counts = [f"{pick((s.title_zh, s.title_en), lang)}: {s.total}" for s in agenda.sections if s.total]
    lines += counts or [word("none", lang)]
    return "\n".join(lines)


def agenda_text(agenda: AgendaView, lang: Lang, *, base_url: str = "") -> str:
    """The agenda as plain text, for a calendar invitation's DESCRIPTION (calendars show it as it is):
    no Markdown, and each item's page as an absolute link under `base_url` (CHANNELOPS_PUBLIC_URL)."""
    lines = [f"{title_of(agenda, lang)} · {word('agenda', lang)}", ""]
    lines += [f"{label}: {value}" for label, value in header_lines(agenda, lang)]
    for section in agenda.sections:
        lines += ["", f"{pick((section.title_zh, section.title_en), lang)} ({section.total})"]
        lines += [f"- {workflow_title(section, workflow, lang)}: {', '.join(goal_text(g, lang) for g in goals)}"
                  for workflow, goals in (section.facts.get("attainment") or {}).items()]
        lines += execution_lines(section.facts, lang)
        if section.facts.get("folded"):
            lines.append(f"- {word('folded', lang, n=section.facts['folded'])}")
        for item in section.items:
            lines.append(f"{item.position + 1}. {item.title_zh if lang == 'zh' else item.title_en}")
            if item.link:
                lines.append(f"   {base_url}{item.link}")
            lines.append(f"   {word('ask', lang)}: {item.ask_zh if lang == 'zh' else item.ask_en}")
            lines += [f"   {line}" for line in detail_lines(item, lang)]
        if section.total > len(section.items):
            lines.append(f"- {word('more', lang, n=section.total - len(section.items))}")
    return "\n".join(lines).rstrip() + "\n"
