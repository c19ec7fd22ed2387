"""Migration of running instances between versions: runs and their per-instance rows.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import workflows.persistence.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "migration_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workflow", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("from_version", sa.Integer(), nullable=True),
        sa.Column("to_version", sa.Integer(), nullable=False),
        sa.Column("state_map", sa.JSON(), nullable=False),
        sa.Column("instance_ids", sa.JSON(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("started_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("started_at", workflows.persistence.types.UTCDateTime(), nullable=False),
        sa.Column("finished_at", workflows.persistence.types.UTCDateTime(), nullable=True),
        sa.Column("migrated", sa.Integer(), nullable=False),
        sa.Column("blocked", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_migration_runs_workflow_status", "migration_runs", ["workflow", "status"])
    op.create_table(
        "migration_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("from_version", sa.Integer(), nullable=False),
        sa.Column("to_version", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("at", workflows.persistence.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["workflow_instances.id"]),
        sa.ForeignKeyConstraint(["run_id"], ["migration_runs.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "instance_id", name="uq_migration_item"),
    )
    op.create_index("ix_migration_items_instance", "migration_items", ["instance_id"])


def downgrade() -> None:
    op.drop_index("ix_migration_items_instance", table_name="migration_items")
    op.drop_table("migration_items")
    op.drop_index("ix_migration_runs_workflow_status", table_name="migration_runs")
    op.drop_table("migration_runs")
