"""One settings object, read from CHANNELOPS_* variables and `.env`, through a cached getter."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHANNELOPS_", env_file=".env", extra="ignore")

    database_url: str = Field(default="sqlite:///channelops.db", description="SQLAlchemy URL")
    sqlite_synchronous: Literal["OFF", "NORMAL", "FULL"] = "NORMAL"
    secret_key: str = PLACEHOLDER_SECRET
    timezone: str = "Asia/Shanghai"
    locale: Literal["zh", "en"] = "zh"
    environment: Literal["local", "production"] = "local"
    pool_size: int = 10
    token_minutes: int = 480
    workers: int = 1
    threads: int | None = Field(
        default=None, ge=1, description="request-handler threads per API process (default: 1 on SQLite, "
        "twice the CPU cores on PostgreSQL; see `api_threads`)")
    actor_cache_seconds: float = Field(
        default=5.0, ge=0, description="how long a process trusts a user's roles, groups and active flag it has "
        "read; changes made through another process take effect within this time (0: read them on every request)")
    login_attempts: int = Field(default=5, ge=1, description="failed logins per login name within the "
                                "window before it is locked")
    login_address_attempts: int = Field(default=50, ge=1, description="failed logins per client address "
                                        "within the window before it is locked (offices share addresses)")
    login_window_seconds: int = Field(default=900, ge=1, description="how long failed logins are counted")
    login_lockout_seconds: int = Field(default=900, ge=1, description="how long a locked name or address waits")
    login_threads: int = Field(default=1, ge=1, description="threads per API process that check passwords")
    login_queue: int = Field(default=16, ge=0, description="logins that may wait for a password check; "
                             "more are refused with 503")
    embedded_scheduler: bool = Field(default=True, description="serve/demo start Prefect and a worker")
    kpi_monthly_cron: str = Field(default="0 2 11 * *", description="monthly KPI review (11th, 02:00)")
    kpi_quarterly_cron: str = Field(default="0 3 15 1,4,7,10 *", description="quarterly KPI review")
    public_url: str = Field(default="http://127.0.0.1:8000",
                            description="where people reach the web UI; links in notifications start with it")
    action_link_hours: int = Field(default=72, ge=1, le=24 * 90, description="how long a decision link in a "
                                   "task's notification stays usable (it also ends once used or the task closes)")
    # Input bounds (docs/deploy.md): bodies over a limit get 413 before they are read; the rest 422.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, description="any request body (JSON, forms)")
    max_yaml_bytes: int = Field(default=256 * 1024, ge=1024, description="a workflow definition's YAML text")
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024, description="a KPI file upload")
    max_data_bytes: int = Field(default=64 * 1024, ge=256, description="an instance's data, as JSON")
    max_data_depth: int = Field(default=16, ge=1, le=100, description="nesting of an instance's data")
    max_data_string: int = Field(default=10_000, ge=1, description="characters of one text in an instance's data")

    def api_threads(self) -> int:
        """The request-handler threads of an API process: `threads` if set, else 1 on SQLite and
        twice the CPU cores on PostgreSQL.

        SQLite runs one write at a time, and several threads queueing for it cost throughput
        (bench/api.py on 2 cores, completions/s at 32 clients: 459 with 1 thread, 330 with 2, 303
        with 8); reads then wait behind writes, which on SQLite are short. PostgreSQL writes
        in parallel, but on 2 cores 4 threads beat 8 (224 against 184 completions/s).
        """
        if self.threads is not None:
            return self.threads
        return 1 if self.database_url.startswith("sqlite") else 2 * (os.cpu_count() or 1)

    def with_local_secret(self, directory: Path | None = None) -> Settings:
        """In `local` mode without a secret, use one generated once and kept in `.channelops-secret`."""
        if self.secret_key != PLACEHOLDER_SECRET or self.environment != "local":
            return self
        path = (directory or Path.cwd()) / ".channelops-secret"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
            path.chmod(0o600)
        return self.model_copy(update={"secret_key": path.read_text(encoding="utf-8").strip()})

    def refuse_placeholder_secret(self) -> None:
        """Outside `local`, a placeholder or short secret would let anyone mint tokens: refuse to start."""
        if self.environment != "local" and (self.secret_key == PLACEHOLDER_SECRET or len(self.secret_key) < 32):
            raise ValueError("set CHANNELOPS_SECRET_KEY to a random value of at least 32 characters")


@lru_cache
def get_settings() -> Settings:
    return Settings()
