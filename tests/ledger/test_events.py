"""Events carry what happened and how, when and by whom it was given, and read back unchanged."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from uuid import RFC_4122

import pytest
from hypothesis import given
from pydantic import ValidationError

from placet.ledger import (
    EventType,
    GivenBy,
    LedgerEvent,
    ObjectionMade,
    SubjectFactsRecorded,
    entry_from_row,
    new_event_id,
    new_event_ids,
    seal_event,
)
from tests.ledger.builders import GENESIS, SALT, consent_given, ledger_events, make_event


def test_idempotency_key_defaults_to_the_event_id() -> None:
    event = consent_given()

    assert event.idempotency_key == str(event.event_id)


def test_given_idempotency_key_is_kept() -> None:
    assert consent_given(idempotency_key="crm-row-17").idempotency_key == "crm-row-17"


def test_type_is_read_from_the_data() -> None:
    assert consent_given().type is EventType.CONSENT_GIVEN


def test_objection_names_a_purpose_or_all_direct_marketing_not_both() -> None:
    with pytest.raises(ValidationError, match="either a purpose or all_direct_marketing"):
        ObjectionMade(purpose="analytics", all_direct_marketing=True)
    with pytest.raises(ValidationError, match="either a purpose or all_direct_marketing"):
        ObjectionMade()


def test_subject_facts_state_at_least_one_fact() -> None:
    with pytest.raises(ValidationError, match="subject_type, a birth_date or both"):
        SubjectFactsRecorded()


def test_naive_effective_instant_is_refused() -> None:
    with pytest.raises(ValidationError, match="effective_at"):
        consent_given(effective_at=datetime(2024, 5, 1, 12, 0))


def test_instants_are_held_in_utc() -> None:
    plus_two = timezone(timedelta(hours=2))

    event = consent_given(effective_at=datetime(2024, 5, 1, 14, 0, tzinfo=plus_two))

    assert event.effective_at.utcoffset() == timedelta(0)
    assert event.effective_at.hour == 12


def test_unknown_envelope_field_is_refused() -> None:
    with pytest.raises(ValidationError, match="channel"):
        make_event(consent_given().data, channel="sms")


def test_consent_given_by_a_representative_says_so() -> None:
    assert consent_given(given_by=GivenBy.REPRESENTATIVE).given_by is GivenBy.REPRESENTATIVE


@given(event=ledger_events())
def test_event_reads_back_unchanged_from_its_stored_row(event: LedgerEvent) -> None:
    row = seal_event(event, 1, GENESIS, SALT)

    assert entry_from_row(row).event == event


def test_new_event_ids_are_uuid_version_7_in_time_order() -> None:
    first = new_event_id()
    time.sleep(0.002)
    ids = [new_event_id() for _ in range(1000)]

    assert {event_id.version for event_id in ids} == {7}
    assert all(event_id.variant == RFC_4122 for event_id in ids)
    assert len(set(ids)) == len(ids)
    assert all(str(first) < str(later) for later in ids)  # later milliseconds sort after
    assert abs(int(str(first)[:13].replace("-", ""), 16) - time.time_ns() // 1_000_000) < 5_000
    assert consent_given().event_id.version == 7


def test_event_ids_made_in_bulk_are_those_made_one_by_one() -> None:
    first = new_event_id()
    time.sleep(0.002)
    ids = new_event_ids(10_000)

    assert {event_id.version for event_id in ids} == {7}
    assert all(event_id.variant == RFC_4122 for event_id in ids)
    assert len(set(ids)) == len(ids)
    assert all(str(first) < str(later) for later in ids)
    # In ascending order, as text too: the events' index on their ids grows at one end.
    assert ids == sorted(ids)
    assert [str(event_id) for event_id in ids] == sorted(str(event_id) for event_id in ids)
    # Every bit that is not the clock, the version or the variant is random: each is set in
    # some id and clear in another.
    random_bits = [bit for bit in range(80) if bit not in {62, 63, 76, 77, 78, 79}]
    assert all(
        any(event_id.int >> bit & 1 for event_id in ids)
        and not all(event_id.int >> bit & 1 for event_id in ids)
        for bit in random_bits
    )
    assert new_event_ids(0) == []
