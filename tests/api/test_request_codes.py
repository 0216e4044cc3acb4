"""One-time codes over HTTP: `POST /v1/requests/{id}/code` sends one, `…/code:confirm`
checks it; the answers are the same bytes whether or not the subscriber has an address on
record, and a code tried too often is spent."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from placet.dsr import CodeChannel, MemoryOutbox
from placet.operations.verification import CODE_SENT_ANSWER, Outboxes, open_outboxes
from tests.api.conftest import SUBSCRIBER, Api
from tests.operations.smtp_server import code_in, running_smtp_server

CODE_KEY = bytes(range(32))
"""The tests' code key; never a production key."""
UNKNOWN = "+38344000000"
WRONG_OR_EXPIRED = "The code is wrong or has expired. Check it, or ask for a new code."


def records(subscriber: str, channel: CodeChannel) -> str | None:
    """The operator's records: only SUBSCRIBER has an e-mail address and a number."""
    if subscriber != SUBSCRIBER:
        return None
    return "jana@example.com" if channel is CodeChannel.EMAIL else SUBSCRIBER


def with_codes(api: Api, outboxes: Outboxes | None = None, **wiring: Any) -> MemoryOutbox:
    """Wire the API's code key, an in-memory outbox and the records lookup into the app."""
    memory = MemoryOutbox()
    wired: dict[str, Any] = {
        "code_key": CODE_KEY,
        "outboxes": outboxes or Outboxes(email=memory, sms=memory),
        "address_of": records,
    }
    api.app.state.services = replace(api.services, **(wired | wiring))
    return memory


def open_request(api: Api, subject: str = SUBSCRIBER) -> str:
    body = {"kind": "access", "subject": subject, "channel": "web"}
    response = api.post("/v1/requests", body, scope="requests:write")
    assert response.status_code == 201, response.text
    return str(response.json()["request_id"])


def send(api: Api, request_id: str, scope: str = "requests:write", **body: Any) -> Any:
    return api.post(f"/v1/requests/{request_id}/code", {"channel": "email", **body}, scope=scope)


def confirm(api: Api, request_id: str, code: str, scope: str = "requests:write") -> Any:
    return api.post(f"/v1/requests/{request_id}/code:confirm", {"code": code}, scope=scope)


def test_a_code_sent_and_confirmed_verifies_the_request(api: Api) -> None:
    outbox = with_codes(api)
    request_id = open_request(api)

    sent = send(api, request_id)
    [message] = outbox.messages
    api.clock.advance(120)
    confirmed = confirm(api, request_id, code_in(message.body))
    read = api.get(f"/v1/requests/{request_id}", scope="requests:read").json()

    assert sent.status_code == 202, sent.text
    assert sent.json() == {
        "channel": "email",
        "answer": CODE_SENT_ANSWER,
        "expires_in_seconds": 600,
    }
    assert message.to == "jana@example.com"
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["outcome"] == "verified"
    assert read["state"] == "verified"
    assert read["steps"][-1]["actor"] == "test"
    assert read["steps"][-1]["reason"] == "one-time code sent by e-mail to j***@example.com"


def test_code_answers_never_reveal_whether_a_subscriber_exists(api: Api) -> None:
    outbox = with_codes(api)
    known = open_request(api, SUBSCRIBER)
    unknown = open_request(api, UNKNOWN)

    sent = [send(api, request_id, channel="sms") for request_id in (known, unknown)]
    confirmed = [confirm(api, request_id, "000000") for request_id in (known, unknown)]

    assert [response.status_code for response in sent] == [202, 202]
    assert sent[0].content == sent[1].content
    assert sent[0].headers["content-length"] == sent[1].headers["content-length"]
    assert [response.status_code for response in confirmed] == [200, 200]
    assert confirmed[0].content == confirmed[1].content
    assert confirmed[0].json() == {"outcome": "wrong-or-expired", "answer": WRONG_OR_EXPIRED}
    assert [message.to for message in outbox.messages] == [SUBSCRIBER]


def test_too_many_attempts_spend_the_code_and_the_answer_says_to_ask_a_new_one(
    api: Api,
) -> None:
    outbox = with_codes(api)
    request_id = open_request(api)
    send(api, request_id)
    right = code_in(outbox.messages[0].body)
    wrong = "000000" if right != "000000" else "111111"

    answers = [confirm(api, request_id, wrong).json() for _ in range(5)]
    spent = confirm(api, request_id, right).json()
    send(api, request_id)
    fresh = code_in(outbox.messages[1].body)
    renewed = confirm(api, request_id, fresh).json()

    assert answers == [{"outcome": "wrong-or-expired", "answer": WRONG_OR_EXPIRED}] * 5
    assert spent["outcome"] == "wrong-or-expired"
    assert "ask for a new code" in spent["answer"]
    assert renewed["outcome"] == "verified"


def test_a_code_expires_after_ten_minutes(api: Api) -> None:
    outbox = with_codes(api)
    request_id = open_request(api)
    send(api, request_id)

    api.clock.advance(timedelta(minutes=10).total_seconds())
    late = confirm(api, request_id, code_in(outbox.messages[0].body)).json()

    assert late == {"outcome": "wrong-or-expired", "answer": WRONG_OR_EXPIRED}


def test_a_code_is_sent_through_a_real_smtp_server(sqlite_api: Api) -> None:
    with running_smtp_server() as server:
        with_codes(sqlite_api, outboxes=open_outboxes(server.url))
        request_id = open_request(sqlite_api)

        sent = send(sqlite_api, request_id, to="jana@example.org")

    assert sent.status_code == 202, sent.text
    [message] = server.received
    assert message["To"] == "jana@example.org"
    assert confirm(sqlite_api, request_id, code_in(message)).json()["outcome"] == "verified"


def test_an_address_given_by_staff_is_used_and_checked(sqlite_api: Api) -> None:
    outbox = with_codes(sqlite_api)
    request_id = open_request(sqlite_api, UNKNOWN)

    sent = send(sqlite_api, request_id, channel="sms", to="+38349555666")
    malformed = send(sqlite_api, request_id, channel="sms", to="049 555 666")

    assert sent.status_code == 202
    assert [message.to for message in outbox.messages] == ["+38349555666"]
    assert malformed.status_code == 409
    assert "E.164" in malformed.json()["detail"]
    assert "049 555 666" not in malformed.json()["detail"]


def test_without_a_lookup_the_address_must_be_given(sqlite_api: Api) -> None:
    with_codes(sqlite_api, address_of=None)
    request_id = open_request(sqlite_api)

    response = send(sqlite_api, request_id)

    assert response.status_code == 409
    assert "give `to`" in response.json()["detail"]


def test_without_a_code_key_or_outbox_the_server_says_which_setting_is_missing(
    sqlite_api: Api,
) -> None:
    request_id = open_request(sqlite_api)

    no_outbox = send(sqlite_api, request_id, to="jana@example.com")
    with_codes(sqlite_api, code_key=None)
    no_key = send(sqlite_api, request_id, to="jana@example.com")

    assert no_outbox.status_code == no_key.status_code == 503
    assert "PLACET_OUTBOX is not set" in no_outbox.json()["detail"]
    assert "PLACET_CODE_KEY is not set" in no_key.json()["detail"]


@pytest.mark.parametrize("path", ["code", "code:confirm"])
def test_codes_need_the_requests_write_scope(sqlite_api: Api, path: str) -> None:
    with_codes(sqlite_api)
    request_id = open_request(sqlite_api)
    body = {"channel": "email"} if path == "code" else {"code": "123456"}

    response = sqlite_api.post(f"/v1/requests/{request_id}/{path}", body, scope="requests:read")

    assert response.status_code == 403


def test_an_unknown_request_is_404_and_a_verified_one_409(sqlite_api: Api) -> None:
    with_codes(sqlite_api)
    request_id = open_request(sqlite_api)
    step = {"step": "verify", "reason": "passport seen at shop"}
    sqlite_api.post(f"/v1/requests/{request_id}/steps", step, scope="requests:write")

    assert send(sqlite_api, "DSR-2025-999999").status_code == 404
    assert confirm(sqlite_api, "DSR-2025-999999", "123456").status_code == 404
    assert send(sqlite_api, request_id).status_code == 409
    assert confirm(sqlite_api, request_id, "123456").status_code == 409


def test_agent_verifies_in_person_and_records_how(api: Api) -> None:
    request_id = open_request(api)

    response = api.post(
        f"/v1/requests/{request_id}/steps",
        {"step": "verify", "reason": "passport seen at shop"},
        scope="requests:write",
    )
    read = api.get(f"/v1/requests/{request_id}", scope="requests:read").json()

    assert response.status_code == 200, response.text
    assert read["state"] == "verified"
    assert (read["steps"][-1]["actor"], read["steps"][-1]["reason"]) == (
        "test",
        "passport seen at shop",
    )
