"""Engine cost in CPU instructions, counted by valgrind: load-independent.

On a shared 2-core machine, timings of two versions drift by more than the 5% a change may cost.
An instruction count does not: valgrind (cachegrind, no cache simulation) counts the instructions
the Python process executes, whatever else runs. Three workloads, on SQLite NORMAL in one process:
- `complaint` (default): `bench/engine.py`'s own (start a complaint, acknowledge, resolve, close),
  run with `--warm` instances and with `--warm + --instances`; the difference divided by
  `--instances` is the cost of one instance, start-up and migrations excluded.
- `completion`: `bench/api.py`'s (onboarding applications under review, three departments' tasks
  each, seeded outside valgrind); the service call behind `POST /tasks/{id}/complete`, for the first
  `--warm` tasks and for `--warm + --instances` (two approvals that record a vote, one that moves
  the application and registers the channel, in turn); the difference per task.
- `http`: the same completions as `POST /tasks/{id}/complete` requests through the whole ASGI app in
  process (routing, middleware, authentication, body, answer; no sockets, no uvicorn), and as many
  requests to `bench/bare_app.py`'s endpoint: the API's own overhead, and the instruction ratio.
Waiting for the disk is not counted (SQLite NORMAL does not sync each commit).

    .venv/bin/python bench/instructions.py                       # this checkout
    .venv/bin/python bench/instructions.py --base ../other-tree  # and another checkout, side by side
    .venv/bin/python bench/instructions.py --workload completion --base ../other-tree
    .venv/bin/python bench/instructions.py --workload http

Needs `valgrind` (Debian package). A run takes minutes: Python under valgrind is ~50x slower.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Run in the tree being measured, with its own bench/engine.py (older trees have the same helpers).
CHILD = """
import random, sys, tempfile
from pathlib import Path
sys.path.insert(0, ".")
from bench import engine as E
warm, count = int(sys.argv[1]), int(sys.argv[2])
target = E.TARGETS[0]
with tempfile.TemporaryDirectory() as folder, E.database(target, Path(folder)) as url:
    svc = E.build_services(url, target.synchronous)
    E.prepare(svc)
    actor = E.actor_for(svc, login=E.ACTOR_LOGIN)
    rng = random.Random(0)
    for _ in range(warm + count):
        E.one_instance(svc, actor, rng.choice(E.SEVERITIES), None)
    svc.engine.dispose()
"""


# The service call behind `POST /tasks/{id}/complete`, for the first N open tasks in id order.
COMPLETIONS = """
import sys
sys.path.insert(0, ".")
from sqlalchemy import select
from bench.api import SECRET
from channelops.bootstrap import build_services
from channelops.settings import Settings
from workflows.persistence import tables as t
from workflows.services.tasks import complete_task
from workflows.services.users import actor_for
url, count = sys.argv[1], int(sys.argv[2])
svc = build_services(Settings(database_url=url, secret_key=SECRET))
reviewers = {group: actor_for(svc, login=f"bench_{group}") for group in ("market", "sales", "finance")}
with svc.engine.connect() as conn:
    tasks = conn.execute(select(t.tasks.c.id, t.tasks.c.candidate_group).where(t.tasks.c.status == "open")
                         .order_by(t.tasks.c.id).limit(count)).all()
for task in tasks:
    complete_task(svc, actor=reviewers[task.candidate_group], task_id=task.id, decision="approve")
svc.engine.dispose()
"""
# The same completions as `POST /tasks/{id}/complete` requests through the whole ASGI app, in process (no
# sockets, no uvicorn), or as many requests to bench/bare_app.py's endpoint: the API's own overhead.
HTTP = """
import asyncio, os, sys
sys.path.insert(0, ".")
from bench.api import SECRET
url, count, which = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.environ.update(CHANNELOPS_DATABASE_URL=url, CHANNELOPS_SECRET_KEY=SECRET, CHANNELOPS_ENVIRONMENT="production",
                  CHANNELOPS_ACTOR_CACHE_SECONDS="86400")  # no re-read of the reviewers while valgrind crawls
from sqlalchemy import create_engine, select
from api.security import create_access_token
from workflows.persistence import tables as t
with create_engine(url).connect() as conn:
    logins = dict(conn.execute(select(t.users.c.login, t.users.c.id)).all())
    tasks = conn.execute(select(t.tasks.c.id, t.tasks.c.candidate_group).where(t.tasks.c.status == "open")
                         .order_by(t.tasks.c.id).limit(count)).all()
tokens = {group: create_access_token(user_id=logins[f"bench_{group}"], secret=SECRET, minutes=600)
          for group in ("market", "sales", "finance")}
if which == "api":
    from channelops.server import app_factory
    calls = [(f"/api/v1/tasks/{task.id}/complete", tokens[task.candidate_group]) for task in tasks]
else:
    from bench.bare_app import app_factory
    calls = [("/bare", "")] * count
app = app_factory()
BODY = b'{"decision": "approve"}'

async def request(path, token):
    headers = [(b"host", b"bench"), (b"content-type", b"application/json"), (b"content-length", b"%d" % len(BODY)),
               (b"authorization", f"Bearer {token}".encode())]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"", "headers": headers,
             "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1024), "state": {}}
    messages = [{"type": "http.request", "body": BODY, "more_body": False}]
    statuses = []

    async def receive():
        return messages.pop() if messages else await asyncio.Event().wait()

    async def send(message):
        if message["type"] == "http.response.start":
            statuses.append(message["status"])
    await app(scope, receive, send)
    assert statuses == [200], (path, statuses)

async def main():
    events, started = asyncio.Queue(), asyncio.Event()
    await events.put({"type": "lifespan.startup"})

    async def sent(message):
        if message["type"] == "lifespan.startup.complete":
            started.set()
    lifespan = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, events.get, sent))
    await started.wait()
    for path, token in calls:
        await request(path, token)
    await events.put({"type": "lifespan.shutdown"})
    await lifespan
asyncio.run(main())
"""
SEED = "import sys; sys.path.insert(0, '.'); from bench.api import seed; seed(sys.argv[1], int(sys.argv[2]))"


def _python(tree: Path) -> str:
    python = tree / ".venv" / "bin" / "python"
    return str(python if python.exists() else sys.executable)


def instructions(tree: Path, child: str, *args: str) -> int:
    """Instructions executed by one child run in `tree` (valgrind's "I refs")."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "child.py"
        script.write_text(child)
        done = subprocess.run(
            ["valgrind", "--tool=cachegrind", "--cache-sim=no", f"--cachegrind-out-file={os.devnull}",
             _python(tree), str(script), *args],
            cwd=tree, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"}, check=False)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"valgrind run in {tree} failed:\n{done.stderr[-3000:]}")
    return int(found.group(1).replace(",", ""))


def per_instance(tree: Path, warm: int, count: int) -> float:
    return (instructions(tree, CHILD, str(warm), str(count)) - instructions(tree, CHILD, str(warm), "0")) / count


def per_completion(tree: Path, warm: int, count: int) -> float:
    """Each run completes tasks on its own copy of one seeded database (SQLite, WAL folded in)."""
    with tempfile.TemporaryDirectory() as folder:
        seeded = Path(folder) / "seeded.db"
        subprocess.run([_python(tree), "-c", SEED, f"sqlite:///{seeded}", str((warm + count) // 3 + 1)],
                       cwd=tree, check=True, capture_output=True)
        totals = []
        for tasks in (warm, warm + count):
            copy = Path(folder) / f"run{tasks}.db"
            with sqlite3.connect(seeded) as source, sqlite3.connect(copy) as target:
                source.backup(target)
            totals.append(instructions(tree, COMPLETIONS, f"sqlite:///{copy}", str(tasks)))
    return (totals[1] - totals[0]) / count


def per_request(tree: Path, warm: int, count: int) -> tuple[float, float]:
    """Instructions per completion request through the whole app, and per request to the bare endpoint."""
    with tempfile.TemporaryDirectory() as folder:
        seeded = Path(folder) / "seeded.db"
        subprocess.run([_python(tree), "-c", SEED, f"sqlite:///{seeded}", str((warm + count) // 3 + 1)],
                       cwd=tree, check=True, capture_output=True)
        costs = []
        for which in ("api", "bare"):
            totals = []
            for tasks in (warm, warm + count):
                copy = Path(folder) / f"{which}{tasks}.db"
                with sqlite3.connect(seeded) as source, sqlite3.connect(copy) as target:
                    source.backup(target)
                totals.append(instructions(tree, HTTP, f"sqlite:///{copy}", str(tasks), which))
            costs.append((totals[1] - totals[0]) / count)
    return costs[0], costs[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", type=Path, help="another checkout to measure beside this one")
    parser.add_argument("--workload", choices=("complaint", "completion", "http"), default="complaint")
    parser.add_argument("--warm", type=int, default=None,
                        help="instances (tasks) run before the counted ones (default 20; 30 tasks)")
    parser.add_argument("--instances", type=int, default=None,
                        help="instances (tasks) counted (default 100; 120 tasks)")
    args = parser.parse_args()
    trees = [("head", ROOT)] + ([("base", args.base.resolve())] if args.base else [])
    costs = {}
    for name, tree in trees:
        if args.workload == "complaint":
            costs[name] = per_instance(tree, args.warm or 20, args.instances or 100)
            print(f"{name}: {costs[name] / 1e6:.2f} M instructions per instance (4 transactions)", flush=True)
        elif args.workload == "http":
            costs[name], bare = per_request(tree, args.warm or 60, args.instances or 240)
            print(f"{name}: {costs[name] / 1e6:.2f} M instructions per completion request, {bare / 1e6:.2f} M per "
                  f"bare request ({100 * bare / costs[name]:.0f}%)", flush=True)
        else:
            costs[name] = per_completion(tree, args.warm or 30, args.instances or 120)
            print(f"{name}: {costs[name] / 1e6:.2f} M instructions per task completion", flush=True)
    if "base" in costs:
        print(f"head / base: {costs['head'] / costs['base']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
