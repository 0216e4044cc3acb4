"""Subjects' requests and their steps (append-only).

Revision ID: requests_0005
Revises: retention_0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "requests_0005"
down_revision = "retention_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dsr_requests",
        sa.Column("request_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("subscriber", sa.String(200), nullable=False),
        sa.Column("subject_ref", sa.String(64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("policy_id", sa.String(100), nullable=False),
        sa.Column("policy_version", sa.String(50), nullable=False),
    )
    op.create_index("ix_dsr_requests_subject_ref", "dsr_requests", ["subject_ref"])
    op.create_table(
        "dsr_steps",
        sa.Column(
            "request_id",
            sa.String(64),
            sa.ForeignKey("dsr_requests.request_id"),
            primary_key=True,
        ),
        sa.Column("step_no", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("from_state", sa.String(40)),
        sa.Column("to_state", sa.String(40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("notified_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("dsr_steps")
    op.drop_index("ix_dsr_requests_subject_ref", "dsr_requests")
    op.drop_table("dsr_requests")
