"""Absence and delegation: `delegations` (an absent user, their substitute, a date range, maybe only some
workflows) and `tasks.on_behalf_of` (the absent user a substitute holds or decided a task for).

`tasks.on_behalf_of` is added in place (no batch rebuild of `tasks`, so the reporting views over it stay).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import workflows.persistence.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "delegations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("substitute_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("workflows", sa.JSON(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", workflows.persistence.types.UTCDateTime(), nullable=False),
        sa.Column("ended_at", workflows.persistence.types.UTCDateTime(), nullable=True),
        sa.Column("ended_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.ForeignKeyConstraint(["substitute_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_delegations_user_ends", "delegations", ["user_id", "ends_on"], unique=False)
    op.create_index("ix_delegations_substitute_ends", "delegations", ["substitute_id", "ends_on"], unique=False)
    op.add_column("tasks", sa.Column("on_behalf_of", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("tasks", "on_behalf_of")
    op.drop_index("ix_delegations_substitute_ends", table_name="delegations")
    op.drop_index("ix_delegations_user_ends", table_name="delegations")
    op.drop_table("delegations")
