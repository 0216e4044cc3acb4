"""The ledger's schema: created and upgraded by the shipped migrations, checked before use."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from placet.errors import LedgerSchemaError, StoreError
from placet.stores.sql_database import (
    SQLITE_PAGE_SIZE,
    SQLITE_WRITER_CACHE_KIB,
    WRITE,
    create_ledger_engine,
    head_revision,
    schema_revision,
    upgrade_database,
)
from placet.stores.sql_ledger import SqlLedger, open_ledger
from placet.stores.sql_schema import metadata
from tests.ledger.builders import consent_given

LEDGER_TABLES = {
    "ledger_events",
    "ledger_personal_payloads",
    "ledger_subject_states",
    "ledger_head",
}


def test_upgrade_creates_the_ledger_tables_at_the_head_revision(empty_database_url: str) -> None:
    engine = create_ledger_engine(empty_database_url)

    revision = upgrade_database(engine)

    assert revision == head_revision() == schema_revision(engine)
    assert set(inspect(engine).get_table_names()) >= LEDGER_TABLES


def test_upgrading_twice_changes_nothing(ledger: SqlLedger) -> None:
    ledger.append_many([])

    upgrade_database(ledger.engine)

    assert ledger.head().seq == 0
    assert ledger.verify().is_intact


def test_migrations_create_exactly_the_tables_the_code_uses(empty_database_url: str) -> None:
    ledger = open_ledger(empty_database_url)
    with ledger.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)

    assert differences == []


def test_opening_without_upgrade_refuses_a_database_without_tables(
    empty_database_url: str,
) -> None:
    create_ledger_engine(empty_database_url).dispose()
    if empty_database_url.startswith("sqlite"):
        Path(empty_database_url.removeprefix("sqlite:///")).touch()

    with pytest.raises(LedgerSchemaError, match="placet ledger upgrade"):
        open_ledger(empty_database_url, upgrade=False)


def test_opening_a_missing_sqlite_file_without_upgrade_says_so(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nowhere.db'}"

    with pytest.raises(StoreError, match="no ledger database"):
        open_ledger(url, upgrade=False)

    assert not (tmp_path / "nowhere.db").exists()


def test_sqlite_ledger_runs_in_wal_mode(empty_sqlite_url: str) -> None:
    ledger = open_ledger(empty_sqlite_url)

    with ledger.engine.connect() as connection:
        mode = connection.execute(text("PRAGMA journal_mode")).scalar_one()

    assert mode == "wal"


def test_a_new_sqlite_ledger_has_16_kib_pages_and_writers_a_larger_cache(
    empty_sqlite_url: str,
) -> None:
    ledger = open_ledger(empty_sqlite_url)
    ledger.append(consent_given())

    with ledger.engine.connect() as connection:
        page_size = connection.execute(text("PRAGMA page_size")).scalar_one()
    with ledger.engine.connect() as connection:
        connection.execution_options(**{WRITE: True})
        with connection.begin():
            cache = connection.execute(text("PRAGMA cache_size")).scalar_one()

    assert page_size == SQLITE_PAGE_SIZE == 16384
    assert cache == -SQLITE_WRITER_CACHE_KIB


def test_in_memory_sqlite_ledger_works_for_a_quick_try() -> None:
    ledger = open_ledger("sqlite://")

    assert ledger.verify().verified == 0


def test_postgresql_url_without_a_driver_uses_psycopg() -> None:
    engine = create_ledger_engine("postgresql://placet@127.0.0.1/placet")

    assert engine.dialect.driver == "psycopg"


def test_database_other_than_sqlite_or_postgresql_is_refused_with_advice() -> None:
    with pytest.raises(StoreError, match="SQLite or PostgreSQL"):
        create_ledger_engine("mysql://placet@127.0.0.1/placet")


def test_unreachable_postgresql_is_a_store_error_that_hides_the_password() -> None:
    engine = create_ledger_engine("postgresql://placet:s3cret@127.0.0.1:1/placet")

    with pytest.raises(StoreError, match="Check that the server is running") as raised:
        schema_revision(engine)

    assert "s3cret" not in str(raised.value)
