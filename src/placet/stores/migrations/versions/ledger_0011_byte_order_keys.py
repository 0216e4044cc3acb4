"""The ledger's ids, pseudonyms, hashes and idempotency keys compare byte by byte on
PostgreSQL (the "C" collation), whatever the database's default collation.

Their unique indexes then never depend on the operating system's locale data, whose
changes (glibc 2.28 reordered hyphens and spaces) corrupt indexes built under the old
order. Changing a column's collation keeps its rows as they are and rebuilds the indexes
on it: on a large ledger, run the upgrade in a maintenance window. SQLite compares text by
its bytes already; nothing changes there.

Revision ID: ledger_0011
Revises: disclosures_0010
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "ledger_0011"
down_revision = "disclosures_0010"
branch_labels = None
depends_on = None

_CHAINED = {
    "event_id": 36,
    "idempotency_key": 200,
    "subject_ref": 64,
    "type": 40,
    "prev_hash": 64,
    "hash": 64,
}
KEY_COLUMNS: dict[str, dict[str, int]] = {
    "ledger_events": _CHAINED,
    "ledger_decisions": _CHAINED,
    "ledger_personal_payloads": {"event_id": 36, "subject_ref": 64, "salt": 64},
    "ledger_subject_states": {"subject_ref": 64},
    "ledger_head": {"hash": 64},
    "ledger_decision_head": {"hash": 64},
}


def upgrade() -> None:
    _collate('COLLATE "C"')


def downgrade() -> None:
    _collate("")


def _collate(collation: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in KEY_COLUMNS.items():
        changes = ", ".join(
            f"ALTER COLUMN {name} TYPE varchar({length}) {collation}".rstrip()
            for name, length in columns.items()
        )
        op.execute(f"ALTER TABLE {table} {changes}")
