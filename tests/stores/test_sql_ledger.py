"""The ledger in SQLite and PostgreSQL: appends, idempotency, all-or-nothing batches, reading."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from placet.errors import DuplicateEventError, IdempotencyConflictError, StoreError
from placet.ledger import (
    ConsentGiven,
    ContractStarted,
    LedgerEvent,
    ObjectionMade,
    project_events,
    replay,
    seal_event,
)
from placet.policy.terms import Channel
from placet.stores.sql_ledger import SqlLedger
from tests.ledger.builders import (
    MSISDNS,
    OPTIONS,
    at,
    consent_given,
    consent_withdrawn,
    histories,
    make_event,
    subject,
)
from tests.stores.conftest import count_rows, insert_row

LATER = at(365)
ACROSS_EXAMPLES = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
"""One database per test; the invariants must hold after every example's appends."""


def test_appended_event_reads_back_in_the_subjects_history(ledger: SqlLedger) -> None:
    event = consent_given(personal={"msisdn": MSISDNS[0]})

    entry = ledger.append(event)

    assert entry.seq == 1
    assert [(stored.seq, stored.event) for stored in ledger.history(subject())] == [(1, event)]


def test_history_holds_only_the_subjects_own_events(ledger: SqlLedger) -> None:
    ours = consent_given()
    ledger.append_many([ours, consent_given(who=subject(MSISDNS[1]))])

    assert [entry.event for entry in ledger.history(subject())] == [ours]


def test_batch_is_recorded_in_the_order_given(ledger: SqlLedger) -> None:
    batch = [consent_given(effective_at=at(day)) for day in range(5)]

    entries = ledger.append_many(batch)

    assert [entry.seq for entry in entries] == [1, 2, 3, 4, 5]
    assert [entry.event for entry in entries] == batch
    assert ledger.head().seq == 5


@ACROSS_EXAMPLES
@given(history=histories(subjects=MSISDNS, max_size=12))
def test_chain_verifies_after_any_sequence_of_appends(
    ledger: SqlLedger, history: list[LedgerEvent]
) -> None:
    before = ledger.head().seq
    half = len(history) // 2
    for event in history[:half]:
        ledger.append(event)
    ledger.append_many(history[half:])

    report = ledger.verify()

    assert report.is_intact, report.problem
    assert report.verified == before + len(history)


def test_resent_idempotency_key_returns_the_original_entry(ledger: SqlLedger) -> None:
    original = ledger.append(consent_given(idempotency_key="crm-row-17", recorded_at=at(1)))
    retry = consent_given(idempotency_key="crm-row-17", recorded_at=at(2))

    again = ledger.append(retry)

    assert again == original
    assert ledger.head().seq == 1


def test_resent_key_within_one_batch_records_one_event(ledger: SqlLedger) -> None:
    event = consent_given(idempotency_key="crm-row-17")

    first, second = ledger.append_many([event, event])

    assert first == second
    assert count_rows(ledger, "ledger_events") == 1


def test_resent_key_after_the_payload_was_removed_still_returns_the_original(
    ledger: SqlLedger,
) -> None:
    event = consent_given(idempotency_key="crm-row-17", personal={"msisdn": MSISDNS[0]})
    ledger.append(event)
    ledger.remove_personal_payload(subject())

    again = ledger.append(event)

    assert (again.seq, again.event.personal) == (1, None)


def test_key_resent_with_another_event_is_refused_and_records_nothing(
    ledger: SqlLedger,
) -> None:
    ledger.append(consent_given(idempotency_key="crm-row-17"))

    with pytest.raises(IdempotencyConflictError, match=r"crm-row-17.*position 1"):
        ledger.append(consent_withdrawn(idempotency_key="crm-row-17"))

    assert count_rows(ledger, "ledger_events") == 1


def test_failing_batch_leaves_no_event_payload_or_projection_behind(ledger: SqlLedger) -> None:
    ledger.append(consent_given(idempotency_key="crm-row-17"))
    head = ledger.head()
    projection = ledger.projection(subject())
    batch = [
        consent_withdrawn(personal={"msisdn": MSISDNS[0]}),
        make_event(ContractStarted(contract="c-1"), who=subject(MSISDNS[1])),
        consent_withdrawn(idempotency_key="crm-row-17"),
    ]

    with pytest.raises(IdempotencyConflictError):
        ledger.append_many(batch)

    assert ledger.head() == head
    assert count_rows(ledger, "ledger_events") == 1
    assert count_rows(ledger, "ledger_personal_payloads") == 0
    assert ledger.projection(subject()) == projection
    assert ledger.projection(subject(MSISDNS[1])) is None


def test_append_that_fails_in_the_database_half_way_leaves_nothing_behind(
    ledger: SqlLedger,
) -> None:
    ledger.append(consent_given(idempotency_key="crm-row-17"))
    squatter = seal_event(consent_given(), 3, "0" * 64, None)
    insert_row(ledger, squatter)
    projection = ledger.projection(subject())
    batch = [
        consent_withdrawn(personal={"msisdn": MSISDNS[0]}),
        make_event(ContractStarted(contract="c-1"), who=subject(MSISDNS[1])),
        consent_given(OPTIONS[1]),
    ]

    with pytest.raises(StoreError, match="Nothing was changed"):
        ledger.append_many(batch)

    assert ledger.head().seq == 1
    assert count_rows(ledger, "ledger_events") == 2
    assert count_rows(ledger, "ledger_personal_payloads") == 0
    assert ledger.projection(subject()) == projection
    assert ledger.projection(subject(MSISDNS[1])) is None


def test_batch_reusing_a_recorded_event_id_under_a_new_key_records_nothing(
    ledger: SqlLedger,
) -> None:
    first = ledger.append(consent_given())
    reused = consent_given(event_id=first.event.event_id, idempotency_key="another-key")

    with pytest.raises(DuplicateEventError, match=str(first.event.event_id)):
        ledger.append_many([consent_given(), reused])

    assert count_rows(ledger, "ledger_events") == 1


@ACROSS_EXAMPLES
@given(history=histories(subjects=MSISDNS[:2], max_size=15))
def test_projection_equals_replay_of_the_history_after_appends(
    ledger: SqlLedger, history: list[LedgerEvent]
) -> None:
    ledger.append_many(history)

    for msisdn in MSISDNS[:2]:
        who = subject(msisdn)
        events = [entry.event for entry in ledger.history(who)]
        if not events:
            continue
        projection = ledger.projection(who)
        assert projection == project_events(who, events)
        assert ledger.state(who, LATER) == replay(events, LATER)


@ACROSS_EXAMPLES
@given(history=histories(MSISDNS[:2], max_size=30), turns=st.lists(st.booleans(), min_size=30))
def test_projection_stays_exact_when_two_writers_take_turns(
    ledger: SqlLedger, history: list[LedgerEvent], turns: list[bool]
) -> None:
    # Each ledger object keeps the projections it wrote while the head stays where it left
    # it; another writer moving the head in between must send it back to the database.
    other = SqlLedger(ledger.engine)
    for event, mine in zip(history, turns, strict=False):
        (ledger if mine else other).append(event)

    for msisdn in MSISDNS[:2]:
        who = subject(msisdn)
        events = [entry.event for entry in ledger.history(who)]
        if events:
            assert ledger.projection(who) == project_events(who, events)


def test_backdated_event_is_folded_in_its_place_not_last(ledger: SqlLedger) -> None:
    ledger.append(consent_withdrawn(effective_at=at(5)))

    ledger.append(consent_given(effective_at=at(2), recorded_at=at(9)))

    assert ledger.state(subject(), LATER).consents == ()
    assert ledger.state(subject(), LATER).withdrawn == {OPTIONS[0]}


def test_state_as_of_a_past_instant_is_replayed_from_the_history(ledger: SqlLedger) -> None:
    ledger.append_many(
        [
            consent_given(OPTIONS[0], Channel.SMS, effective_at=at(1)),
            consent_withdrawn(effective_at=at(10)),
        ]
    )

    before = ledger.state_as_of(subject(), at(9))
    after = ledger.state_as_of(subject(), at(10))

    assert [grant.option for grant in before.consents] == [OPTIONS[0]]
    assert after.consents == ()


def test_state_as_of_what_was_known_then_leaves_out_later_records(ledger: SqlLedger) -> None:
    ledger.append_many(
        [
            consent_given(effective_at=at(1)),
            consent_withdrawn(effective_at=at(2), recorded_at=at(8)),
        ]
    )

    known_then = ledger.state_as_of(subject(), at(5), known_at=at(5))

    assert [grant.option for grant in known_then.consents] == [OPTIONS[0]]


def test_state_before_a_scheduled_event_does_not_show_it(ledger: SqlLedger) -> None:
    ledger.append_many(
        [
            make_event(ObjectionMade(purpose="analytics"), effective_at=at(1)),
            make_event(ConsentGiven(option=OPTIONS[1]), effective_at=at(30)),
        ]
    )

    state = ledger.state(subject(), at(10))

    assert state.objections == {"analytics"}
    assert state.consents == ()
    assert state.as_of == at(10)


def test_state_of_a_subject_never_recorded_is_empty(ledger: SqlLedger) -> None:
    state = ledger.state(subject(MSISDNS[2]), at(1))

    assert (state.subject, state.consents, state.active_contracts) == (subject(MSISDNS[2]), (), 0)


def test_removing_one_subjects_personal_payload_keeps_verify_passing_and_others_intact(
    ledger: SqlLedger,
) -> None:
    for day, msisdn in enumerate(MSISDNS * 2):
        ledger.append(
            consent_given(who=subject(msisdn), effective_at=at(day), personal={"msisdn": msisdn})
        )
    others = {msisdn: ledger.history(subject(msisdn)) for msisdn in MSISDNS[1:]}

    removed = ledger.remove_personal_payload(subject(MSISDNS[0]))

    assert removed == 2
    assert ledger.verify().is_intact
    assert all(entry.event.personal is None for entry in ledger.history(subject(MSISDNS[0])))
    for msisdn, history in others.items():
        assert ledger.history(subject(msisdn)) == history
        assert all(entry.event.personal == {"msisdn": msisdn} for entry in history)
