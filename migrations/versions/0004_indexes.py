"""Two indexes: timers(task_id, status), so closing a task cancels its reminders without a table
scan; sla_clocks(breached_at), so an agenda finds the breaches since the last meeting.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_timers_task_status", "timers", ["task_id", "status"], unique=False)
    op.create_index(op.f("ix_sla_clocks_breached_at"), "sla_clocks", ["breached_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sla_clocks_breached_at"), table_name="sla_clocks")
    op.drop_index("ix_timers_task_status", table_name="timers")
