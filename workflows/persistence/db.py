"""Engine factory. No module-level engine: the composition root builds one per settings."""

from __future__ import annotations

import threading
import weakref
from typing import Any, Literal

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.pool import StaticPool

Synchronous = Literal["OFF", "NORMAL", "FULL"]


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str, *, sqlite_synchronous: Synchronous = "NORMAL", pool_size: int = 10) -> Engine:
    """Build the engine for `url`.

    SQLite runs in WAL mode with a busy timeout, and every write transaction starts with
    ``BEGIN IMMEDIATE`` so that writers queue up instead of failing with "database is locked"
    when a read snapshot turns out to be stale. PostgreSQL serialises writers on one instance
    with ``SELECT ... FOR UPDATE`` in the services instead.
    """
    if not is_sqlite(url):
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
    memory = url in ("sqlite://", "sqlite:///:memory:")
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
    if memory:
        kwargs["poolclass"] = StaticPool
    else:
        kwargs.update(pool_size=pool_size, max_overflow=pool_size)
    engine = create_engine(url, **kwargs)
    _configure_sqlite(engine, synchronous=sqlite_synchronous, memory=memory)
    return engine


_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


def write_lock(engine: Engine) -> threading.Lock | None:
    """The in-process writer lock of a SQLite engine (None for other databases).

    SQLite has one writer at a time. Threads of one process that queue on this lock wait in
    order and wake at once, instead of polling SQLite's busy handler, whose sleeps (up to
    100 ms each) make latency explode under concurrent requests. Other processes still
    queue through BEGIN IMMEDIATE and the busy timeout.
    """
    return _WRITE_LOCKS.get(engine)


def _configure_sqlite(engine: Engine, *, synchronous: Synchronous, memory: bool) -> None:
    _WRITE_LOCKS[engine] = threading.Lock()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("write", False)
        # Straight to the driver: exec_driver_sql costs ~30 us of bookkeeping per transaction.
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")  # type: ignore[union-attr]
