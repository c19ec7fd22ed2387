"""Exports stream: the file leaves in chunks while the rows are still being read (CSV on both databases, XLSX)."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import insert

from api import exports
from api.exports.csv_writer import CHUNK
from tests.support.fixtures import LoginFactory
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.exports import audit_table
from workflows.services.tabular import Column, Table

ROWS = 3000


@pytest.fixture
def audit_rows(svc: Services) -> None:
    now = svc.clock.now()
    rows = [{"at": now + timedelta(seconds=n), "actor_login": "auditor", "entity_type": "instance",
             "entity_id": str(n), "instance_id": None, "action": "transition", "from_state": "draft",
             "to_state": "under_review", "trigger": "submit", "comment": f"=SUM(A{n}) 第 {n} 条" if n % 2 else None,
             "data": {"n": n}} for n in range(ROWS)]
    with svc.uow() as uow:
        uow.conn.execute(insert(t.audit_events), rows)
        uow.commit()


def counted(rows: Iterator[tuple[Any, ...]], seen: list[int]) -> Iterator[tuple[Any, ...]]:
    try:
        for row in rows:
            seen[0] += 1
            yield row
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()


def test_the_first_chunk_is_written_before_the_last_row_is_read(svc: Services, audit_rows: None) -> None:
    table = audit_table(svc, actor=SYSTEM, login="auditor")
    seen = [0]
    chunks = exports.chunks(Table(table.name, table.columns, counted(table.rows, seen)), format="csv",
                            locale="en", timezone="Asia/Shanghai")
    first = next(chunks)
    assert len(first) >= CHUNK
    assert 0 < seen[0] < ROWS
    rest = b"".join(chunks)
    assert seen[0] == ROWS
    assert len(list(csv.reader(io.StringIO((first + rest).decode("utf-8-sig"))))) == ROWS + 1


def test_the_http_response_arrives_in_several_chunks_holding_every_row(
    client: TestClient, login_as: LoginFactory, audit_rows: None
) -> None:
    with client.stream("GET", "/api/v1/exports/audit", params={"actor": "auditor"},
                       headers=login_as(roles=("viewer",))) as response:
        assert response.status_code == 200
        parts = list(response.iter_raw())
    assert len(parts) > 3
    assert all(CHUNK <= len(part) < 2 * CHUNK for part in parts[:-1])
    rows = list(csv.reader(io.StringIO(b"".join(parts).decode("utf-8-sig"))))
    assert len(rows) == ROWS + 1
    assert rows[2][10] == "'=SUM(A1) 第 1 条"
    assert rows[1][10] == ""


def test_stopping_early_closes_the_read(svc: Services, audit_rows: None) -> None:
    table = audit_table(svc, actor=SYSTEM, login="auditor")
    chunks = exports.chunks(table, format="csv", locale="en", timezone="Asia/Shanghai")
    next(chunks)
    chunks.close()  # type: ignore[attr-defined]
    with pytest.raises(StopIteration):
        next(table.rows)


def test_an_xlsx_export_also_leaves_in_chunks_before_the_last_row_is_read() -> None:
    seen = [0]
    columns = (Column("id", "Entry", "int"), Column("text", "Comment"))
    rows = counted(iter([(n, uuid.uuid4().hex * 4) for n in range(ROWS)]), seen)
    chunks = exports.chunks(Table("audit", columns, rows), format="xlsx", locale="en", timezone="Asia/Shanghai")
    first = next(chunks)
    assert first.startswith(b"PK") and len(first) >= CHUNK
    assert 0 < seen[0] < ROWS
    sheet = load_workbook(io.BytesIO(first + b"".join(chunks))).worksheets[0]
    assert (sheet.max_row, sheet["A3"].value, sheet["A1"].value) == (ROWS + 1, 1, "Entry")
