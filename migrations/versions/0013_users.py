"""Groups defined by admins: the `groups` table (code, zh/en titles, description, active), seeded
with the groups every installation starts with. Region groups (`region:<code>`) are added by admins.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29
"""
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

import workflows.persistence.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A copy on purpose: a migration stays as it was written even when the code's list changes.
SHIPPED = [
    ("market", "市场部", "Market"),
    ("sales", "销售部", "Sales"),
    ("finance", "财务部", "Finance"),
    ("it", "信息技术部", "IT"),
    ("committee", "渠道管理委员会", "Channel committee"),
]


def upgrade() -> None:
    table = op.create_table(
        "groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("title_zh", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("title_en", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", workflows.persistence.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", workflows.persistence.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    now = datetime.now(UTC)
    op.bulk_insert(table, [{"code": code, "title_zh": zh, "title_en": en, "description": "", "active": True,
                            "created_at": now, "updated_at": now} for code, zh, en in SHIPPED])


def downgrade() -> None:
    op.drop_table("groups")
