"""Agenda sections from the channel pack's tables: alarms, lifecycle suggestions, five-star channels."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from channels import tables as ch
from channels.kpi_files import TITLES as METRICS
from channels.meetings.drafts import SECTION_LIMIT, Draft, Section, Titles, Window, iso
from workflows.domain.group_titles import group_title
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork

STAGES = {"introduction": ("导入期", "introduction"), "growth": ("成长期", "growth"),
          "maturity": ("成熟期", "maturity"), "decline": ("衰退期", "decline"), "exit": ("退出", "exit")}


def channel_labels(uow: UnitOfWork, ids: Iterable[str | None]) -> dict[str, dict[str, Any]]:
    """Code and name of the channels whose ids (as text) are given; unknown ids are left out."""
    numbers = {int(x) for x in ids if x is not None and x.isdigit() and len(x) < 12}
    if not numbers:
        return {}
    c = ch.channels.c
    rows = uow.conn.execute(select(c.id, c.code, c.name, c.region, c.stars, c.card)
                            .where(c.id.in_(numbers))).mappings()
    return {str(r["id"]): {"code": r["code"], "name": r["name"], "region": r["region"], "stars": r["stars"],
                           "card": r["card"]} for r in rows}


def percent(value: float) -> str:
    """Two decimals, so that a change just past a threshold (20.01%) never reads as the threshold (20%)."""
    return f"{value:.2f}%"


def alarms(uow: UnitOfWork, window: Window) -> Section:
    """Alarms raised since the last meeting: each one opened an emergency response."""
    a = ch.channel_alarms.c
    where = (a.raised_at >= window.start) & (a.raised_at <= window.now)
    section = Section("alarms", total=int(uow.conn.execute(
        select(func.count()).select_from(ch.channel_alarms).where(where)).scalar_one()))
    rows = uow.conn.execute(select(ch.channel_alarms).where(where).order_by(a.change_pct, a.id)
                            .limit(SECTION_LIMIT)).mappings().all()
    for row in rows:
        mzh, men = METRICS.get(row["metric"], (row["metric"], row["metric"]))
        drop = percent(abs(row["change_pct"]))
        region_zh, region_en = group_title(f"region:{row['region']}")
        who_zh = region_zh if row["scope"] == "region" else "渠道 {channel}"
        who_en = region_en if row["scope"] == "region" else "channel {channel}"
        verb_zh, verb_en = ("下降", "fell") if row["change_pct"] < 0 else ("变动", "moved")
        section.drafts.append(Draft(
            key=f"alarm:{row['id']}", section="alarms", instance_id=row["instance_id"],
            channel_id=None if row["channel_id"] is None else str(row["channel_id"]),
            title_zh=f"{who_zh} {row['period']} {mzh}环比{verb_zh} {drop}",
            title_en=f"{who_en}: {men} {verb_en} {drop} in {row['period']} against the previous period",
            ask_zh="确认应急响应措施与牵头人", ask_en="Confirm the emergency response and who leads it",
            facts={"scope": row["scope"], "region": row["region"], "metric": row["metric"],
                   "period": row["period"], "previous": row["previous"], "current": row["current"],
                   "change_pct": row["change_pct"], "raised_at": iso(row["raised_at"])}))
    return section


def lifecycle(uow: UnitOfWork, titles: Titles) -> Section:
    """Open lifecycle suggestions, then stage moves waiting for the committee's approval without one."""
    s = ch.lifecycle_suggestions.c
    section = Section("lifecycle")
    rows = uow.conn.execute(select(ch.lifecycle_suggestions).where(s.status == "open")
                            .order_by(s.created_at, s.id)).mappings().all()
    covered: set[int] = set()
    for row in rows:
        fzh, fen = STAGES.get(row["from_stage"], (row["from_stage"], row["from_stage"]))
        tzh, ten = STAGES.get(row["to_stage"], (row["to_stage"], row["to_stage"]))
        if row["instance_id"] is not None:
            covered.add(row["instance_id"])
        section.drafts.append(Draft(
            key=f"suggestion:{row['id']}", section="lifecycle", instance_id=row["instance_id"],
            channel_id=str(row["channel_id"]),
            title_zh=f"渠道 {{channel}}：建议由{fzh}进入{tzh}（{row['period']}）",
            title_en=f"Channel {{channel}}: move from {fen} to {ten} suggested ({row['period']})",
            ask_zh=f"是否批准阶段调整？依据：{row['reason']}",
            ask_en=f"Approve the stage move? Grounds: {row['reason']}",
            facts={"suggestion_id": row["id"], "from_stage": row["from_stage"], "to_stage": row["to_stage"],
                   "period": row["period"], "task_id": row["task_id"], "reason": row["reason"]},
            triggers=(row["trigger"],)))
    for draft in _approvals(uow, titles, covered):
        section.drafts.append(draft)
    section.total = len(section.drafts)
    section.drafts = section.drafts[:SECTION_LIMIT]
    return section


def _approvals(uow: UnitOfWork, titles: Titles, covered: set[int]) -> list[Draft]:
    k, i = t.tasks.c, t.instances.c
    rows = uow.conn.execute(
        select(k.id, k.trigger, k.instance_id, k.due_at, i.definition_id, i.state, i.subject_type, i.subject_id)
        .join(t.instances, i.id == k.instance_id)
        .where(k.status == "open", k.trigger.is_not(None), i.workflow == "channel_lifecycle")
        .order_by(k.created_at, k.id)).mappings().all()
    drafts = []
    for row in rows:
        if row["instance_id"] in covered:
            continue
        szh, sen = titles.state(row["definition_id"], row["state"])
        tzh, ten = titles.task(row["definition_id"], "", row["trigger"])
        channel = row["subject_id"] if row["subject_type"] == "channel" else None
        drafts.append(Draft(
            key=f"approval:{row['id']}", section="lifecycle", instance_id=row["instance_id"], channel_id=channel,
            title_zh=f"渠道 {{channel}}（{szh}）：{tzh}", title_en=f"Channel {{channel}} ({sen}): {ten}",
            ask_zh="是否批准阶段调整", ask_en="Approve the stage move?",
            facts={"task_id": row["id"], "state": row["state"], "due_at": iso(row["due_at"])},
            triggers=(row["trigger"],)))
    return drafts


def five_star(uow: UnitOfWork, window: Window) -> Section:
    """The five-star channels of the latest month rated before the meeting's month."""
    r = ch.star_ratings.c
    month = window.meeting_at.astimezone(ZoneInfo(window.zone)).strftime("%Y-%m")
    period = uow.conn.execute(select(func.max(r.period)).where(r.period < month)).scalar()
    section = Section("five_star", facts={"period": period})
    if period is None:
        return section
    where = (r.period == period) & (r.stars == 5)
    section.total = int(uow.conn.execute(select(func.count()).select_from(ch.star_ratings).where(where))
                        .scalar_one())
    rows = uow.conn.execute(select(r.channel_id, r.score).where(where).order_by(r.score.desc(), r.channel_id)
                            .limit(SECTION_LIMIT)).mappings().all()
    for row in rows:
        section.drafts.append(Draft(
            key=f"stars:{period}:{row['channel_id']}", section="five_star", channel_id=str(row["channel_id"]),
            title_zh=f"渠道 {{channel}}：{period} 五星（得分 {row['score']:.1f}）",
            title_en=f"Channel {{channel}}: five stars in {period} (score {row['score']:.1f})",
            ask_zh="确认返利奖励与荣誉证书", ask_en="Confirm the rebate and the certificate of honour",
            facts={"period": period, "score": row["score"]}))
    return section


