"""Withdrawals over HTTP by SMS keyword (the gateway's POST) and by the one-click unsubscribe
link (RFC 8058): each lands in the ledger at once; a GET of the link never unsubscribes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from placet.api import create_app
from placet.ledger import PseudonymKey
from placet.ledger.receipts import generate_signing_key
from placet.operations.unsubscribe_links import UnsubscribeKey, unsubscribe_token
from placet.policy.terms import Channel
from tests.api.conftest import (
    NOW,
    OTHER,
    PSEUDONYM_KEY,
    SMS_MARKETING,
    SUBSCRIBER,
    Api,
    Clock,
    instant,
    make_settings,
)

UNSUBSCRIBE_HEX = "a5" * 32
"""The tests' unsubscribe key, in hex; never a production key."""
UNKNOWN = "+38349000000"
EMAIL_MARKETING = {**SMS_MARKETING, "channel": "email"}
ONE_CLICK = {"Content-Type": "application/x-www-form-urlencoded"}


def holder(msisdn: str, at: datetime) -> str | None:
    """The subscribers of these tests are known by their MSISDN; UNKNOWN is no one's."""
    return msisdn if msisdn in (SUBSCRIBER, OTHER) else None


@pytest.fixture
def channels_api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    """IPKO's API with an unsubscribe key (from the settings) and a resolver of numbers."""
    signing_key = generate_signing_key("ipko-test")
    clock = Clock()
    settings = make_settings(database_url, tmp_path, signing_key).model_copy(
        update={"unsubscribe_key": SecretStr(UNSUBSCRIBE_HEX)}
    )
    app = create_app(settings, clock=clock)
    app.state.services = replace(app.state.services, msisdn_holder=holder)
    with TestClient(app) as client:
        yield Api(client, app, clock, signing_key)
    app.state.services.ledger.engine.dispose()


def consented(api: Api, channel: str) -> None:
    api.subscriber()
    api.record(
        "consents", option="current-offers", channels=[channel], effective_at=instant("03-01")
    )


def sms(api: Api, text: str, *, message_id: str = "gw-0001", sender: str = SUBSCRIBER) -> Any:
    body = {"message_id": message_id, "from": sender, "to": "1234", "text": text}
    return api.post("/v1/inbound/sms", body, scope="events:write")


def decide(api: Api, use: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = api.post("/v1/decisions", {"subject": SUBSCRIBER, **use}).json()
    return result


def history(api: Api) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = api.get(f"/v1/subjects/{SUBSCRIBER}/history").json()["events"]
    return events


def link(option: str = "current-offers", key_hex: str = UNSUBSCRIBE_HEX) -> str:
    token = unsubscribe_token(
        SUBSCRIBER,
        option,
        Channel.EMAIL,
        UnsubscribeKey.from_hex(key_hex),
        NOW,
        pseudonym_key=PseudonymKey.from_hex(PSEUDONYM_KEY),
    )
    return f"/v1/unsubscribe/{token}"


# ---------------------------------------------------------------- SMS keywords


def test_sms_keyword_withdrawal_lands_in_the_ledger(channels_api: Api) -> None:
    consented(channels_api, "sms")

    response = sms(channels_api, "STOP")

    assert response.status_code == 200
    assert response.json() == {
        "message_id": "gw-0001",
        "reply": "IPKO: you will receive no more marketing messages by SMS. "
        "Your withdrawal is recorded.",
        "language": "en",
        "understood": True,
    }
    withdrawn = [e for e in history(channels_api) if e["type"] == "consent-withdrawn"]
    assert {(e["data"]["option"], e["collected_via"], e["actor"]) for e in withdrawn} == {
        ("current-offers", "sms", "test"),
        ("offers-just-for-me", "sms", "test"),
    }
    assert decide(channels_api, SMS_MARKETING)["reason"] == "consent-withdrawn"


def test_sms_keywords_of_ipko_languages_are_answered_in_them(channels_api: Api) -> None:
    replies = {
        text: sms(channels_api, text, message_id=f"gw-{index}").json()
        for index, text in enumerate(["NDAL", "СТОП", "stop"])
    }

    assert [reply["language"] for reply in replies.values()] == ["sq", "sr", "en"]
    assert replies["NDAL"]["reply"].startswith("IPKO: nuk do të merrni më")


def test_a_number_no_subscriber_holds_gets_the_same_answer_and_records_nothing(
    channels_api: Api,
) -> None:
    consented(channels_api, "sms")
    known = sms(channels_api, "STOP", message_id="gw-1").json()
    head = channels_api.services.ledger.head()

    unknown = sms(channels_api, "STOP", message_id="gw-2", sender=UNKNOWN).json()

    assert {**unknown, "message_id": "gw-1"} == known
    assert channels_api.services.ledger.head() == head


def test_a_redelivered_sms_records_one_event_per_option(channels_api: Api) -> None:
    consented(channels_api, "sms")
    sms(channels_api, "STOP")
    channels_api.clock.advance(60)

    again = sms(channels_api, "STOP")

    assert again.status_code == 200
    assert len([e for e in history(channels_api) if e["type"] == "consent-withdrawn"]) == 2


def test_unknown_text_is_answered_with_the_keywords_and_records_nothing(
    channels_api: Api,
) -> None:
    head = channels_api.services.ledger.head()

    answer = sms(channels_api, "Hi, what is my balance?").json()

    assert answer["understood"] is False
    assert "STOP or UNSUBSCRIBE" in answer["reply"]
    assert channels_api.services.ledger.head() == head


def test_inbound_sms_needs_a_key_with_events_write(channels_api: Api) -> None:
    body = {"message_id": "gw-1", "from": SUBSCRIBER, "to": "1234", "text": "STOP"}

    anonymous = channels_api.client.post("/v1/inbound/sms", json=body)
    deciding = channels_api.post("/v1/inbound/sms", body, scope="decide")

    assert (anonymous.status_code, deciding.status_code) == (401, 403)


def test_inbound_sms_without_a_number_resolver_is_not_configured(channels_api: Api) -> None:
    channels_api.app.state.services = replace(channels_api.services, msisdn_holder=None)

    response = sms(channels_api, "STOP")

    assert response.status_code == 503
    assert response.json()["code"] == "not-configured"
    assert "msisdn_holder" in response.json()["detail"]


def test_inbound_sms_from_a_number_not_in_e164_is_refused(channels_api: Api) -> None:
    response = sms(channels_api, "STOP", sender="044 123 456")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.from"


# ---------------------------------------------------------------- the unsubscribe link


def test_unsubscribe_link_withdrawal_lands_in_the_ledger(channels_api: Api) -> None:
    consented(channels_api, "email")

    response = channels_api.client.post(
        link(), content="List-Unsubscribe=One-Click", headers=ONE_CLICK
    )

    assert response.status_code == 200
    assert "You will receive no more “Current offers” by e-mail from IPKO" in response.text
    (withdrawn,) = [e for e in history(channels_api) if e["type"] == "consent-withdrawn"]
    assert withdrawn["data"] == {"option": "current-offers", "channels": ["email"]}
    assert withdrawn["collected_via"] == "unsubscribe-link"
    assert withdrawn["effective_at"] == "2025-05-01T09:00:00Z"
    assert decide(channels_api, EMAIL_MARKETING)["reason"] == "consent-withdrawn"


def test_one_click_accepts_multipart_form_data(channels_api: Api) -> None:
    consented(channels_api, "email")

    response = channels_api.client.post(link(), files={"List-Unsubscribe": (None, "One-Click")})

    assert response.status_code == 200
    assert decide(channels_api, EMAIL_MARKETING)["reason"] == "consent-withdrawn"


def test_one_click_needs_no_key_and_ignores_cookies_and_authorization(channels_api: Api) -> None:
    consented(channels_api, "email")

    response = channels_api.client.post(
        link(),
        content="List-Unsubscribe=One-Click",
        headers={**ONE_CLICK, "Authorization": "Bearer not-a-key", "Cookie": "session=abc"},
    )

    assert response.status_code == 200


def test_following_the_link_shows_a_button_and_does_not_unsubscribe(channels_api: Api) -> None:
    consented(channels_api, "email")
    head = channels_api.services.ledger.head()

    page = channels_api.client.get(link())

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<form method="post">' in page.text
    assert 'name="List-Unsubscribe" value="One-Click"' in page.text
    assert "Current offers" in page.text
    assert channels_api.services.ledger.head() == head
    assert decide(channels_api, EMAIL_MARKETING)["outcome"] == "permit"


def test_the_page_speaks_the_language_the_browser_prefers(channels_api: Api) -> None:
    page = channels_api.client.get(link(), headers={"Accept-Language": "de, sq;q=0.8, en;q=0.5"})

    assert '<html lang="sq">' in page.text
    assert "Ofertat aktuale" in page.text
    assert "Çregjistrohu" in page.text


def test_the_page_is_not_cached_and_sends_no_referrer(channels_api: Api) -> None:
    page = channels_api.client.get(link())

    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert SUBSCRIBER not in page.text


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_forged_or_altered_link_is_a_problem_and_records_nothing(
    channels_api: Api, method: str
) -> None:
    consented(channels_api, "email")
    head = channels_api.services.ledger.head()
    genuine = link()
    altered = genuine[:-10] + ("A" if genuine[-10] != "A" else "B") + genuine[-9:]

    answers = [
        getattr(channels_api.client, method)(path)
        for path in (altered, link(key_hex="5a" * 32), "/v1/unsubscribe/garbage")
    ]

    assert [answer.status_code for answer in answers] == [400, 400, 400]
    assert {answer.json()["code"] for answer in answers} == {"invalid-unsubscribe-link"}
    assert all(a.headers["content-type"] == "application/problem+json" for a in answers)
    assert channels_api.services.ledger.head() == head


def test_the_same_link_posted_twice_records_one_event(channels_api: Api) -> None:
    consented(channels_api, "email")
    first = channels_api.client.post(
        link(), content="List-Unsubscribe=One-Click", headers=ONE_CLICK
    )
    channels_api.clock.advance(3600)

    again = channels_api.client.post(
        link(), content="List-Unsubscribe=One-Click", headers=ONE_CLICK
    )

    assert (first.status_code, again.status_code) == (200, 200)
    assert len([e for e in history(channels_api) if e["type"] == "consent-withdrawn"]) == 1


def test_unsubscribe_without_a_key_configured_is_not_configured(api: Api) -> None:
    response = api.client.post(link(), content="List-Unsubscribe=One-Click", headers=ONE_CLICK)

    assert response.status_code == 503
    assert "PLACET_UNSUBSCRIBE_KEY" in response.json()["detail"]


def test_the_routes_are_in_the_openapi_document_without_a_key_for_the_link(
    channels_api: Api,
) -> None:
    paths = channels_api.client.get("/v1/openapi.json").json()["paths"]

    assert paths["/v1/inbound/sms"]["post"]["security"]
    assert "security" not in paths["/v1/unsubscribe/{token}"]["post"]
    assert "security" not in paths["/v1/unsubscribe/{token}"]["get"]
