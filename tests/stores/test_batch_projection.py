"""A batched append updates the projection set-based, once per batch: each subject of the
batch written once, in one statement per kind of write, whatever the batch's size."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl
import pytest

from placet.ledger import LedgerEvent, SubjectRef
from placet.ledger.chain_columns import EventColumns
from placet.stores import sql_append
from placet.stores.sql_ledger import SqlLedger
from tests.ledger.builders import OPTIONS, at, consent_given, consent_withdrawn, subject

WRITERS = (sql_append._SqliteWriter, sql_append._PostgresWriter)


class ProjectionWrites:
    """The calls that write projections, each with the subjects it wrote."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[SubjectRef]]] = []

    def record(self, name: str, written: Sequence[Any] | pl.DataFrame) -> None:
        if isinstance(written, pl.DataFrame):
            subjects = written.get_column("subject_ref").to_list()
        else:
            subjects = [projection.subject for projection, _ in written]
        self.calls.append((name, subjects))

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def subjects(self) -> list[SubjectRef]:
        return sorted(who for _, written in self.calls for who in written)


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> ProjectionWrites:
    seen = ProjectionWrites()
    for writer in WRITERS:
        for name in ("save_projections", "save_projection_rows"):
            original = getattr(writer, name)

            def counting(
                self: Any, written: Any, _name: str = name, _original: Any = original
            ) -> None:
                seen.record(_name, written)
                _original(self, written)

            monkeypatch.setattr(writer, name, counting)
    return seen


def many_events(subjects: Sequence[str], per_subject: int, *, day: int = 0) -> list[LedgerEvent]:
    """Consents given and withdrawn, `per_subject` events about each of `subjects`."""
    events = []
    for n in range(per_subject):
        for msisdn in subjects:
            make = consent_given if n % 2 == 0 else consent_withdrawn
            events.append(make(OPTIONS[n % 2], who=subject(msisdn), effective_at=at(day + n)))
    return events


MANY = [f"+3834410{n:04d}" for n in range(40)]


def test_a_batch_of_events_writes_each_subjects_projection_once_in_one_statement(
    ledger: SqlLedger, writes: ProjectionWrites
) -> None:
    ledger.append_many(many_events(MANY[:10], 2))
    writes.calls.clear()
    batch = many_events(MANY[5:30], 6, day=10)  # 150 events: 5 known subjects, 20 new

    ledger.append_many(batch)

    assert writes.names() == ["save_projections"]
    assert writes.subjects() == sorted(subject(msisdn) for msisdn in MANY[5:30])


def test_a_batch_held_as_columns_writes_each_subjects_projection_once(
    ledger: SqlLedger, writes: ProjectionWrites
) -> None:
    ledger.append_many(many_events(MANY[:10], 2))
    writes.calls.clear()
    batch = many_events(MANY[5:30], 6, day=10)

    ledger.append_columns(EventColumns.from_events(batch))

    # The subjects known before are folded onto their projections, the new ones in columns:
    # one statement each.
    assert sorted(writes.names()) == ["save_projection_rows", "save_projections"]
    assert writes.subjects() == sorted(subject(msisdn) for msisdn in MANY[5:30])


def test_the_statements_a_batch_takes_do_not_grow_with_its_size(
    ledger: SqlLedger, writes: ProjectionWrites
) -> None:
    for size in (1, 10, 40):
        writes.calls.clear()
        ledger.append_many(many_events(MANY[:size], 3, day=size))
        assert writes.names() == ["save_projections"], size
