"""Engine benchmark: complaint instances per second, per-step latency, against a bare-commit ceiling.

One complaint instance is four committed transactions through the real services: start (which
schedules the SLA timers in working time), then acknowledge, resolve and close. Each database
is also measured with a "ceiling" transaction (one-row INSERT plus one UPDATE through SQLAlchemy
Core, same engine settings, BEGIN IMMEDIATE on SQLite); four of those per instance give the most
instances per second that the database, driver and engine settings allow.

Every configuration runs with 1 and with 2 worker processes (spawned; each builds its own
Services and engine) and is repeated; the table shows the median of the repeats.

    .venv/bin/python bench/engine.py              # full run (a few minutes)
    .venv/bin/python bench/engine.py --quick      # a tenth of the instances
    .venv/bin/python bench/engine.py --profile    # where a step's time goes (driver vs Python, cProfile)
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing as mp
import pstats
import random
import re
import statistics
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Column, Engine, Integer, MetaData, Table, Text, event, func, insert, select, update

from channelops.bootstrap import build_registry
from workflows.adapters.calendar import BusinessCalendar
from workflows.adapters.clock import FixedClock
from workflows.domain.principals import SYSTEM, Actor
from workflows.persistence import migrate
from workflows.persistence import tables as t
from workflows.persistence.db import Synchronous, make_engine
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services
from workflows.services.definitions import publish_shipped
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.users import actor_for, add_user

# Monday 2026-11-23 10:00 in Shanghai: a working day, inside working hours, so every run does
# the same working-time arithmetic for the SLA timers.
START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
WORKFLOW = "complaint"
STEPS = ("create", "acknowledge", "resolve", "close")
SEVERITIES = ("high", "normal", "low")
ACTOR_LOGIN = "bench_channel_manager"
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
BARRIER_TIMEOUT = 300.0

CEILING = Table(
    "bench_ceiling", MetaData(),
    Column("id", Integer, primary_key=True),
    Column("n", Integer, nullable=False),
    Column("note", Text, nullable=False),
)


# --------------------------------------------------------------------------- configuration

@dataclass(frozen=True)
class Target:
    """One database configuration to measure."""

    key: str
    label: str
    per_process: int  # instances per process per run (the ceiling runs half as many)
    goal: float | None  # absolute target in instances/s, if any
    synchronous: Synchronous = "NORMAL"


TARGETS = (
    Target("sqlite-normal", "SQLite WAL sync=NORMAL", 1500, 800.0, "NORMAL"),
    Target("sqlite-full", "SQLite WAL sync=FULL", 1500, 400.0, "FULL"),
    Target("postgresql", "PostgreSQL", 800, None),
)
CEILING_GOAL = 0.5  # every database: at least half the bare-commit ceiling


@dataclass
class Run:
    """One measured job, merged over the processes that ran it."""

    processes: int
    instances: int
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.instances / self.seconds


@dataclass
class Row:
    """The repeats of one (database, processes) configuration."""

    target: Target
    processes: int
    engine_runs: list[Run] = field(default_factory=list)
    ceiling_runs: list[Run] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return statistics.median(r.per_second for r in self.engine_runs)

    @property
    def ceiling(self) -> float:
        return statistics.median(r.per_second for r in self.ceiling_runs)

    @property
    def ratio(self) -> float:
        """Median of the per-run ratios: each run's ceiling is measured just before it, under the same load."""
        return statistics.median(e.per_second / c.per_second
                                 for e, c in zip(self.engine_runs, self.ceiling_runs, strict=True))

    def latency(self, step: str, q: float) -> float:
        """Median over the repeats of the q-quantile (0..1) of `step`, in milliseconds."""
        return statistics.median(percentile(r.latencies[step], q) for r in self.engine_runs) * 1000


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


# --------------------------------------------------------------------------- databases

@contextmanager
def database(target: Target, directory: Path) -> Iterator[str]:
    """A fresh, migrated database for `target`; PostgreSQL ones are dropped afterwards."""
    if target.key.startswith("sqlite"):
        url = f"sqlite:///{directory / f'{target.key}-{uuid.uuid4().hex[:8]}.db'}"
        migrate.upgrade(url)
        yield url
        return
    name = f"channelops_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = PG_URL.format(name=name)
        migrate.upgrade(url)
        yield url
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_available() -> bool:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def build_services(url: str, synchronous: Synchronous) -> Services:
    return Services(engine=make_engine(url, sqlite_synchronous=synchronous), clock=FixedClock(START),
                    calendar=BusinessCalendar(), registry=build_registry())


def prepare(svc: Services) -> None:
    """Publish the shipped workflows, add the acting channel manager, create the ceiling table."""
    publish_shipped(svc, actor=SYSTEM)
    add_user(svc, actor=SYSTEM, login=ACTOR_LOGIN, roles=("channel_manager",))
    CEILING.create(svc.engine)


def completed_instances(svc: Services) -> int:
    with svc.uow(write=False) as uow:
        query = select(func.count()).select_from(t.instances).where(t.instances.c.status == "completed")
        return int(uow.conn.execute(query).scalar_one())


# --------------------------------------------------------------------------- the workloads

def one_instance(svc: Services, actor: Actor, severity: str, latencies: dict[str, list[float]] | None) -> None:
    """Create one complaint and take it to closed: four transactions, each timed when asked."""
    began = time.perf_counter()
    created = start_instance(svc, actor=actor, workflow=WORKFLOW, subject={"type": "channel", "id": "bench"},
                             data={"severity": severity, "summary": "benchmark complaint"})
    marks = [began, time.perf_counter()]
    to_state = created.state
    for trigger in STEPS[1:]:
        to_state = fire_trigger(svc, actor=actor, instance_id=created.id, trigger=trigger).to_state
        marks.append(time.perf_counter())
    if to_state != "closed":
        raise RuntimeError(f"instance {created.id} ended in {to_state!r}, not 'closed'")
    if latencies is not None:
        for index, step in enumerate(STEPS):
            latencies[step].append(marks[index + 1] - marks[index])


def one_ceiling(svc: Services) -> None:
    """The bare-commit transaction: INSERT one row and UPDATE it, as a write unit of work."""
    with UnitOfWork(svc.engine) as uow:
        new_id = uow.conn.execute(insert(CEILING).returning(CEILING.c.id), {"n": 0, "note": "ceiling"}).scalar_one()
        uow.conn.execute(update(CEILING).where(CEILING.c.id == new_id).values(n=CEILING.c.n + 1))
        uow.commit()


@dataclass(frozen=True)
class Job:
    kind: str  # "engine" or "ceiling"
    instances: int
    warmup: int
    parties: int


def run_job(svc: Services, actor: Actor, rng: random.Random, job: Job, barrier: Barrier
            ) -> tuple[float, dict[str, list[float]]]:
    """Warm up, wait for the other process (if any), then run and time `job`."""
    latencies: dict[str, list[float]] = {step: [] for step in STEPS}
    if job.kind == "engine":
        def work(timed: bool) -> None:
            one_instance(svc, actor, rng.choice(SEVERITIES), latencies if timed else None)
    else:
        def work(timed: bool) -> None:
            for _ in STEPS:
                one_ceiling(svc)
    for _ in range(job.warmup):
        work(False)
    if job.parties > 1:
        barrier.wait(BARRIER_TIMEOUT)
    began = time.perf_counter()
    for _ in range(job.instances):
        work(True)
    return time.perf_counter() - began, latencies


def worker_main(index: int, url: str, synchronous: Synchronous, jobs: Queue[Job | None], results: Queue[Any],
                barrier: Barrier) -> None:
    """A benchmark process: its own Services and engine, then jobs until told to stop."""
    try:
        svc = build_services(url, synchronous)
        actor = actor_for(svc, login=ACTOR_LOGIN)
        rng = random.Random(index)
        results.put(("ready", index))
        while (job := jobs.get()) is not None:
            seconds, latencies = run_job(svc, actor, rng, job, barrier)
            results.put(("done", index, seconds, latencies))
        svc.engine.dispose()
    except BaseException:
        barrier.abort()
        results.put(("error", index, traceback.format_exc()))


class Workers:
    """Two spawned benchmark processes for one database; jobs go to the first one or to both."""

    def __init__(self, url: str, synchronous: Synchronous) -> None:
        ctx = mp.get_context("spawn")
        self._results: Queue[Any] = ctx.Queue()
        self._barrier = ctx.Barrier(2)
        self._jobs: list[Queue[Job | None]] = [ctx.Queue(), ctx.Queue()]
        self._processes = [
            ctx.Process(target=worker_main, args=(i, url, synchronous, self._jobs[i], self._results, self._barrier),
                        daemon=True)
            for i in range(2)
        ]
        for process in self._processes:
            process.start()
        for _ in self._processes:
            self._receive("ready")

    def _receive(self, expected: str) -> tuple[Any, ...]:
        message: tuple[Any, ...] = self._results.get(timeout=BARRIER_TIMEOUT * 2)
        if message[0] == "error":
            raise RuntimeError(f"benchmark process {message[1]} failed:\n{message[2]}")
        if message[0] != expected:
            raise RuntimeError(f"unexpected message from a benchmark process: {message[0]!r}")
        return message

    def run(self, kind: str, processes: int, per_process: int, warmup: int) -> Run:
        job = Job(kind=kind, instances=per_process, warmup=warmup, parties=processes)
        for queue in self._jobs[:processes]:
            queue.put(job)
        merged: dict[str, list[float]] = {step: [] for step in STEPS}
        slowest = 0.0
        for _ in range(processes):
            _, _, seconds, latencies = self._receive("done")
            slowest = max(slowest, seconds)
            for step in STEPS:
                merged[step].extend(latencies[step])
        # Both processes start together at the barrier: the slower one's time is the wall time.
        return Run(processes=processes, instances=per_process * processes, seconds=slowest, latencies=merged)

    def close(self) -> None:
        for queue in self._jobs:
            queue.put(None)
        for process in self._processes:
            process.join(timeout=60)
            if process.is_alive():
                process.terminate()


# --------------------------------------------------------------------------- the benchmark

def measure(target: Target, directory: Path, *, scale: int, reps: int, log: Callable[[str], None]) -> list[Row]:
    per_process = max(20, target.per_process // scale)
    warmup = max(10, per_process // 20)
    rows = [Row(target, 1), Row(target, 2)]
    with database(target, directory) as url:
        svc = build_services(url, target.synchronous)
        try:
            prepare(svc)
            workers = Workers(url, target.synchronous)
            try:
                for rep in range(1, reps + 1):
                    for row in rows:
                        ceiling = workers.run("ceiling", row.processes, max(10, per_process // 2), warmup)
                        engine = workers.run("engine", row.processes, per_process, warmup)
                        row.ceiling_runs.append(ceiling)
                        row.engine_runs.append(engine)
                        log(f"  {target.label:<24} {row.processes}p  run {rep}/{reps}: "
                            f"{engine.per_second:7.0f} instances/s, ceiling {ceiling.per_second:7.0f}")
            finally:
                workers.close()
            expected = sum(r.instances + warmup * r.processes for row in rows for r in row.engine_runs)
            found = completed_instances(svc)
            if found != expected:
                raise RuntimeError(f"{target.label}: {found} completed instances in the database, expected {expected}")
            CEILING.drop(svc.engine)
        finally:
            svc.engine.dispose()
    return rows


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def report(rows: list[Row], *, reps: int) -> str:
    lines = [
        f"Median of {reps} runs. instances/s = complete instances (4 committed transactions each); "
        "2p = total across 2 processes.",
        "ceiling = bare INSERT+UPDATE transactions/s ÷ 4 on the same database and engine settings;",
        "ratio = median of the per-run instances/ceiling ratios (each ceiling is measured just before its run).",
        "",
        f"| {'database':<24} | procs | {'instances/s':>11} | {'ceiling/s':>9} | {'ratio':>6} | "
        f"{'target':<22} | {'result':<21} |",
        f"|{'-' * 26}|-------|{'-' * 13}|{'-' * 11}|{'-' * 8}|{'-' * 24}|{'-' * 23}|",
    ]
    for row in rows:
        goal = row.target.goal
        target = f"≥ {goal:.0f}/s and ≥ 50%" if goal else "≥ 50% of ceiling"
        ok_rate = goal is None or row.rate >= goal
        ok_ratio = row.ratio >= CEILING_GOAL
        result = verdict(ok_rate and ok_ratio)
        if not ok_rate or not ok_ratio:
            result += " (" + ", ".join(x for x, bad in (("rate", not ok_rate), ("ratio", not ok_ratio)) if bad) + ")"
        lines.append(f"| {row.target.label:<24} | {row.processes:>5} | {row.rate:>11.0f} | {row.ceiling:>9.0f} | "
                     f"{row.ratio:>6.0%} | {target:<22} | {result:<21} |")
    lines += [
        "",
        "Per-step latency in ms, p50 / p99 (median over the runs; 2p rows pool both processes):",
        "",
        f"| {'database':<24} | procs | " + " | ".join(f"{s:>15}" for s in STEPS) + " |",
        f"|{'-' * 26}|-------|" + "|".join("-" * 17 for _ in STEPS) + "|",
    ]
    for row in rows:
        cells = " | ".join(f"{row.latency(s, 0.5):>6.2f} / {row.latency(s, 0.99):>6.2f}" for s in STEPS)
        lines.append(f"| {row.target.label:<24} | {row.processes:>5} | {cells} |")
    lines += ["", "Every run (instances/s / ceiling/s = ratio):", ""]
    for row in rows:
        runs = ", ".join(f"{e.per_second:.0f} / {c.per_second:.0f} = {e.per_second / c.per_second:.0%}"
                         for e, c in zip(row.engine_runs, row.ceiling_runs, strict=True))
        lines.append(f"- {row.target.label} {row.processes}p: {runs}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- profiling

@dataclass
class Tally:
    """What the driver did during one step: statements, time in cursor.execute, time in COMMIT."""

    statements: list[str] = field(default_factory=list)
    sql: float = 0.0
    commit: float = 0.0
    started: float = 0.0


def label(statement: str) -> str:
    """`SELECT instances`, `UPDATE timers`, `BEGIN IMMEDIATE`... from an SQL text."""
    words = statement.split()
    verb = words[0].upper() if words else "?"
    found = re.search(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", statement, re.IGNORECASE)
    return f"{verb} {found.group(1)}" if found and verb != "BEGIN" else " ".join(words[:2])


def watch(engine: Engine, tally: Callable[[], Tally]) -> None:
    """Count statements and time the driver on `engine` (the bench's own engine; no engine code changes)."""

    @event.listens_for(engine, "before_cursor_execute")
    def _before(_conn: Any, _cursor: Any, _statement: str, *_: Any) -> None:
        tally().started = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        current = tally()
        current.sql += time.perf_counter() - current.started
        current.statements.append(label(statement))

    dialect = engine.dialect
    do_commit = dialect.do_commit

    def timed_commit(dbapi_connection: Any) -> None:
        began = time.perf_counter()
        do_commit(dbapi_connection)
        tally().commit += time.perf_counter() - began

    dialect.do_commit = timed_commit  # type: ignore[method-assign]


def anatomy(target: Target, directory: Path, instances: int) -> str:
    """Per step, without a profiler: wall time, statements, time in the driver and in COMMIT, the rest."""
    current = [Tally()]
    per_step: dict[str, list[Tally]] = {step: [] for step in (*STEPS, "ceiling")}
    walls: dict[str, list[float]] = {step: [] for step in per_step}
    with database(target, directory) as url:
        svc = build_services(url, target.synchronous)
        try:
            prepare(svc)
            actor = actor_for(svc, login=ACTOR_LOGIN)
            rng = random.Random(0)
            for _ in range(50):
                one_instance(svc, actor, rng.choice(SEVERITIES), None)
                one_ceiling(svc)
            watch(svc.engine, lambda: current[0])

            def timed(step: str, work: Callable[..., Any], **kwargs: Any) -> Any:
                current[0] = Tally()
                began = time.perf_counter()
                result = work(**kwargs)
                walls[step].append(time.perf_counter() - began)
                per_step[step].append(current[0])
                return result

            for _ in range(instances):
                data = {"severity": rng.choice(SEVERITIES), "summary": "benchmark complaint"}
                created = timed("create", start_instance, svc=svc, actor=actor, workflow=WORKFLOW,
                                subject={"type": "channel", "id": "bench"}, data=data)
                for trigger in STEPS[1:]:
                    timed(trigger, fire_trigger, svc=svc, actor=actor, instance_id=created.id, trigger=trigger)
                timed("ceiling", one_ceiling, svc=svc)
            current[0] = Tally()
            CEILING.drop(svc.engine)
        finally:
            svc.engine.dispose()
    lines = [f"Anatomy of a step, {target.label}, 1 process, {instances} instances, no profiler "
             "(µs, mean per step; 'driver' = inside cursor.execute incl. BEGIN, 'rest' = Python around it):", "",
             f"| {'step':<11} | {'wall':>6} | {'stmts':>5} | {'driver':>6} | {'commit':>6} | {'rest':>6} "
             "| statements |",
             f"|{'-' * 13}|{'-' * 8}|{'-' * 7}|{'-' * 8}|{'-' * 8}|{'-' * 8}|------------|"]
    for step, tallies in per_step.items():
        wall = statistics.fmean(walls[step]) * 1e6
        sql = statistics.fmean(x.sql for x in tallies) * 1e6
        commit = statistics.fmean(x.commit for x in tallies) * 1e6
        count = statistics.fmean(len(x.statements) for x in tallies)
        sequence = ", ".join(tallies[-1].statements)
        lines.append(f"| {step:<11} | {wall:>6.0f} | {count:>5.1f} | {sql:>6.0f} | {commit:>6.0f} | "
                     f"{wall - sql - commit:>6.0f} | {sequence} |")
    return "\n".join(lines)


GROUPS = (
    ("/sqlalchemy/", "sqlalchemy"), ("/pydantic", "pydantic"), ("/transitions/", "transitions"),
    ("/workflows/", "workflows"), ("/json/", "json"), ("/psycopg", "psycopg"), ("/holidays/", "holidays"),
)


def package_of(filename: str, function: str) -> str:
    if filename == "~":
        return "sqlite3 (C)" if "sqlite3" in function else "builtins (C)"
    return next((name for marker, name in GROUPS if marker in filename), "other")


def profile(directory: Path, instances: int, top: int) -> str:
    """cProfile each step separately on SQLite NORMAL, one process; per-step costs in µs."""
    target = TARGETS[0]
    profiles = {step: cProfile.Profile() for step in STEPS}
    with database(target, directory) as url:
        svc = build_services(url, target.synchronous)
        try:
            prepare(svc)
            actor = actor_for(svc, login=ACTOR_LOGIN)
            rng = random.Random(0)
            for _ in range(50):
                one_instance(svc, actor, rng.choice(SEVERITIES), None)
            for _ in range(instances):
                created_profile = profiles["create"]
                created_profile.enable()
                created = start_instance(svc, actor=actor, workflow=WORKFLOW, subject={"type": "channel", "id": "b"},
                                         data={"severity": rng.choice(SEVERITIES), "summary": "benchmark complaint"})
                created_profile.disable()
                for trigger in STEPS[1:]:
                    profiles[trigger].enable()
                    fire_trigger(svc, actor=actor, instance_id=created.id, trigger=trigger)
                    profiles[trigger].disable()
        finally:
            svc.engine.dispose()
    out: list[str] = [f"cProfile, {target.label}, 1 process, {instances} instances; times are µs per step "
                      "(profiler overhead included)."]
    for step in STEPS:
        stats = pstats.Stats(profiles[step])
        entries: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
        total: float = stats.total_tt  # type: ignore[attr-defined]
        by_package: dict[str, float] = {}
        for (filename, _, function), (_, _, tt, _, _) in entries.items():
            key = package_of(filename, function)
            by_package[key] = by_package.get(key, 0.0) + tt
        out += ["", f"== {step}: {total / instances * 1e6:.0f} µs per step", "",
                "self time by package: " + ", ".join(
                    f"{name} {tt / instances * 1e6:.0f}" for name, tt in sorted(by_package.items(),
                                                                               key=lambda kv: -kv[1]))]
        out += ["", f"{'cum µs':>8} {'self µs':>8} {'calls':>6}  function (top {top} by cumulative)"]
        ranked = sorted(entries.items(), key=lambda kv: -kv[1][3])
        for (filename, line, function), (_, calls, tt, ct, _) in ranked[:top]:
            where = f"{short_path(filename)}:{line}({function})" if filename != "~" else function
            out.append(f"{ct / instances * 1e6:>8.0f} {tt / instances * 1e6:>8.0f} {calls / instances:>6.1f}  {where}")
        out += ["", f"{'self µs':>8} {'calls':>6}  function (top {top} by self time)"]
        for (filename, line, function), (_, calls, tt, _, _) in sorted(entries.items(), key=lambda kv: -kv[1][2])[:top]:
            where = f"{short_path(filename)}:{line}({function})" if filename != "~" else function
            out.append(f"{tt / instances * 1e6:>8.0f} {calls / instances:>6.1f}  {where}")
    return "\n".join(out)


def short_path(filename: str) -> str:
    """A profiled file's path from its package: from site-packages, or from this checkout's root."""
    for marker in ("/site-packages/", f"{Path(__file__).resolve().parents[1]}/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


# --------------------------------------------------------------------------- entry point

def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tenth of the instances (a smoke run)")
    parser.add_argument("--reps", type=int, default=3, help="repeats per configuration; the median is shown")
    parser.add_argument("--only", nargs="+", choices=[x.key for x in TARGETS], help="measure only these databases")
    parser.add_argument("--profile", action="store_true",
                        help="per-step anatomy (SQLite NORMAL, PostgreSQL) and cProfile (SQLite NORMAL)")
    parser.add_argument("--profile-instances", type=int, default=500)
    parser.add_argument("--top", type=int, default=25, help="functions listed per step when profiling")
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="channelops-bench-") as tmp:
        directory = Path(tmp)
        if args.profile:
            print(anatomy(TARGETS[0], directory, args.profile_instances))
            if postgres_available():
                print()
                print(anatomy(TARGETS[2], directory, args.profile_instances))
            print()
            print(profile(directory, args.profile_instances, args.top))
            return 0
        selected = [x for x in TARGETS if not args.only or x.key in args.only]
        if any(x.key == "postgresql" for x in selected) and not postgres_available():
            log("PostgreSQL is not answering at 127.0.0.1:5432: skipped")
            selected = [x for x in selected if x.key != "postgresql"]
        began = time.perf_counter()
        rows: list[Row] = []
        for target in selected:
            rows += measure(target, directory, scale=10 if args.quick else 1, reps=args.reps, log=log)
        print(report(rows, reps=args.reps))
        print(f"\n(total {time.perf_counter() - began:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
