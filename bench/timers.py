"""Timer benchmark: fire 10k due timers among 100k open ones; claim query time; lateness.

Seeds N open card_escalation instances in `yellow_card` with their improvement-deadline timers by
bulk INSERT (seeding is not what is measured), of which D are already due. Then:
  1. fires every due timer through the real service (`fire_due_timers`, one transaction per
     timer, FOR UPDATE SKIP LOCKED on PostgreSQL) with 1 and 2 worker processes on PostgreSQL and 1
     on SQLite; checks none fired twice (one audit row per instance);
  2. times the claim query (the due-id SELECT, LIMIT 1000) on the full table;
  3. lateness: L timers due over the next S seconds, one sweeping loop that sleeps until the next
     due time (capped at the poll interval); lateness = audit time of the step - due time.

Run: .venv/bin/python bench/timers.py [--quick] [--only sqlite,postgresql] [--runs 3]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from channelops.bootstrap import build_registry
from workflows.adapters.calendar import BusinessCalendar
from workflows.adapters.clock import FixedClock, SystemClock
from workflows.domain.principals import SYSTEM
from workflows.persistence import migrate
from workflows.persistence import tables as t
from workflows.persistence.db import make_engine
from workflows.services.context import Services
from workflows.services.definitions import publish_shipped
from workflows.services.timers import due_timer_ids, fire_due_timers

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
POLL = 1.0  # the sweeping loop's longest sleep (seconds)


def services(url: str, *, fixed: datetime | None = None) -> Services:
    clock = FixedClock(fixed) if fixed else SystemClock()
    return Services(engine=make_engine(url), clock=clock, calendar=BusinessCalendar(), registry=build_registry())


def seed(url: str, *, total: int, due: int, now: datetime) -> None:
    """Bulk-insert `total` yellow-card instances with deadline timers, `due` of them past due."""
    migrate.upgrade(url)
    svc = services(url, fixed=now)
    publish_shipped(svc, actor=SYSTEM)
    with svc.uow() as uow:
        definition = uow.conn.execute(select(t.definitions.c.id, t.definitions.c.version)
                                      .where(t.definitions.c.name == "card_escalation")).one()
        for start in range(0, total, 5000):
            batch = range(start, min(start + 5000, total))
            ids = uow.conn.execute(insert(t.instances).returning(t.instances.c.id), [
                {"definition_id": definition.id, "workflow": "card_escalation",
                 "definition_version": definition.version, "subject_type": "channel", "subject_id": f"C-{i}",
                 "state": "yellow_card", "status": "active", "data": {}, "requester_id": None, "revision": 2,
                 "created_at": now, "updated_at": now, "state_entered_at": now, "closed_at": None}
                for i in batch]).scalars().all()
            uow.conn.execute(insert(t.timers), [
                {"instance_id": iid, "task_id": None, "kind": "state", "name": "improvement_period",
                 "state": "yellow_card", "entry": 2, "trigger": "improvement_deadline", "status": "scheduled",
                 "payload": {}, "attempts": 0, "created_at": now,
                 "due_at": now - timedelta(seconds=1) if i < due else now + timedelta(days=90)}
                for i, iid in zip(batch, ids, strict=True)])
        uow.commit()
    svc.engine.dispose()


def sweep_until_empty(url: str, now: datetime, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    svc = services(url, fixed=now)
    fired = 0
    while True:
        result = fire_due_timers(svc, now=now, limit=200)
        fired += result.fired
        if result.fired + result.cancelled + result.failed == 0:
            break
    queue.put(fired)
    svc.engine.dispose()


def fire_all(url: str, now: datetime, workers: int) -> tuple[float, list[int]]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    processes = [ctx.Process(target=sweep_until_empty, args=(url, now, queue)) for _ in range(workers)]
    began = time.perf_counter()
    for process in processes:
        process.start()
    counts = [queue.get() for _ in processes]
    for process in processes:
        process.join()
    return time.perf_counter() - began, counts


def doubled(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        per_instance = (select(t.audit_events.c.instance_id, func.count().label("n"))
                        .where(t.audit_events.c.trigger == "improvement_deadline")
                        .group_by(t.audit_events.c.instance_id).subquery())
        found = conn.execute(select(func.count()).select_from(per_instance).where(per_instance.c.n > 1)).scalar()
    engine.dispose()
    return int(found or 0)


def claim_ms(url: str, now: datetime) -> float:
    svc = services(url, fixed=now)
    timings = []
    for _ in range(20):
        with svc.uow(write=False) as uow:
            began = time.perf_counter()
            due_timer_ids(uow, now=now + timedelta(days=200), limit=1000)
            timings.append(time.perf_counter() - began)
    svc.engine.dispose()
    return sorted(timings)[len(timings) // 2] * 1000


def lateness(url: str, *, count: int, seconds: float) -> tuple[float, float]:
    """Timers due over the next `seconds`; one loop sweeping them; p50/p99 lateness in ms."""
    svc = services(url)
    now = datetime.now(UTC)
    with svc.uow() as uow:
        ids = uow.conn.execute(select(t.timers.c.id).where(t.timers.c.status == "scheduled")
                               .order_by(t.timers.c.id).limit(count)).scalars().all()
        for index, timer_id in enumerate(ids):
            due = now + timedelta(seconds=1 + seconds * index / count)
            uow.conn.execute(t.timers.update().where(t.timers.c.id == timer_id).values(due_at=due))
        uow.commit()
    end = now + timedelta(seconds=seconds + 3)
    while datetime.now(UTC) < end:
        fire_due_timers(svc)
        with svc.uow(write=False) as uow:
            upcoming = uow.conn.execute(select(func.min(t.timers.c.due_at))
                                        .where(t.timers.c.status == "scheduled")).scalar()
        pause = POLL if upcoming is None else max(0.0, min(POLL, (upcoming - datetime.now(UTC)).total_seconds()))
        time.sleep(pause)
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(
            select(t.audit_events.c.at, t.timers.c.due_at)
            .join(t.timers, (t.timers.c.instance_id == t.audit_events.c.instance_id)
                  & (t.audit_events.c.trigger == "improvement_deadline"))
            .where(t.timers.c.id.in_(ids))).all()
    svc.engine.dispose()
    late = sorted((row.at - row.due_at).total_seconds() * 1000 for row in rows)
    return late[len(late) // 2], late[min(int(len(late) * 0.99), len(late) - 1)]


def run(name: str, make_url: object, *, total: int, due: int, workers: list[int], late_count: int,
        runs: int) -> None:
    for count in workers:
        walls = []
        for attempt in range(1, runs + 1):
            url = make_url()  # type: ignore[operator]
            now = datetime(2026, 11, 23, 2, tzinfo=UTC)
            seed(url, total=total, due=due, now=now)
            claim = claim_ms(url, now)
            wall, counts = fire_all(url, now, count)
            walls.append(wall)
            print(f"| {name} | {count} | {attempt} | {total:,} | {due:,} | {wall:.1f} s | {due / wall:,.0f}/s | "
                  f"{counts} | {doubled(url)} | {claim:.1f} ms |", flush=True)
        if runs > 1:
            middle = statistics.median(walls)
            print(f"| {name} | {count} | median of {runs} | {total:,} | {due:,} | {middle:.1f} s | "
                  f"{due / middle:,.0f}/s | | | |", flush=True)
    url = make_url()  # type: ignore[operator]
    seed(url, total=total // 10, due=0, now=datetime.now(UTC))
    p50, p99 = lateness(url, count=late_count, seconds=20)
    print(f"lateness on {name}: {late_count} timers due over 20 s, poll ≤ {POLL:.0f} s: "
          f"p50 {p50:.0f} ms, p99 {p99:.0f} ms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10k instances, 1k due")
    parser.add_argument("--only", default="postgresql,sqlite")
    parser.add_argument("--runs", type=int, default=1, help="repeat each firing run (fresh data) and give the median")
    args = parser.parse_args()
    total, due = (10_000, 1_000) if args.quick else (100_000, 10_000)
    print("| database | workers | run | open instances | due | time to fire all | rate | per worker | doubled | "
          "claim query (p50) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    only = set(args.only.split(","))
    created: list[str] = []

    def pg_url() -> str:
        name = f"channelops_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"

    try:
        if "postgresql" in only:
            run("postgresql", pg_url, total=total, due=due, workers=[1, 2], late_count=500,
                runs=args.runs)
        if "sqlite" in only:
            with tempfile.TemporaryDirectory() as tmp:
                run("sqlite", lambda: f"sqlite:///{Path(tmp) / uuid.uuid4().hex}.db", total=total, due=due,
                    workers=[1], late_count=500, runs=args.runs)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            for name in created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print("targets: 10k due timers fired in <= 10 s with two workers on PostgreSQL, none doubled; "
          "lateness p99 < 2 s")


if __name__ == "__main__":
    main()
