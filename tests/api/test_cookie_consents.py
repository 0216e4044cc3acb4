"""POST /v1/cookie-consents and GET /v1/cookie-banner/{language}: the cookie banner's public
endpoints, on SQLite and PostgreSQL: who may call them (origins, CORS, rate limit), what
the ledger records, the receipt ids, retries, and bad input named by field."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError

from placet.api import create_app
from placet.api.routes.cookie_consents import CookieGate
from placet.api.throttle import SlidingWindowLimit
from placet.ledger import (
    CollectedVia,
    ConsentGiven,
    ConsentWithdrawn,
    LedgerEvent,
    PseudonymKey,
    SubjectFactsRecorded,
)
from placet.ledger.receipts import generate_signing_key, verify_receipt
from placet.operations import create_key, subject_ref
from placet.settings import PlacetSettings
from tests.api.conftest import NOW, PSEUDONYM_KEY, Clock

SHOP = "https://www.ipko.com"
"""The operator's web site, on the allow-list."""
VISITOR = "Vq3n0bXw7-Kz_1pLmA9dRg"
"""A visitor id as the banner makes it: 16 random bytes in base64url."""


@dataclass
class Banner:
    """A test client of an app whose cookie banner may run on `SHOP`."""

    client: TestClient
    app: FastAPI
    clock: Clock

    def choose(
        self,
        categories: dict[str, bool],
        *,
        visitor: str = VISITOR,
        choice_id: str | None = None,
        origin: str | None = SHOP,
        **extra: Any,
    ) -> Any:
        body = {
            "visitor": visitor,
            "choice_id": choice_id or str(uuid.uuid4()),
            "language": "en",
            "categories": categories,
            **extra,
        }
        headers = {"Origin": origin} if origin else {}
        return self.client.post("/v1/cookie-consents", json=body, headers=headers)

    def history(self, visitor: str = VISITOR) -> list[LedgerEvent]:
        subject = subject_ref(f"website-visitor:{visitor}", PseudonymKey.from_hex(PSEUDONYM_KEY))
        ledger = self.app.state.services.ledger
        return [entry.event for entry in ledger.history(subject)]

    def limit_to(self, requests: int, clock: Any = None) -> None:
        """Replace the per-address limit (a fake monotonic `clock` lets time pass)."""
        limit = SlidingWindowLimit(requests, 60.0, **({"clock": clock} if clock else {}))
        self.app.state.cookie_gate = CookieGate(frozenset([SHOP]), limit)


def _banner(database_url: str, tmp_path: Path, policy: str) -> Iterator[Banner]:
    signing_key = generate_signing_key("banner-test")
    pem = tmp_path / "receipt-key.pem"
    pem.write_text(signing_key.to_pem(), encoding="utf-8")
    settings = PlacetSettings(
        database_url=database_url,
        policy=policy,
        pseudonym_key=PSEUDONYM_KEY,
        receipt_signing_key=str(pem),
        receipt_key_id=signing_key.kid,
        cookie_origins=[SHOP],
    )
    clock = Clock()
    app = create_app(settings, clock=clock)
    with TestClient(app) as client:
        yield Banner(client, app, clock)
    app.state.services.ledger.engine.dispose()


@pytest.fixture
def ipko(database_url: str, tmp_path: Path) -> Iterator[Banner]:
    """IPKO's API, once on SQLite and once on PostgreSQL."""
    yield from _banner(database_url, tmp_path, "ipko")


@pytest.fixture
def ipnordic(sqlite_url: str, tmp_path: Path) -> Iterator[Banner]:
    yield from _banner(sqlite_url, tmp_path, "ipnordic")


def test_a_refusal_is_recorded_as_a_withdrawn_consent_collected_by_the_cookie_banner(
    ipko: Banner,
) -> None:
    response = ipko.choose({"id-cookies": False})

    assert response.status_code == 201, response.text
    assert response.headers["Access-Control-Allow-Origin"] == SHOP
    answer = response.json()
    assert answer["categories"] == {"id-cookies": False}
    assert (answer["policy_id"], answer["policy_version"]) == ("ipko", "1.0")
    facts, refusal = ipko.history()
    assert facts.data == SubjectFactsRecorded(subject_type="website-visitor")
    assert refusal.data == ConsentWithdrawn(option="id-cookies")
    for event in (facts, refusal):
        assert event.collected_via is CollectedVia.COOKIE_BANNER
        assert event.actor == "cookie-banner"
        assert (event.policy_id, event.policy_version) == ("ipko", "1.0")
        assert event.evidence == f"cookie banner on {SHOP}, in 'en'"
        assert event.effective_at == NOW
    assert answer["receipts"] == [
        {
            "option": "id-cookies",
            "status": "withdrawn",
            "event_id": str(refusal.event_id),
            "receipt_id": answer["receipts"][0]["receipt_id"],
        }
    ]


def test_each_kind_of_cookie_accepted_is_a_consent_given_and_each_refused_one_withdrawn(
    ipnordic: Banner,
) -> None:
    choice = {"website-optimisation": True, "analysis": False, "statistics": True}
    response = ipnordic.choose({**choice, "marketing": False})

    assert response.status_code == 201, response.text
    events = ipnordic.history()[1:]
    assert [event.data for event in events] == [
        ConsentGiven(option="cookies-website-optimisation"),
        ConsentWithdrawn(option="cookies-analysis"),
        ConsentGiven(option="cookies-statistics"),
        ConsentWithdrawn(option="cookies-marketing"),
    ]
    statuses = [(r["option"], r["status"]) for r in response.json()["receipts"]]
    assert statuses == [
        ("cookies-website-optimisation", "given"),
        ("cookies-analysis", "withdrawn"),
        ("cookies-statistics", "given"),
        ("cookies-marketing", "withdrawn"),
    ]


def test_the_receipt_id_is_that_of_the_consent_receipt_and_it_verifies(ipko: Banner) -> None:
    receipt = ipko.choose({"id-cookies": True}).json()["receipts"][0]
    key = create_key(ipko.app.state.services.api_keys, ["subjects:read"], name="dpo", now=NOW)
    signed = ipko.client.get(
        f"/v1/receipts/{receipt['event_id']}",
        headers={"Authorization": f"Bearer {key.plaintext}"},
    )

    assert signed.status_code == 200, signed.text
    assert signed.json()["receipt_id"] == receipt["receipt_id"]
    verified = verify_receipt(signed.json()["token"], ipko.app.state.services.receipts().published)
    assert str(verified.receipt_id) == receipt["receipt_id"]
    assert verified.consent.option == "id-cookies"


def test_sending_the_same_choice_again_records_nothing_new(ipko: Banner) -> None:
    choice_id = str(uuid.uuid4())
    first = ipko.choose({"id-cookies": True}, choice_id=choice_id)
    ipko.clock.advance(30)

    again = ipko.choose({"id-cookies": True}, choice_id=choice_id)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert len(ipko.history()) == 2


def test_a_choice_id_sent_again_with_another_choice_is_refused(ipko: Banner) -> None:
    choice_id = str(uuid.uuid4())
    ipko.choose({"id-cookies": True}, choice_id=choice_id)

    other = ipko.choose({"id-cookies": False}, choice_id=choice_id)

    assert other.status_code == 422
    assert other.json()["code"] == "idempotency-conflict"
    assert [type(event.data) for event in ipko.history()] == [SubjectFactsRecorded, ConsentGiven]


def test_the_visitor_is_recorded_as_a_website_visitor_once(ipko: Banner) -> None:
    ipko.choose({"id-cookies": True})
    ipko.choose({"id-cookies": False})

    kinds = [type(event.data) for event in ipko.history()]

    assert kinds == [SubjectFactsRecorded, ConsentGiven, ConsentWithdrawn]


def test_a_choice_from_an_origin_not_allowed_is_refused_and_records_nothing(
    ipko: Banner,
) -> None:
    response = ipko.choose({"id-cookies": True}, origin="https://evil.example")

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "origin-not-allowed"
    assert "https://evil.example" in response.json()["detail"]
    assert "Access-Control-Allow-Origin" not in response.headers
    assert ipko.history() == []


def test_a_choice_without_an_origin_is_refused(ipko: Banner) -> None:
    response = ipko.choose({"id-cookies": True}, origin=None)

    assert response.status_code == 403
    assert "no Origin header" in response.json()["detail"]


def test_placets_own_pages_may_record_a_choice(ipko: Banner) -> None:
    own = str(ipko.client.base_url).rstrip("/")

    response = ipko.choose({"id-cookies": True}, origin=own)

    assert response.status_code == 201, response.text


def test_the_preflight_answers_allowed_origins_only(ipko: Banner) -> None:
    asked = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }

    allowed = ipko.client.options("/v1/cookie-consents", headers={"Origin": SHOP, **asked})
    other = ipko.client.options(
        "/v1/cookie-consents", headers={"Origin": "https://evil.example", **asked}
    )

    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == SHOP
    assert allowed.headers["Access-Control-Allow-Methods"] == "POST"
    assert allowed.headers["Access-Control-Allow-Headers"] == "Content-Type"
    assert "Origin" in allowed.headers["Vary"]
    assert other.status_code == 403
    assert "Access-Control-Allow-Origin" not in other.headers


def test_too_many_choices_from_one_address_are_answered_429_with_retry_after(
    ipko: Banner,
) -> None:
    now = [1000.0]
    ipko.limit_to(2, clock=lambda: now[0])
    answers = [ipko.choose({"id-cookies": True}) for _ in range(3)]

    refused = answers[-1]
    now[0] += 61
    later = ipko.choose({"id-cookies": True})

    assert [answer.status_code for answer in answers] == [201, 201, 429]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "too-many-requests"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["Access-Control-Allow-Origin"] == SHOP  # the banner can read it
    assert later.status_code == 201
    assert len(ipko.history()) == 4


def test_a_choice_naming_an_unknown_kind_of_cookie_names_the_field(ipko: Banner) -> None:
    response = ipko.choose({"id-cookies": True, "tracking": True})

    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "invalid-request"
    assert problem["errors"][0]["field"] == "body.categories.tracking"
    assert "id-cookies" in problem["errors"][0]["message"]
    assert ipko.history() == []


def test_a_choice_leaving_out_a_kind_of_cookie_names_it(ipnordic: Banner) -> None:
    response = ipnordic.choose({"website-optimisation": True})

    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "body.categories"
    assert "analysis, statistics, marketing" in error["message"]


def test_necessary_cookies_cannot_be_refused(ipko: Banner) -> None:
    response = ipko.choose({"id-cookies": True, "necessary": False})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.categories.necessary"


def test_a_malformed_visitor_id_names_the_field(ipko: Banner) -> None:
    response = ipko.choose({"id-cookies": True}, visitor="203.0.113.7")

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["body.visitor"]


def test_the_banner_texts_come_from_the_policy_in_the_pages_language(
    ipnordic: Banner,
) -> None:
    danish = ipnordic.client.get("/v1/cookie-banner/da-DK", headers={"Origin": SHOP})
    unknown = ipnordic.client.get("/v1/cookie-banner/fr")

    assert danish.status_code == 200
    texts = danish.json()
    assert (texts["language"], texts["accept_label"], texts["reject_label"]) == (
        "da",
        "OK",
        "Nej tak",
    )
    assert [c["id"] for c in texts["categories"] if c["necessary"]] == ["necessary"]
    assert texts["words"]["settings"] == "Cookieindstillinger"
    assert texts["more_url"] == "https://www.ipnordic.dk"
    assert danish.headers["Access-Control-Allow-Origin"] == SHOP
    assert unknown.json()["language"] == "da"  # the policy's own language
    assert "Access-Control-Allow-Origin" not in unknown.headers


def test_ipko_banner_asks_for_id_cookies_in_albanian(ipko: Banner) -> None:
    texts = ipko.client.get("/v1/cookie-banner/sq").json()

    assert (texts["accept_label"], texts["reject_label"]) == ("Pranoj", "Refuzoj")
    assert [c["id"] for c in texts["categories"] if not c["necessary"]] == ["id-cookies"]


def test_cookie_origins_are_read_comma_separated_and_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PLACET_COOKIE_ORIGINS", "https://www.ipko.com/, http://127.0.0.1:8000")

    assert PlacetSettings().cookie_origins == ["https://www.ipko.com", "http://127.0.0.1:8000"]
    with pytest.raises(ValidationError, match="not a web origin"):
        PlacetSettings(cookie_origins="https://www.ipko.com/privacy")
