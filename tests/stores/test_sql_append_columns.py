"""`append_columns`, a batch held as columns (a bulk import's), by the rules of `append_many`."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from placet.errors import DuplicateEventError, IdempotencyConflictError
from placet.ledger import LedgerEvent, project_events
from placet.ledger.chain_columns import EventColumns
from placet.stores.sql_ledger import SqlLedger
from tests.ledger.builders import (
    MSISDNS,
    OPTIONS,
    at,
    consent_given,
    consent_withdrawn,
    histories,
    subject,
)
from tests.stores.conftest import count_rows
from tests.stores.test_sql_ledger import ACROSS_EXAMPLES


def columns(*events: LedgerEvent) -> EventColumns:
    return EventColumns.from_events(events)


texts = st.text(
    st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), min_size=1, max_size=12
)
"""Free text as a CRM gives it: quotes, commas, line breaks, backslashes, any script (not
NUL, which PostgreSQL's text cannot hold, nor a lone surrogate, which no UTF-8 file holds)."""


def without_payloads(events: list[LedgerEvent], words: list[str]) -> list[LedgerEvent]:
    """`events` without personal payloads, their actors, evidence and keys free text."""
    return [
        event.model_copy(
            update={
                "personal": None,
                "actor": words[index % len(words)],
                "evidence": None if index % 3 == 0 else words[-1 - index % len(words)],
                "idempotency_key": f"{event.event_id},{words[index % len(words)]}",
            }
        )
        for index, event in enumerate(events)
    ]


@ACROSS_EXAMPLES
@given(
    earlier=histories(subjects=MSISDNS[:3], max_size=8),
    batch=histories(subjects=MSISDNS[:3], max_size=15),
    split=st.integers(0, 15),
    words=st.lists(texts, min_size=1, max_size=4),
)
def test_columns_are_recorded_as_the_events_and_fold_into_each_projection(
    ledger: SqlLedger,
    earlier: list[LedgerEvent],
    batch: list[LedgerEvent],
    split: int,
    words: list[str],
) -> None:
    # Some subjects have projections already (from append_many, some backdated by the
    # batch), some are new; the batch comes in two appends of columns.
    before = ledger.head().seq
    ledger.append_many(earlier)
    plain = without_payloads(batch, words)

    added = ledger.append_columns(columns(*plain[:split]))
    added += ledger.append_columns(columns(*plain[split:]))

    assert added == len(plain)
    report = ledger.verify()
    assert report.is_intact, report.problem
    assert report.verified == before + len(earlier) + len(plain)
    recorded = [entry.event for msisdn in MSISDNS[:3] for entry in ledger.history(subject(msisdn))]
    assert all(event in recorded for event in plain)
    for msisdn in MSISDNS[:3]:
        who = subject(msisdn)
        history = [entry.event for entry in ledger.history(who)]
        if history:
            assert ledger.projection(who) == project_events(who, history)


def test_rows_sent_again_add_nothing(ledger: SqlLedger) -> None:
    batch = [consent_given(effective_at=at(day), idempotency_key=f"crm-{day}") for day in range(4)]
    ledger.append_columns(columns(*batch[:2]))
    # The same rows read again by a second import: new ids, a later instant of recording.
    again = [event.model_copy(update={"event_id": consent_given().event_id}) for event in batch]
    again = [event.model_copy(update={"recorded_at": at(30)}) for event in again]

    added = ledger.append_columns(columns(*again))

    assert added == 2
    assert count_rows(ledger, "ledger_events") == 4
    assert ledger.append_columns(columns(*again)) == 0
    assert ledger.head().seq == 4


def test_each_projection_names_the_position_of_its_subjects_last_event(
    ledger: SqlLedger,
) -> None:
    # One subject known before the batch, two new to it, and a row recorded before (left
    # out, so the others come one position earlier than in the batch). A replay as of an
    # earlier position trusts a projection only up to the position it names.
    sent = consent_given(idempotency_key="crm-0", effective_at=at(1))
    ledger.append_columns(columns(sent))
    second, third = subject(MSISDNS[1]), subject(MSISDNS[2])
    batch = [
        sent.model_copy(update={"event_id": consent_given().event_id}),
        consent_given(OPTIONS[1], who=second, effective_at=at(2), idempotency_key="crm-1"),
        consent_withdrawn(effective_at=at(3), idempotency_key="crm-2"),
        consent_given(OPTIONS[1], who=third, effective_at=at(4), idempotency_key="crm-3"),
        consent_withdrawn(OPTIONS[1], who=second, effective_at=at(5), idempotency_key="crm-4"),
    ]

    assert ledger.append_columns(columns(*batch)) == 4

    with ledger.engine.connect() as connection:
        named = connection.execute(text("SELECT subject_ref, last_seq FROM ledger_subject_states"))
        last = connection.execute(
            text("SELECT subject_ref, max(seq) FROM ledger_events GROUP BY subject_ref")
        )
        assert dict(named.all()) == dict(last.all()) == {subject(): 3, second: 5, third: 4}


def test_a_key_sent_again_with_another_event_fails_the_whole_batch(ledger: SqlLedger) -> None:
    ledger.append_columns(columns(consent_given(idempotency_key="crm-row-17")))
    head, projection = ledger.head(), ledger.projection(subject())
    batch = columns(
        consent_given(OPTIONS[1], who=subject(MSISDNS[1])),
        consent_withdrawn(idempotency_key="crm-row-17"),
    )

    with pytest.raises(IdempotencyConflictError, match=r"crm-row-17.*position 1"):
        ledger.append_columns(batch)

    assert ledger.head() == head
    assert count_rows(ledger, "ledger_events") == 1
    assert ledger.projection(subject()) == projection
    assert ledger.projection(subject(MSISDNS[1])) is None


def test_a_key_repeated_within_the_columns_records_its_event_once(ledger: SqlLedger) -> None:
    event = consent_given(idempotency_key="crm-row-17")
    copy = event.model_copy(update={"event_id": consent_given().event_id})

    assert ledger.append_columns(columns(event, copy, consent_given(OPTIONS[1]))) == 2
    assert ledger.history(subject())[0].event == event


def test_a_key_repeated_within_the_columns_with_another_event_records_nothing(
    ledger: SqlLedger,
) -> None:
    batch = columns(
        consent_given(idempotency_key="crm-row-17"),
        consent_withdrawn(idempotency_key="crm-row-17"),
    )

    with pytest.raises(IdempotencyConflictError, match="crm-row-17"):
        ledger.append_columns(batch)

    assert count_rows(ledger, "ledger_events") == 0


def test_columns_reusing_a_recorded_event_id_record_nothing(ledger: SqlLedger) -> None:
    first = ledger.append(consent_given())
    reused = consent_given(event_id=first.event.event_id, idempotency_key="another-key")

    with pytest.raises(DuplicateEventError, match=str(first.event.event_id)):
        ledger.append_columns(columns(consent_given(OPTIONS[1]), reused))

    assert count_rows(ledger, "ledger_events") == 1


def test_an_event_id_under_two_keys_within_the_columns_records_nothing(
    ledger: SqlLedger,
) -> None:
    event = consent_given(idempotency_key="crm-row-17")
    twin = event.model_copy(update={"idempotency_key": "crm-row-18"})

    with pytest.raises(DuplicateEventError, match=str(event.event_id)):
        ledger.append_columns(columns(event, twin))

    assert count_rows(ledger, "ledger_events") == 0


@pytest.mark.parametrize("removed", [False, True], ids=["payload kept", "payload removed"])
def test_a_row_sent_again_for_an_event_recorded_with_a_personal_payload_adds_nothing(
    ledger: SqlLedger, removed: bool
) -> None:
    event = consent_given(idempotency_key="crm-row-17", personal={"msisdn": MSISDNS[0]})
    ledger.append(event)
    if removed:
        ledger.remove_personal_payload(subject())
    again = event.model_copy(update={"event_id": consent_given().event_id, "personal": None})

    assert ledger.append_columns(columns(again)) == 0
    assert ledger.head().seq == 1
