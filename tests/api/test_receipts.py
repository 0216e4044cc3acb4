"""Signed receipts over HTTP: they verify offline with the published JWKS, forgeries do not."""

from __future__ import annotations

import pytest

from placet.errors import ReceiptVerificationError
from placet.ledger.receipts import (
    generate_signing_key,
    keys_from_jwks,
    sign_receipt,
    verify_receipt,
)
from tests.api.conftest import SUBSCRIBER, Api, instant


def consent(api: Api) -> str:
    event = api.record(
        "consents",
        option="current-offers",
        channels=["sms"],
        effective_at=instant("03-01"),
        personal={"msisdn": SUBSCRIBER},
    )
    return str(event["event_id"])


def test_receipt_of_a_consent_verifies_with_the_published_jwks(api: Api) -> None:
    event_id = consent(api)

    signed = api.get(f"/v1/receipts/{event_id}", scope="subjects:read").json()
    jwks = api.client.get("/v1/receipts/keys").json()

    receipt = verify_receipt(signed["token"], keys_from_jwks(jwks))
    assert receipt.status == "given"
    assert receipt.consent.option == "current-offers"
    assert str(receipt.receipt_id) == signed["receipt_id"]
    assert signed["kid"] == api.signing_key.kid
    assert SUBSCRIBER not in signed["token"]


def test_a_receipt_signed_with_another_key_fails_against_the_published_jwks(api: Api) -> None:
    event_id = consent(api)
    signed = api.get(f"/v1/receipts/{event_id}").json()
    receipt = verify_receipt(
        signed["token"], keys_from_jwks(api.client.get("/v1/receipts/keys").json())
    )
    forger = generate_signing_key(api.signing_key.kid)

    forged = sign_receipt(receipt, forger.private_key, forger.kid)

    with pytest.raises(ReceiptVerificationError) as caught:
        verify_receipt(forged, keys_from_jwks(api.client.get("/v1/receipts/keys").json()))
    assert caught.value.code == "bad-signature"


def test_receipt_is_the_bare_jws_when_asked_for_application_jose(api: Api) -> None:
    event_id = consent(api)

    response = api.get(f"/v1/receipts/{event_id}", Accept="application/jose")

    assert response.headers["content-type"] == "application/jose"
    assert response.text.count(".") == 2


def test_receipt_in_kantara_format_names_the_signing_key(api: Api) -> None:
    event_id = consent(api)

    document = api.get(f"/v1/receipts/{event_id}?format=kantara").json()

    assert document["version"] == "KI-CR-v1.1.0"
    assert document["publicKey"] == api.signing_key.verification_key.to_pem()
    assert document["services"][0]["service"]


def test_receipt_in_a_language_of_the_policy(api: Api) -> None:
    event_id = consent(api)

    signed = api.get(f"/v1/receipts/{event_id}?lang=sq").json()

    assert signed["receipt"]["notice"]["language"] == "sq"


def test_receipt_of_a_withdrawal_lists_the_consent_before_it(api: Api) -> None:
    consent(api)
    withdrawal = api.record("withdrawals", option="current-offers", effective_at=instant("04-01"))

    signed = api.get(f"/v1/receipts/{withdrawal['event_id']}").json()

    assert signed["receipt"]["status"] == "withdrawn"
    assert [event["status"] for event in signed["receipt"]["events"]] == ["given", "withdrawn"]


def test_a_contract_event_has_no_receipt(api: Api) -> None:
    event = api.record("contracts", contract="c-1")

    response = api.get(f"/v1/receipts/{event['event_id']}")

    assert response.status_code == 422
    assert response.json()["code"] == "receipt-unavailable"


def test_receipt_of_an_unknown_event_is_a_404_problem(api: Api) -> None:
    response = api.get("/v1/receipts/5f0c8f5e-0000-4000-8000-000000000000")

    assert response.status_code == 404
    assert response.json()["code"] == "event-not-found"
