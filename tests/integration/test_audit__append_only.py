"""The audit trail is append-only in the database itself: an UPDATE or a DELETE of an audit row is
refused by the database (a trigger), whoever sends it, and nothing is changed; on PostgreSQL a
TRUNCATE of the table is refused too. Rows are still inserted as before."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.instances import start_instance

e = t.audit_events.c


def trail(svc: Services) -> list[tuple[str, str | None]]:
    with svc.uow(write=False) as uow:
        return [(r.action, r.comment) for r in uow.conn.execute(select(e.action, e.comment).order_by(e.id))]


@pytest.fixture
def started(svc: Services) -> list[tuple[str, str | None]]:
    start_instance(svc, actor=SYSTEM, workflow="card_escalation", subject={"type": "channel", "id": "1"})
    rows = trail(svc)
    assert "started" in [action for action, _ in rows]
    return rows


def test_an_update_of_an_audit_row_through_sqlalchemy_is_refused_and_changes_nothing(
        svc: Services, started: list[tuple[str, str | None]]) -> None:
    with pytest.raises(DBAPIError, match="append-only"), svc.uow() as uow:
        uow.conn.execute(update(t.audit_events).values(comment="rewritten history"))
        uow.commit()
    assert trail(svc) == started


def test_a_delete_of_audit_rows_is_refused_and_changes_nothing(
        svc: Services, started: list[tuple[str, str | None]]) -> None:
    with pytest.raises(DBAPIError, match="append-only"), svc.uow() as uow:
        uow.conn.execute(delete(t.audit_events).where(e.action == "started"))
        uow.commit()
    assert trail(svc) == started


def test_new_audit_rows_are_still_written(svc: Services, started: list[tuple[str, str | None]]) -> None:
    start_instance(svc, actor=SYSTEM, workflow="card_escalation", subject={"type": "channel", "id": "2"})
    with svc.uow(write=False) as uow:
        assert uow.conn.execute(select(func.count()).select_from(t.audit_events)
                                .where(e.action == "started")).scalar_one() == 2


def test_on_postgresql_a_truncate_of_the_audit_trail_is_refused(postgres_url: str, svc: Services,
                                                                started: list[tuple[str, str | None]]) -> None:
    if svc.engine.dialect.name != "postgresql":
        return  # SQLite has no TRUNCATE; its DELETE is refused above
    with pytest.raises(DBAPIError, match="append-only"), svc.uow() as uow:
        uow.conn.execute(text("TRUNCATE audit_events"))
        uow.commit()
    assert trail(svc) == started
