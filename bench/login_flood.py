"""Login flood beside inbox reads: does hashing wrong passwords starve other users' requests?

Starts the API with uvicorn (one process, as `channelops serve` does), seeds a reader and a user
with a password, then reads the reader's inbox (`GET /api/v1/tasks`) one request after another
for --seconds, first alone, then while --flooders threads post wrong passwords to
`/api/v1/auth/token` as fast as they are answered. Prints the inbox read's median and 90th
percentile in each phase and what the flood was answered.

`--no-throttle` raises the failed-login limits out of reach, so every flooding request checks a
password (the worst case for the password-check pool); without it the default limits apply and
the flood is soon answered 429 without hashing.

Run: .venv/bin/python bench/login_flood.py [--database sqlite|postgresql] [--seconds 10] [--flooders 4]
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.security import create_access_token  # noqa: E402
from bench.api import PG_ADMIN, SECRET, free_port, start_server  # noqa: E402
from channelops.bootstrap import build_services, prepare_database  # noqa: E402
from channelops.settings import Settings  # noqa: E402
from workflows.domain.principals import SYSTEM  # noqa: E402
from workflows.services.users import add_user  # noqa: E402


def seed(url: str) -> str:
    """A reader (finance) and a user with a password; returns the reader's bearer token."""
    settings = Settings(database_url=url, secret_key=SECRET)
    svc = build_services(settings)
    prepare_database(svc, settings)
    reader = add_user(svc, actor=SYSTEM, login="bench_reader", groups=["finance"])
    add_user(svc, actor=SYSTEM, login="bench_victim", groups=["sales"], password="the right password")
    svc.engine.dispose()
    return create_access_token(user_id=reader.id, secret=SECRET, minutes=600)


def read_inbox(base: str, token: str, seconds: float) -> list[float]:
    """Milliseconds per inbox read, reading one after another for `seconds`."""
    took = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            start = time.perf_counter()
            assert client.get("/api/v1/tasks").status_code == 200
            took.append((time.perf_counter() - start) * 1000)
    return took


def flood(base: str, stop: threading.Event, statuses: collections.Counter[int]) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        while not stop.is_set():
            answer = client.post("/api/v1/auth/token", data={"username": "bench_victim", "password": "wrong"})
            statuses[answer.status_code] += 1


def measure(base: str, token: str, *, seconds: float, flooders: int) -> tuple[list[float], collections.Counter[int]]:
    statuses: collections.Counter[int] = collections.Counter()
    stop = threading.Event()
    threads = [threading.Thread(target=flood, args=(base, stop, statuses)) for _ in range(flooders)]
    for thread in threads:
        thread.start()
    time.sleep(1 if flooders else 0)  # let the flood build up
    try:
        took = read_inbox(base, token, seconds)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    return took, statuses


def database(kind: str, folder: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder / 'flood.db'}"
    name = f"channelops_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--flooders", type=int, default=4)
    parser.add_argument("--no-throttle", action="store_true")
    args = parser.parse_args()
    if args.no_throttle:
        os.environ["CHANNELOPS_LOGIN_ATTEMPTS"] = os.environ["CHANNELOPS_LOGIN_ADDRESS_ATTEMPTS"] = "1000000000"
    with tempfile.TemporaryDirectory() as folder:
        url = database(args.database, Path(folder))
        token = seed(url)
        port = free_port()
        server = start_server("channelops.server:app_factory", url, port, workers=1)
        base = f"http://127.0.0.1:{port}"
        try:
            for flooders in (0, args.flooders):
                took, statuses = measure(base, token, seconds=args.seconds, flooders=flooders)
                p90 = statistics.quantiles(took, n=10)[-1] if len(took) > 1 else took[0]
                flood_text = ", ".join(f"{n}×{code}" for code, n in sorted(statuses.items())) or "-"
                print(f"{args.database:10} flooders={flooders}  inbox reads={len(took):5}  "
                      f"median={statistics.median(took):7.1f} ms  p90={p90:7.1f} ms  flood: {flood_text}")
        finally:
            server.terminate()
            server.wait(10)
            if args.database == "postgresql":
                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


if __name__ == "__main__":
    main()
