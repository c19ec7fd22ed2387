"""Build an agenda's items from live data, and store them next to the ones already there.

Storing keeps what the meeting has recorded: an item with a decision is never changed or removed;
an open item that no longer qualifies is marked ``withdrawn``; a new one is added. Items are
recognised across regenerations by their `key` (`task:12`, `termination:40`, `alarm:3`...).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from channels.meetings import channel_sources, engine_sources, execution_source
from channels.meetings import tables as m
from channels.meetings.drafts import SECTION_LIMIT, Draft, Section, Titles, Window
from channels.meetings.texts import SECTIONS
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services

FIRST_WINDOW = timedelta(days=31)  # what a meeting without a previous one looks back on
DEADLINE_HORIZON = timedelta(days=31)  # improvement periods ending this long after the meeting are listed


def window_for(uow: UnitOfWork, occurrence: Mapping[str, Any], *, now: datetime, zone: str
               ) -> tuple[Window, int | None]:
    """The agenda's window (since the previous occurrence) and that occurrence's id."""
    c = m.occurrences.c
    previous = uow.conn.execute(
        select(c.id, c.starts_at).where(c.meeting_id == occurrence["meeting_id"], c.status != "cancelled",
                                        c.starts_at < occurrence["starts_at"])
        .order_by(c.starts_at.desc()).limit(1)).first()
    start = previous.starts_at if previous is not None else occurrence["starts_at"] - FIRST_WINDOW
    start = min(start, now)
    window = Window(start=start, now=now, meeting_at=occurrence["starts_at"],
                    horizon=occurrence["starts_at"] + DEADLINE_HORIZON, zone=zone)
    return window, None if previous is None else previous.id


def build(svc: Services, uow: UnitOfWork, *, window: Window, previous_id: int | None, kind: str = "joint"
          ) -> list[Section]:
    """Every section of the agenda, in agenda order (`texts.SECTIONS`); department execution only
    for a joint meeting."""
    titles = Titles(svc, uow)
    found = {
        "terminations": engine_sources.terminations(uow),
        "cards": engine_sources.cards(uow, window),
        "lifecycle": channel_sources.lifecycle(uow, titles),
        "alarms": channel_sources.alarms(uow, window),
        "tasks": engine_sources.overdue_tasks(uow, titles, window),
        "sla_breaches": engine_sources.sla_breaches(svc, uow, titles, window),
        "proposals": engine_sources.proposals(uow, titles),
        "five_star": channel_sources.five_star(uow, window),
    }
    if kind == "joint":
        found[execution_source.NAME] = execution_source.department_execution(svc, window)
    _fold_into_items(found)
    _title_triggers(uow, titles, found)
    keys = {d.key for section in found.values() for d in section.drafts}
    found["carried_over"] = _carried(uow, previous_id, keys)
    sections = [found[name] for name, _, _ in SECTIONS if name in found]
    _label_channels(uow, sections)
    return sections


FOLDED = {"tasks": "late_tasks", "sla_breaches": "breaches"}  # section -> the fact an earlier item carries


def _fold_into_items(found: dict[str, Section]) -> None:
    """No instance is an item twice: an overdue task or an SLA breach of an instance that an earlier
    section lists already (an alarm, a card, a termination, a task...) is shown under that item.
    Within one section each task and each breach stays an item of its own."""
    first: dict[int, tuple[str, Draft]] = {}
    for name, _, _ in SECTIONS:
        section = found.get(name)
        if section is None:
            continue
        kept = []
        for draft in section.drafts:
            owner = first.get(draft.instance_id) if draft.instance_id is not None else None
            if owner is not None and owner[0] != name and name in FOLDED:
                owner[1].facts.setdefault(FOLDED[name], []).append(
                    {"title_zh": draft.title_zh, "title_en": draft.title_en, **draft.facts})
                continue
            kept.append(draft)
            if draft.instance_id is not None:
                first.setdefault(draft.instance_id, (name, draft))
        if folded := len(section.drafts) - len(kept):
            section.total -= folded
            section.facts["folded"] = folded
        section.drafts = kept


def _title_triggers(uow: UnitOfWork, titles: Titles, found: dict[str, Section]) -> None:
    """The titles (zh, en) of each item's possible actions, from its instance's definition."""
    drafts = [d for section in found.values() for d in section.drafts if d.triggers and d.instance_id is not None]
    i = t.instances.c
    definitions: dict[int, int] = dict(uow.conn.execute(select(i.id, i.definition_id).where(
        i.id.in_({d.instance_id for d in drafts}))).all()) if drafts else {}
    for draft in drafts:
        definition_id = definitions.get(draft.instance_id or 0)
        if definition_id is not None:
            draft.facts["trigger_titles"] = {
                trigger: list(titles.trigger(definition_id, trigger)) for trigger in draft.triggers}


def _carried(uow: UnitOfWork, previous_id: int | None, keys: set[str]) -> Section:
    """Items of the previous meeting still open (or deferred) that no other section lists again."""
    section = Section("carried_over")
    if previous_id is None:
        return section
    a, d = m.agenda_items.c, m.decisions.c
    rows = uow.conn.execute(
        select(m.agenda_items).outerjoin(m.decisions, d.item_id == a.id)
        .where(a.occurrence_id == previous_id, a.status != "withdrawn",
               (d.id.is_(None)) | (d.outcome == "deferred")).order_by(a.position, a.id)).mappings().all()
    for row in rows:
        if row["key"] in keys:
            continue
        key = row["key"] if row["key"].startswith("carry:") else f"carry:{row['key']}"
        section.drafts.append(Draft(
            key=key, section="carried_over", title_zh=row["title_zh"], title_en=row["title_en"],
            ask_zh=row["ask_zh"], ask_en=row["ask_en"], instance_id=row["instance_id"], channel_id=row["channel_id"],
            facts={**row["facts"], "previous_item_id": row["id"]}, triggers=tuple(row["triggers"])))
    section.total = len(section.drafts)
    section.drafts = section.drafts[:SECTION_LIMIT]
    return section


def _label_channels(uow: UnitOfWork, sections: list[Section]) -> None:
    ids = {d.channel_id for s in sections for d in s.drafts}
    labels = channel_sources.channel_labels(uow, ids)
    for section in sections:
        section.drafts = [_labelled(d, labels.get(d.channel_id or "")) for d in section.drafts]


def _labelled(draft: Draft, label: Mapping[str, Any] | None) -> Draft:
    text = f"{label['code']} {label['name']}" if label else (draft.channel_id or "—")
    facts = {**draft.facts, "channel": dict(label)} if label else draft.facts
    return Draft(key=draft.key, section=draft.section, title_zh=draft.title_zh.replace("{channel}", text),
                 title_en=draft.title_en.replace("{channel}", text), ask_zh=draft.ask_zh, ask_en=draft.ask_en,
                 instance_id=draft.instance_id, channel_id=draft.channel_id, facts=facts, triggers=draft.triggers)


def store(uow: UnitOfWork, *, occurrence_id: int, sections: list[Section], previous_id: int | None,
          now: datetime) -> str:
    """Write `sections` as the occurrence's items, keeping decided ones; returns the agenda's checksum."""
    a = m.agenda_items.c
    existing = {r["key"]: dict(r) for r in uow.conn.execute(
        select(m.agenda_items).where(a.occurrence_id == occurrence_id)).mappings()}
    decided = set(uow.conn.execute(select(m.decisions.c.item_id).where(
        m.decisions.c.occurrence_id == occurrence_id)).scalars())
    carried = _previous_keys(uow, previous_id)
    drafts = [d for s in sections for d in s.drafts]
    new_rows: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    digest = hashlib.sha256()
    for position, draft in enumerate(drafts):
        values = {"section": draft.section, "position": position, "instance_id": draft.instance_id,
                  "channel_id": draft.channel_id, "title_zh": draft.title_zh, "title_en": draft.title_en,
                  "ask_zh": draft.ask_zh, "ask_en": draft.ask_en, "facts": draft.facts,
                  "triggers": list(draft.triggers), "carried_from": carried.get(draft.key), "updated_at": now}
        digest.update(json.dumps({"key": draft.key, **values, "updated_at": None}, sort_keys=True,
                                 default=str).encode())
        found = existing.get(draft.key)
        if found is None:
            new_rows.append({"occurrence_id": occurrence_id, "key": draft.key, "status": "open", "created_at": now,
                             **values})
        elif found["id"] not in decided and _differs(found, values):
            changed.append({"item_id": found["id"], "status": "open", **values})
    if new_rows:
        uow.conn.execute(insert(m.agenda_items), new_rows)
    if changed:
        uow.conn.execute(_UPDATE_ITEM, changed)
    gone = [row["id"] for key, row in existing.items() if key not in {d.key for d in drafts}
            and row["id"] not in decided and row["status"] != "withdrawn"]
    if gone:
        uow.conn.execute(update(m.agenda_items).where(a.id.in_(gone)).values(status="withdrawn", updated_at=now))
    return digest.hexdigest()


_ITEM_FIELDS = ("status", "section", "position", "instance_id", "channel_id", "title_zh", "title_en", "ask_zh",
                "ask_en", "facts", "triggers", "carried_from", "updated_at")
_UPDATE_ITEM = (update(m.agenda_items).where(m.agenda_items.c.id == bindparam("item_id"))
                .values({name: bindparam(name) for name in _ITEM_FIELDS}))


def _differs(row: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    """Whether storing `values` changes the row (the time stamp aside): unchanged items are not rewritten."""
    return row["status"] != "open" or any(row[name] != values[name] for name in _ITEM_FIELDS
                                          if name not in ("status", "updated_at"))


def _previous_keys(uow: UnitOfWork, previous_id: int | None) -> dict[str, int]:
    if previous_id is None:
        return {}
    a, d = m.agenda_items.c, m.decisions.c
    rows = uow.conn.execute(select(a.key, a.id).outerjoin(m.decisions, d.item_id == a.id).where(
        a.occurrence_id == previous_id, a.status != "withdrawn", (d.id.is_(None)) | (d.outcome == "deferred")))
    return {r.key: r.id for r in rows}


def section_meta(sections: list[Section]) -> dict[str, Any]:
    return {s.name: {"total": s.total, "facts": s.facts} for s in sections}
