"""Agenda sections from the engine's own data: tasks, SLA clocks, cards, terminations, proposals.

Each builder reads with the caller's unit of work and writes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from channels.meetings.drafts import SECTION_LIMIT, Draft, Section, Titles, Window, channel_of, iso
from workflows.domain.group_titles import group_title
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services
from workflows.services.definitions import latest_version
from workflows.services.reports import sla_report

i, k = t.instances.c, t.tasks.c
_INCLUSIVE = timedelta(microseconds=1)  # the report's window ends before `end`; ours includes now


def overdue_tasks(uow: UnitOfWork, titles: Titles, window: Window) -> Section:
    """Open tasks that were escalated or are past their due time when the agenda is generated."""
    late = (k.status == "open") & or_(k.escalated_at.is_not(None), k.due_at < window.now)
    total = uow.conn.execute(select(func.count()).select_from(t.tasks).where(late)).scalar_one()
    rows = uow.conn.execute(
        select(k.id, k.name, k.trigger, k.candidate_group, k.original_group, k.due_at, k.escalated_at, k.instance_id,
               i.definition_id, i.subject_type, i.subject_id, i.state)
        .join(t.instances, i.id == k.instance_id).where(late)
        .order_by(k.escalated_at.is_(None), k.due_at, k.id).limit(SECTION_LIMIT)).mappings().all()
    section = Section("tasks", total=int(total))
    for row in rows:
        zh, en = titles.task(row["definition_id"], row["name"], row["trigger"])
        wzh, wen = titles.workflow(row["definition_id"])
        escalated = row["escalated_at"] is not None
        group_zh, group_en = group_title(row["original_group"] or row["candidate_group"] or "")
        now_zh, now_en = group_title(row["candidate_group"] or "")
        section.drafts.append(Draft(
            key=f"task:{row['id']}", section="tasks", instance_id=row["instance_id"],
            channel_id=channel_of(row["subject_type"], row["subject_id"]),
            title_zh=f"{zh} · {group_zh}（{wzh} #{row['instance_id']}）"
            + (f"，已升级至 {now_zh}" if escalated else "，已逾期"),
            title_en=f"{en} · {group_en} ({wen} #{row['instance_id']})"
            + (f", escalated to {now_en}" if escalated else ", overdue"),
            ask_zh=f"决定如何推进：指定处理人、延期，或由会议当场决定（当前由 {now_zh} 处理）",
            ask_en=f"Decide how to move it on: name who handles it, extend it, or decide it here "
                   f"(now with {now_en})",
            facts={"task_id": row["id"], "group": row["candidate_group"], "due_at": iso(row["due_at"]),
                   "escalated_at": iso(row["escalated_at"]), "state": row["state"]},
            triggers=(row["trigger"],) if row["trigger"] else ()))
    return section


def sla_breaches(svc: Services, uow: UnitOfWork, titles: Titles, window: Window) -> Section:
    """Clocks whose goal was breached since the last meeting, with each workflow's attainment then."""
    c = t.sla_clocks.c
    breached = (c.breached_at >= window.start) & (c.breached_at <= window.now)
    per_workflow = {r.workflow: int(r.n) for r in uow.conn.execute(
        select(c.workflow, func.count().label("n")).where(breached).group_by(c.workflow))}
    rows = uow.conn.execute(
        select(c.instance_id, c.workflow, c.goal, c.breached_at, c.status, i.definition_id, i.subject_type,
               i.subject_id).join(t.instances, i.id == c.instance_id).where(breached)
        .order_by(c.breached_at, c.id).limit(SECTION_LIMIT)).mappings().all()
    attainment: dict[str, Any] = {}
    workflow_titles: dict[str, tuple[str, str]] = {}
    for name in sorted(per_workflow):
        report = sla_report(svc, workflow=name, start=window.start, end=window.now + _INCLUSIVE)
        latest = latest_version(uow, name)
        definition_id = latest.id if latest is not None else None
        workflow_titles[name] = titles.workflow(definition_id) if definition_id else (name, name)
        attainment[name] = []
        for result in report.goals:
            zh, en = _goal_title(titles, definition_id, result.goal) if definition_id else (result.goal, result.goal)
            attainment[name].append({**result.model_dump(mode="json"), "title_zh": zh, "title_en": en})
    section = Section("sla_breaches", total=sum(per_workflow.values()), facts={"attainment": attainment,
                                                                                "workflow_titles": workflow_titles})
    for row in rows:
        wzh, wen = titles.workflow(row["definition_id"])
        goal = _goal_title(titles, row["definition_id"], row["goal"])
        section.drafts.append(Draft(
            key=f"sla:{row['instance_id']}:{row['goal']}", section="sla_breaches", instance_id=row["instance_id"],
            channel_id=channel_of(row["subject_type"], row["subject_id"]),
            title_zh=f"{wzh} #{row['instance_id']}：{goal[0]}超时", title_en=f"{wen} #{row['instance_id']}: "
                                                                          f"{goal[1]} breached",
            ask_zh="确认原因与整改措施", ask_en="Agree the cause and the corrective action",
            facts={"goal": row["goal"], "breached_at": iso(row["breached_at"]), "clock": row["status"]}))
    return section


def _goal_title(titles: Titles, definition_id: int, goal: str) -> tuple[str, str]:
    found = next((g for g in titles.compiled(definition_id).definition.sla if g.name == goal), None)
    return (found.title.zh, found.title.en) if found is not None and found.title else (goal, goal)


def _card_rows(uow: UnitOfWork, states: tuple[str, ...]) -> list[dict[str, Any]]:
    d = t.timers.c
    deadline = (select(d.instance_id, func.min(d.due_at).label("deadline"))
                .where(d.status == "scheduled", d.trigger == "improvement_deadline")
                .group_by(d.instance_id).subquery())
    query = (select(i.id, i.definition_id, i.state, i.state_entered_at, i.subject_type, i.subject_id,
                    deadline.c.deadline).outerjoin(deadline, deadline.c.instance_id == i.id)
             .where(i.workflow == "card_escalation", i.status == "active", i.state.in_(states))
             .order_by(i.state_entered_at, i.id))
    return [dict(r) for r in uow.conn.execute(query).mappings()]


def cards(uow: UnitOfWork, window: Window) -> Section:
    """Yellow cards issued since the last meeting or whose improvement period ends before the horizon;
    red cards waiting for their termination review to be opened."""
    section = Section("cards")
    for row in _card_rows(uow, ("yellow_card", "red_card")):
        channel = channel_of(row["subject_type"], row["subject_id"])
        facts = {"state": row["state"], "since": iso(row["state_entered_at"]), "deadline": iso(row["deadline"])}
        if row["state"] == "red_card":
            draft = Draft(key=f"card:{row['id']}", section="cards", instance_id=row["id"], channel_id=channel,
                          title_zh=f"红牌：渠道 {{channel}}（红黄牌 #{row['id']}）",
                          title_en=f"Red card: channel {{channel}} (cards #{row['id']})",
                          ask_zh="是否启动终止审查", ask_en="Open the termination review?", facts=facts,
                          triggers=("start_termination_review",))
        else:
            new = row["state_entered_at"] >= window.start
            ending = row["deadline"] is not None and row["deadline"] <= window.horizon
            if not (new or ending):
                continue
            day = row["deadline"].astimezone(ZoneInfo(window.zone)).date().isoformat() if row["deadline"] else "—"
            draft = Draft(key=f"card:{row['id']}", section="cards", instance_id=row["id"], channel_id=channel,
                          title_zh=f"黄牌：渠道 {{channel}}（红黄牌 #{row['id']}）" + ("，新发出" if new else "")
                          + f"，改进期至 {day}",
                          title_en=f"Yellow card: channel {{channel}} (cards #{row['id']})"
                          + (", newly issued" if new else "") + f", improvement period ends {day}",
                          ask_zh="审阅改进计划与进展；到期未改善将转为红牌",
                          ask_en="Review the improvement plan and progress; without improvement it turns red",
                          facts={**facts, "new": new})
        section.drafts.append(draft)
    section.total = len(section.drafts)
    section.drafts = section.drafts[:SECTION_LIMIT]
    return section


def terminations(uow: UnitOfWork) -> Section:
    """Channels in a termination review: the committee terminates or grants a reprieve."""
    section = Section("terminations")
    for row in _card_rows(uow, ("termination_review",)):
        channel = channel_of(row["subject_type"], row["subject_id"])
        section.drafts.append(Draft(
            key=f"termination:{row['id']}", section="terminations", instance_id=row["id"], channel_id=channel,
            title_zh=f"终止审查：渠道 {{channel}}（红黄牌 #{row['id']}）",
            title_en=f"Termination review: channel {{channel}} (cards #{row['id']})",
            ask_zh="决定终止合作，或暂缓并给予新的改进期", ask_en="Terminate the channel, or grant a reprieve "
                                                          "with a new improvement period",
            facts={"since": iso(row["state_entered_at"])}, triggers=("terminate", "reprieve")))
    section.total = len(section.drafts)
    section.drafts = section.drafts[:SECTION_LIMIT]
    return section


def proposals(uow: UnitOfWork, titles: Titles) -> Section:
    """Open `improvement_proposal` instances, when an admin has published that workflow."""
    section = Section("proposals")
    if latest_version(uow, "improvement_proposal") is None:
        return section
    where = (i.workflow == "improvement_proposal") & (i.status == "active")
    section.total = int(uow.conn.execute(select(func.count()).select_from(t.instances).where(where)).scalar_one())
    rows = uow.conn.execute(select(t.instances).where(where).order_by(i.created_at, i.id)
                            .limit(SECTION_LIMIT)).mappings().all()
    for row in rows:
        compiled = titles.compiled(row["definition_id"])
        szh, sen = titles.state(row["definition_id"], row["state"])
        name = str(row["data"].get("title") or row["data"].get("summary") or f"#{row['id']}")[:200]
        section.drafts.append(Draft(
            key=f"proposal:{row['id']}", section="proposals", instance_id=row["id"],
            channel_id=channel_of(row["subject_type"], row["subject_id"]),
            title_zh=f"改进提案 #{row['id']}：{name}（{szh}）", title_en=f"Proposal #{row['id']}: {name} ({sen})",
            ask_zh="评审并决定下一步", ask_en="Evaluate it and decide the next step",
            facts={"state": row["state"]}, triggers=tuple(compiled.triggers_from(row["state"]))))
    return section
