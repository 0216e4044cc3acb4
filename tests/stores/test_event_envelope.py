"""Each event records its envelope: the instant it takes effect and the instant it was
recorded, how it was collected (every way the issue names), who gave it (the subject, an
authorised representative, an employer for an employee's business line), the actor, the
evidence reference, the policy version in force and the idempotency key; and the ledger
gives every field back as recorded, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from placet.ledger import CollectedVia, ConsentGiven, GivenBy
from placet.policy.terms import Channel
from placet.stores.sql_ledger import SqlLedger
from tests.ledger.builders import at, make_event


@pytest.mark.parametrize("given_by", list(GivenBy))
@pytest.mark.parametrize("collected_via", list(CollectedVia))
def test_an_event_records_its_whole_envelope_and_reads_it_back(
    ledger: SqlLedger, collected_via: CollectedVia, given_by: GivenBy
) -> None:
    event = make_event(
        ConsentGiven(option="current-offers", channels=frozenset({Channel.SMS})),
        effective_at=at(3),
        recorded_at=at(3) + timedelta(hours=5, microseconds=17),
        collected_via=collected_via,
        given_by=given_by,
        actor="agent-0042",
        evidence=f"form-{collected_via.value}-2025-0117",
        policy_id="ipko",
        policy_version="1.0",
        idempotency_key=f"crm:{collected_via.value}:{given_by.value}",
    )

    entry = ledger.append(event)
    stored = ledger.entry(event.event_id)

    assert stored is not None
    assert stored.event == event
    assert stored.seq == entry.seq
    assert (stored.event.collected_via, stored.event.given_by) == (collected_via, given_by)
    assert stored.event.recorded_at - stored.event.effective_at == timedelta(
        hours=5, microseconds=17
    )
    assert ledger.entry_by_key(event.idempotency_key) == stored


def test_the_envelope_names_every_way_of_collecting_and_every_giver_the_issue_lists() -> None:
    assert {way.value for way in CollectedVia} == {
        "web",
        "app",
        "shop",
        "call-centre",
        "sms",
        "email",
        "paper",
        "cookie-banner",
        "unsubscribe-link",
    }
    assert {giver.value for giver in GivenBy} == {"subject", "representative", "employer"}
