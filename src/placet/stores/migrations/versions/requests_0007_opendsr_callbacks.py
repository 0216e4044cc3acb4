"""OpenDSR status callbacks of subjects' requests: where each change of status is POSTed.

Revision ID: requests_0007
Revises: requests_0006
Create Date: 2026-12-12
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "requests_0007"
down_revision = "requests_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dsr_callbacks",
        sa.Column(
            "request_id",
            sa.String(64),
            sa.ForeignKey("dsr_requests.request_id"),
            primary_key=True,
        ),
        sa.Column("callback_no", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("api_url", sa.Text(), nullable=False),
        sa.Column("announced_status", sa.String(20)),
        sa.Column("announced_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("dsr_callbacks")
