"""KPI benchmark: import 2,000 channels x 24 months of KPI rows from one CSV file, then evaluate a quarter.

Seeds 2,000 operating channels through the registry service (each with its lifecycle instance; not
timed). Then times, over R runs on fresh copies of the seeded database (median and each run):
  - import: `import_file` on a 48,000-row UTF-8 CSV (decode, parse, check every row, write all rows,
    mark late ones, audit), one transaction, as the CLI and the API do it;
  - evaluate: `evaluate_period` for the last quarter of the file on 2,000 channels (attainment, quarter
    results, ~5% of channels missing two quarters in a row -> yellow cards through the engine,
    lifecycle trends), one transaction.
Targets (SQLite): import >= 20,000 rows/s; a quarter's evaluation of 2,000 channels <= 2 s.

Run: .venv/bin/python bench/kpi.py [--runs 3] [--only sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from channelops.bootstrap import build_registry
from channels import periods
from channels.definitions import publish_channel_definitions
from channels.evaluation import evaluate_period
from channels.kpi_import import import_file
from channels.registry import create_channel
from workflows.adapters.calendar import BusinessCalendar
from workflows.adapters.clock import FixedClock
from workflows.domain.principals import SYSTEM
from workflows.persistence import migrate
from workflows.persistence.db import make_engine
from workflows.services.context import Services
from workflows.services.definitions import publish_shipped
from workflows.services.users import actor_for, add_user

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
CHANNELS, MONTHS = 2_000, 24
LAST_MONTH = "2026-10"
QUARTER = "2026-Q3"
TYPES = ("direct_store", "agent", "ecommerce", "social")


def services(url: str) -> Services:
    return Services(engine=make_engine(url), clock=FixedClock(NOW), calendar=BusinessCalendar(),
                    registry=build_registry())


def seed(url: str) -> None:
    migrate.upgrade(url)
    svc = services(url)
    publish_shipped(svc, actor=SYSTEM)
    publish_channel_definitions(svc)
    add_user(svc, actor=SYSTEM, login="bench_admin", is_admin=True)
    admin = actor_for(svc, login="bench_admin")
    for i in range(CHANNELS):
        create_channel(svc, actor=admin, values={"code": f"B-{i:05d}", "name": f"渠道{i}", "type": TYPES[i % 4],
                                                 "region": f"r{i % 12}", "activate": True})
    svc.engine.dispose()


def csv_file() -> bytes:
    rng = random.Random(5)
    months = [periods.shift_month(LAST_MONTH, -i) for i in range(MONTHS - 1, -1, -1)]
    weak = set(rng.sample(range(CHANNELS), CHANNELS // 20))  # ~5% miss Q2 and Q3: yellow cards
    lines = ["channel_code,period,sales_target,sales_actual,satisfaction,on_time_rate,return_rate,activity"]
    for i in range(CHANNELS):
        for month in months:
            late_bad = i in weak and periods.quarter_of(month) in ("2026-Q2", "2026-Q3")
            actual = rng.uniform(70, 95) if late_bad else rng.uniform(100, 125)
            lines.append(f"B-{i:05d},{month},100000,{actual * 1000:.2f},{rng.uniform(3.5, 5):.1f},"
                         f"{rng.uniform(85, 100):.1f},{rng.uniform(0, 6):.1f},{rng.randint(10, 900)}")
    return ("\n".join(lines) + "\n").encode()


def run_once(url: str, data: bytes) -> tuple[float, float, dict[str, int]]:
    svc = services(url)
    try:
        admin = actor_for(svc, login="bench_admin")
        started = time.perf_counter()
        result = import_file(svc, actor=admin, data=data, filename="bench.csv")
        imported = time.perf_counter() - started
        assert result.rows == CHANNELS * MONTHS
        started = time.perf_counter()
        evaluation = evaluate_period(svc, actor=SYSTEM, period=QUARTER)
        evaluated = time.perf_counter() - started
    finally:
        svc.engine.dispose()
    return imported, evaluated, evaluation.counts


def sqlite_runs(runs: int, data: bytes) -> list[tuple[float, float, dict[str, int]]]:
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template.db"
        seed(f"sqlite:///{template}")
        results = []
        for n in range(runs):
            copy = Path(tmp) / f"run{n}.db"
            shutil.copy(template, copy)
            results.append(run_once(f"sqlite:///{copy}", data))
        return results


def postgres_runs(runs: int, data: bytes) -> list[tuple[float, float, dict[str, int]]]:
    results = []
    for _ in range(runs):
        name = f"bench_kpi_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
            seed(url)
            results.append(run_once(url, data))
        finally:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    return results


def report(name: str, results: list[tuple[float, float, dict[str, int]]]) -> None:
    rows = CHANNELS * MONTHS
    rates = [rows / imported for imported, _, _ in results]
    evaluations = [evaluated for _, evaluated, _ in results]
    print(f"{name}: import {statistics.median(rates):,.0f} rows/s (runs: "
          f"{', '.join(f'{r:,.0f}' for r in rates)}); evaluate {QUARTER} on {CHANNELS} channels "
          f"{statistics.median(evaluations):.2f} s (runs: {', '.join(f'{e:.2f}' for e in evaluations)}); "
          f"outcomes {results[0][2]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="sqlite,postgresql")
    args = parser.parse_args()
    data = csv_file()
    print(f"file: {len(data) / 1e6:.1f} MB, {CHANNELS * MONTHS:,} rows")
    if "sqlite" in args.only:
        report("SQLite", sqlite_runs(args.runs, data))
    if "postgresql" in args.only:
        report("PostgreSQL", postgres_runs(args.runs, data))


if __name__ == "__main__":
    main()
