"""One-time code challenges sent for subjects' requests (their keyed digests, never codes).

Revision ID: requests_0006
Revises: requests_0005
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "requests_0006"
down_revision = "requests_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dsr_code_challenges",
        sa.Column("challenge_id", sa.String(64), primary_key=True),
        sa.Column(
            "request_id",
            sa.String(64),
            sa.ForeignKey("dsr_requests.request_id"),
            nullable=False,
        ),
        sa.Column("challenge_no", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("sent_to", sa.String(200), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts_used", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.UniqueConstraint("request_id", "challenge_no", name="uq_dsr_code_challenges_request_no"),
    )


def downgrade() -> None:
    op.drop_table("dsr_code_challenges")
