"""Recording events: pseudonymised, under the policy version then in force, checked, idempotent."""

from __future__ import annotations

import pytest

from placet.errors import IdempotencyConflictError, InvalidEventError, NoVersionInForceError
from placet.ledger import ConsentGiven, EventType, pseudonymise_subject
from placet.operations import (
    give_consent,
    make_objection,
    record_business_opt_out,
    set_restriction,
    start_contract,
    subject_ref,
    withdraw_consent,
)
from placet.policy import PolicySet
from placet.policy.terms import Channel
from placet.stores.sql_ledger import SqlLedger
from tests.operations.conftest import KEY, NOW, SHOP, SUBSCRIBER, on


def test_a_consent_is_recorded_under_the_subjects_pseudonym(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    recorded = give_consent(
        ledger, ipko, KEY, SUBSCRIBER, "current-offers", provenance=SHOP, recorded_at=NOW
    )

    event = recorded.entry.event
    assert recorded.created
    assert event.subject == pseudonymise_subject(SUBSCRIBER, KEY)
    assert event.data == ConsentGiven(option="current-offers")
    assert (event.actor, event.evidence) == ("shop-prishtina-07", "form-2025-0117")


def test_an_event_names_the_policy_version_in_force_when_it_takes_effect(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    recorded = give_consent(
        ledger,
        ipko,
        KEY,
        SUBSCRIBER,
        "current-offers",
        provenance=SHOP,
        recorded_at=NOW,
        effective_at=on(3),
    )

    assert recorded.entry.event.effective_at == on(3)
    assert recorded.entry.event.policy_version == ipko.in_force(on(3)).version


def test_an_event_before_the_first_policy_version_is_refused(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    with pytest.raises(NoVersionInForceError):
        give_consent(
            ledger,
            ipko,
            KEY,
            SUBSCRIBER,
            "current-offers",
            provenance=SHOP,
            recorded_at=NOW,
            effective_at=NOW.replace(year=2001),
        )


def test_the_same_idempotency_key_returns_the_first_event(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    first = give_consent(
        ledger,
        ipko,
        KEY,
        SUBSCRIBER,
        "current-offers",
        provenance=SHOP,
        recorded_at=NOW,
        idempotency_key="crm-1",
    )
    again = give_consent(
        ledger,
        ipko,
        KEY,
        SUBSCRIBER,
        "current-offers",
        provenance=SHOP,
        recorded_at=on(5, 2),
        idempotency_key="crm-1",
    )

    assert not again.created
    assert again.entry == first.entry
    assert len(ledger.history(subject_ref(SUBSCRIBER, KEY))) == 1


def test_the_same_idempotency_key_with_another_event_is_refused(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    give_consent(
        ledger,
        ipko,
        KEY,
        SUBSCRIBER,
        "current-offers",
        provenance=SHOP,
        recorded_at=NOW,
        idempotency_key="crm-1",
    )

    with pytest.raises(IdempotencyConflictError):
        withdraw_consent(
            ledger,
            ipko,
            KEY,
            SUBSCRIBER,
            "current-offers",
            provenance=SHOP,
            recorded_at=NOW,
            idempotency_key="crm-1",
        )


def test_an_unknown_consent_option_is_refused_listing_the_options(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    with pytest.raises(InvalidEventError, match="current-offers, offers-just-for-me"):
        give_consent(ledger, ipko, KEY, SUBSCRIBER, "spam-me", provenance=SHOP, recorded_at=NOW)


def test_a_channel_the_option_does_not_cover_is_refused(ledger: SqlLedger, ipko: PolicySet) -> None:
    with pytest.raises(InvalidEventError, match="home-visit"):
        give_consent(
            ledger,
            ipko,
            KEY,
            SUBSCRIBER,
            "offer-in-person-at-home",
            provenance=SHOP,
            channels=[Channel.SMS],
            recorded_at=NOW,
        )


def test_an_objection_must_name_a_purpose_or_all_direct_marketing(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    with pytest.raises(InvalidEventError, match="not both or neither"):
        make_objection(ledger, ipko, KEY, SUBSCRIBER, provenance=SHOP, recorded_at=NOW)


def test_a_contract_reference_that_looks_like_free_text_is_refused_naming_the_field(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    with pytest.raises(InvalidEventError, match="contract"):
        start_contract(ledger, ipko, KEY, SUBSCRIBER, "Jane Doe", provenance=SHOP, recorded_at=NOW)


def test_an_instant_without_a_time_zone_is_refused(ledger: SqlLedger, ipko: PolicySet) -> None:
    with pytest.raises(InvalidEventError, match="time zone"):
        set_restriction(
            ledger, ipko, KEY, SUBSCRIBER, provenance=SHOP, recorded_at=NOW.replace(tzinfo=None)
        )


def test_an_empty_identifier_is_refused(ledger: SqlLedger, ipko: PolicySet) -> None:
    with pytest.raises(InvalidEventError, match="identifier is empty"):
        record_business_opt_out(ledger, ipko, KEY, "  ", provenance=SHOP, recorded_at=NOW)


def test_a_refused_event_leaves_nothing_in_the_ledger(ledger: SqlLedger, ipko: PolicySet) -> None:
    with pytest.raises(InvalidEventError):
        give_consent(ledger, ipko, KEY, SUBSCRIBER, "spam-me", provenance=SHOP, recorded_at=NOW)

    assert ledger.head().seq == 0


def test_a_withdrawal_is_recorded_as_such(ledger: SqlLedger, ipko: PolicySet) -> None:
    recorded = withdraw_consent(
        ledger, ipko, KEY, SUBSCRIBER, "current-offers", provenance=SHOP, recorded_at=NOW
    )

    assert recorded.entry.event.type is EventType.CONSENT_WITHDRAWN
