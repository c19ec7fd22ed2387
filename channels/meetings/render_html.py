"""Agendas and minutes as one printable HTML page (no scripts, no external resources)."""

from __future__ import annotations

from html import escape

from channels.meetings.render_execution import execution_html
from channels.meetings.render_md import header_lines, local, title_of, workflow_title
from channels.meetings.texts import Lang, pick, word
from channels.meetings.views import AgendaView, ItemView, SectionView

STYLE = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",system-ui,sans-serif;max-width:960px;
margin:2em auto;padding:0 1em;color:#1a1a1a;line-height:1.5}
h1{font-size:1.6em;border-bottom:2px solid #333;padding-bottom:.3em}
h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #bbb}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}dl.meta dt{font-weight:600}
ol.items>li{margin:.6em 0;page-break-inside:avoid}.ask{color:#444}.decision{background:#eef6ee;padding:.2em .5em}
.deferred{background:#fff6e0}.more,.none{color:#777;font-style:italic}.shift{color:#a40}code{font-size:.9em}
table.execution{border-collapse:collapse}table.execution td,table.execution th{border:1px solid #bbb;padding:0 .4em}
@media print{body{margin:0;max-width:none}a{color:inherit;text-decoration:none}h2{page-break-after:avoid}}
"""


def _item(item: ItemView, lang: Lang, *, zone: str) -> str:
    title = escape(item.title_zh if lang == "zh" else item.title_en)
    if item.link:
        title = f'<a href="{escape(item.link)}">{title}</a>'
    parts = [f"<strong>{title}</strong>",
             f'<div class="ask">{escape(word("ask", lang))}: {escape(item.ask_zh if lang == "zh" else item.ask_en)}'
             "</div>"]
    if item.triggers:
        parts.append(f"<div>{escape(word('triggers', lang))}: "
                     + ", ".join(f"<code>{escape(x)}</code>" for x in item.triggers) + "</div>")
    if item.carried_from is not None:
        parts.append(f'<div class="more">{escape(word("carried", lang))}</div>')
    if item.decision is not None:
        d = item.decision
        css = "decision deferred" if d.outcome == "deferred" else "decision"
        fired = (f" · {escape(word('fired', lang))} <code>{escape(d.trigger)}</code> "
                 f"({escape(d.from_state or '')} → {escape(d.to_state or '')})") if d.trigger else ""
        state = word("deferred" if d.outcome == "deferred" else "decided", lang)
        parts.append(f'<div class="{css}">{escape(word("decision", lang))} ({escape(state)}, '
                     f"{escape(d.decided_by_login)}, {escape(local(d.decided_at, zone))}): {escape(d.summary)}"
                     f"{fired}</div>")
    return f'<li value="{item.position + 1}">' + "".join(parts) + "</li>"


def _section(section: SectionView, lang: Lang, *, zone: str) -> str:
    html = [f"<section><h2>{escape(pick((section.title_zh, section.title_en), lang))} ({section.total})</h2>"]
    for workflow, goals in (section.facts.get("attainment") or {}).items():
        shown = ", ".join(f"{escape(g.get(f'title_{lang}', g['goal']))} {escape(word('attainment', lang))} "
                          f"{'—' if g['attainment'] is None else escape(str(g['attainment'])) + '%'}" for g in goals)
        html.append(f"<p>{escape(workflow_title(section, workflow, lang))}: {shown}</p>")
    execution = execution_html(section.facts, lang)
    html.append(execution)
    if section.items:
        html.append('<ol class="items">' + "".join(_item(i, lang, zone=zone) for i in section.items) + "</ol>")
    elif not execution:
        html.append(f'<p class="none">{escape(word("none", lang))}</p>')
    if section.total > len(section.items):
        html.append(f'<p class="more">{escape(word("more", lang, n=section.total - len(section.items)))}</p>')
    return "".join(html) + "</section>"


def agenda_html(agenda: AgendaView, lang: Lang, *, minutes: bool = False) -> str:
    zone = agenda.meeting.timezone
    heading = f"{title_of(agenda, lang)} · {word('minutes' if minutes else 'agenda', lang)}"
    meta = "".join(f"<dt>{escape(label)}</dt><dd{' class=shift' if label == '⚠' else ''}>{escape(value)}</dd>"
                   for label, value in header_lines(agenda, lang))
    if minutes:
        present = set(agenda.present)
        for key, chosen in (("present", True), ("absent", False)):
            names = [a.display_name or a.login for a in agenda.attendees if (a.id in present) == chosen]
            meta += f"<dt>{escape(word(key, lang))}</dt><dd>{escape(', '.join(names) or word('none', lang))}</dd>"
    sections = []
    for section in agenda.sections:
        if minutes:
            decided = [i for i in section.items if i.decision is not None]
            if not decided:
                continue
            section = section.model_copy(update={"items": decided, "total": len(decided)})
        sections.append(_section(section, lang, zone=zone))
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f"<title>{escape(heading)}</title><style>{STYLE}</style></head><body>"
            f'<h1>{escape(heading)}</h1><dl class="meta">{meta}</dl>{"".join(sections)}</body></html>\n')
