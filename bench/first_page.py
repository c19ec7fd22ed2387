"""Time from a clean clone to the demo's first page: `make demo` in a fresh copy of this repository.

Clones this checkout into a temporary folder (committed files only, no virtualenv, no node_modules),
runs `make demo DEMO_ARGS="--port P"` there and polls http://127.0.0.1:P/login until it answers 200.
Prints the seconds to the first page and how long each phase took (install, seed and serve), read
from the stamps `make` leaves. Downloads come from the package registries (or pip's cache), so the
figure depends on the network as much as on this code.

    .venv/bin/python bench/first_page.py [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT_S = 900


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status) == 200
    except OSError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="leave the clone in place")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="channelops-first-page-"))
    clone = folder / "channelops"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    port = free_port()
    log = (folder / "make-demo.log").open("w")
    started = time.perf_counter()
    make = subprocess.Popen(["make", "demo", f"DEMO_ARGS=--port {port}"], cwd=clone, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True, env={**os.environ, "CI": ""})
    try:
        while not answers(f"http://127.0.0.1:{port}/login"):
            if make.poll() is not None:
                print(f"make demo stopped with {make.returncode}; see {folder / 'make-demo.log'}")
                return 1
            if time.perf_counter() - started > LIMIT_S:
                print(f"no page after {LIMIT_S} s; see {folder / 'make-demo.log'}")
                return 1
            time.sleep(0.5)
        total = time.perf_counter() - started
        stamp = clone / ".venv" / ".installed"
        installed = stamp.stat().st_mtime - (time.time() - total) if stamp.exists() else float("nan")
        print(f"first page after {total:.1f} s: install (pip + npm) {installed:.1f} s, "
              f"seed and serve {total - installed:.1f} s")
        tools = [name for name in ("pytest", "playwright", "schemathesis", "ruff", "mypy")
                 if (clone / ".venv" / "bin" / name).exists()]
        print("test tools installed by make demo: " + (", ".join(tools) if tools else "none"))
    finally:
        os.killpg(make.pid, signal.SIGTERM)
        make.wait(timeout=30)
        log.close()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
