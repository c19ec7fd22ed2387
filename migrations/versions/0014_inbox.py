"""Decision links in task notifications: `action_links`, one row per notification and user, which
makes a signed link single-use and revocable.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import workflows.persistence.types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "action_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("created_at", workflows.persistence.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", workflows.persistence.types.UTCDateTime(), nullable=False),
        sa.Column("used_at", workflows.persistence.types.UTCDateTime(), nullable=True),
        sa.Column("used_action", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("revoked_at", workflows.persistence.types.UTCDateTime(), nullable=True),
        sa.Column("revoked_reason", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("outbox_id", "user_id", name="uq_action_link_outbox_user"),
    )
    op.create_index(op.f("ix_action_links_task_id"), "action_links", ["task_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_action_links_task_id"), table_name="action_links")
    op.drop_table("action_links")
