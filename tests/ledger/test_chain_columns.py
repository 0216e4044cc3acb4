"""Events held as columns: sealed from columns into the rows `seal_event` makes, one by one."""

from __future__ import annotations

import re
from uuid import UUID

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from placet.ledger import GENESIS_HASH, ChainRow, LedgerEvent, seal_event
from placet.ledger.chain import encode_event
from placet.ledger.chain_columns import (
    EVENT_COLUMNS,
    EventColumns,
    encode_bodies,
    new_event_id_column,
    seal_columns,
)
from tests.ledger.builders import MSISDNS, consent_given, histories

texts = st.text(min_size=1, max_size=12)
"""Any text a row may hold: quotes, backslashes, control characters, any script."""


@st.composite
def plain_histories(draw: st.DrawFn) -> list[LedgerEvent]:
    """Events without personal payloads, whose free text and keys are any text."""
    events = draw(histories(subjects=MSISDNS, max_size=15))
    return [
        event.model_copy(
            update={
                "personal": None,
                "actor": draw(texts),
                "evidence": draw(st.none() | texts),
                "idempotency_key": f"{index}{draw(texts)}",
                "policy_version": draw(texts),
            }
        )
        for index, event in enumerate(events)
    ]


@given(events=plain_histories(), start=st.integers(1, 2**40), prev=st.sampled_from(["ab" * 32]))
def test_rows_sealed_in_columns_are_the_rows_seal_event_makes(
    events: list[LedgerEvent], start: int, prev: str
) -> None:
    sealed, last = seal_columns(EventColumns.from_events(events), start, prev)

    expected = []
    chained = prev
    for seq, event in enumerate(events, start=start):
        row = seal_event(event, seq, chained, None)
        expected.append(tuple(row)[:10])
        chained = row.hash
    assert sealed.rows() == expected
    assert sealed.columns == list(ChainRow._fields[:10])  # the events table's columns
    assert last == chained


@given(events=plain_histories())
def test_a_body_resealed_with_a_stored_rows_id_and_position_is_that_rows_body(
    events: list[LedgerEvent],
) -> None:
    columns = EventColumns.from_events(events)
    seqs = pl.Series(range(100, 100 + len(events)), dtype=pl.Int64)
    ids = pl.Series([str(UUID(int=index + 1)) for index in range(len(events))], dtype=pl.String)

    bodies = encode_bodies(columns, seqs, event_ids=ids).to_list()

    assert bodies == [
        encode_event(event, 100 + index, None, str(UUID(int=index + 1))).decode("utf-8")
        for index, event in enumerate(events)
    ]


@given(events=plain_histories())
def test_each_row_is_again_the_event_it_was_built_from(events: list[LedgerEvent]) -> None:
    columns = EventColumns.from_events(events)

    assert [columns.event(index) for index in range(columns.height)] == events
    assert [tuple(happening) for happening in columns.happenings()] == [
        (event.subject, event.data, event.effective_at) for event in events
    ]


def test_columns_of_no_event_seal_nothing_and_keep_the_head() -> None:
    sealed, last = seal_columns(EventColumns.from_events([]), 1, GENESIS_HASH)

    assert sealed.height == 0
    assert last == GENESIS_HASH


def test_an_event_with_a_personal_payload_is_refused_naming_it() -> None:
    event = consent_given(personal={"msisdn": MSISDNS[0]})

    with pytest.raises(ValueError, match=f"event {event.event_id} carries a personal payload"):
        EventColumns.from_events([event])


def test_columns_of_another_schema_are_refused() -> None:
    frame = pl.DataFrame(schema=EVENT_COLUMNS).drop("actor")

    with pytest.raises(ValueError, match="event columns must be"):
        EventColumns(frame, [])


def test_event_ids_made_in_columns_are_distinct_version_7_uuids() -> None:
    ids = new_event_id_column(20_000).to_list()

    parsed = [UUID(text) for text in ids]
    assert len(set(ids)) == len(ids)
    assert {(uuid.version, uuid.variant) for uuid in parsed} == {(7, "specified in RFC 4122")}
    assert all(re.fullmatch(r"[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}", text) for text in ids)
    # The random bits are spread: each of the variant digit's four values turns up.
    assert {text[19] for text in ids} == set("89ab")
    # In ascending order, as `new_event_ids` makes them.
    assert ids == sorted(ids, key=UUID)
