"""Bulk INSERT for large imports, through the driver's executemany."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Float, Integer, String, Table

from workflows.persistence.uow import UnitOfWork


def bulk_insert(uow: UnitOfWork, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT many rows through the driver's executemany: the column types' bind processing runs once per
    distinct value of a column rather than once per row (most columns here are floats, passed as they are)."""
    if not rows:
        return
    dialect = uow.conn.dialect
    names = list(rows[0])
    processors: list[Callable[[Any], Any] | None] = []
    for name in names:
        column_type = table.c[name].type
        processors.append(None if isinstance(column_type, (Float, Integer, String))
                          else column_type.dialect_impl(dialect).bind_processor(dialect))
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {table.name} ({', '.join(names)}) "
           f"VALUES ({', '.join(marker for _ in names)})")
    getter = itemgetter(*names)
    values = [getter(row) if len(names) > 1 else (getter(row),) for row in rows]
    for index, processor in enumerate(processors):
        if processor is not None:
            cache = {value: processor(value) for value in {row[index] for row in values} if value is not None}
            values = [(*row[:index], cache.get(row[index]), *row[index + 1:]) for row in values]
    uow.conn.exec_driver_sql(sql, values)
