"""What the schedules need, started by `serve` and `demo` themselves: a Prefect server and a worker.

Both are child processes, supervised by one background thread, so the API neither waits for them
nor carries Prefect in its own memory. The Prefect server keeps its state in its own SQLite file
under ``.channelops-prefect/`` in the working directory (never in our database) and logs there;
the worker is ``python -m flows.serve`` with PREFECT_API_URL pointing at that server (Prefect's
temporary server never runs schedules). A child that exits is started again, after a pause that
doubles while it keeps failing. On Linux the children also die with this process.
"""

from __future__ import annotations

import atexit
import ctypes
import importlib.util
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from channelops.settings import Settings

log = logging.getLogger(__name__)
HOME = ".channelops-prefect"
HEALTH_TIMEOUT = 120.0
STOP_TIMEOUT = 20.0
MAX_PAUSE = 60.0


@dataclass
class _Child:
    name: str
    command: list[str]
    env: dict[str, str]
    preexec: Callable[[], None] | None = None
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    pause: float = 1.0

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float) -> None:
        """SIGTERM (a worker then cancels its flow runs); after `timeout`, SIGKILL to its process group."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop within %.0f s; killing it", self.name, timeout)
            os.killpg(self.process.pid, signal.SIGKILL)  # its own session: it and what it started
            self.process.wait()


@dataclass
class EmbeddedScheduler:
    """A supervised Prefect server and worker; `stop()` ends both (also registered to run at exit)."""

    home: Path
    port: int
    server: _Child
    worker: _Child
    ready: threading.Event = field(default_factory=threading.Event)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _thread: threading.Thread | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def pids(self) -> dict[str, int]:
        """The live children's process ids, by name (server, worker)."""
        return {c.name: c.process.pid for c in (self.server, self.worker) if c.process and c.alive()}

    def start(self) -> None:
        self._thread = threading.Thread(target=self._supervise, name="embedded-scheduler", daemon=True)
        self._thread.start()
        atexit.register(self.stop)

    def stop(self) -> None:
        """End the worker first (it cancels its flow runs), then the server; waits. Safe to call twice."""
        with self._lock:
            self._stopping.set()
        if self._thread is not None:
            self._thread.join(3 * STOP_TIMEOUT)
        self._stop_children()
        atexit.unregister(self.stop)

    def _stop_children(self) -> None:
        self.ready.clear()
        self.worker.stop(STOP_TIMEOUT)
        self.server.stop(STOP_TIMEOUT)

    def _supervise(self) -> None:
        # The children are stopped from this thread, before it ends: on Linux they get SIGTERM when
        # the thread that started them ends, and the worker must go before the server it reports to.
        try:
            while not self._stopping.is_set():
                if not self.server.alive():
                    self.worker.stop(STOP_TIMEOUT)  # it would only fail against a missing server
                    self.ready.clear()
                    if not self._spawn(self.server) or not self._healthy():
                        continue
                if not self.worker.alive() and self._spawn(self.worker):
                    self.ready.set()
                self._stopping.wait(1.0)
        finally:
            self._stop_children()

    def _spawn(self, child: _Child) -> bool:
        """Start `child` (after its pause if it ran only briefly last time); False when stopping."""
        if child.process is not None:
            code = child.process.poll()
            child.pause = 1.0 if time.monotonic() - child.started > MAX_PAUSE else min(child.pause * 2, MAX_PAUSE)
            log.warning("%s exited with %s; starting it again in %.0f s", child.name, code, child.pause)
            if self._stopping.wait(child.pause):
                return False
        with self._lock, (self.home / f"{child.name}.log").open("ab") as out:
            if self._stopping.is_set():
                return False
            child.process = subprocess.Popen(child.command, env=child.env, stdin=subprocess.DEVNULL, stdout=out,
                                             stderr=subprocess.STDOUT, start_new_session=True,
                                             preexec_fn=child.preexec)
            child.started = time.monotonic()
        return True

    def _healthy(self) -> bool:
        """Wait until the server answers /health; False if it exits, we stop or it takes too long."""
        deadline = time.monotonic() + HEALTH_TIMEOUT
        while time.monotonic() < deadline and self.server.alive() and not self._stopping.is_set():
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        return True
            except OSError:
                pass
            self._stopping.wait(0.25)
        if self.server.alive() and not self._stopping.is_set():
            log.error("the Prefect server did not answer within %.0f s; see %s", HEALTH_TIMEOUT, self.home)
            self.server.stop(STOP_TIMEOUT)
        return False


def _die_with_parent() -> Callable[[], None] | None:
    """On Linux, a pre-exec hook that has the kernel send SIGTERM when the starting thread ends.

    `prctl` is looked up here, in the parent: the hook itself only makes the system call.
    """
    if sys.platform != "linux":
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    return lambda: prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def start_embedded_scheduler(settings: Settings, *, directory: Path | None = None) -> EmbeddedScheduler:
    """Start the Prefect server and a worker in the background; returns at once (see `ready`)."""
    if importlib.util.find_spec("prefect") is None:
        raise RuntimeError("Prefect is not installed: install it, or set CHANNELOPS_EMBEDDED_SCHEDULER=false "
                           "and run the schedules elsewhere")
    home = (directory or Path.cwd()).resolve() / HOME
    home.mkdir(exist_ok=True)
    port = _free_port()
    base = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    base |= {"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PYTHONUNBUFFERED": "1"}
    server_env = base | {
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home / 'prefect.db'}",
        "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
        "PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED": "events,flow_runs",
        "PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD": str(7 * 24 * 3600),
    }
    scheduler = EmbeddedScheduler(
        home=home,
        port=port,
        server=_Child("server", [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                                 "--port", str(port), "--no-ui"], server_env, _die_with_parent()),
        worker=_Child("worker", [sys.executable, "-m", "flows.serve"], base | {
            "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
            "PREFECT_LOGGING_TO_API_ENABLED": "false",
            "CHANNELOPS_DATABASE_URL": settings.database_url,
        }, _die_with_parent()),
    )
    scheduler.start()
    return scheduler
