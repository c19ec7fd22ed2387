"""Start `channelops serve` for a benchmark (embedded scheduler off) and wait until it answers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def start_serve(database_url: str, port: int, *, secret: str) -> subprocess.Popen[bytes]:
    """A `channelops serve` process on 127.0.0.1:`port`, healthy; killed and refused after 90 s."""
    env = {**os.environ, "CHANNELOPS_DATABASE_URL": database_url, "CHANNELOPS_SECRET_KEY": secret,
           "CHANNELOPS_ENVIRONMENT": "production", "CHANNELOPS_EMBEDDED_SCHEDULER": "false",
           "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-c", "from channelops.cli import app; app()", "serve",
                                "--port", str(port), "--workers", "1"], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("channelops serve did not start")
