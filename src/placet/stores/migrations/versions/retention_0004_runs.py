"""Retention runs and their steps, legal holds, and erasure tombstones.

Revision ID: retention_0004
Revises: ledger_0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "retention_0004"
down_revision = "ledger_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retention_runs",
        sa.Column("run_id", sa.String(36), primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("policy_id", sa.String(100), nullable=False),
        sa.Column("policy_version", sa.String(50), nullable=False),
        sa.Column("estate", sa.String(200), nullable=False),
        sa.Column("datamap_sha256", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("outcome", sa.Text()),
        sa.Column("decision_id", sa.String(36)),
    )
    op.create_table(
        "retention_steps",
        sa.Column(
            "run_id", sa.String(36), sa.ForeignKey("retention_runs.run_id"), primary_key=True
        ),
        sa.Column("step_no", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("dataset", sa.String(200), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("shape", sa.String(20), nullable=False),
        sa.Column("planned_rows", sa.BigInteger(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_rows", sa.BigInteger()),
        sa.Column("left_rows", sa.BigInteger()),
        sa.Column("table_version", sa.BigInteger()),
        sa.Column("detail", sa.Text()),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "legal_holds",
        sa.Column("hold_id", sa.String(64), primary_key=True),
        sa.Column("subject", sa.String(200)),
        sa.Column("dataset", sa.String(200)),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("records_from", sa.DateTime(timezone=True)),
        sa.Column("records_until", sa.DateTime(timezone=True)),
        sa.Column("record", sa.String(200)),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("placed_by", sa.String(200), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True)),
        sa.Column("released_at", sa.DateTime(timezone=True)),
        sa.Column("released_by", sa.String(200)),
    )
    op.create_table(
        "erasure_tombstones",
        sa.Column("tombstone_id", sa.String(64), primary_key=True),
        sa.Column("dataset", sa.String(200), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("key_pseudonym", sa.String(64)),
        sa.Column("since", sa.DateTime(timezone=True)),
        sa.Column("before", sa.DateTime(timezone=True)),
        sa.Column("reference", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_erasure_tombstones_dataset", "erasure_tombstones", ["dataset"])


def downgrade() -> None:
    op.drop_index("ix_erasure_tombstones_dataset", "erasure_tombstones")
    op.drop_table("erasure_tombstones")
    op.drop_table("legal_holds")
    op.drop_table("retention_steps")
    op.drop_table("retention_runs")
