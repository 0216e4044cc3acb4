"""The ledger's schema: created and upgraded by the shipped migrations, checked before use."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, String, inspect, make_url, text
from sqlalchemy.engine import Dialect

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
from tests.conftest import POSTGRES_URL
from tests.ledger.builders import at, consent_given

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


def _declared_collations(dialect: Dialect) -> dict[tuple[str, str], str | None]:
    """Each column's collation as the code declares it on `dialect` (None: the default)."""
    return {
        (table.name, column.name): getattr(column.type.dialect_impl(dialect), "collation", None)
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type.dialect_impl(dialect), String)
    }


def test_the_migrations_give_each_text_column_the_collation_the_code_declares(
    postgres_url: str,
) -> None:
    """Alembic's comparison leaves collations out: this checks them on PostgreSQL."""
    engine = create_ledger_engine(postgres_url)
    with engine.connect() as connection:
        found = {
            (table, column): collation
            for table, column, collation in connection.execute(
                text(
                    "SELECT table_name, column_name, collation_name "
                    "FROM information_schema.columns WHERE table_schema = current_schema()"
                )
            )
        }
    declared = _declared_collations(engine.dialect)
    engine.dispose()

    assert {column: found[column] for column in declared} == declared
    assert declared["ledger_events", "idempotency_key"] == "C"


@pytest.fixture
def icu_database_url(_postgres_admin: Engine) -> Iterator[str]:
    """A new PostgreSQL database whose default collation is ICU's en-US, dropped after."""
    name = f"placet_icu_{uuid.uuid4().hex[:12]}"
    admin = _postgres_admin.execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            text(
                f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
                "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
            )
        )
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))


def test_keys_compare_byte_by_byte_on_a_database_whose_default_collation_is_icu(
    icu_database_url: str,
) -> None:
    """ICU's en-US puts "a" before "B" and "_" before "-": the ledger's keys and pseudonyms
    keep byte order (Python's) there, so their indexes never follow a locale's rules."""
    keys = ["a-b", "a_b", "B", "a", "a b"]
    ledger = open_ledger(icu_database_url)
    ledger.append_many(
        [consent_given(idempotency_key=key, effective_at=at(day)) for day, key in enumerate(keys)]
    )
    again = ledger.append(consent_given(idempotency_key="a-b", effective_at=at(0)))
    with ledger.engine.connect() as connection:
        ordered = connection.execute(
            text("SELECT idempotency_key FROM ledger_events ORDER BY idempotency_key")
        ).scalars()
        in_icu = connection.execute(
            text("SELECT k FROM unnest(CAST(:keys AS text[])) AS k ORDER BY k"), {"keys": keys}
        ).scalars()
        assert list(in_icu) != sorted(keys)  # the database's own order is not byte order
        assert list(ordered) == sorted(keys)
    assert again.seq == 1
    assert ledger.head().seq == len(keys)
    assert ledger.verify().is_intact
    ledger.engine.dispose()


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
