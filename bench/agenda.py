"""Agenda benchmark: prepare a joint meeting's agenda on 2,000 channels and 50,000 instances.

Seeds by bulk INSERT (seeding is not what is measured), in the proportions a channel network of that
size would have after a year:
  2,000 channels; per channel one card_escalation and one channel_lifecycle instance (200 yellow
  cards, 40 red, 25 in termination review; 60 lifecycle moves waiting for the committee); 10,000
  onboarding instances (30,000 review tasks, 600 open and overdue, 150 of them escalated); 36,000
  complaints (72,000 SLA clocks, 400 breached since the last meeting); 80 alarms, a month of star
  ratings (2,000, 180 five-star), 40 open lifecycle suggestions; 20 attendees with e-mail.
Then times, over R runs each (median, p90):
  - prepare: `prepare_agenda` (build every section from live data, store the items keeping decisions,
    write the outbox rows with the zh/en .ics for every attendee), one transaction;
  - read+render: `get_agenda` and the md, html and ics renderings.
Target: prepare <= 1 s on SQLite and PostgreSQL.

Run: .venv/bin/python bench/agenda.py [--runs 7] [--only sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from channelops.bootstrap import build_registry
from channels import tables as ch
from channels.meetings.agendas import get_agenda, prepare_agenda
from channels.meetings.rendering import render
from channels.meetings.series import create_meeting
from workflows.adapters.calendar import BusinessCalendar
from workflows.adapters.clock import FixedClock
from workflows.domain.principals import SYSTEM
from workflows.persistence import migrate
from workflows.persistence import tables as t
from workflows.persistence.db import make_engine
from workflows.services.context import Services
from workflows.services.definitions import publish_shipped
from workflows.services.users import add_user

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # Friday 09:00 Shanghai: the agenda's day
MEETING = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # the first Tuesday of December, 10:00
CHANNELS, ONBOARDING, COMPLAINTS = 2_000, 10_000, 36_000


def services(url: str) -> Services:
    return Services(engine=make_engine(url), clock=FixedClock(NOW), calendar=BusinessCalendar(),
                    registry=build_registry())


def _instances(uow: Any, definition: Any, rows: list[dict[str, Any]]) -> list[int]:
    base = {"definition_id": definition.id, "workflow": definition.name, "definition_version": definition.version,
            "status": "active", "data": {}, "requester_id": None, "revision": 2, "created_at": NOW - timedelta(days=60),
            "updated_at": NOW, "closed_at": None}
    ids: list[int] = []
    for start in range(0, len(rows), 5000):
        ids += uow.conn.execute(insert(t.instances).returning(t.instances.c.id),
                                [{**base, **row} for row in rows[start:start + 5000]]).scalars().all()
    return ids


def _bulk(uow: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 5000):
        uow.conn.execute(insert(table), rows[start:start + 5000])


def seed(svc: Services) -> int:
    """Fill the database; returns the joint meeting's id."""
    publish_shipped(svc, actor=SYSTEM)
    with svc.uow() as uow:
        defs = {r.name: r for r in uow.conn.execute(select(t.definitions.c.id, t.definitions.c.name,
                                                           t.definitions.c.version))}
        channel_ids = uow.conn.execute(insert(ch.channels).returning(ch.channels.c.id), [
            {"code": f"C-{i:05d}", "name": f"渠道{i}", "type": "agent", "region": f"r{i % 7}", "contacts": {},
             "stage": "growth", "card": "none", "stage_dates": {}, "active": True, "created_at": NOW,
             "updated_at": NOW} for i in range(CHANNELS)]).scalars().all()
        subjects = [{"subject_type": "channel", "subject_id": str(c)} for c in channel_ids]
        cards = [{**s, "state": "yellow_card" if i < 200 else "red_card" if i < 240 else "termination_review"
                  if i < 265 else "monitoring", "state_entered_at": NOW - timedelta(days=i % 90)}
                 for i, s in enumerate(subjects)]
        card_ids = _instances(uow, defs["card_escalation"], cards)
        _bulk(uow, t.timers, [{"instance_id": iid, "task_id": None, "kind": "state", "name": "improvement_period",
                               "state": "yellow_card", "entry": 2, "trigger": "improvement_deadline",
                               "status": "scheduled", "payload": {}, "attempts": 0, "created_at": NOW,
                               "due_at": NOW + timedelta(days=i % 90)} for i, iid in enumerate(card_ids[:200])])
        life_ids = _instances(uow, defs["channel_lifecycle"], [{**s, "state": "growth", "state_entered_at": NOW}
                                                              for s in subjects])
        tasks = [{"instance_id": iid, "name": "approve_advance", "entry": 2, "candidate_group": "committee",
                  "original_group": "committee", "status": "open", "trigger": "advance", "payload": {},
                  "due_at": NOW + timedelta(days=5), "created_at": NOW} for iid in life_ids[:60]]
        onboarding_ids = _instances(uow, defs["channel_onboarding"], [
            {"state": "approved" if i >= 600 else "under_review", "state_entered_at": NOW,
             "status": "completed" if i >= 600 else "active"} for i in range(ONBOARDING)])
        for i, iid in enumerate(onboarding_ids):
            for group in ("market", "sales", "finance"):
                late = i < 600 and group == "market"
                tasks.append({"instance_id": iid, "name": "review", "entry": 2, "candidate_group": group,
                              "original_group": group, "status": "open" if late else "completed", "trigger": None,
                              "payload": {}, "due_at": NOW - timedelta(days=2) if late else NOW - timedelta(days=30),
                              "escalated_at": NOW - timedelta(days=1) if late and i < 150 else None,
                              "created_at": NOW - timedelta(days=40)})
        _bulk(uow, t.tasks, tasks)
        complaint_ids = _instances(uow, defs["complaint"], [
            {"state": "closed" if i >= 2000 else "investigating", "state_entered_at": NOW,
             "status": "completed" if i >= 2000 else "active", "data": {"severity": "normal"}}
            for i in range(COMPLAINTS)])
        clocks = []
        for i, iid in enumerate(complaint_ids):
            for goal, budget in (("first_response", 8 * 3600), ("resolution", 72 * 3600)):
                breached = goal == "resolution" and i < 400
                clocks.append({"instance_id": iid, "workflow": "complaint", "goal": goal, "working": True,
                               "target_seconds": budget, "used_seconds": budget // 2,
                               "status": "running" if i < 2000 else "met", "started_at": NOW - timedelta(days=40),
                               "running_since": NOW if i < 2000 else None, "due_at": NOW + timedelta(days=1),
                               "stopped_at": None if i < 2000 else NOW - timedelta(days=i % 300),
                               "breached_at": NOW - timedelta(days=i % 20) if breached else None})
        _bulk(uow, t.sla_clocks, clocks)
        _bulk(uow, ch.channel_alarms, [
            {"key": f"a{i}", "scope": "channel", "channel_id": channel_ids[i], "region": None, "metric": "sales",
             "period": "2026-10", "previous": 100.0, "current": 70.0, "change_pct": -30.0,
             "raised_at": NOW - timedelta(days=i % 25)} for i in range(80)])
        _bulk(uow, ch.star_ratings, [{"channel_id": c, "period": "2026-11", "stars": 5 if i < 180 else 3,
                                      "score": 90.0 - i / 100, "rated_at": NOW} for i, c in enumerate(channel_ids)])
        _bulk(uow, ch.lifecycle_suggestions, [
            {"channel_id": channel_ids[i], "period": "2026-Q3", "from_stage": "growth", "to_stage": "maturity",
             "trigger": "advance", "reason": "增长趋缓", "instance_id": life_ids[100 + i], "status": "open",
             "created_at": NOW} for i in range(40)])
        uow.commit()
    users = [add_user(svc, actor=SYSTEM, login=f"att{i}", groups=["committee"] if i < 5 else ["sales"],
                      email=f"att{i}@example.com").id for i in range(20)]
    meeting = create_meeting(svc, actor=SYSTEM, kind="joint", starts_at=MEETING, rrule="FREQ=MONTHLY;BYDAY=1TU",
                             attendee_users=users, attendee_groups=["committee"])
    return meeting.id


def timed(runs: int, call: Callable[[], object]) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.9))]


def measure(url: str, *, runs: int) -> dict[str, Any]:
    migrate.upgrade(url)
    svc = services(url)
    started = time.perf_counter()
    meeting_id = seed(svc)
    seeded = time.perf_counter() - started
    with svc.uow(write=False) as uow:
        count = len(uow.conn.execute(select(t.instances.c.id)).all())
    first = timed(1, lambda: prepare_agenda(svc, actor=SYSTEM, meeting_id=meeting_id))
    prepare = timed(runs, lambda: prepare_agenda(svc, actor=SYSTEM, meeting_id=meeting_id))

    def read_and_render() -> None:
        agenda = get_agenda(svc, actor=SYSTEM, meeting_id=meeting_id)
        for fmt in ("md", "html", "ics"):
            render(agenda, format=fmt, lang="zh", stamp=NOW)  # type: ignore[arg-type]

    reading = timed(runs, read_and_render)
    agenda = get_agenda(svc, actor=SYSTEM, meeting_id=meeting_id)
    svc.engine.dispose()
    return {"instances": count, "seed_s": seeded, "first": first[0], "prepare": prepare, "read": reading,
            "items": sum(len(s.items) for s in agenda.sections), "qualified": sum(s.total for s in agenda.sections)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", default="sqlite,postgresql")
    args = parser.parse_args()
    for kind in args.only.split(","):
        if kind == "sqlite":
            with tempfile.TemporaryDirectory() as directory:
                result = measure(f"sqlite:///{directory}/agenda.db", runs=args.runs)
        else:
            name = f"channelops_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            try:
                result = measure(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", runs=args.runs)
            finally:
                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        print(f"{kind}: {result['instances']:,} instances (seeded in {result['seed_s']:.1f} s); agenda of "
              f"{result['items']} items ({result['qualified']} qualified); "
              f"first prepare {result['first'] * 1000:.0f} ms;"
              f" prepare median {result['prepare'][0] * 1000:.0f} ms, p90 {result['prepare'][1] * 1000:.0f} ms; "
              f"read + md/html/ics median {result['read'][0] * 1000:.0f} ms, p90 {result['read'][1] * 1000:.0f} ms",
              flush=True)


if __name__ == "__main__":
    main()
