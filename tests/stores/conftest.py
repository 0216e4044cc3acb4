"""A fresh ledger on each database the storage tests run against (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from uuid import uuid4

import pytest
from sqlalchemy import insert, text

from placet.ledger import ChainRow, DecisionKind, DecisionRecord, chain_hash
from placet.stores import sql_schema as tables
from placet.stores.sql_ledger import SqlLedger, open_ledger


@pytest.fixture
def ledger(database_url: str) -> Iterator[SqlLedger]:
    """An empty ledger, its schema upgraded, on SQLite and on PostgreSQL."""
    opened = open_ledger(database_url)
    yield opened
    opened.engine.dispose()


def run_sql(ledger: SqlLedger, *statements: str) -> None:
    """Change the database behind the ledger's back, as someone with database access could."""
    with ledger.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def insert_row(ledger: SqlLedger, row: ChainRow) -> None:
    """Insert a row into the events table directly, as a forger with database access would."""
    values = {name: getattr(row, name) for name in _EVENT_COLUMNS}
    with ledger.engine.begin() as connection:
        connection.execute(insert(tables.events), values)


_EVENT_COLUMNS = (
    "seq",
    "event_id",
    "idempotency_key",
    "subject_ref",
    "type",
    "effective_at",
    "recorded_at",
    "body",
    "prev_hash",
    "hash",
)


def count_rows(ledger: SqlLedger, table: str) -> int:
    with ledger.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def rewrite_from(ledger: SqlLedger, table: str, head: str, seq: int) -> None:
    """Alter the entry at `seq` and seal it and every later one again, head row included:
    the chain agrees with itself again."""
    with ledger.engine.begin() as connection:
        rows = connection.execute(
            text(f"SELECT seq, body, prev_hash FROM {table} WHERE seq >= :seq ORDER BY seq"),
            {"seq": seq},
        ).all()
        prev = rows[0].prev_hash
        for row in rows:
            body = row.body.replace("agent-0042", "agent-0666").replace("crm-", "crn-")
            hash_ = chain_hash(prev, body.encode("utf-8"))
            connection.execute(
                text(f"UPDATE {table} SET body = :body, prev_hash = :prev, hash = :hash "
                     "WHERE seq = :seq"),
                {"body": body, "prev": prev, "hash": hash_, "seq": row.seq},
            )  # fmt: skip
            prev = hash_
        connection.execute(text(f"UPDATE {head} SET hash = :hash"), {"hash": prev})


def an_audience_run(ledger: SqlLedger, at: datetime) -> None:
    """Record a campaign's audience run, at `at`, against the ledger's head."""
    head = ledger.head()
    ledger.record_decision(
        DecisionRecord(
            record_id=uuid4(),
            kind=DecisionKind.AUDIENCE_RUN,
            recorded_at=at,
            actor="crm-campaigns",
            policy_id="ipko",
            policy_version="1.0",
            ledger_seq=head.seq,
            ledger_hash=head.hash,
            as_of=at,
            request={"purpose": "direct-marketing-current-offers"},
            outcome={"total": 2, "permitted": 1},
        )
    )
