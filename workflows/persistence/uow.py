"""Unit of work: one connection, one transaction, rolled back unless `commit()` is called."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
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

    def commit(self) -> None:
        assert self._tx is not None
        self._tx.commit()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
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
