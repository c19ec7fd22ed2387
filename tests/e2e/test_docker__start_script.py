"""The container start-up script, run here without a container: waits, migrates, runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support import databases

ROOT = Path(__file__).resolve().parents[2]


def test_the_start_script_migrates_then_runs_the_command(database_url: str, tmp_path: Path) -> None:
    if database_url.startswith("postgresql"):
        databases.truncate_postgres(database_url)
    env = {**os.environ, "CHANNELOPS_DATABASE_URL": database_url,
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["sh", str(ROOT / "docker" / "start.sh"), "workflow", "diagram", "complaint"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "database is up to date" in done.stdout
    assert "received --> investigating: Acknowledge" in done.stdout


def test_the_start_script_refuses_to_run_without_a_database_url(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CHANNELOPS_DATABASE_URL"}
    done = subprocess.run(["sh", str(ROOT / "docker" / "start.sh"), "serve"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode != 0
    assert "CHANNELOPS_DATABASE_URL" in done.stderr


def test_the_compose_file_names_every_service_of_the_production_topology() -> None:
    import yaml

    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text(encoding="utf-8"))
    assert set(compose["services"]) == {"db", "prefect", "api", "worker"}
    assert compose["services"]["worker"]["command"] == ["worker"]
    assert "postgresql+asyncpg" in compose["services"]["prefect"]["environment"]["PREFECT_API_DATABASE_CONNECTION_URL"]
