"""The audit trail is append-only in the database itself, and tasks get a follow-up date.

PostgreSQL: a trigger refuses every UPDATE and DELETE of an `audit_events` row and a TRUNCATE of the
table, whoever asks (only a superuser can get round it, by disabling triggers, as the test suite's
throw-away databases do to empty themselves). SQLite: triggers refuse UPDATE and DELETE (SQLite has no
TRUNCATE). A later migration that rebuilds `audit_events` on SQLite (batch mode copies, drops and
renames the table) drops these triggers with it and must create them again.

`tasks.follow_up_on`: the local date on which the assignee wants to be reminded of the task.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "audit_events is append-only: rows may be inserted, never updated or deleted"
PG_UP = [
    f"""CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{MESSAGE} (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$""",
    """CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""",
    """CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
    "DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events",
    "DROP FUNCTION IF EXISTS audit_events_append_only()",
]
SQLITE_UP = [
    f"""CREATE TRIGGER audit_events_no_{op_name.lower()} BEFORE {op_name} ON audit_events
        BEGIN SELECT RAISE(ABORT, '{MESSAGE} ({op_name} refused)'); END"""
    for op_name in ("UPDATE", "DELETE")
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS audit_events_no_delete", "DROP TRIGGER IF EXISTS audit_events_no_update"]


def upgrade() -> None:
    op.add_column("tasks", sa.Column("follow_up_on", sa.Date(), nullable=True))
    statements = PG_UP if op.get_bind().dialect.name == "postgresql" else SQLITE_UP
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    statements = PG_DOWN if op.get_bind().dialect.name == "postgresql" else SQLITE_DOWN
    for statement in statements:
        op.execute(statement)
    op.drop_column("tasks", "follow_up_on")  # SQLite drops it in place: the reporting views over tasks stay
