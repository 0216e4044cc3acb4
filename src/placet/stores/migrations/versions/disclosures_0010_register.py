"""The disclosure register: agreements with recipients, disclosures and the subjects whose
data each held, law-enforcement requests with their steps, and Art. 19 notifications.

Revision ID: disclosures_0010
Revises: web_0009
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "disclosures_0010"
down_revision = "web_0009"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "disclosure_agreements",
        sa.Column("agreement_id", sa.String(64), primary_key=True),
        sa.Column("recipient", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("party", sa.String(300), nullable=False),
        sa.Column("reference", sa.String(300), nullable=False),
        sa.Column("valid_from", _WHEN, nullable=False),
        sa.Column("valid_until", _WHEN),
        sa.Column("countries", sa.String(400), nullable=False),
        sa.Column("safeguard", sa.String(40)),
        sa.Column("contact", sa.String(300)),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", _WHEN, nullable=False),
    )
    op.create_table(
        "disclosures",
        sa.Column("disclosure_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("recipient", sa.String(64)),
        sa.Column("party", sa.String(300)),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("country", sa.String(2)),
        sa.Column("legal_ground", sa.Text()),
        sa.Column("reference", sa.Text()),
        sa.Column("records", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.String(200), nullable=False),
        sa.Column("disclosed_at", _WHEN, nullable=False),
        sa.Column("confidential_ground", sa.Text()),
        sa.Column("confidential_until", _WHEN),
        sa.Column("override_justification", sa.Text()),
        sa.Column("override_by", sa.String(200)),
        sa.Column("subjects", sa.BigInteger(), nullable=False),
        sa.Column("transfer", sa.String(40), nullable=False),
        sa.Column("agreement_id", sa.String(64)),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("policy_id", sa.String(64), nullable=False),
        sa.Column("policy_version", sa.String(50), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", _WHEN, nullable=False),
        sa.Column("decision_id", sa.String(36)),
    )
    op.create_index("ix_disclosures_disclosed_at", "disclosures", ["disclosed_at"])
    op.create_table(
        "disclosure_subjects",
        sa.Column("disclosure_id", sa.String(64), primary_key=True),
        sa.Column("subject_ref", sa.String(64), primary_key=True),
    )
    op.create_index("ix_disclosure_subjects_subject", "disclosure_subjects", ["subject_ref"])
    op.create_table(
        "law_enforcement_requests",
        sa.Column("request_id", sa.String(64), primary_key=True),
        sa.Column("recipient", sa.String(64), nullable=False),
        sa.Column("party", sa.String(300), nullable=False),
        sa.Column("reference", sa.String(300), nullable=False),
        sa.Column("legal_ground", sa.Text(), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("subscribers", sa.Text(), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("data_from", _WHEN),
        sa.Column("data_until", _WHEN),
        sa.Column("received_at", _WHEN, nullable=False),
        sa.Column("stage", sa.String(30), nullable=False),
        sa.Column("confidential_ground", sa.Text()),
        sa.Column("confidential_until", _WHEN),
        sa.Column("extraction", sa.Text()),
        sa.Column("delivery", sa.Text()),
        sa.Column("disclosure_id", sa.String(64)),
    )
    op.create_table(
        "law_enforcement_steps",
        sa.Column("request_id", sa.String(64), primary_key=True),
        sa.Column("step_no", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("stage", sa.String(30), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("role", sa.String(40)),
        sa.Column("at", _WHEN, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
    )
    op.create_table(
        "recipient_notifications",
        sa.Column("notification_id", sa.String(64), primary_key=True),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("subject_ref", sa.String(64), nullable=False),
        sa.Column("change", sa.String(20), nullable=False),
        sa.Column("recipient", sa.String(64), nullable=False),
        sa.Column("party", sa.String(300), nullable=False),
        sa.Column("contact", sa.String(300)),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reference", sa.String(300)),
        sa.Column("disclosures", sa.Text(), nullable=False),
        sa.Column("at", _WHEN, nullable=False),
    )
    op.create_index(
        "ix_recipient_notifications_subject", "recipient_notifications", ["subject_ref"]
    )


def downgrade() -> None:
    op.drop_index("ix_recipient_notifications_subject", "recipient_notifications")
    op.drop_table("recipient_notifications")
    op.drop_table("law_enforcement_steps")
    op.drop_table("law_enforcement_requests")
    op.drop_index("ix_disclosure_subjects_subject", "disclosure_subjects")
    op.drop_table("disclosure_subjects")
    op.drop_index("ix_disclosures_disclosed_at", "disclosures")
    op.drop_table("disclosures")
    op.drop_table("disclosure_agreements")
