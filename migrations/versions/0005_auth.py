"""Sessions that end and throttled logins: users.session_epoch (carried in session cookies and
access tokens; raising it ends the user's sessions) and login_throttles (failed logins per login
name and per client address, with the lockout they caused).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import workflows.persistence.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_throttles",
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", workflows.persistence.types.UTCDateTime(), nullable=False),
        sa.Column("locked_until", workflows.persistence.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("kind", "subject"),
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_epoch")
    op.drop_table("login_throttles")
