"""Tables for export: typed columns and rows read lazily from the database.

A `Table` is what an export writer (CSV, XLSX) consumes. Its rows are an iterator: a table read
from the database streams (a server-side cursor on PostgreSQL, SQLite's own incremental cursor),
so a million rows never sit in memory. Column titles are English msgids; the edge translates them.
Any report given as rows and columns becomes a table with `Table.of(name, columns=..., rows=...)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Select

from workflows.services.context import Services

Kind = Literal["text", "int", "float", "bool", "datetime", "date", "json"]
BATCH = 1000


@dataclass(frozen=True)
class Column:
    """`key` names the value in a row mapping; `title` is the English header (a catalog msgid)."""

    key: str
    title: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Table:
    """`name` goes into the file name (`channelops-<name>-<date>.csv`); `rows` yields one tuple per
    row in column order and is read once. Close `rows` (a generator) to end a database read early."""

    name: str
    columns: tuple[Column, ...]
    rows: Iterator[tuple[Any, ...]]

    @classmethod
    def of(cls, name: str, *, columns: Sequence[Column], rows: Iterable[Mapping[str, Any]]) -> Table:
        """A table over rows already in hand (a report): each a mapping with the columns' keys."""
        keys = [c.key for c in columns]
        return cls(name=name, columns=tuple(columns), rows=(tuple(r.get(k) for k in keys) for r in rows))


def streamed(svc: Services, query: Select[Any], *, columns: Sequence[Column],
             shape: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None) -> Iterator[tuple[Any, ...]]:
    """The rows of `query`, read `BATCH` at a time in one read-only transaction that lasts as long
    as the iteration (closed when the generator is exhausted or closed). `shape` may add or change
    values of a row mapping before the columns' values are taken from it."""
    keys = [c.key for c in columns]
    with svc.uow(write=False) as uow:
        result = uow.conn.execute(query.execution_options(stream_results=True, yield_per=BATCH))
        try:
            if shape is None:  # plain rows: pick the columns by position, no mapping per row
                positions = [list(result.keys()).index(key) for key in keys]
                for plain in result:
                    yield tuple(plain[p] for p in positions)
                return
            for row in result.mappings():
                values = shape(dict(row))
                yield tuple(values.get(k) for k in keys)
        finally:
            result.close()
