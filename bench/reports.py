"""Reports and exports benchmark on PostgreSQL: 50,000 instances, 100,000 tasks, 30,000 SLA clocks and
1,000,000 audit rows, seeded in SQL (INSERT ... SELECT generate_series), against `channelops serve`.

Times over HTTP (medians of --runs):
- `GET /api/v1/reports/compliance?period=<this month>` and `GET /api/v1/reports/process?workflow=complaint`
  (a missing endpoint is skipped with a line saying so);
- `GET /api/v1/exports/audit?format=csv` of the 1,000,000 audit rows, streamed and counted, while the
  server's resident memory (the `channelops serve` process and its children) is sampled every 20 ms:
  rows/s and peak RSS. The goal: the reports answer in <= 1 s, the export's peak RSS stays < 200 MB.

Run: .venv/bin/python bench/reports.py [--runs 3] [--audit 1000000] [--instances 50000] [--xlsx]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.security import create_access_token  # noqa: E402
from bench.serve import start_serve  # noqa: E402
from channelops.bootstrap import build_services, prepare_database  # noqa: E402
from channelops.settings import Settings  # noqa: E402
from workflows.domain.principals import SYSTEM  # noqa: E402
from workflows.services.users import add_user  # noqa: E402

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
SECRET = "bench-secret-key-0123456789-0123456789-abcdef"
RSS_LIMIT_MB = 200
REPORT_LIMIT_S = 1.0

SEED = """
CREATE TEMP TABLE base AS
SELECT g, g %% 5 < 3 AS complaint, (g / 5) %% 6 AS k,
       (now() AT TIME ZONE 'UTC') - make_interval(secs => (g * 631) %% (365 * 86400)) AS t0
FROM generate_series(1, %(instances)s) g;

INSERT INTO workflow_instances (id, definition_id, workflow, definition_version, state, status, data, requester_id,
                                revision, created_at, updated_at, state_entered_at, closed_at)
SELECT g, CASE WHEN complaint THEN %(complaint_id)s ELSE %(onboarding_id)s END,
       CASE WHEN complaint THEN 'complaint' ELSE 'channel_onboarding' END, 1,
       CASE WHEN complaint
            THEN (ARRAY['received','investigating','waiting_customer','resolved','closed','closed'])[k + 1]
            ELSE (ARRAY['under_review','changes_requested','under_review','approved','approved','rejected'])[k + 1] END,
       CASE WHEN k >= 4 OR (NOT complaint AND k = 3) THEN 'completed' ELSE 'active' END,
       '{"severity": "high", "channel_name": "杭州直营店"}', %(requester)s, 20,
       t0, t0 + interval '3 days', t0 + interval '1 day',
       CASE WHEN k >= 4 OR (NOT complaint AND k = 3) THEN t0 + interval '3 days' END
FROM base;
SELECT setval(pg_get_serial_sequence('workflow_instances', 'id'), %(instances)s);

INSERT INTO tasks (instance_id, name, entry, candidate_group, original_group, assignee_id, status, decision,
                   payload, completed_by, completed_at, created_at, due_at, escalated_at)
SELECT g, 'review', 1, grp, grp, NULL,
       CASE WHEN (g + n) %% 10 < 8 THEN 'completed' ELSE 'open' END,
       CASE WHEN (g + n) %% 10 < 8 THEN (ARRAY['approve','approve','request_changes','reject'])[1 + g %% 4] END,
       '{}', CASE WHEN (g + n) %% 10 < 8 THEN %(reviewer)s END,
       CASE WHEN (g + n) %% 10 < 8 THEN t0 + make_interval(hours => (g + n) %% 50) END,
       t0, t0 + interval '1 day', CASE WHEN (g + n) %% 17 = 0 THEN t0 + interval '1 day' END
FROM base, generate_series(0, 1) n,
     LATERAL (SELECT (ARRAY['market','sales','finance','it'])[1 + (g + n) %% 4] AS grp) x;

INSERT INTO sla_clocks (instance_id, workflow, goal, working, target_seconds, used_seconds, status, started_at,
                        running_since, due_at, stopped_at, breached_at)
SELECT g, 'complaint', goal, true, target, used,
       CASE WHEN k < 2 THEN 'running' WHEN used > target THEN 'breached' ELSE 'met' END,
       t0, CASE WHEN k < 2 THEN t0 END, t0 + make_interval(secs => target),
       CASE WHEN k >= 2 THEN t0 + make_interval(secs => used) END,
       CASE WHEN used > target THEN t0 + make_interval(secs => target) END
FROM base, LATERAL (VALUES ('first_response', 4 * 3600, (g %% 6) * 3600),
                           ('resolution', 40 * 3600, (g %% 50) * 3600)) AS c(goal, target, used)
WHERE complaint;

INSERT INTO audit_events (at, actor_id, actor_login, entity_type, entity_id, instance_id, action, from_state,
                          to_state, trigger, comment, data)
SELECT b.t0 + make_interval(hours => e.step), %(reviewer)s, 'bench_reviewer', 'instance', b.g::text, b.g,
       CASE WHEN e.step = 0 THEN 'started' ELSE 'transition' END,
       CASE WHEN e.step = 0 THEN NULL WHEN b.complaint THEN c.src[1 + e.step %% 3] ELSE o.src[1 + e.step %% 2] END,
       CASE WHEN e.step = 0 AND b.complaint THEN 'received' WHEN e.step = 0 THEN 'under_review'
            WHEN b.complaint THEN c.dst[1 + e.step %% 3] ELSE o.dst[1 + e.step %% 2] END,
       CASE WHEN e.step = 0 THEN NULL WHEN b.complaint THEN c.trg[1 + e.step %% 3] ELSE o.trg[1 + e.step %% 2] END,
       CASE WHEN e.n %% 7 = 0 THEN '已联系客户，等待回复' END, json_build_object('n', e.n)
FROM (SELECT n, (n - 1) %% %(instances)s + 1 AS g, (n - 1) / %(instances)s AS step
      FROM generate_series(1, %(audit)s) n) e
JOIN base b ON b.g = e.g,
     (SELECT ARRAY['waiting_customer','investigating','investigating'] AS src,
             ARRAY['investigating','waiting_customer','investigating'] AS dst,
             ARRAY['customer_replied','wait_customer','reopen'] AS trg) c,
     (SELECT ARRAY['changes_requested','under_review'] AS src, ARRAY['under_review','changes_requested'] AS dst,
             ARRAY['resubmit','request_changes'] AS trg) o;
ANALYZE;
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seed(url: str, name: str, *, instances: int, audit: int) -> dict[str, str]:
    """Migrate, publish, add the bench users, then seed in SQL; returns bearer tokens by role."""
    settings = Settings(database_url=url, secret_key=SECRET)
    svc = build_services(settings)
    prepare_database(svc, settings)
    groups = {"committee": ["committee"], "reviewer": ["finance"]}
    users = {role: add_user(svc, actor=SYSTEM, login=f"bench_{role}", roles=[role] if role != "reviewer" else [],
                            groups=groups.get(role, []))
             for role in ("viewer", "committee", "reviewer", "channel_manager")}
    svc.engine.dispose()
    with psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={name}", autocommit=True) as conn:
        ids = dict(conn.execute("SELECT name, max(id) FROM workflow_definitions GROUP BY name").fetchall())
        started = time.perf_counter()
        conn.execute(SEED % {"instances": instances, "audit": audit, "complaint_id": ids["complaint"],
                             "onboarding_id": ids["channel_onboarding"], "requester": users["channel_manager"].id,
                             "reviewer": users["reviewer"].id})
        count = conn.execute("SELECT count(*) FROM audit_events").fetchone()
        print(f"seeded {instances:,} instances, {count[0] if count else 0:,} audit rows in "
              f"{time.perf_counter() - started:.1f} s")
    return {role: create_access_token(user_id=user.id, secret=SECRET, minutes=600) for role, user in users.items()}


def rss_mb(pid: int) -> float:
    """Resident memory of `pid` and its children, in MB."""
    total = 0.0
    children = Path(f"/proc/{pid}/task/{pid}/children")
    pids = [pid] + ([int(p) for p in children.read_text().split()] if children.exists() else [])
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except FileNotFoundError:
            continue
    return total


class Sampler(threading.Thread):
    """Samples the server's RSS every 20 ms until stopped; `peak` is the largest seen."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self._done = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(0.02)

    def stop(self) -> float:
        self._done.set()
        self.join()
        return max(self.peak, rss_mb(self.pid))


def time_report(base: str, path: str, token: str, runs: int, paths: set[str]) -> None:
    route = path.split("?")[0]
    if route not in paths:
        print(f"{route}: skipped, the endpoint is not in this build (it comes with the reports branch)")
        return
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        response = httpx.get(base + path, headers={"Authorization": f"Bearer {token}"}, timeout=600)
        seconds.append(time.perf_counter() - started)
        if response.status_code != 200:
            print(f"{route}: {response.status_code} {response.text[:300]}")
            return
    median = statistics.median(seconds)
    verdict = "ok" if median <= REPORT_LIMIT_S else f"over the {REPORT_LIMIT_S:.0f} s goal"
    print(f"{path}: median {median * 1000:.0f} ms of {runs} ({', '.join(f'{s * 1000:.0f}' for s in seconds)}) "
          f"{verdict}")


def time_export(base: str, token: str, pid: int, *, runs: int, format: str) -> None:
    results = []
    for _ in range(runs):
        idle = rss_mb(pid)
        sampler = Sampler(pid)
        sampler.start()
        started, size, lines = time.perf_counter(), 0, 0
        with httpx.stream("GET", f"{base}/api/v1/exports/audit?format={format}&lang=zh",
                          headers={"Authorization": f"Bearer {token}"}, timeout=3600) as response:
            response.raise_for_status()
            for chunk in response.iter_raw():
                size += len(chunk)
                lines += chunk.count(b"\n")
        seconds = time.perf_counter() - started
        peak = sampler.stop()
        rows = lines - 1 if format == "csv" else 0
        results.append((seconds, rows, size, idle, peak))
        rate = f"{rows / seconds:,.0f} rows/s" if rows else "rows not counted (xlsx)"
        print(f"  export {format}: {seconds:.1f} s, {rows:,} rows, {size / 1e6:.0f} MB, {rate}; "
              f"RSS {idle:.0f} MB before, peak {peak:.0f} MB")
    seconds = statistics.median(r[0] for r in results)
    rows = results[0][1]
    peak = max(r[4] for r in results)
    verdict = "ok" if peak < RSS_LIMIT_MB else f"OVER the {RSS_LIMIT_MB} MB goal"
    rate = f", {rows / seconds:,.0f} rows/s" if rows else ""
    print(f"GET /api/v1/exports/audit?format={format}: median {seconds:.1f} s of {runs}{rate}; "
          f"peak RSS {peak:.0f} MB (largest of the runs) {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--instances", type=int, default=50_000)
    parser.add_argument("--audit", type=int, default=1_000_000)
    parser.add_argument("--xlsx", action="store_true", help="also export the audit rows as XLSX")
    args = parser.parse_args()
    name = f"channelops_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    server = None
    try:
        tokens = seed(url, name, instances=args.instances, audit=args.audit)
        port = free_port()
        server = start_serve(url, port, secret=SECRET)
        base = f"http://127.0.0.1:{port}"
        paths = set(httpx.get(f"{base}/openapi.json", timeout=120).json()["paths"])
        month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
        # The export first, on the fresh process: its own memory is what is judged. The reports after it
        # leave the process larger (see RESULTS.md), which is printed too.
        for format in ("csv", "xlsx") if args.xlsx else ("csv",):
            time_export(base, tokens["viewer"], server.pid, runs=args.runs, format=format)
        time_report(base, f"/api/v1/reports/compliance?period={month}", tokens["committee"], args.runs, paths)
        time_report(base, "/api/v1/reports/process?workflow=complaint", tokens["committee"], args.runs, paths)
        print(f"API process RSS after the reports: {rss_mb(server.pid):.0f} MB")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
