"""Unit of work: one connection, one transaction, rolled back unless `commit()` is called."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, Executable
from sqlalchemy.engine import Connection, RootTransaction

from workflows.persistence.db import write_lock


class UnitOfWork:
    """A transaction on `engine`. Use as a context manager; only services call `commit()`.

    `write=True` asks for a write transaction up front (``BEGIN IMMEDIATE`` on SQLite), so
    that concurrent writers wait for each other rather than fail on a stale snapshot.
    """

    def __init__(self, engine: Engine, *, write: bool = True) -> None:
        self._engine = engine
        self._write = write
        self._conn: Connection | None = None
        self._tx: RootTransaction | None = None
        self._lock = write_lock(engine) if write else None
        self._held = False
        self._deferred: dict[int, tuple[Executable, list[dict[str, Any]]]] = {}

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._conn

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    def __enter__(self) -> UnitOfWork:
        if self._lock is not None:
            self._lock.acquire()
            self._held = True
        try:
            self._conn = self._engine.connect().execution_options(write=self._write)
            self._tx = self._conn.begin()
        except BaseException:
            self._release()
            raise
        return self

    def _release(self) -> None:
        if self._held and self._lock is not None:
            self._held = False
            self._lock.release()

    def defer(self, statement: Executable, rows: list[dict[str, Any]]) -> None:
        """Queue append-only rows (audit, outbox) to be inserted at `commit()`, one executemany per
        statement: nothing in the transaction reads them back, and on PostgreSQL each statement saved
        is a round trip. Rows of a unit of work that is not committed are never written."""
        queued = self._deferred.setdefault(id(statement), (statement, []))
        queued[1].extend(rows)

    def flush(self) -> None:
        """Insert the deferred rows now (in this transaction)."""
        deferred, self._deferred = self._deferred, {}
        for statement, rows in deferred.values():
            if rows:
                self.conn.execute(statement, rows)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested transaction: if the block raises, its writes and its deferred rows are undone
        and the exception goes on; the rest of the unit of work stays."""
        self.flush()
        nested = self.conn.begin_nested()
        try:
            yield
            self.flush()
        except BaseException:
            self._deferred = {}
            nested.rollback()
            raise
        nested.commit()

    def commit(self) -> None:
        assert self._tx is not None
        self.flush()
        self._tx.commit()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self._deferred = {}
            if self._tx is not None and self._tx.is_active:
                self._tx.rollback()
        finally:
            try:
                if self._conn is not None:
                    self._conn.close()
            finally:
                self._conn = None
                self._tx = None
                self._release()
