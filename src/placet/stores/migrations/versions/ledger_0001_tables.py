"""The ledger's tables: events (the chain), personal payloads, subject states, chain head.

Revision ID: ledger_0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ledger_0001"
down_revision = None
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64


def upgrade() -> None:
    op.create_table(
        "ledger_events",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
        sa.Column("subject_ref", sa.String(64), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_ledger_events_subject_seq", "ledger_events", ["subject_ref", "seq"])
    op.create_table(
        "ledger_personal_payloads",
        sa.Column(
            "event_id",
            sa.String(36),
            sa.ForeignKey("ledger_events.event_id"),
            primary_key=True,
        ),
        sa.Column("subject_ref", sa.String(64), nullable=False),
        sa.Column("salt", sa.String(64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
    )
    op.create_index(
        "ix_ledger_personal_payloads_subject_ref", "ledger_personal_payloads", ["subject_ref"]
    )
    op.create_table(
        "ledger_subject_states",
        sa.Column("subject_ref", sa.String(64), primary_key=True),
        sa.Column("subject_type", sa.String(100)),
        sa.Column("birth_date", sa.Date()),
        sa.Column("consents", sa.Text(), nullable=False),
        sa.Column("withdrawn", sa.Text(), nullable=False),
        sa.Column("objections", sa.Text(), nullable=False),
        sa.Column("objects_to_direct_marketing", sa.Boolean(), nullable=False),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.Column("contracts", sa.Text(), nullable=False),
        sa.Column("last_contract_end", sa.DateTime(timezone=True)),
        sa.Column("debts", sa.Text(), nullable=False),
        sa.Column("debt_settled_at", sa.DateTime(timezone=True)),
        sa.Column("business_opt_out", sa.Boolean(), nullable=False),
        sa.Column("business_opt_out_until", sa.DateTime(timezone=True)),
        sa.Column("effective_through", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
    )
    head = op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_ledger_head_one_row"),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS_HASH}])


def downgrade() -> None:
    op.drop_table("ledger_head")
    op.drop_table("ledger_subject_states")
    op.drop_index("ix_ledger_personal_payloads_subject_ref", "ledger_personal_payloads")
    op.drop_table("ledger_personal_payloads")
    op.drop_index("ix_ledger_events_subject_seq", "ledger_events")
    op.drop_table("ledger_events")
