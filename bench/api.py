"""API benchmark: task completions over HTTP against a bare one-row-commit endpoint.

Starts `channelops.server:app_factory` with uvicorn as production would (--workers worker
processes), seeds submitted onboarding applications (three open review tasks each), then, on
SQLite and on PostgreSQL, after completing every task of 10 applications to warm each server up:
1. Closed loop: completes tasks for 5 s with wrk (Debian package `wrk`) at 32 and then 128
   connections, each task completed once. In the same run it serves `bench/bare_app.py` (one
   INSERT + one UPDATE per request on the same database, same uvicorn settings) and drives it
   the same way, so the ratio shows. The server's CPU time per request is read from /proc.
2. Open loop (`bench/openloop.py`): completions sent at a fixed rate, half of the closed-loop
   completions/s at 32 connections, for 10 s; latency counts from each request's due time.
The load generators share the machine: their CPU (wrk's and the open-loop generator's) is
printed too.

Run: .venv/bin/python bench/api.py [--quick] [--only sqlite,postgresql] [--workers 2] [--runs 3]
                                  [--applications 3500]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.security import create_access_token  # noqa: E402
from bench import openloop  # noqa: E402
from bench.wrk import wrk  # noqa: E402
from channelops.bootstrap import build_services, prepare_database  # noqa: E402
from channelops.settings import Settings  # noqa: E402
from workflows.domain.principals import SYSTEM  # noqa: E402
from workflows.services.instances import fire_trigger, start_instance  # noqa: E402
from workflows.services.queries import inbox  # noqa: E402
from workflows.services.users import actor_for, add_user  # noqa: E402

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
SECRET = "bench-secret-key-0123456789-0123456789-abcdef"
GROUPS = ("market", "sales", "finance")
SECONDS = 5
OPEN_SECONDS = 10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seed(url: str, applications: int) -> list[tuple[int, str]]:
    """Submitted onboarding applications; returns (task id, bearer token) for every open review task."""
    settings = Settings(database_url=url, secret_key=SECRET)
    svc = build_services(settings)
    prepare_database(svc, settings)
    add_user(svc, actor=SYSTEM, login="bench_manager", roles=["channel_manager"])
    manager = actor_for(svc, login="bench_manager")
    tokens = {}
    for group in GROUPS:
        user = add_user(svc, actor=SYSTEM, login=f"bench_{group}", groups=[group])
        tokens[group] = create_access_token(user_id=user.id, secret=SECRET, minutes=600)
    for i in range(applications):
        inst = start_instance(svc, actor=manager, workflow="channel_onboarding",
                              data={"channel_name": f"c{i}", "channel_type": "agent", "region": "east"})
        fire_trigger(svc, actor=manager, instance_id=inst.id, trigger="submit")
    work = []
    for group in GROUPS:
        reviewer = actor_for(svc, login=f"bench_{group}")
        page = inbox(svc, actor=reviewer, limit=applications * 2)
        work += [(task.id, tokens[group]) for task in page.items]
    svc.engine.dispose()
    # Interleave groups so the last approvals of an application (which move it) are spread out.
    work.sort(key=lambda item: item[0])
    return work


def start_server(app: str, url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CHANNELOPS_DATABASE_URL": url, "CHANNELOPS_SECRET_KEY": SECRET,
           "CHANNELOPS_ENVIRONMENT": "production", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", app, "--factory", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--log-level", "warning", "--no-access-log"],
        env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{app} did not start")


def rss_mb(process: subprocess.Popen[bytes]) -> float:
    """The largest resident set among the server's processes (master and workers), in MB."""
    pids = [process.pid]
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    sizes = []
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return max(sizes)


def cpu_seconds(process: subprocess.Popen[bytes]) -> float:
    """CPU time (user + system) used so far by the server's processes (master and workers)."""
    pids = [process.pid]
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total = 0.0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def measure(name: str, url: str, applications: int, workers: int) -> tuple[list[dict[str, float]], dict[str, float]]:
    """One run on a fresh database: a row of figures per client count, and the open-loop figures."""
    rows = []
    work = seed(url, applications)
    port, bare_port = free_port(), free_port()
    server = start_server("channelops.server:app_factory", url, port, workers)
    bare = start_server("bench.bare_app:app_factory", url, bare_port, workers)
    try:
        work = warm_up(port, bare_port, work)
        third = len(work) // 3
        for clients, batch in ((32, work[:third]), (128, work[third:2 * third])):
            completions = [(f"/api/v1/tasks/{task_id}/complete", f"Bearer {token}") for task_id, token in batch]
            cpu = cpu_seconds(server)
            done = wrk(f"http://127.0.0.1:{port}", completions, clients, SECONDS)
            cpu, bare_cpu = cpu_seconds(server) - cpu, cpu_seconds(bare)
            bare_done = wrk(f"http://127.0.0.1:{bare_port}/bare", [("/bare", "")], clients, SECONDS)
            bare_cpu = cpu_seconds(bare) - bare_cpu
            if done.get("count", 0) > len(batch):
                print(f"warning: {name} ran out of open tasks; raise --applications", flush=True)
            row = {"clients": clients, "rate": done["rate"], "p50": done["50%"], "p99": done["99%"],
                   "bare": bare_done["rate"], "bare_p99": bare_done["99%"],
                   "ratio": 100 * done["rate"] / bare_done["rate"], "rss": rss_mb(server), "non2xx": done["non2xx"],
                   "cpu_ms": 1000 * cpu / max(done["count"], 1),
                   "bare_cpu_ms": 1000 * bare_cpu / max(bare_done["count"], 1),
                   "wrk_cpu": done["wrk_cpu"]}
            print(_row(name, row), flush=True)
            rows.append(row)
        opened = open_loop(port, work[2 * third:], rate=rows[0]["rate"] / 2, server=server)
        print(f"open loop, {name}: {_open_row(opened)}", flush=True)
    finally:
        for process in (server, bare):
            process.terminate()
            process.wait(timeout=30)
    return rows, opened


def warm_up(port: int, bare_port: int, work: list[tuple[int, str]], applications: int = 10
            ) -> list[tuple[int, str]]:
    """Complete every task of the first `applications` (each server process compiles the definitions
    and fills its caches on first use), hit the bare endpoint as often; returns the tasks left."""
    with httpx.Client(timeout=60) as client:
        for task_id, token in work[:3 * applications]:
            client.post(f"http://127.0.0.1:{port}/api/v1/tasks/{task_id}/complete",
                        headers={"Authorization": f"Bearer {token}"}, json={"decision": "approve"}).raise_for_status()
            client.post(f"http://127.0.0.1:{bare_port}/bare").raise_for_status()
    return work[3 * applications:]


def open_loop(port: int, batch: list[tuple[int, str]], *, rate: float, server: subprocess.Popen[bytes]
              ) -> dict[str, float]:
    """Completions at a fixed `rate` for OPEN_SECONDS (each task once), latency from the due time."""
    count = int(rate * OPEN_SECONDS)
    if count > len(batch):
        print("warning: too few open tasks for the open-loop phase; raise --applications", flush=True)
    requests = [(f"POST /api/v1/tasks/{task_id}/complete",
                 f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n", b'{"decision": "approve"}')
                for task_id, token in batch[:count]]
    cpu = cpu_seconds(server)
    result = openloop.run(host="127.0.0.1", port=port, requests=requests, rate=rate)
    cpu = cpu_seconds(server) - cpu
    return {"rate": rate, "achieved": result.answered / result.seconds, "p50": result.quantile(0.5),
            "p90": result.quantile(0.9), "p99": result.quantile(0.99), "max": result.quantile(1.0),
            "non2xx": result.non2xx, "errors": result.errors, "late_p99": result.late_p99_ms,
            "gen_cpu": 100 * result.cpu_seconds / result.seconds, "gen_cpu_ms": result.cpu_per_request_ms,
            "cpu_ms": 1000 * cpu / max(result.sent, 1), "connections": result.connections}


def _row(name: str, row: dict[str, float], label: str = "") -> str:
    return (f"| {name}{label} | {row['clients']:.0f} | {row['rate']:,.0f} | {row['p50']:.1f} | {row['p99']:.1f} | "
            f"{row['bare']:,.0f} | {row['bare_p99']:.1f} | {row['ratio']:.0f}% | {row['cpu_ms']:.2f} | "
            f"{row['bare_cpu_ms']:.2f} | {row['wrk_cpu']:.0f}% | {row['rss']:.0f} | {row['non2xx']:.0f} |")


def _open_row(row: dict[str, float]) -> str:
    return (f"{row['rate']:,.0f}/s asked, {row['achieved']:,.0f}/s answered; latency p50 {row['p50']:.1f} ms, "
            f"p90 {row['p90']:.1f} ms, p99 {row['p99']:.1f} ms, max {row['max']:.1f} ms; non-2xx {row['non2xx']:.0f}, "
            f"errors {row['errors']:.0f}; server CPU {row['cpu_ms']:.2f} ms/request; generator CPU "
            f"{row['gen_cpu']:.0f}% of a core ({row['gen_cpu_ms']:.2f} ms/request), started late p99 "
            f"{row['late_p99']:.1f} ms, {row['connections']:.0f} connections")


def medians(name: str, runs: list[tuple[list[dict[str, float]], dict[str, float]]]) -> None:
    """Per client count, the median of every figure over the runs (the ratio: of the per-run ratios)."""
    for index in range(len(runs[0][0])):
        rows = [run[0][index] for run in runs]
        middle = {key: statistics.median(row[key] for row in rows) for key in rows[0]}
        print(_row(name, middle, f" (median of {len(runs)})"), flush=True)
    opened = [run[1] for run in runs]
    middle = {key: statistics.median(row[key] for row in opened) for key in opened[0]}
    print(f"open loop, {name} (median of {len(runs)}): {_open_row(middle)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer requests")
    parser.add_argument("--only", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers (SQLite has one writer: 1)")
    parser.add_argument("--applications", type=int, default=3500)
    parser.add_argument("--runs", type=int, default=1, help="repeat on a fresh database and give the medians")
    args = parser.parse_args()
    applications = args.applications // 3 if args.quick else args.applications
    only = set(args.only.split(","))
    print(f"uvicorn workers: {args.workers}; {applications * 3} open tasks per database, a third each for "
          f"32 connections and 128 ({SECONDS} s each), and for the open loop ({OPEN_SECONDS} s)")
    print("| database | clients | completions/s | p50 ms | p99 ms | bare req/s | bare p99 ms | ratio | "
          "server CPU ms/completion | server CPU ms/bare | wrk CPU | API RSS MB (max process) | non-2xx |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    if "sqlite" in only:
        runs = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                runs.append(measure("sqlite", f"sqlite:///{Path(tmp) / 'api.db'}", applications, args.workers))
        if args.runs > 1:
            medians("sqlite", runs)
    if "postgresql" in only:
        runs = []
        for _ in range(args.runs):
            db = f"channelops_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{db}"')
            try:
                runs.append(measure("postgresql", f"postgresql://postgres@127.0.0.1:5432/{db}", applications,
                                    args.workers))
            finally:
                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        if args.runs > 1:
            medians("postgresql", runs)
    print("targets: completions >= 40% of the bare endpoint (issue 12); open-loop p99 < 50 ms at half the "
          "closed-loop rate; API RSS <= 200 MB")


if __name__ == "__main__":
    main()
