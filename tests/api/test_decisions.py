"""Decisions over HTTP on IPKO's policy: after a consent, after a withdrawal, and as of then."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import OTHER, SMS_MARKETING, SUBSCRIBER, Api, instant

QUESTION = {"subject": SUBSCRIBER, **SMS_MARKETING}


def consented_then_withdrawn(api: Api) -> None:
    """A subscriber who consented to current offers on 1 March and withdrew on 1 April."""
    api.subscriber()
    api.record("consents", option="current-offers", effective_at=instant("03-01"))
    api.record("withdrawals", option="current-offers", effective_at=instant("04-01"))


def decide(api: Api, **question: Any) -> dict[str, Any]:
    response = api.post("/v1/decisions", {**QUESTION, **question}, scope="decide")
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_a_recorded_consent_permits_sms_marketing_of_current_offers(api: Api) -> None:
    api.subscriber()
    api.record("consents", option="current-offers", effective_at=instant("03-01"))

    answer = decide(api)

    assert (answer["outcome"], answer["reason"]) == ("permit", "permitted")
    assert answer["policy"] == {"id": "ipko", "version": "1.0"}
    assert "purposes.direct-marketing-current-offers" in answer["rules"]
    assert answer["clauses"][0]["path"] == answer["rules"][0]
    assert answer["clauses"][0]["text"]


def test_without_consent_sms_marketing_is_denied(api: Api) -> None:
    api.subscriber()

    answer = decide(api)

    assert (answer["outcome"], answer["reason"]) == ("deny", "no-consent")


def test_a_withdrawal_denies_sms_marketing_from_its_instant(api: Api) -> None:
    consented_then_withdrawn(api)

    now = decide(api)
    just_before = decide(api, at="2025-03-31T23:59:59Z")
    from_then = decide(api, at=instant("04-01"))

    assert (now["outcome"], now["reason"]) == ("deny", "consent-withdrawn")
    assert just_before["outcome"] == "permit"
    assert (from_then["outcome"], from_then["reason"]) == ("deny", "consent-withdrawn")


def test_a_replay_as_of_a_past_instant_uses_the_state_then(api: Api) -> None:
    consented_then_withdrawn(api)

    before_consent = decide(api, at=instant("02-15"))
    while_consented = decide(api, at=instant("03-15"))

    assert before_consent["reason"] == "no-consent"
    assert while_consented["reason"] == "permitted"
    assert while_consented["at"] == "2025-03-15T00:00:00Z"


def test_known_at_replays_only_what_the_ledger_knew_then(api: Api) -> None:
    api.subscriber()
    api.record("consents", option="current-offers", effective_at=instant("03-01"))
    api.clock.advance(3600)

    known_before_recording = decide(api, at=instant("03-15"), known_at=instant("03-15"))

    # Every event was recorded "now" (1 May), so on 15 March the ledger knew nothing yet.
    assert known_before_recording["reason"] == "subject-type-not-covered"


def test_clauses_are_cited_in_the_language_asked(api: Api) -> None:
    api.subscriber()

    albanian = decide(api, language="sq")
    english = decide(api, language="en")

    assert albanian["language"] == "sq"
    assert albanian["clauses"][0]["text"] != english["clauses"][0]["text"]


def test_a_language_the_policy_lacks_is_a_problem_listing_its_languages(api: Api) -> None:
    response = api.post("/v1/decisions", {**QUESTION, "language": "de"}, scope="decide")

    assert response.status_code == 422
    assert response.json()["code"] == "unknown-reference"
    assert "en, sq, sr" in response.json()["detail"]


def test_a_batch_answers_each_question_in_order(api: Api) -> None:
    consented_then_withdrawn(api)
    api.subscriber(OTHER)
    questions = [
        QUESTION,
        {**QUESTION, "at": instant("03-15")},
        {**QUESTION, "subject": OTHER},
        {**QUESTION, "purpose": "fraud-prevention", "categories": ["billing-and-payment"]},
    ]

    response = api.post("/v1/decisions:batch", {"decisions": questions}, scope="decide")

    reasons = [answer["reason"] for answer in response.json()["decisions"]]
    assert reasons == ["consent-withdrawn", "permitted", "no-consent", "permitted"]


def test_a_batch_answer_equals_the_single_answer(api: Api) -> None:
    consented_then_withdrawn(api)

    single = decide(api, at=instant("03-15"))
    batch = api.post(
        "/v1/decisions:batch", {"decisions": [{**QUESTION, "at": instant("03-15")}]}, "decide"
    ).json()["decisions"][0]

    assert batch == single


def test_an_undeclared_purpose_is_denied_with_no_rule(api: Api) -> None:
    answer = decide(api, purpose="selling-location-data")

    assert (answer["outcome"], answer["reason"]) == ("deny", "no-rule")
