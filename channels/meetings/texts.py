"""The fixed words of agendas and minutes, in zh and en."""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

# Sections in agenda order: (name, zh title, en title).
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("carried_over", "上次会议未决事项", "Decisions still open from the last meeting"),
    ("terminations", "待决终止审查", "Pending terminations"),
    ("cards", "红黄牌：新发出与改进期即将届满", "Cards issued and improvement periods ending soon"),
    ("lifecycle", "生命周期阶段调整建议", "Lifecycle suggestions"),
    ("alarms", "阈值报警", "Alarms"),
    ("tasks", "已升级与已逾期的待办", "Escalated and overdue tasks"),
    ("sla_breaches", "上次会议以来的时限超时", "SLA breaches since the last meeting"),
    ("department_execution", "部门制度执行情况（上月）", "Department execution (last month)"),
    ("proposals", "待评审的改进提案", "Open improvement proposals"),
    ("five_star", "本月五星渠道", "Five-star channels of the month"),
)
SECTION_TITLES = {name: (zh, en) for name, zh, en in SECTIONS}
OPTIONAL = frozenset({"department_execution"})  # sections only some agendas have (joint meetings)

KINDS: dict[str, tuple[str, str]] = {
    "joint": ("跨部门联席会议", "Cross-department joint meeting"),
    "kpi_review": ("KPI 复盘会议", "KPI review"),
    "full_review": ("全渠道复盘会", "Full-channel review"),
    "other": ("会议", "Meeting"),
}

WORDS: dict[str, tuple[str, str]] = {
    "agenda": ("会议议程", "Agenda"),
    "minutes": ("会议纪要", "Minutes"),
    "when": ("时间", "When"),
    "where": ("地点", "Where"),
    "video": ("视频会议", "Video link"),
    "attendees": ("参会人", "Attendees"),
    "groups": ("参会部门", "Departments"),
    "present": ("出席", "Present"),
    "absent": ("缺席", "Absent"),
    "generated": ("议程生成于", "Agenda generated"),
    "window": ("统计区间", "Covers"),
    "ask": ("需决定", "Decision asked"),
    "triggers": ("可执行操作", "Possible actions"),
    "decision": ("决定", "Decision"),
    "deferred": ("暂缓", "Deferred"),
    "decided": ("已决定", "Decided"),
    "open": ("待决", "Open"),
    "fired": ("已执行", "Fired"),
    "more": ("另有 {n} 项未列出", "{n} more not listed"),
    "none": ("无", "None"),
    "not_generated": ("议程尚未生成，将于 {at} 自动生成", "The agenda is generated on {at}"),
    "since_last": ("自上次会议（{at}）以来", "since the last meeting ({at})"),
    "carried": ("上次会议起待决", "open since the last meeting"),
    "attainment": ("达成率", "attainment"),
    "instance": ("流程实例", "instance"),
    "channel": ("渠道", "channel"),
    "folded": ("另有 {n} 项列于上方相关事项之下", "{n} more listed under their items above"),
    "late_tasks": ("逾期或已升级的待办", "Overdue or escalated tasks"),
    "breaches": ("时限超时", "SLA breaches"),
    "open_breached": ("另有 {n} 个计时进行中且已超时", "{n} running clocks already breached"),
    "none_stopped": ("尚无已结束的计时", "no clock stopped yet"),
    "no_email": ("（无邮箱，未列入日历邀请）", "(no e-mail, not in the calendar invite)"),
}

SHIFT_REASONS: dict[str, tuple[str, str]] = {
    "public_holiday": ("公共假日", "a public holiday"),
    "company_holiday": ("公司休息日", "a company day off"),
    "weekend": ("周末", "a weekend"),
}


def word(name: str, lang: Lang, **values: object) -> str:
    zh, en = WORDS[name]
    return (zh if lang == "zh" else en).format(**values)


def pick(pair: tuple[str, str], lang: Lang) -> str:
    return pair[0] if lang == "zh" else pair[1]


def shift_note(shift: dict[str, str], lang: Lang) -> str | None:
    """'原定 2026-10-06（国庆节）为公共假日，顺延至 2026-10-08' / its English counterpart."""
    if not shift:
        return None
    reason = pick(SHIFT_REASONS.get(shift.get("reason", ""), ("休息日", "a day off")), lang)
    name = shift.get(f"name_{lang}") or ""
    if lang == "zh":
        named = f"（{name}）" if name else ""
        return f"原定 {shift['from']}{named}为{reason}，顺延至 {shift['to']}"
    named = f" ({name})" if name else ""
    return f"Moved from {shift['from']}{named}, {reason}, to {shift['to']}, the next working day"
