"""The served API process (`channelops.server:app_factory`, what uvicorn runs)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import gc
from channelops.server import app_factory
app = app_factory()
print(gc.get_freeze_count(), gc.get_count()[2], type(app).__name__)
"""


def test_the_served_process_freezes_what_it_built_to_start_out_of_the_collectors_reach(tmp_path: Path) -> None:
    env = {**os.environ, "CHANNELOPS_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
           "CHANNELOPS_SECRET_KEY": "a-test-secret-key-that-is-long-enough-0123456789", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, check=True)
    frozen, oldest, kind = done.stdout.split()
    # The app's routes, schemas and services are frozen: tens of thousands of objects that a full
    # collection during a request no longer walks; nothing is left in the oldest generation.
    assert (kind, int(frozen) > 50_000, int(oldest)) == ("FastAPI", True, 0)
