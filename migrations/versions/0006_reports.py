"""Indexes for the reports: tasks by creation time (a month of a department's tasks), instances
of a workflow by start and close time (the process report's cohort and weekly throughput), and
a partial index of the audit rows that change an instance's state, by time.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
MOVES = "action IN ('started', 'transition')"


def upgrade() -> None:
    op.create_index("ix_tasks_created_group", "tasks", ["created_at", "original_group"], unique=False)
    op.create_index("ix_instances_workflow_created", "workflow_instances", ["workflow", "created_at"], unique=False)
    op.create_index("ix_instances_workflow_closed", "workflow_instances", ["workflow", "closed_at"], unique=False)
    op.create_index("ix_audit_moves", "audit_events", ["at", "instance_id"], unique=False,
                    postgresql_where=sa.text(MOVES), sqlite_where=sa.text(MOVES))


def downgrade() -> None:
    op.drop_index("ix_audit_moves", table_name="audit_events")
    op.drop_index("ix_instances_workflow_closed", table_name="workflow_instances")
    op.drop_index("ix_instances_workflow_created", table_name="workflow_instances")
    op.drop_index("ix_tasks_created_group", table_name="tasks")
