"""The ledger's figures over time: consent rates among customers, consents given and
withdrawn per month, held to `replay` subject by subject."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from placet.ledger import ContractEnded, ContractStarted, LedgerEvent, replay
from placet.ledger.activity import consent_changes_per_month, consent_rates
from placet.ledger.columnar import events_frame
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

SUBJECTS = [subject(msisdn) for msisdn in MSISDNS]
SMS, EMAIL = OPTIONS[0], OPTIONS[1]


def contract(started: bool, who: str, days: float, reference: str = "c-1") -> LedgerEvent:
    data = ContractStarted(contract=reference) if started else ContractEnded(contract=reference)
    return make_event(data, who=who, effective_at=at(days))


def rates_at(events: list[LedgerEvent], instants: list[datetime]) -> list[dict[str, object]]:
    return consent_rates(events_frame(events).lazy(), instants, [SMS, EMAIL]).to_dicts()


def test_the_rate_counts_customers_holding_a_live_consent_of_each_option() -> None:
    first, second, third = SUBJECTS
    events = [
        contract(True, first, 0),
        contract(True, second, 0),
        contract(True, third, 0),
        consent_given(SMS, who=first, effective_at=at(1)),
        consent_given(SMS, who=second, effective_at=at(1)),
        consent_given(EMAIL, who=second, effective_at=at(1)),
        consent_withdrawn(SMS, who=second, effective_at=at(5)),
    ]

    rows = rates_at(events, [at(2), at(6)])

    assert [(row["option"], row["holders"], row["customers"]) for row in rows] == [
        (SMS, 2, 3),
        (EMAIL, 1, 3),
        (SMS, 1, 3),
        (EMAIL, 1, 3),
    ]
    assert rows[0]["rate"] == 2 / 3
    assert rows[2]["rate"] == 1 / 3


def test_a_subject_whose_contracts_ended_is_no_longer_a_customer() -> None:
    first, second = SUBJECTS[:2]
    events = [
        contract(True, first, 0),
        contract(True, second, 0),
        consent_given(SMS, who=first, effective_at=at(1)),
        contract(False, first, 10),
    ]

    rows = rates_at(events, [at(5), at(11)])

    assert (rows[0]["holders"], rows[0]["customers"]) == (1, 2)
    assert (rows[2]["holders"], rows[2]["customers"]) == (0, 1)


def test_a_consent_taking_effect_later_does_not_count_before_it() -> None:
    events = [contract(True, SUBJECTS[0], 0), consent_given(SMS, effective_at=at(10))]

    rows = rates_at(events, [at(9), at(10)])

    assert [row["holders"] for row in rows if row["option"] == SMS] == [0, 1]


def test_no_customer_gives_no_rate_rather_than_zero() -> None:
    rows = rates_at([consent_given(SMS, effective_at=at(1))], [at(2)])

    assert rows[0]["customers"] == 0
    assert rows[0]["rate"] is None


def test_no_instant_gives_an_empty_frame() -> None:
    assert rates_at([], []) == []


@settings(max_examples=150, deadline=None)
@given(
    events=histories(MSISDNS, max_size=30),
    day=st.integers(-1, 30),
)
def test_consent_rates_equal_replaying_each_subject(events: list[LedgerEvent], day: int) -> None:
    instant = at(day) + timedelta(hours=6)
    states = [
        replay([event for event in events if event.subject == who], instant, subject=who)
        for who in SUBJECTS
    ]
    customers = [state for state in states if state.active_contracts > 0]

    rows = rates_at(events, [instant])

    for row in rows:
        holders = sum(
            any(grant.option == row["option"] for grant in state.consents) for state in customers
        )
        assert (row["holders"], row["customers"]) == (holders, len(customers)), row


def test_changes_per_month_count_gives_and_withdrawals_by_the_month_they_took_effect() -> None:
    january, february = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC)
    events = [
        consent_given(SMS, effective_at=january + timedelta(days=3)),
        consent_given(EMAIL, effective_at=january + timedelta(days=4)),
        consent_withdrawn(SMS, effective_at=february + timedelta(days=1)),
        consent_withdrawn(SMS, effective_at=february + timedelta(days=40)),
        contract(True, SUBJECTS[0], 2),
    ]

    changes = consent_changes_per_month(
        events_frame(events).lazy(), january, february + timedelta(days=28)
    ).to_dicts()

    assert [(row["month"], row["option"], row["given"], row["withdrawn"]) for row in changes] == [
        (january, EMAIL, 1, 0),
        (january, SMS, 1, 0),
        (february, SMS, 0, 1),
    ]
