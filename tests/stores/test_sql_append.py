"""The append's driver-level statements write exactly what SQLAlchemy would, and read it back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.dialects import sqlite

from placet.ledger import (
    ChainRow,
    ContractEnded,
    ContractStarted,
    SubjectFactsRecorded,
    project_events,
)
from placet.stores import sql_schema as tables
from placet.stores.sql_append import _RECORDED_ROWS, _StateRow, batch_writer, sqlite_instant
from placet.stores.sql_ledger import SqlLedger
from placet.stores.sql_projection import PROJECTION_COLUMNS
from tests.ledger.builders import at, consent_given, make_event, subject


@given(
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=2)), timezone(-timedelta(hours=5, minutes=30))]
        ),
    )
)
def test_sqlite_instant_is_the_text_sqlalchemy_stores(instant: datetime) -> None:
    dialect = sqlite.dialect()
    bind = tables.UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert bind is not None
    stored = bind(instant)

    assert sqlite_instant(instant) == stored


def test_state_row_has_the_projection_tables_columns_in_order() -> None:
    assert _StateRow._fields == tuple(column.name for column in tables.subject_states.columns)
    assert _StateRow._fields == PROJECTION_COLUMNS


def test_a_chain_rows_first_fields_are_the_events_tables_columns_in_order() -> None:
    # The writers store `row[:10]` as the events table's row, and read `_RECORDED_ROWS`
    # back as a `ChainRow` by position.
    columns = tuple(column.name for column in tables.events.columns)
    payload_columns = ("salt", "payload")

    assert ChainRow._fields == (*columns, *payload_columns)
    assert _RECORDED_ROWS.startswith(f"SELECT {', '.join(f'e.{name}' for name in columns)}, ")


def test_projection_written_by_the_driver_reads_back_through_sqlalchemy(
    ledger: SqlLedger,
) -> None:
    events = [
        make_event(SubjectFactsRecorded(subject_type="consumer", birth_date=at(0).date())),
        make_event(ContractStarted(contract="c-1"), effective_at=at(1)),
        consent_given(effective_at=at(2)),
        make_event(ContractEnded(contract="c-1"), effective_at=at(3)),
    ]
    ledger.append_many(events[:2])
    ledger.append_many(events[2:])  # read back by the driver, folded, written again

    with ledger.engine.connect() as connection:
        stored = connection.execute(select(tables.subject_states)).one()

    assert ledger.projection(subject()) == project_events(subject(), events)
    assert stored.last_contract_end == at(3)
    assert stored.effective_through == at(3)
    assert stored.birth_date == at(0).date()
    assert stored.last_seq == 4


def test_rows_found_by_key_by_the_driver_are_those_sqlalchemy_reads(ledger: SqlLedger) -> None:
    events = [
        consent_given(effective_at=at(1), idempotency_key="crm-1"),
        consent_given(
            effective_at=at(2), idempotency_key="crm-2", personal={"msisdn": "+38344000001"}
        ),
        consent_given(effective_at=at(3), idempotency_key="crm-3"),
    ]
    ledger.append_many(events)
    keys = ["crm-2", "crm-1", "crm-unknown"]

    with ledger.engine.begin() as connection:
        by_driver = batch_writer(connection).recorded_rows(keys)
        by_sqlalchemy = ledger._rows_by_key(connection, keys)

    assert {row.idempotency_key: row for row in by_driver} == by_sqlalchemy
    assert by_sqlalchemy["crm-2"].payload is not None
