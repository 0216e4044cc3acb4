"""The DPO console's staff accounts (argon2 password hashes) and its sign-in failures.

Revision ID: web_0009
Revises: web_0008
Create Date: 2026-12-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "web_0009"
down_revision = "web_0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_staff",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "console_sign_in_failures",
        sa.Column("failure_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name_digest", sa.String(64), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_console_sign_in_failures_name",
        "console_sign_in_failures",
        ["name_digest", "failed_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_console_sign_in_failures_name", "console_sign_in_failures")
    op.drop_table("console_sign_in_failures")
    op.drop_table("console_staff")
