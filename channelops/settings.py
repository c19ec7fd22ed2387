"""One settings object, read from CHANNELOPS_* variables and `.env`, through a cached getter."""

from __future__ import annotations

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
    threads: int = 8
    actor_cache_seconds: float = Field(
        default=5.0, ge=0, description="how long a process trusts a user's roles, groups and active flag it has "
        "read; changes made through another process take effect within this time (0: read them on every request)")
    embedded_scheduler: bool = Field(default=True, description="serve/demo start Prefect and a worker")
    kpi_monthly_cron: str = Field(default="0 2 11 * *", description="monthly KPI review (11th, 02:00)")
    kpi_quarterly_cron: str = Field(default="0 3 15 1,4,7,10 *", description="quarterly KPI review")
    public_url: str = Field(default="http://127.0.0.1:8000",
                            description="where people reach the web UI; links in notifications start with it")

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
