"""The variant of its definition an instance runs under (SOP variants per channel type), chosen when
it starts from its subject's attributes; NULL for the definition as written.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("workflow_instances", sa.Column("variant", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE on both databases (SQLite >= 3.35): a batch rebuild would have to drop the
    # reporting views of 0007 first.
    op.execute("ALTER TABLE workflow_instances DROP COLUMN variant")
