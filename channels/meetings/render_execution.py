"""The department execution section's figures as Markdown lines and as an HTML table (see `execution_source`).

Kept apart from `render_md` / `render_html` so that those stay about items; both call in here.
"""

from __future__ import annotations

from html import escape
from typing import Any

from channels.meetings.texts import Lang, pick

HEADINGS: tuple[tuple[str, str, str], ...] = (
    ("received", "收到", "Received"), ("on_time", "按时办结", "On time"), ("late", "逾期办结", "Late"),
    ("overdue", "仍逾期", "Overdue"), ("escalated", "已升级", "Escalated"),
    ("on_time_rate", "按时办结率", "On-time rate"), ("median_hours", "用时中位数", "Median time"),
    ("p90_hours", "用时 P90", "P90 time"), ("sla_attainment", "时限达成率", "SLA attainment"),
)
PERIOD = ("统计月份：{period}（办理用时按工作小时计）", "Month: {period} (times in working hours)")


def _value(row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    if value is None:
        return "—"
    if key in ("on_time_rate", "sla_attainment"):
        return f"{value}%"
    if key in ("median_hours", "p90_hours"):
        return f"{value} h"
    return str(value)


def _rows(facts: dict[str, Any]) -> list[dict[str, Any]]:
    rows = facts.get("departments")
    return list(rows) if isinstance(rows, list) else []


def execution_lines(facts: dict[str, Any], lang: Lang) -> list[str]:
    """A Markdown table of the departments' figures; [] when the section has none."""
    rows = _rows(facts)
    if not rows:
        return []
    head = [pick(("部门", "Department"), lang), *(pick((zh, en), lang) for _, zh, en in HEADINGS)]
    lines = [pick(PERIOD, lang).format(period=facts.get("period", "")), "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = [str(row.get(f"title_{lang}") or row.get("group")), *(_value(row, key) for key, _, _ in HEADINGS)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def execution_html(facts: dict[str, Any], lang: Lang) -> str:
    """The same table in HTML; "" when the section has none."""
    rows = _rows(facts)
    if not rows:
        return ""
    head = "".join(f"<th>{escape(pick((zh, en), lang))}</th>" for _, zh, en in HEADINGS)
    body = "".join(
        f"<tr><th>{escape(str(row.get(f'title_{lang}') or row.get('group')))}</th>"
        + "".join(f"<td>{escape(_value(row, key))}</td>" for key, _, _ in HEADINGS) + "</tr>" for row in rows)
    return (f"<p>{escape(pick(PERIOD, lang).format(period=facts.get('period', '')))}</p>"
            f'<table class="execution"><thead><tr><th>{escape(pick(("部门", "Department"), lang))}</th>{head}'
            f"</tr></thead><tbody>{body}</tbody></table>")
