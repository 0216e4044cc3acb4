"""The ledger as Parquet: the event log, the projection snapshot, and the states now from
a snapshot and the events after it, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings

from placet.decide.bulk import states_frame
from placet.errors import StoreError
from placet.ledger import ContractStarted, LedgerEvent
from placet.ledger.columnar import (
    EVENT_SCHEMA,
    SNAPSHOT_SCHEMA,
    complete_states,
    entries_frame,
    fold_projections,
    snapshot_states,
)
from placet.stores.sql_columnar import (
    WATERMARK_KEY,
    read_watermark,
    states_now,
    write_events_parquet,
    write_snapshot,
)
from placet.stores.sql_ledger import SqlLedger
from tests.ledger.builders import MSISDNS, at, consent_given, histories, make_event, subject

SETTINGS = settings(
    max_examples=15,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    deadline=None,
)
SUBJECTS = [subject(msisdn) for msisdn in MSISDNS]


def assert_answers_as_the_ledger(snapshot: Path, ledger: SqlLedger, instant: datetime) -> None:
    """`states_now` from `snapshot` gives every subject the state the ledger gives."""
    now = states_now(snapshot, ledger, instant)
    answered = complete_states(now, pl.LazyFrame({"subject": SUBJECTS})).collect().to_dicts()
    assert answered == states_frame(ledger.states(SUBJECTS, instant)).to_dicts()


def stored_entries(ledger: SqlLedger) -> pl.DataFrame:
    entries = sorted(
        (entry for who in SUBJECTS for entry in ledger.history(who)), key=lambda e: e.seq
    )
    return entries_frame(entries)


@SETTINGS
@given(history=histories(MSISDNS, max_size=20))
def test_event_file_holds_every_stored_event_in_order(
    ledger: SqlLedger, tmp_path_factory: pytest.TempPathFactory, history: list[LedgerEvent]
) -> None:
    ledger.append_many(history)
    path = tmp_path_factory.mktemp("events") / "events.parquet"

    last = write_events_parquet(ledger, path, batch_size=7)

    written = pl.read_parquet(path)
    assert written.equals(stored_entries(ledger))
    assert last == read_watermark(path) == ledger.head().seq


def test_event_file_after_a_position_holds_only_the_later_events(
    ledger: SqlLedger, tmp_path: Path
) -> None:
    ledger.append_many([consent_given(effective_at=at(day)) for day in range(5)])

    last = write_events_parquet(ledger, tmp_path / "later.parquet", after_seq=3)

    assert pl.read_parquet(tmp_path / "later.parquet")["seq"].to_list() == [4, 5]
    assert last == 5


def test_event_file_of_an_empty_ledger_is_empty_with_the_schema(
    ledger: SqlLedger, tmp_path: Path
) -> None:
    assert write_events_parquet(ledger, tmp_path / "none.parquet") == 0
    empty = pl.read_parquet(tmp_path / "none.parquet")
    assert (empty.height, dict(empty.schema)) == (0, EVENT_SCHEMA)


@SETTINGS
@given(history=histories(MSISDNS, max_size=20))
def test_snapshot_holds_the_projection_the_ledger_maintains(
    ledger: SqlLedger, tmp_path_factory: pytest.TempPathFactory, history: list[LedgerEvent]
) -> None:
    ledger.append_many(history)
    path = tmp_path_factory.mktemp("snapshot") / "snapshot.parquet"

    watermark = write_snapshot(ledger, path, batch_size=2)

    written = pl.read_parquet(path)
    snapshot = written.sort("subject")
    folded = fold_projections(stored_entries(ledger).lazy()).sort("subject").collect()
    assert dict(snapshot.schema) == SNAPSHOT_SCHEMA
    # Written in the order of the subjects' numbers, so an audience need not sort them.
    assert written["subject_key"].is_sorted()
    assert snapshot.to_dicts() == folded.to_dicts()
    assert watermark == read_watermark(path) == ledger.head().seq
    assert pq.read_metadata(path).metadata[WATERMARK_KEY] == str(watermark).encode()


@SETTINGS
@given(first=histories(MSISDNS, max_size=15), later=histories(MSISDNS, max_size=15))
def test_stale_snapshot_and_the_later_events_answer_what_the_ledger_does(
    ledger: SqlLedger,
    tmp_path_factory: pytest.TempPathFactory,
    first: list[LedgerEvent],
    later: list[LedgerEvent],
) -> None:
    ledger.append_many(first)
    path = tmp_path_factory.mktemp("stale") / "snapshot.parquet"
    write_snapshot(ledger, path)
    ledger.append_many(later)

    for instant in (at(3), at(30)):
        assert_answers_as_the_ledger(path, ledger, instant)


def rewritten(source: Path, target: Path, table: pa.Table) -> Path:
    """`table` written at `target` with `source`'s metadata (its watermark)."""
    with pq.ParquetWriter(target, table.schema) as writer:
        writer.write_table(table)
        writer.add_key_value_metadata(pq.read_metadata(source).metadata)
    return target


@SETTINGS
@given(history=histories(MSISDNS, max_size=15))
def test_a_snapshot_written_without_the_subjects_numbers_or_the_open_counts_answers_the_same(
    ledger: SqlLedger, tmp_path_factory: pytest.TempPathFactory, history: list[LedgerEvent]
) -> None:
    # Snapshots written before `subject_key` and `subject_check`, or before `open_contracts`
    # and `open_debts`, were added lack them.
    ledger.append_many(history)
    folder = tmp_path_factory.mktemp("older")
    new = folder / "new.parquet"
    write_snapshot(ledger, new)
    table = pq.read_table(new)
    numbers, counts = ["subject_key", "subject_check"], ["open_contracts", "open_debts"]

    for name, dropped in (("numbers", numbers), ("counts", counts), ("both", numbers + counts)):
        older = rewritten(new, folder / f"without-{name}.parquet", table.drop_columns(dropped))
        assert_answers_as_the_ledger(older, ledger, at(30))
    assert_answers_as_the_ledger(new, ledger, at(30))


def test_a_snapshot_counts_open_contracts_and_debts_by_its_count_columns(
    ledger: SqlLedger, tmp_path: Path
) -> None:
    """The counts are what a state is made of: the lists beside them are not read (at ten
    million subjects reading them took six times as long)."""
    ledger.append_many(
        [
            make_event(
                ContractStarted(contract="c-1"), who=subject(MSISDNS[0]), effective_at=at(1)
            ),
            make_event(
                ContractStarted(contract="c-2"), who=subject(MSISDNS[0]), effective_at=at(2)
            ),
            make_event(
                ContractStarted(contract="c-1"), who=subject(MSISDNS[1]), effective_at=at(1)
            ),
            consent_given(who=subject(MSISDNS[2]), effective_at=at(1)),
        ]
    )
    write_snapshot(ledger, tmp_path / "snapshot.parquet")
    table = pq.read_table(tmp_path / "snapshot.parquet")
    emptied = table.set_column(
        table.schema.get_field_index("contracts"),
        "contracts",
        pa.array([[] for _ in range(table.num_rows)], pa.list_(pa.string())),
    )
    path = rewritten(tmp_path / "snapshot.parquet", tmp_path / "emptied.parquet", emptied)

    states = snapshot_states(pl.scan_parquet(path), at(30)).collect()

    assert states["active_contracts"].to_list() == table["open_contracts"].to_pylist()
    assert sorted(states["active_contracts"].to_list()) == [0, 1, 2]


def test_a_file_without_a_watermark_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.parquet"
    pl.DataFrame({"subject": ["x"]}).write_parquet(path)
    with pytest.raises(StoreError, match="no watermark"):
        read_watermark(path)
