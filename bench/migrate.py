"""Migration benchmark: a dry run and a real run over running complaint instances, in instances/s, beside
the engine benchmark's own rate (bench/engine.py, 1 and 2 processes) measured in the same run.

Per database: N complaint instances are started on version 1 (a third each in received, investigating
and waiting_customer, so SLA clocks run, pause and have timers); version 2 tightens every response and
resolution goal. The dry run plans every instance (one read transaction per 500); the real run moves
them one transaction each (tasks, timers and SLA clocks recomputed, audited), and is checked to have
moved every instance exactly once.

    PYTHONPATH=. .venv/bin/python bench/migrate.py                    # 10,000 instances per database
    PYTHONPATH=. .venv/bin/python bench/migrate.py --quick            # 1,000 instances, a short engine run
    PYTHONPATH=. .venv/bin/python bench/migrate.py --instances 200 --only sqlite-normal
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select

from bench import engine
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.definitions import publish_definition, shipped_source
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.migration import migrate_instances
from workflows.services.users import actor_for

# Version 2: tighter goals (complaints from direct stores, say, must be answered sooner).
TIGHTER = {"high: 4 working hours, normal: 8 working hours, low: 24 working hours":
           "high: 2 working hours, normal: 4 working hours, low: 16 working hours",
           "high: 24 working hours, normal: 72 working hours, low: 120 working hours":
           "high: 16 working hours, normal: 48 working hours, low: 96 working hours"}
WAYS = ((), ("acknowledge",), ("acknowledge", "wait_customer"))


@dataclass
class Result:
    label: str
    instances: int
    seed_seconds: float
    dry_seconds: float
    real_seconds: float
    engine_1p: float
    engine_2p: float

    @property
    def dry_rate(self) -> float:
        return self.instances / self.dry_seconds

    @property
    def real_rate(self) -> float:
        return self.instances / self.real_seconds


def version_two() -> str:
    source = shipped_source("complaint")
    for old, new in TIGHTER.items():
        if old not in source:
            raise RuntimeError(f"the shipped complaint goals changed; update TIGHTER ({old!r} not found)")
        source = source.replace(old, new)
    return source


def seed(svc: Services, count: int) -> None:
    actor = actor_for(svc, login=engine.ACTOR_LOGIN)
    for n in range(count):
        created = start_instance(svc, actor=actor, workflow=engine.WORKFLOW, subject={"type": "channel", "id": "b"},
                                 data={"severity": engine.SEVERITIES[n % 3], "summary": "migration benchmark"})
        for trigger in WAYS[n % len(WAYS)]:
            fire_trigger(svc, actor=actor, instance_id=created.id, trigger=trigger)


def on_version(svc: Services, version: int) -> int:
    with svc.uow(write=False) as uow:
        return int(uow.conn.execute(select(func.count()).select_from(t.instances).where(
            t.instances.c.workflow == engine.WORKFLOW, t.instances.c.definition_version == version)).scalar_one())


def migrated_once(svc: Services) -> tuple[int, int]:
    """(instances with a `migrated` audit row, instances with more than one)."""
    with svc.uow(write=False) as uow:
        per = (select(t.audit_events.c.instance_id, func.count().label("n"))
               .where(t.audit_events.c.action == "migrated").group_by(t.audit_events.c.instance_id).subquery())
        once = uow.conn.execute(select(func.count()).select_from(per)).scalar_one()
        twice = uow.conn.execute(select(func.count()).select_from(per).where(per.c.n > 1)).scalar_one()
        return int(once), int(twice)


def measure(target: engine.Target, directory: Path, *, instances: int, scale: int, reps: int,
            log: Callable[[str], None]) -> Result:
    with engine.database(target, directory) as url:
        svc = engine.build_services(url, target.synchronous)
        try:
            engine.prepare(svc)
            began = time.perf_counter()
            seed(svc, instances)
            seeded = time.perf_counter() - began
            publish_definition(svc, actor=SYSTEM, source=version_two())
            log(f"  {target.label}: {instances} instances seeded in {seeded:.0f} s")
            began = time.perf_counter()
            dry = migrate_instances(svc, actor=SYSTEM, workflow=engine.WORKFLOW, to_version=2, dry_run=True)
            dry_seconds = time.perf_counter() - began
            if dry.counts["ready"] != instances:
                raise RuntimeError(f"dry run: {dry.counts}, expected {instances} ready")
            began = time.perf_counter()
            real = migrate_instances(svc, actor=SYSTEM, workflow=engine.WORKFLOW, to_version=2)
            real_seconds = time.perf_counter() - began
            if real.counts["migrated"] != instances or on_version(svc, 2) != instances:
                raise RuntimeError(f"real run: {real.counts}, {on_version(svc, 2)} on version 2")
            if migrated_once(svc) != (instances, 0):
                raise RuntimeError(f"audit: {migrated_once(svc)} (instances migrated, migrated twice)")
            log(f"  {target.label}: dry run {instances / dry_seconds:.0f}/s, real run {instances / real_seconds:.0f}/s")
        finally:
            svc.engine.dispose()
    rows = engine.measure(target, directory, scale=scale, reps=reps, log=log)
    return Result(label=target.label, instances=instances, seed_seconds=seeded, dry_seconds=dry_seconds,
                  real_seconds=real_seconds, engine_1p=rows[0].rate, engine_2p=rows[1].rate)


def report(results: list[Result], *, reps: int) -> str:
    lines = [
        "instances/s: migration of running complaint instances from version 1 to 2 (1 process); engine = "
        f"bench/engine.py complete instances/s (4 transactions each), median of {reps} run(s), same run.",
        "",
        f"| {'database':<24} | instances | {'dry run/s':>10} | {'real run/s':>10} | {'engine 1p/s':>11} | "
        f"{'engine 2p/s':>11} |",
        f"|{'-' * 26}|-----------|{'-' * 12}|{'-' * 12}|{'-' * 13}|{'-' * 13}|",
    ]
    for r in results:
        lines.append(f"| {r.label:<24} | {r.instances:>9} | {r.dry_rate:>10.0f} | {r.real_rate:>10.0f} | "
                     f"{r.engine_1p:>11.0f} | {r.engine_2p:>11.0f} |")
    lines += ["", "Seconds: " + "; ".join(f"{r.label}: seed {r.seed_seconds:.1f}, dry {r.dry_seconds:.2f}, "
                                          f"real {r.real_seconds:.2f}" for r in results)]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, default=None, help="running instances per database (10,000)")
    parser.add_argument("--quick", action="store_true", help="1,000 instances and a tenth of the engine run")
    parser.add_argument("--reps", type=int, default=1, help="engine runs per configuration; the median is shown")
    parser.add_argument("--only", nargs="+", choices=[x.key for x in engine.TARGETS], help="only these databases")
    args = parser.parse_args(argv)
    instances = args.instances or (1000 if args.quick else 10_000)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    selected = [x for x in engine.TARGETS if not args.only or x.key in args.only]
    if any(x.key == "postgresql" for x in selected) and not engine.postgres_available():
        log("PostgreSQL is not answering at 127.0.0.1:5432: skipped")
        selected = [x for x in selected if x.key != "postgresql"]
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="channelops-bench-") as tmp:
        results = [measure(target, Path(tmp), instances=instances, scale=10 if args.quick else 1, reps=args.reps,
                           log=log) for target in selected]
    print(report(results, reps=args.reps))
    print(f"\n(total {time.perf_counter() - began:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
