"""Hostile-input bench: the attack set of issue 13 against a running `channelops serve`.

Starts `channelops serve` (embedded scheduler off) on a fresh SQLite file or PostgreSQL database,
seeds an admin, a channel manager, a reviewer and an inbox user (with passwords), then runs each
attack and prints, per attack, the statuses, the wall time and the peak RSS of the API process
(VmHWM, reset before each attack through /proc/PID/clear_refs; VmRSS sampled every 10 ms as well).
Loopback only, bounded loops. Given `--url` and `--pid` it attacks a server already running
(seeded by `--seed` against its database first).

Run: .venv/bin/python bench/hostile.py [--only sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import select
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.security import create_access_token  # noqa: E402
from bench.api import PG_ADMIN, free_port  # noqa: E402
from bench.serve import start_serve  # noqa: E402
from channelops.bootstrap import build_services, prepare_database  # noqa: E402
from channelops.settings import Settings  # noqa: E402
from workflows.domain.principals import SYSTEM  # noqa: E402
from workflows.services.users import actor_for, add_user  # noqa: E402

SECRET = "hostile-bench-secret-0123456789-0123456789-abcdef"
PASSWORD = "correct horse battery staple"
YAML = {"Content-Type": "application/yaml"}
ALIAS_BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True))
)
DEEPER_BOMB = ALIAS_BOMB + "j: &j [*i,*i,*i,*i,*i,*i,*i,*i,*i]\n"
HEADERS = ("content-security-policy", "x-frame-options", "x-content-type-options", "referrer-policy")


@dataclass
class Outcome:
    statuses: Counter[str] = field(default_factory=Counter)
    note: str = ""


class Server:
    """The API process under attack: its URL and pid."""

    def __init__(self, url: str, pid: int) -> None:
        self.url = url
        self.pid = pid

    def status_kb(self, key: str) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
        return 0

    @contextmanager
    def peak_rss(self) -> Iterator[dict[str, float]]:
        """Yields a dict filled on exit with `mb`: the peak RSS during the block."""
        found: dict[str, float] = {}
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS
            hwm = True
        except OSError:
            hwm = False
        sampled = [self.status_kb("VmRSS")]
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(0.01):
                sampled.append(self.status_kb("VmRSS"))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            yield found
        finally:
            stop.set()
            sampler.join()
            peak = max(max(sampled), self.status_kb("VmHWM") if hwm else 0)
            found["mb"] = peak / 1024


def seed(database_url: str) -> dict[str, str]:
    """Users for the attacks; returns bearer headers by role name."""
    settings = Settings(database_url=database_url, secret_key=SECRET)
    svc = build_services(settings)
    prepare_database(svc, settings)
    logins = {"admin": {"is_admin": True}, "manager": {"roles": ["channel_manager"]},
              "reviewer": {"roles": ["reviewer"]}, "reader": {"roles": ["channel_manager"]}}
    headers = {}
    for name, extra in logins.items():
        add_user(svc, actor=SYSTEM, login=f"hostile_{name}", password=PASSWORD, **extra)  # type: ignore[arg-type]
        user_id = actor_for(svc, login=f"hostile_{name}").id
        assert user_id is not None
        token = create_access_token(user_id=user_id, secret=SECRET, minutes=120)
        headers[name] = f"Bearer {token}"
    svc.engine.dispose()
    return headers


def post(client: httpx.Client, path: str, outcome: Outcome, **kwargs: object) -> httpx.Response | None:
    try:
        response = client.post(path, **kwargs)  # type: ignore[arg-type]
    except httpx.HTTPError as exc:
        outcome.statuses[type(exc).__name__] += 1
        return None
    outcome.statuses[str(response.status_code)] += 1
    return response


def raw_post(base: httpx.URL, path: str, headers: dict[str, str], body: bytes) -> tuple[str, int]:
    """POST over a plain socket, sending the body in 64 KB pieces only while the server has not
    answered; returns the status and how many body bytes went out before the answer (a server that
    refuses before reading answers long before a large body is sent)."""
    host, port = base.host, base.port or 80
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n")
    sent = 0
    with socket.create_connection((host, port), timeout=120) as sock:
        sock.sendall(head.encode())
        view = memoryview(body)
        while True:
            readable, writable, _ = select.select([sock], [sock] if sent < len(body) else [], [], 120)
            if readable or not writable:
                break
            try:
                sent += sock.send(view[sent:sent + 65536])
            except OSError:
                break
        answer = sock.recv(4096)
    parts = answer.split(b" ", 2)
    return (parts[1].decode() if len(parts) > 1 else "no answer"), sent


def big_body(body: bytes, path: str, who: str, content_type: str) -> Callable[[httpx.Client, dict[str, str]], Outcome]:
    def attack(client: httpx.Client, auth: dict[str, str]) -> Outcome:
        outcome = Outcome()
        status, sent = raw_post(client.base_url, path, {"Authorization": auth[who], "Content-Type": content_type}, body)
        outcome.statuses[status] += 1
        outcome.note = f"{len(body) / 2**20:.0f} MB body, {sent / 2**20:.1f} MB of it sent before the answer"
        return outcome

    return attack


def yaml_attack(text: str, path: str) -> Callable[[httpx.Client, dict[str, str]], Outcome]:
    def attack(client: httpx.Client, auth: dict[str, str]) -> Outcome:
        outcome = Outcome()
        answer = post(client, path, outcome, content=text, headers={"Authorization": auth["admin"], **YAML})
        if answer is not None and answer.headers.get("content-type") == "application/problem+json":
            errors = answer.json().get("errors") or [{"message": answer.json().get("detail", "")}]
            outcome.note = f"{len(text):,} bytes; {errors[0].get('message', '')[:70]}"
        return outcome

    return attack


def deep_json(depth: int) -> Callable[[httpx.Client, dict[str, str]], Outcome]:
    def attack(client: httpx.Client, auth: dict[str, str]) -> Outcome:
        outcome = Outcome()
        body = ('{"workflow": "complaint", "data": {"severity": "low", "x": ' + '{"a": ' * depth + "1"
                + "}" * depth + "}}")
        answer = post(client, "/api/v1/instances", outcome, content=body,
                      headers={"Authorization": auth["manager"], "Content-Type": "application/json"})
        if answer is not None:
            outcome.note = f"{depth} deep; " + str((answer.json().get("errors") or [{}])[0].get("path", ""))[:40]
        return outcome

    return attack


def login_flood(client: httpx.Client, auth: dict[str, str]) -> Outcome:
    """100 wrong passwords from 4 threads while another user reads the inbox; inbox medians before and during."""
    outcome = Outcome()

    def inbox_ms(reader: httpx.Client, stop: threading.Event | None, rounds: int) -> list[float]:
        times = []
        for _ in range(rounds):
            if stop is not None and stop.is_set():
                break
            started = time.perf_counter()
            reader.get("/api/v1/tasks", headers={"Authorization": auth["reader"]})
            times.append((time.perf_counter() - started) * 1000)
        return times

    with httpx.Client(base_url=client.base_url, timeout=30) as reader:
        before = inbox_ms(reader, None, 20)
        stop = threading.Event()
        during: list[float] = []
        watcher = threading.Thread(target=lambda: during.extend(inbox_ms(reader, stop, 2000)))
        watcher.start()
        lock = threading.Lock()

        def flood() -> None:
            with httpx.Client(base_url=client.base_url, timeout=30) as attacker:
                for _ in range(25):
                    try:
                        status = str(attacker.post("/api/v1/auth/token", data={
                            "username": "hostile_manager", "password": "wrong"}).status_code)
                    except httpx.HTTPError as exc:
                        status = type(exc).__name__
                    with lock:
                        outcome.statuses[status] += 1

        floods = [threading.Thread(target=flood) for _ in range(4)]
        for thread in floods:
            thread.start()
        for thread in floods:
            thread.join()
        stop.set()
        watcher.join()
    outcome.note = (f"inbox median {statistics.median(before):.0f} ms before, "
                    f"{statistics.median(during or [0]):.0f} ms during ({len(during)} reads)")
    return outcome


class Browser:
    """Keeps cookies itself: in production the session cookie is `Secure`, which httpx keeps off http://."""

    def __init__(self, base_url: httpx.URL | str) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=30)
        self.cookies: dict[str, str] = {}

    def send(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.client.request(method, path, headers={"Cookie": cookie}, **kwargs)  # type: ignore[arg-type]
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response

    def csrf(self, path: str) -> str:
        page = self.send("GET", path).text
        return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0] if "csrf_token" in page else ""


def copied_cookie(client: httpx.Client, auth: dict[str, str]) -> Outcome:
    """Log in through the form, copy the session cookie, log out, then use the copy."""
    outcome = Outcome()
    browser = Browser(client.base_url)
    login = browser.send("POST", "/login", data={"username": "hostile_manager", "password": PASSWORD,
                                                 "csrf_token": browser.csrf("/login")})
    outcome.statuses[f"login:{login.status_code}"] += 1
    copied = dict(browser.cookies)
    thief = Browser(client.base_url)
    thief.cookies = dict(copied)
    before = thief.send("GET", "/inbox").status_code
    outcome.statuses[f"copy before logout:{before}"] += 1
    logout = browser.send("POST", "/logout", data={"csrf_token": browser.csrf("/inbox")})
    outcome.statuses[f"logout:{logout.status_code}"] += 1
    thief.cookies = dict(copied)
    status = thief.send("GET", "/inbox", follow_redirects=False).status_code
    outcome.statuses[f"copy after logout:{status}"] += 1
    if before != 200:
        outcome.note = "could not run: the copied cookie did not open /inbox before the logout"
    else:
        outcome.note = "copied cookie after logout: " + ("still opens /inbox" if status == 200 else "refused")
    return outcome


def security_headers(client: httpx.Client, auth: dict[str, str]) -> Outcome:
    outcome = Outcome()
    response = client.get("/login")
    outcome.statuses[str(response.status_code)] += 1
    missing = [h for h in HEADERS if h not in response.headers]
    outcome.note = "all present" if not missing else "missing: " + ", ".join(missing)
    return outcome


def concurrent_idempotency(client: httpx.Client, auth: dict[str, str]) -> Outcome:
    outcome = Outcome()
    key = f"hostile-{uuid.uuid4().hex[:8]}"
    bodies: list[str] = []
    barrier = threading.Barrier(20)
    lock = threading.Lock()

    def call() -> None:
        with httpx.Client(base_url=client.base_url, timeout=60) as caller:
            barrier.wait()
            answer = post(caller, "/api/v1/instances", outcome, json={"workflow": "complaint",
                                                                      "data": {"severity": "high"}},
                          headers={"Authorization": auth["manager"], "Idempotency-Key": key})
            if answer is not None and answer.status_code == 201:
                with lock:
                    bodies.append(answer.text)

    threads = [threading.Thread(target=call) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcome.note = f"{len(set(bodies))} distinct 201 bodies"
    return outcome


ATTACKS: list[tuple[str, Callable[[httpx.Client, dict[str, str]], Outcome]]] = [
    ("alias bomb (validate)", yaml_attack(ALIAS_BOMB, "/api/v1/workflows/validate")),
    ("deeper alias bomb (publish)", yaml_attack(DEEPER_BOMB, "/api/v1/workflows")),
    ("20 MB YAML (publish)", big_body(("name: huge\nfields:\n" + "".join(
        f"  a_field_number_{i:09}: {{type: string}}\n" for i in range(480_000))).encode(), "/api/v1/workflows",
        "admin", "application/yaml")),
    ("YAML 600 deep (validate)", yaml_attack("name: deep\nstates: " + "[" * 600 + "]" * 600 + "\n",
                                             "/api/v1/workflows/validate")),
    ("JSON data 300 deep", deep_json(300)),
    ("JSON data 999 deep", deep_json(999)),
    ("60 MB instance data (reviewer)", big_body(
        b'{"workflow": "complaint", "data": {"severity": "low", "summary": "' + b"x" * 60_000_000 + b'"}}',
        "/api/v1/instances", "reviewer", "application/json")),
    ("security headers (/login)", security_headers),
    ("20 concurrent same Idempotency-Key", concurrent_idempotency),
    # Last but one: logging out ends the sessions (and tokens) of the user the other attacks use.
    ("copied cookie after logout", copied_cookie),
    # Last: the flood locks the bench's client address out of logging in for a while.
    ("login flood 100 wrong", login_flood),
]


def run(name: str, server: Server, auth: dict[str, str]) -> None:
    with httpx.Client(base_url=server.url, timeout=180) as client:
        health = client.get("/health").status_code
        print(f"\n{name}: {server.url} (pid {server.pid}), /health {health}, "
              f"RSS at rest {server.status_kb('VmRSS') / 1024:.0f} MB")
        print("| attack | statuses | time s | peak RSS MB | note |")
        print("|---|---|---|---|---|")
        for label, attack in ATTACKS:
            with server.peak_rss() as peak:
                started = time.perf_counter()
                outcome = attack(client, auth)
                elapsed = time.perf_counter() - started
            statuses = ", ".join(f"{count}×{status}" for status, count in sorted(outcome.statuses.items()))
            print(f"| {label} | {statuses} | {elapsed:.2f} | {peak['mb']:.0f} | {outcome.note} |", flush=True)
        print(f"/health after: {client.get('/health').status_code}")


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'hostile.db'}"
        return
    name = f"channelops_hostile_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="sqlite,postgresql")
    parser.add_argument("--url", help="attack this running server (loopback) instead of starting one")
    parser.add_argument("--pid", type=int, help="with --url: the server's process id, for its RSS")
    parser.add_argument("--seed", help="with --url: the server's database URL, to add the bench users")
    args = parser.parse_args()
    if args.url:
        if not args.url.startswith(("http://127.0.0.1", "http://localhost")) or not args.pid or not args.seed:
            parser.error("--url must be on the loopback, with --pid and --seed")
        run("given server", Server(args.url, args.pid), seed(args.seed))
        return
    for kind in args.only.split(","):
        with database(kind) as url:
            auth = seed(url)
            port = free_port()
            process = start_serve(url, port, secret=SECRET)
            try:
                run(kind, Server(f"http://127.0.0.1:{port}", process.pid), auth)
            finally:
                process.terminate()
                process.wait(timeout=30)


if __name__ == "__main__":
    main()
