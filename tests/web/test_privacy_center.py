"""The privacy center over HTTP (issue 7, "Privacy center (subscribers)" and "Quality"):
the notice, sign-in by one-time code, consents, objections, history, requests, and bad
input answered next to the field. What touches the ledger runs on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from placet.dsr.outbox import MemoryOutbox
from placet.ledger.receipts import verify_receipt
from placet.operations.sign_in import MAX_CODES_PER_ADDRESS
from placet.web.sessions import SESSION_COOKIE
from tests.web.privacy_fixtures import (
    STRANGER,
    SUBSCRIBER,
    Center,
    code_in,
    csrf_of,
    known_subscriber,
    make_center,
)


@pytest.fixture
def center(database_url: str, tmp_path: Path) -> Iterator[tuple[Center, TestClient]]:
    """The site on a fresh ledger (SQLite, PostgreSQL) with a known subscriber."""
    made = make_center(database_url, tmp_path)
    with TestClient(made.app, base_url="https://testserver") as client:
        known_subscriber(made, client)
        yield made, client
    made.services.ledger.engine.dispose()  # type: ignore[attr-defined]


@pytest.fixture
def sqlite_center(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[Center, TestClient]]:
    """The same on SQLite only, for what does not depend on the database."""
    made = make_center(sqlite_url, tmp_path)
    with TestClient(made.app, base_url="https://testserver") as client:
        known_subscriber(made, client)
        yield made, client
    made.services.ledger.engine.dispose()  # type: ignore[attr-defined]


def outbox_of(center: Center) -> MemoryOutbox:
    outbox = center.services.outboxes.sms
    assert isinstance(outbox, MemoryOutbox)
    return outbox


def ask_code(client: TestClient, address: str, **headers: str) -> Any:
    page = client.get("/privacy/sign-in?lang=en")
    return client.post(
        "/privacy/sign-in",
        data={"csrf": csrf_of(page.text), "address": address},
        headers=headers,
        follow_redirects=True,
    )


def offer_code(client: TestClient, code: str) -> Any:
    page = client.get("/privacy/sign-in/code")
    return client.post(
        "/privacy/sign-in/code",
        data={"csrf": csrf_of(page.text), "code": code},
        follow_redirects=True,
    )


def sign_in(center: Center, client: TestClient, subject: str = SUBSCRIBER) -> None:
    ask_code(client, subject)
    message = outbox_of(center).sent_to(subject)[-1]
    answer = offer_code(client, code_in(message.body))
    assert answer.url.path == "/privacy/choices", answer.text[:400]


def post_form(client: TestClient, path: str, **fields: str) -> Any:
    page = client.get("/privacy/choices")
    return client.post(path, data={"csrf": csrf_of(page.text), **fields}, follow_redirects=True)


def history_of(center: Center, client: TestClient) -> list[dict[str, Any]]:
    response = client.get(
        f"/v1/subjects/{SUBSCRIBER}/history", headers=center.api_headers("subjects:read")
    )
    assert response.status_code == 200, response.text
    events: list[dict[str, Any]] = response.json()["events"]
    return events


# ------------------------------------------------------------------------- the notice


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "IPKO Telecommunications LLC Privacy Policy"),
        ("sq", "Politika e privatësisë e IPKO Telecommunications LLC"),
        ("sr", "Politika privatnosti IPKO Telecommunications LLC"),
    ],
)
def test_the_notice_rendered_from_the_policy_in_every_language(
    sqlite_center: tuple[Center, TestClient], language: str, title: str
) -> None:
    _, client = sqlite_center

    page = client.get(f"/privacy/notice?lang={language}")

    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.text
    assert f"<h1>{title}</h1>" in page.text
    assert 'id="rights"' in page.text or "rights" in page.text


def test_the_language_chosen_by_the_switcher_is_remembered_in_a_cookie(
    sqlite_center: tuple[Center, TestClient],
) -> None:
    _, client = sqlite_center

    chosen = client.get("/privacy?lang=sr")
    later = client.get("/privacy")

    assert chosen.cookies.get("placet_lang") == "sr"
    assert '<html lang="sr">' in later.text
    assert 'href="/privacy?lang=sq"' in later.text
    assert "Centar za privatnost" in later.text


def test_a_language_the_policy_lacks_is_ignored(sqlite_center: tuple[Center, TestClient]) -> None:
    _, client = sqlite_center

    page = client.get("/privacy?lang=da")

    assert page.status_code == 200
    assert '<html lang="en">' in page.text


# ------------------------------------------------------------------------ sign-in


def test_sign_in_by_one_time_code_opens_a_signed_httponly_session(
    sqlite_center: tuple[Center, TestClient],
) -> None:
    center, client = sqlite_center

    asked = ask_code(client, "+383 44 123 456")
    [message] = outbox_of(center).messages
    signed = offer_code(client, code_in(message.body))

    assert asked.url.path == "/privacy/sign-in/code"
    assert "+383 44 *** 456" in asked.text
    assert message.to == SUBSCRIBER
    assert signed.url.path == "/privacy/choices"
    assert SUBSCRIBER in signed.text
    cookie = next(
        header
        for header in signed.history[0].headers.get_list("set-cookie")
        if header.startswith(f"{SESSION_COOKIE}=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" in cookie


def test_sign_in_a_wrong_code_is_answered_next_to_the_field(
    sqlite_center: tuple[Center, TestClient],
) -> None:
    center, client = sqlite_center
    ask_code(client, SUBSCRIBER)
    sent = code_in(outbox_of(center).messages[0].body)

    answer = offer_code(client, "000000" if sent != "000000" else "111111")

    assert answer.status_code == 422
    assert 'id="code-error"' in answer.text
    assert "The code is wrong or has expired" in answer.text
    assert 'aria-invalid="true"' in answer.text
    assert client.get("/privacy/choices", follow_redirects=False).status_code == 303


def test_sign_in_answers_the_same_for_an_unknown_subscriber(
    sqlite_center: tuple[Center, TestClient],
) -> None:
    center, client = sqlite_center

    known = ask_code(client, SUBSCRIBER)
    unknown = ask_code(client, STRANGER)
    wrong = offer_code(client, "123456")

    assert known.status_code == unknown.status_code == 200
    assert known.url.path == unknown.url.path == "/privacy/sign-in/code"

    def without_details(text: str) -> str:
        return (
            text.replace(csrf_of(text), "")
            .replace("+383 44 *** 456", "")
            .replace("+383 44 *** 888", "")
        )

    assert without_details(known.text) == without_details(unknown.text)
    assert [message.to for message in outbox_of(center).messages] == [SUBSCRIBER]
    assert wrong.status_code == 422
    assert "The code is wrong or has expired" in wrong.text


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("", "Enter your mobile number or e-mail address."),
        ("044 123 456", "Enter a number starting with + and the country code"),
        ("jana@", "Enter a number starting with + and the country code"),
    ],
)
def test_sign_in_bad_input_is_answered_next_to_the_field(
    sqlite_center: tuple[Center, TestClient], address: str, message: str
) -> None:
    center, client = sqlite_center

    answer = ask_code(client, address)

    assert answer.status_code == 422
    assert 'id="address-error"' in answer.text
    assert message in answer.text
    assert "Traceback" not in answer.text
    assert outbox_of(center).messages == []


def test_sign_in_caps_the_codes_sent_to_one_address_alike_for_everyone(
    sqlite_center: tuple[Center, TestClient],
) -> None:
    center, client = sqlite_center

    for _ in range(MAX_CODES_PER_ADDRESS):
        ask_code(client, SUBSCRIBER)
        ask_code(client, STRANGER)
    known = ask_code(client, SUBSCRIBER)
    unknown = ask_code(client, STRANGER)

    assert known.status_code == unknown.status_code == 429
    assert "the most codes we send in an hour" in known.text
    assert len(outbox_of(center).messages) == MAX_CODES_PER_ADDRESS


def test_a_form_without_its_csrf_token_is_refused(sqlite_center: tuple[Center, TestClient]) -> None:
    center, client = sqlite_center
    sign_in(center, client)

    forged = client.post(
        "/privacy/consents/current-offers", data={"action": "give"}, follow_redirects=False
    )
    wrong = client.post(
        "/privacy/consents/current-offers",
        data={"action": "give", "csrf": "not-the-token"},
        follow_redirects=False,
    )

    assert forged.status_code == wrong.status_code == 403
    assert "This page was too old to send" in forged.text
    assert [event["type"] for event in history_of(center, client)] == [
        "subject-facts-recorded",
        "contract-started",
    ]


def test_a_tampered_session_cookie_signs_nobody_in(
    sqlite_center: tuple[Center, TestClient],
) -> None:
    center, client = sqlite_center
    sign_in(center, client)
    value = client.cookies.get(SESSION_COOKIE)
    assert value is not None
    body, _, mac = value.partition(".")
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, f"{body}x.{mac}")

    answer = client.get("/privacy/choices", follow_redirects=False)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/privacy/sign-in"


def test_sign_out_ends_the_session(sqlite_center: tuple[Center, TestClient]) -> None:
    center, client = sqlite_center
    sign_in(center, client)

    post_form(client, "/privacy/sign-out")

    assert client.get("/privacy/choices", follow_redirects=False).status_code == 303


def test_without_a_session_key_the_pages_say_which_setting_is_missing(
    sqlite_url: str, tmp_path: Path
) -> None:
    made = make_center(sqlite_url, tmp_path, web_session_key=None)
    with TestClient(made.app) as client:
        answer = client.get("/privacy/sign-in")
        landing = client.get("/privacy")

    assert answer.status_code == 503
    assert "PLACET_WEB_SESSION_KEY is not set" in answer.text
    assert landing.status_code == 200


# ---------------------------------------------------- consents, objections, history


def test_consent_options_with_their_channels_changed_with_one_click_are_recorded_in_the_ledger(
    center: tuple[Center, TestClient],
) -> None:
    center_, client = center
    sign_in(center_, client)

    choices = client.get("/privacy/choices")
    given = post_form(
        client, "/privacy/consents/current-offers", action="give", once="once-given-1"
    )
    withdrawn = post_form(
        client, "/privacy/consents/current-offers", action="withdraw", once="once-withdrawn-1"
    )

    assert "Current offers" in choices.text
    assert '<span class="chip">SMS</span>' in choices.text
    assert "id-cookies" not in choices.text
    assert "Withdraw consent" in given.text
    assert "Give consent" in withdrawn.text
    events = history_of(center_, client)[-2:]
    assert [event["type"] for event in events] == ["consent-given", "consent-withdrawn"]
    assert {event["collected_via"] for event in events} == {"web"}
    assert {event["actor"] for event in events} == {"subscriber"}
    assert {event["given_by"] for event in events} == {"subject"}
    assert "one-time code sent by SMS to +383 44 *** 456" in events[0]["evidence"]


def test_consent_change_a_form_sent_twice_records_one_event(
    sqlite_center: tuple[Center, TestClient],
) -> None:
    center, client = sqlite_center
    sign_in(center, client)

    for _ in range(2):
        post_form(client, "/privacy/consents/current-offers", action="give", once="same-form-1")

    types = [event["type"] for event in history_of(center, client)]
    assert types.count("consent-given") == 1


def test_consent_change_yields_a_signed_receipt_the_subscriber_downloads(
    center: tuple[Center, TestClient],
) -> None:
    center_, client = center
    sign_in(center_, client)

    saved = post_form(client, "/privacy/consents/current-offers", action="give")
    event_id = saved.url.params["saved"]
    download = client.get(f"/privacy/receipts/{event_id}")

    assert "Download receipt" in saved.text
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    document = download.json()
    receipt = verify_receipt(document["token"], [center_.signing_key.verification_key])
    assert str(receipt.receipt_id) == document["receipt_id"]


def test_consent_receipt_of_another_subject_is_not_found(
    sqlite_center: tuple[Center, TestClient],
) -> None:
    center, client = sqlite_center
    other = "+38344654321"
    known_subscriber(center, client, other)
    recorded = client.post(
        f"/v1/subjects/{other}/consents",
        json={"collected_via": "shop", "actor": "shop-1", "option": "current-offers"},
        headers=center.api_headers("events:write"),
    ).json()
    sign_in(center, client)

    answer = client.get(f"/privacy/receipts/{recorded['event_id']}")

    assert answer.status_code == 404
    assert "We could not find that page" in answer.text


def test_objections_to_legitimate_interest_purposes_are_recorded_and_withdrawn(
    center: tuple[Center, TestClient],
) -> None:
    center_, client = center
    sign_in(center_, client)

    choices = client.get("/privacy/choices")
    made = post_form(client, "/privacy/objections/surveys", action="object")
    post_form(client, "/privacy/objections/surveys", action="withdraw")
    refused = post_form(client, "/privacy/objections/contract-performance", action="object")

    assert "Surveys" in choices.text or "surveys" in choices.text
    assert "contract-performance" not in choices.text
    assert "Our compelling grounds may continue this use" in choices.text
    assert 'id="purpose-surveys"' in made.text
    events = history_of(center_, client)[-2:]
    assert [event["type"] for event in events] == ["objection-made", "objection-withdrawn"]
    assert events[0]["data"]["purpose"] == "surveys"
    assert refused.status_code == 404


def test_history_of_their_consents_and_objections(center: tuple[Center, TestClient]) -> None:
    center_, client = center
    sign_in(center_, client)
    post_form(client, "/privacy/consents/current-offers", action="give")
    post_form(client, "/privacy/objections/all-direct-marketing", action="object")

    page = client.get("/privacy/history")

    assert page.status_code == 200
    assert page.text.index("Objection made") < page.text.index("Consent given")
    assert "Current offers" in page.text
    assert "All direct marketing" in page.text
    assert page.text.count("/privacy/receipts/") == 1
    assert "contract-started" not in page.text


def test_pages_for_subscribers_send_a_visitor_to_sign_in(
    sqlite_center: tuple[Center, TestClient],
) -> None:
    _, client = sqlite_center

    for path in ("/privacy/choices", "/privacy/history", "/privacy/requests"):
        answer = client.get(path, follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, "/privacy/sign-in")


# ------------------------------------------------------------------------- requests


def test_submitting_every_request_type_opens_it_verified_by_the_sign_in(
    center: tuple[Center, TestClient],
) -> None:
    center_, client = center
    sign_in(center_, client)
    kinds = [
        "access",
        "printed-copy",
        "rectification",
        "erasure",
        "restriction",
        "objection",
        "portability",
        "withdraw-consent",
        "complaint",
        "business-opt-out",
    ]

    for kind in kinds:
        answer = post_form(client, "/privacy/requests", kind=kind)
        assert answer.status_code == 200, answer.text[:300]
        assert "is received and your identity is confirmed" in answer.text

    requests = center_.services.requests.all()
    assert sorted(request.kind.value for request in requests) == sorted(kinds)
    for request in requests:
        assert request.state.value == "verified"
        assert request.channel.value == "web"
        step = request.steps[-1]
        assert step.reason is not None
        assert "one-time code sent by SMS to +383 44 *** 456" in step.reason


def test_submitting_a_request_without_a_kind_is_answered_next_to_the_field(
    sqlite_center: tuple[Center, TestClient],
) -> None:
    center, client = sqlite_center
    sign_in(center, client)

    answer = post_form(client, "/privacy/requests", kind="")

    assert answer.status_code == 422
    assert 'id="kind-error"' in answer.text
    assert "Choose what you ask for." in answer.text
    assert center.services.requests.all() == []


def test_following_a_request_and_downloading_the_answer_when_fulfilled(
    center: tuple[Center, TestClient],
) -> None:
    center_, client = center
    sign_in(center_, client)
    post_form(client, "/privacy/requests", kind="access")
    [request] = center_.services.requests.all()
    request_id = request.request_id
    pending = client.get("/privacy/requests")
    staff = center_.api_headers("requests:write")
    for step in ("start", "fulfil"):
        moved = client.post(f"/v1/requests/{request_id}/steps", json={"step": step}, headers=staff)
        assert moved.status_code == 200, moved.text
    folder = center_.services.answers_dir / request_id
    folder.mkdir(parents=True)
    (folder / "printed-copy.pdf").write_bytes(b"%PDF-1.7 test")
    (folder / "answer.zip").write_bytes(b"PK test")

    listed = client.get("/privacy/requests")
    detail = client.get(f"/privacy/requests/{request_id}")
    pdf = client.get(f"/privacy/requests/{request_id}/answer/printed-copy.pdf")
    unknown = client.get(f"/privacy/requests/{request_id}/answer/manifest.json")

    assert "Answer due by" in pending.text
    assert "2025" in pending.text
    assert "Answered" in listed.text
    assert f"/privacy/requests/{request_id}/answer/printed-copy.pdf" in listed.text
    assert "answer.zip" in detail.text
    assert pdf.status_code == 200
    assert pdf.content == b"%PDF-1.7 test"
    assert pdf.headers["content-type"] == "application/pdf"
    assert unknown.status_code == 404


def test_another_subscribers_request_is_not_found(sqlite_center: tuple[Center, TestClient]) -> None:
    center, client = sqlite_center
    other = "+38344654321"
    known_subscriber(center, client, other)
    opened = client.post(
        "/v1/requests",
        json={"subject": other, "kind": "access", "channel": "email"},
        headers=center.api_headers("requests:write"),
    )
    assert opened.status_code == 201, opened.text
    sign_in(center, client)

    answer = client.get(f"/privacy/requests/{opened.json()['request_id']}")

    assert answer.status_code == 404
    assert opened.json()["request_id"] not in client.get("/privacy/requests").text


# -------------------------------------------------------------------------- quality


def test_every_page_is_served_well_under_300_ms(sqlite_center: tuple[Center, TestClient]) -> None:
    center, client = sqlite_center
    sign_in(center, client)
    for option in ("current-offers", "offers-just-for-me"):
        post_form(client, f"/privacy/consents/{option}", action="give")
    post_form(client, "/privacy/requests", kind="access")
    pages = [
        "/privacy",
        "/privacy/notice",
        "/privacy/choices",
        "/privacy/history",
        "/privacy/requests",
    ]

    slowest = {}
    for page in pages:
        client.get(page)
        started = time.perf_counter()
        for _ in range(5):
            assert client.get(page).status_code == 200
        slowest[page] = (time.perf_counter() - started) / 5

    assert max(slowest.values()) < 0.3, slowest
