"""A fresh ledger on each database the storage tests run against (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import insert, text

from placet.ledger import ChainRow
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
