"""Recording events over HTTP: 201 with the event, and `Idempotency-Key` makes retries safe."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import SHOP, SUBSCRIBER, Api, instant

CONSENT = {**SHOP, "option": "current-offers", "effective_at": instant("03-01")}


def test_recording_a_consent_answers_201_with_the_event_and_where_it_is(api: Api) -> None:
    response = api.post(f"/v1/subjects/{SUBSCRIBER}/consents", CONSENT, scope="events:write")

    event = response.json()
    assert response.status_code == 201
    assert response.headers["location"] == f"/v1/events/{event['event_id']}"
    assert event["type"] == "consent-given"
    assert event["data"] == {"option": "current-offers", "channels": []}
    assert event["policy"] == {"id": "ipko", "version": "1.0"}
    assert event["receipt"] == f"/v1/receipts/{event['event_id']}"
    assert SUBSCRIBER not in response.text


def test_subject_is_named_in_the_ledger_by_its_pseudonym_only(api: Api) -> None:
    event = api.record("consents", **CONSENT, personal={"msisdn": SUBSCRIBER})

    assert len(event["subject"]) == 64
    assert event["has_personal"] is True
    assert SUBSCRIBER not in str(event)


def test_same_idempotency_key_returns_the_same_event_with_200(api: Api) -> None:
    path = f"/v1/subjects/{SUBSCRIBER}/consents"
    first = api.post(path, CONSENT, **{"Idempotency-Key": "crm-884213"})

    again = api.post(path, CONSENT, **{"Idempotency-Key": "crm-884213"})

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["event_id"] == first.json()["event_id"]
    history = api.get(f"/v1/subjects/{SUBSCRIBER}/history").json()["events"]
    assert len(history) == 1


def test_retry_of_an_event_taking_effect_now_returns_the_original(api: Api) -> None:
    path = f"/v1/subjects/{SUBSCRIBER}/consents"
    body = {**SHOP, "option": "current-offers"}
    first = api.post(path, body, **{"Idempotency-Key": "app-retry-1"})
    api.clock.advance(30)

    again = api.post(path, body, **{"Idempotency-Key": "app-retry-1"})

    assert again.status_code == 200
    assert again.json()["effective_at"] == first.json()["effective_at"]


def test_idempotency_key_sent_with_another_event_is_a_422_problem(api: Api) -> None:
    path = f"/v1/subjects/{SUBSCRIBER}/consents"
    api.post(path, CONSENT, **{"Idempotency-Key": "crm-884213"})

    response = api.post(
        path, {**CONSENT, "option": "offers-just-for-me"}, **{"Idempotency-Key": "crm-884213"}
    )

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency-conflict"
    assert "crm-884213" in response.json()["detail"]


def test_without_idempotency_key_each_post_records_a_new_event(api: Api) -> None:
    api.record("consents", **CONSENT)
    api.record("consents", **CONSENT)

    history = api.get(f"/v1/subjects/{SUBSCRIBER}/history").json()["events"]

    assert len(history) == 2


@pytest.mark.parametrize(
    ("kind", "body", "event_type"),
    [
        ("withdrawals", {"option": "current-offers"}, "consent-withdrawn"),
        ("objections", {"purpose": "marketing-analysis"}, "objection-made"),
        (
            "objections",
            {"status": "withdrawn", "all_direct_marketing": True},
            "objection-withdrawn",
        ),
        ("restrictions", {"ground": "accuracy-contested"}, "restriction-set"),
        ("restrictions", {"status": "lifted"}, "restriction-lifted"),
        ("contracts", {"contract": "c-2025-00017"}, "contract-started"),
        ("contracts", {"status": "ended", "contract": "c-2025-00017"}, "contract-ended"),
        ("debts", {"debt": "d-17"}, "debt-incurred"),
        ("debts", {"status": "settled", "debt": "d-17"}, "debt-settled"),
        ("business-opt-outs", {"until": instant("09-01")}, "business-opt-out-made"),
        ("business-opt-outs", {"status": "ended"}, "business-opt-out-ended"),
        ("facts", {"subject_type": "business-entity"}, "subject-facts-recorded"),
    ],
)
def test_each_event_endpoint_records_its_event_type(
    sqlite_api: Api, kind: str, body: dict[str, Any], event_type: str
) -> None:
    event = sqlite_api.record(kind, **body)

    assert event["type"] == event_type


def test_objection_to_an_unknown_purpose_is_a_problem_listing_the_purposes(
    sqlite_api: Api,
) -> None:
    response = sqlite_api.post(
        f"/v1/subjects/{SUBSCRIBER}/objections", {**SHOP, "purpose": "telepathy"}
    )

    assert response.status_code == 422
    assert "fraud-prevention" in response.json()["detail"]


def test_a_recorded_event_can_be_read_back(api: Api) -> None:
    event = api.record("consents", **CONSENT)

    response = api.get(f"/v1/events/{event['event_id']}", scope="subjects:read")

    assert response.json() == event


def test_reading_an_unknown_event_is_a_404_problem(api: Api) -> None:
    response = api.get("/v1/events/5f0c8f5e-0000-4000-8000-000000000000")

    assert response.status_code == 404
    assert response.json()["code"] == "event-not-found"
