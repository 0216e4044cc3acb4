"""Deciding from the ledger: the policy version and subject state at the instant asked."""

from __future__ import annotations

from placet.decide import Use
from placet.operations import (
    DecisionRequest,
    decide_for_subject,
    decide_many,
    give_consent,
    subject_state,
    withdraw_consent,
)
from placet.policy import PolicySet
from placet.policy.model import CategoryId, PurposeId
from placet.policy.terms import Channel
from placet.stores.sql_ledger import SqlLedger
from tests.operations.conftest import KEY, NOW, SHOP, SUBSCRIBER, consumer, on

SMS_OFFERS = Use(
    purpose=PurposeId("direct-marketing-current-offers"),
    categories=(CategoryId("contact"),),
    channel=Channel.SMS,
)


def consented_then_withdrawn(ledger: SqlLedger, ipko: PolicySet) -> None:
    consumer(ledger, ipko)
    give_consent(
        ledger,
        ipko,
        KEY,
        SUBSCRIBER,
        "current-offers",
        provenance=SHOP,
        recorded_at=NOW,
        effective_at=on(3),
    )
    withdraw_consent(
        ledger,
        ipko,
        KEY,
        SUBSCRIBER,
        "current-offers",
        provenance=SHOP,
        recorded_at=NOW,
        effective_at=on(4),
    )


def test_consent_permits_and_withdrawal_denies_from_its_instant(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    consented_then_withdrawn(ledger, ipko)

    before = decide_for_subject(ledger, ipko, KEY, SUBSCRIBER, SMS_OFFERS, now=NOW, at=on(3, 31))
    after = decide_for_subject(ledger, ipko, KEY, SUBSCRIBER, SMS_OFFERS, now=NOW, at=on(4))
    now = decide_for_subject(ledger, ipko, KEY, SUBSCRIBER, SMS_OFFERS, now=NOW)

    assert before.decision.reason == "permitted"
    assert after.decision.reason == "consent-withdrawn"
    assert now.decision.reason == "consent-withdrawn"
    assert now.at == NOW


def test_an_answer_cites_its_clauses_in_the_language_asked(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    consumer(ledger, ipko)

    answer = decide_for_subject(ledger, ipko, KEY, SUBSCRIBER, SMS_OFFERS, now=NOW, language="sr")

    assert answer.language == "sr"
    assert [clause.path for clause in answer.clauses] == list(answer.decision.rules)
    assert answer.policy_version == ipko.in_force(NOW).version


def test_known_at_replays_what_the_ledger_knew_then(ledger: SqlLedger, ipko: PolicySet) -> None:
    consumer(ledger, ipko)
    give_consent(
        ledger,
        ipko,
        KEY,
        SUBSCRIBER,
        "current-offers",
        provenance=SHOP,
        recorded_at=on(3, 10),
        effective_at=on(3),
    )

    known_on_5_march = decide_for_subject(
        ledger, ipko, KEY, SUBSCRIBER, SMS_OFFERS, now=NOW, at=on(3, 5), known_at=on(3, 5)
    )
    known_now = decide_for_subject(ledger, ipko, KEY, SUBSCRIBER, SMS_OFFERS, now=NOW, at=on(3, 5))

    assert known_on_5_march.decision.reason == "no-consent"
    assert known_now.decision.reason == "permitted"


def test_a_batch_equals_the_single_answers(ledger: SqlLedger, ipko: PolicySet) -> None:
    consented_then_withdrawn(ledger, ipko)
    requests = [
        DecisionRequest(SUBSCRIBER, SMS_OFFERS),
        DecisionRequest(SUBSCRIBER, SMS_OFFERS, at=on(3, 15)),
        DecisionRequest("+38344999999", SMS_OFFERS),
        DecisionRequest(SUBSCRIBER, SMS_OFFERS, at=on(3, 15), known_at=on(3, 15)),
    ]

    batch = decide_many(ledger, ipko, KEY, requests, now=NOW)

    singles = [
        decide_for_subject(
            ledger, ipko, KEY, r.subject, r.use, now=NOW, at=r.at, known_at=r.known_at
        )
        for r in requests
    ]
    assert batch == singles


def test_subject_state_as_of_an_instant(ledger: SqlLedger, ipko: PolicySet) -> None:
    consented_then_withdrawn(ledger, ipko)

    then = subject_state(ledger, KEY, SUBSCRIBER, at=on(3, 15))
    now = subject_state(ledger, KEY, SUBSCRIBER, at=NOW)

    assert [grant.option for grant in then.consents] == ["current-offers"]
    assert now.withdrawn == {"current-offers"}
