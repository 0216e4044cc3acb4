"""Reading many subjects' states at once, and one event by id or idempotency key."""

from __future__ import annotations

from uuid import uuid4

from hypothesis import HealthCheck, given, settings

from placet.decide import states_frame
from placet.ledger import ContractEnded, ContractStarted, LedgerEvent, LedgerFacts
from placet.stores.sql_columnar import states_of
from placet.stores.sql_ledger import SqlLedger, open_ledger
from tests.ledger.builders import MSISDNS, at, consent_given, histories, make_event, subject

SETTINGS = settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
SUBJECTS = [subject(msisdn) for msisdn in MSISDNS]


def append_in_two(ledger: SqlLedger, first: list[LedgerEvent], later: list[LedgerEvent]) -> int:
    """Append `first`, then `later`: the chain position between the two."""
    ledger.append_many(first)
    position = ledger.head().seq
    ledger.append_many(later)
    return position


@SETTINGS
@given(history=histories(MSISDNS, max_size=20))
def test_states_of_many_subjects_equal_each_subjects_state(
    ledger: SqlLedger, history: list[LedgerEvent]
) -> None:
    ledger.append_many(history)

    for instant in (at(3), at(30)):
        assert ledger.states([*SUBJECTS, SUBJECTS[0]], instant) == [
            ledger.state(who, instant) for who in [*SUBJECTS, SUBJECTS[0]]
        ]


@SETTINGS
@given(history=histories(MSISDNS, max_size=20))
def test_states_as_of_equal_each_subjects_replayed_state(
    ledger: SqlLedger, history: list[LedgerEvent]
) -> None:
    ledger.append_many(history)

    assert ledger.states_as_of(SUBJECTS, at(5), known_at=at(8)) == [
        ledger.state_as_of(who, at(5), known_at=at(8)) for who in SUBJECTS
    ]


def test_the_facts_tell_a_subject_who_never_had_a_contract_from_one_whose_contract_runs(
    ledger: SqlLedger,
) -> None:
    buyer, customer, stranger = (subject(msisdn) for msisdn in MSISDNS[:3])
    ledger.append_many(
        [
            consent_given(who=buyer, effective_at=at(1)),
            make_event(ContractStarted(contract="c-1"), who=customer, effective_at=at(2)),
            make_event(ContractEnded(contract="c-1"), who=customer, effective_at=at(10)),
        ]
    )

    # Before the contract starts, the customer had none; while it runs, the end is unknown.
    assert ledger.facts([buyer, customer, stranger], at(1)) == [
        LedgerFacts(never_had_contract=True),
        LedgerFacts(never_had_contract=True),
        LedgerFacts(),
    ]
    assert ledger.facts([customer], at(5)) == [LedgerFacts()]
    assert ledger.facts([buyer, customer], at(20)) == [
        LedgerFacts(never_had_contract=True),
        LedgerFacts(last_contract_end=at(10)),
    ]


@SETTINGS
@given(first=histories(MSISDNS, max_size=12), later=histories(MSISDNS, max_size=12))
def test_states_through_a_position_leave_out_every_event_recorded_after_it(
    ledger: SqlLedger, first: list[LedgerEvent], later: list[LedgerEvent]
) -> None:
    position = append_in_two(ledger, first, later)
    recorded_by_then = [
        entry.event for who in SUBJECTS for entry in ledger.history(who) if entry.seq <= position
    ]
    fresh = open_ledger("sqlite://")
    fresh.append_many(recorded_by_then)

    for instant in (at(3), at(30)):
        expected = fresh.states(SUBJECTS, instant)
        assert ledger.states(SUBJECTS, instant, through_seq=position) == expected
        assert ledger.states_as_of(SUBJECTS, instant, through_seq=position) == expected


def test_an_event_is_found_by_its_id_and_by_its_idempotency_key(ledger: SqlLedger) -> None:
    entry = ledger.append(consent_given(effective_at=at(1), idempotency_key="crm-1"))

    assert ledger.entry(entry.event.event_id) == entry
    assert ledger.entry_by_key("crm-1") == entry


def test_an_unknown_event_id_or_key_finds_nothing(ledger: SqlLedger) -> None:
    ledger.append(consent_given(effective_at=at(1)))

    assert ledger.entry(uuid4()) is None
    assert ledger.entry_by_key("never-sent") is None


@SETTINGS
@given(history=histories(MSISDNS, max_size=20))
def test_facts_of_many_subjects_equal_those_of_their_states(
    ledger: SqlLedger, history: list[LedgerEvent]
) -> None:
    ledger.append_many(history)
    asked = [*SUBJECTS, SUBJECTS[0], subject("+38349000000")]

    # The ledger is the test's for every example: it may know subjects from earlier ones.
    known = {who for who in asked if ledger.projection(who) is not None}

    for instant in (at(3), at(30)):
        states = ledger.states(asked, instant)
        assert ledger.facts(asked, instant) == [
            LedgerFacts.of(state) if state.subject in known else LedgerFacts() for state in states
        ]


@SETTINGS
@given(first=histories(MSISDNS, max_size=12), later=histories(MSISDNS, max_size=12))
def test_states_decoded_in_columns_are_the_states_the_ledger_reads(
    ledger: SqlLedger, first: list[LedgerEvent], later: list[LedgerEvent]
) -> None:
    position = append_in_two(ledger, first, later)
    # The ledger is the test's for every example: it may know subjects from earlier ones.
    known = {who for who in SUBJECTS if ledger.projection(who) is not None}

    for instant in (at(3), at(30)):
        for through in (position, None):
            columns = states_of(ledger, SUBJECTS, instant, through_seq=through).collect()
            objects = states_frame(
                state
                for state in ledger.states(SUBJECTS, instant, through_seq=through)
                if state.subject in known
            )
            assert columns.sort("subject").equals(objects.sort("subject"))
