"""One-time code challenges of the privacy center's sign-in (keyed digests, never codes).

Revision ID: web_0008
Revises: requests_0007
Create Date: 2026-12-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "web_0008"
down_revision = "requests_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sign_in_challenges",
        sa.Column("challenge_id", sa.String(64), primary_key=True),
        sa.Column("address_digest", sa.String(64), nullable=False),
        sa.Column("subscriber", sa.String(200)),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("sent_to", sa.String(200), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts_used", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
    )
    op.create_index(
        "ix_web_sign_in_challenges_address",
        "web_sign_in_challenges",
        ["address_digest", "issued_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_web_sign_in_challenges_address", "web_sign_in_challenges")
    op.drop_table("web_sign_in_challenges")
