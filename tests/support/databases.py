"""Throw-away databases for tests: a migrated SQLite template copied per test, and a PostgreSQL
database created for the session and truncated before each test."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from sqlalchemy import Connection, insert, text

import channels.meetings.tables
import channels.tables  # noqa: F401  (both modules' tables join `metadata`)
from workflows.domain.group_titles import SHIPPED
from workflows.persistence import migrate
from workflows.persistence.db import make_engine
from workflows.persistence.tables import groups, metadata

PG_ADMIN = os.environ.get("CHANNELOPS_TEST_PG", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def postgres_available() -> bool:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for the session; dropped afterwards."""
    name = f"channelops_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_URL.format(name=name)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def truncate_postgres(url: str) -> None:
    """Empty every table of a throw-away database. The audit trail refuses TRUNCATE by trigger
    (append-only, migration 0008); a superuser's session in replica mode fires no triggers."""
    engine = make_engine(url, pool_size=1)
    try:
        names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            seed_groups(conn)
    finally:
        engine.dispose()


def seed_groups(conn: Connection) -> None:
    """The groups migration 0008 seeds (a truncated database has lost them)."""
    now = datetime.now(UTC)
    conn.execute(insert(groups), [{"code": code, "title_zh": zh, "title_en": en, "description": "", "active": True,
                                   "created_at": now, "updated_at": now} for code, (zh, en) in SHIPPED.items()])


def sqlite_template(directory: Path) -> Path:
    path = directory / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


def sqlite_copy(template: Path, directory: Path) -> str:
    target = directory / f"test-{uuid.uuid4().hex[:8]}.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"
