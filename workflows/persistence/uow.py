"""Unit of work: one connection, one transaction, rolled back unless `commit()` is called."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.engine import Connection, RootTransaction


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

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._conn

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    def __enter__(self) -> UnitOfWork:
        self._conn = self._engine.connect().execution_options(write=self._write)
        self._tx = self._conn.begin()
        return self

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
            if self._conn is not None:
                self._conn.close()
            self._conn = None
            self._tx = None
