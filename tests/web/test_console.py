"""The DPO console over HTTP (issue 7, "DPO console"): staff sign-in by password with a
lockout, sessions that expire, CSRF protection, roles (an auditor reads only), the request
queue overdue first, each action on a request, the care agents' form and the ledger's
status. What touches the database runs on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from placet.dsr import RequestKind
from placet.operations.checkpoints import check_checkpoint
from placet.operations.staff import LOCKOUT_WINDOW, MAX_FAILURES, disable_staff_member
from placet.stores.sql_staff import SqlStaffRoster
from placet.web.console_frame import CONSOLE_COOKIE
from tests.web.console_fixtures import (
    PASSWORD,
    STAFF,
    add_staff,
    error_next_to,
    open_request,
    sign_in_staff,
    staff_csrf,
)
from tests.web.privacy_fixtures import (
    SHOP,
    SUBSCRIBER,
    Center,
    csrf_of,
    known_subscriber,
    make_center,
)

NOW = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
"""The tests' clock (tests.api.conftest.NOW)."""


@pytest.fixture
def console(database_url: str, tmp_path: Path) -> Iterator[tuple[Center, TestClient]]:
    """The site on a fresh ledger (SQLite, PostgreSQL) with an account of each role."""
    made = make_center(database_url, tmp_path)
    with TestClient(made.app, base_url="https://testserver") as client:
        known_subscriber(made, client)
        add_staff(made)
        yield made, client
    made.services.ledger.engine.dispose()  # type: ignore[attr-defined]


@pytest.fixture
def sqlite_console(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[Center, TestClient]]:
    """The same on SQLite only, for what does not depend on the database."""
    made = make_center(sqlite_url, tmp_path)
    with TestClient(made.app, base_url="https://testserver") as client:
        known_subscriber(made, client)
        add_staff(made)
        yield made, client
    made.services.ledger.engine.dispose()  # type: ignore[attr-defined]


def act(client: TestClient, request_id: str, action: str, **fields: str) -> Any:
    """Post the form of `action` from the request's page."""
    csrf = staff_csrf(client, f"/console/requests/{request_id}")
    return client.post(
        f"/console/requests/{request_id}/{action}",
        data={"csrf": csrf, **fields},
        follow_redirects=True,
    )


def state_of(center: Center, request_id: str) -> str:
    request = center.services.requests.get(request_id)
    assert request is not None
    return request.state.value


# ------------------------------------------------------------------ sign-in, sessions


def test_staff_sign_in_with_a_password_opens_the_request_queue(
    console: tuple[Center, TestClient],
) -> None:
    _, client = console

    page = sign_in_staff(client, "dpo")

    assert page.status_code == 200
    assert page.url.path == "/console"
    assert "Open requests" in page.text
    assert "jana.dpo" in page.text
    cookie = page.history[-1].headers["set-cookie"]
    assert f"{CONSOLE_COOKIE}=" in cookie
    assert "Path=/console" in cookie
    assert "HttpOnly" in cookie


def test_a_wrong_password_is_answered_next_to_the_password_field(
    console: tuple[Center, TestClient],
) -> None:
    _, client = console

    wrong_password = sign_in_staff(client, "dpo", password="not the password at all")
    page = client.get("/console/sign-in")
    unknown_name = client.post(
        "/console/sign-in",
        data={"csrf": staff_csrf(client, "/console/sign-in"), "name": "nobody", "password": "x"},
    )

    assert wrong_password.status_code == 422
    assert error_next_to(wrong_password.text, "password") == "The name or the password is wrong."
    assert 'value="jana.dpo"' in wrong_password.text
    assert page.status_code == 200
    assert unknown_name.status_code == 422
    assert error_next_to(unknown_name.text, "password") == "The name or the password is wrong."


def test_an_empty_name_is_answered_next_to_the_name_field(
    sqlite_console: tuple[Center, TestClient],
) -> None:
    _, client = sqlite_console

    answer = client.post(
        "/console/sign-in",
        data={"csrf": staff_csrf(client, "/console/sign-in"), "name": "", "password": "x"},
    )

    assert answer.status_code == 422
    assert error_next_to(answer.text, "name") == "Enter your staff name."


def test_repeated_wrong_passwords_lock_the_name_until_the_window_passes(
    console: tuple[Center, TestClient],
) -> None:
    center, client = console
    for _ in range(MAX_FAILURES):
        assert sign_in_staff(client, "dpo", password="wrong password!").status_code == 422

    locked = sign_in_staff(client, "dpo")
    center.clock.advance(LOCKOUT_WINDOW.total_seconds() + 1)
    opened = sign_in_staff(client, "dpo")

    assert locked.status_code == 429
    assert "Too many wrong passwords" in error_next_to(locked.text, "password")
    assert opened.status_code == 200
    assert opened.url.path == "/console"


def test_console_pages_need_a_staff_session(sqlite_console: tuple[Center, TestClient]) -> None:
    _, client = sqlite_console

    for path in ("/console", "/console/care", "/console/ledger", "/console/requests/DSR-1"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == "/console/sign-in"


def test_a_staff_session_expires_after_eight_hours(
    sqlite_console: tuple[Center, TestClient],
) -> None:
    center, client = sqlite_console
    sign_in_staff(client, "dpo")
    center.clock.advance(timedelta(hours=7, minutes=59).total_seconds())
    assert client.get("/console", follow_redirects=False).status_code == 200

    center.clock.advance(timedelta(minutes=2).total_seconds())
    answer = client.get("/console", follow_redirects=False)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/sign-in"


def test_sign_out_ends_the_staff_session(sqlite_console: tuple[Center, TestClient]) -> None:
    _, client = sqlite_console
    sign_in_staff(client, "dpo")

    out = client.post(
        "/console/sign-out", data={"csrf": staff_csrf(client)}, follow_redirects=False
    )
    after = client.get("/console", follow_redirects=False)

    assert out.status_code == 303
    assert after.status_code == 303


def test_a_form_without_the_sessions_csrf_token_is_refused(
    console: tuple[Center, TestClient],
) -> None:
    center, client = console
    request_id = open_request(center, RequestKind.ACCESS, NOW)
    sign_in_staff(client, "dpo")

    forged = client.post(
        f"/console/requests/{request_id}/verify",
        data={"csrf": "forged-token", "how": "identity card shown in a shop"},
    )
    missing = client.post(f"/console/requests/{request_id}/verify", data={"how": "card"})

    assert forged.status_code == 403
    assert missing.status_code == 403
    assert state_of(center, request_id) == "received"


# ------------------------------------------------------------------ the queue


def test_the_queue_lists_overdue_requests_first_and_marks_them(
    console: tuple[Center, TestClient],
) -> None:
    center, client = console
    recent = open_request(center, RequestKind.ACCESS, NOW - timedelta(days=2))
    oldest = open_request(center, RequestKind.ERASURE, NOW - timedelta(days=70))
    overdue = open_request(center, RequestKind.PORTABILITY, NOW - timedelta(days=40))
    done = open_request(center, RequestKind.ACCESS, NOW - timedelta(days=90))
    sign_in_staff(client, "dpo")
    act(client, done, "reject", reject_reason="Not the subscriber's line.")

    page = client.get("/console")

    order = re.findall(r'<a href="/console/requests/([^"]+)">', page.text)
    assert order == [oldest, overdue, recent]
    rows = page.text.split("<tr")[2:]
    assert 'class="overdue"' in rows[0]
    assert 'class="overdue"' in rows[1]
    assert 'class="overdue"' not in rows[2]
    assert "overdue by" in rows[0]
    assert "days left" in rows[2]
    assert SUBSCRIBER not in page.text
    assert "+383 44 *** 456" in page.text


# ------------------------------------------------------------------ acting on a request


def test_verify_records_how_the_identity_was_verified(console: tuple[Center, TestClient]) -> None:
    center, client = console
    request_id = open_request(center, RequestKind.ACCESS, NOW)
    sign_in_staff(client, "dpo")

    page = act(client, request_id, "verify", how="identity card shown in a shop")

    assert page.status_code == 200
    assert "Identity verified." in page.text
    assert state_of(center, request_id) == "verified"
    request = center.services.requests.get(request_id)
    assert request is not None
    assert request.steps[-1].actor == "jana.dpo"
    assert request.steps[-1].reason == "identity card shown in a shop"


def test_verify_without_saying_how_is_answered_next_to_the_field(
    sqlite_console: tuple[Center, TestClient],
) -> None:
    center, client = sqlite_console
    request_id = open_request(center, RequestKind.ACCESS, NOW)
    sign_in_staff(client, "dpo")

    page = act(client, request_id, "verify", how="  ")

    assert page.status_code == 422
    assert error_next_to(page.text, "how") == "Say how the identity was verified."
    assert state_of(center, request_id) == "received"


def test_extend_with_a_reason_moves_the_due_date_as_the_policy_allows(
    console: tuple[Center, TestClient],
) -> None:
    center, client = console
    request_id = open_request(center, RequestKind.ACCESS, NOW - timedelta(days=5), verified=True)
    sign_in_staff(client, "dpo")
    before = center.services.requests.get(request_id)

    page = act(client, request_id, "extend", extend_reason="Ten years of call records to read.")

    after = center.services.requests.get(request_id)
    assert page.status_code == 200
    assert "Deadline extended." in page.text
    assert before is not None
    assert after is not None
    assert after.is_extended
    assert after.due_as_of(NOW) > before.due_as_of(NOW)
    assert state_of(center, request_id) == "verified"


def test_an_extension_the_policy_refuses_is_answered_next_to_the_reason(
    sqlite_console: tuple[Center, TestClient],
) -> None:
    center, client = sqlite_console
    request_id = open_request(center, RequestKind.ACCESS, NOW - timedelta(days=45))
    sign_in_staff(client, "dpo")

    page = act(client, request_id, "extend", extend_reason="Numerous requests.")

    assert page.status_code == 422
    assert "after the first deadline" in error_next_to(page.text, "extend_reason")
    request = center.services.requests.get(request_id)
    assert request is not None
    assert not request.is_extended


def test_fulfil_carries_out_a_withdrawal_request_in_the_ledger(
    console: tuple[Center, TestClient],
) -> None:
    center, client = console
    client.post(
        f"/v1/subjects/{SUBSCRIBER}/consents",
        json={"collected_via": "shop", "actor": "shop-1", "option": "current-offers"},
        headers=center.api_headers("events:write"),
    )
    request_id = open_request(center, RequestKind.WITHDRAW_CONSENT, NOW, verified=True)
    sign_in_staff(client, "dpo")

    page = act(client, request_id, "fulfil")

    assert page.status_code == 200, page.text[:2000]
    assert "Request carried out." in page.text
    assert state_of(center, request_id) == "fulfilled"
    assert "consent withdrawn: current-offers" in page.text


def test_reject_with_a_reason_rejects_the_request(console: tuple[Center, TestClient]) -> None:
    center, client = console
    request_id = open_request(center, RequestKind.ERASURE, NOW)
    sign_in_staff(client, "dpo")

    without = act(client, request_id, "reject", reject_reason="")
    page = act(client, request_id, "reject", reject_reason="The contract is under dispute.")

    assert without.status_code == 422
    assert "reason for refusing" in error_next_to(without.text, "reject_reason")
    assert page.status_code == 200
    assert "Request rejected." in page.text
    assert state_of(center, request_id) == "rejected"


# ------------------------------------------------------------------ roles


def test_an_auditor_sees_a_request_without_buttons_and_its_posts_are_refused(
    console: tuple[Center, TestClient],
) -> None:
    center, client = console
    request_id = open_request(center, RequestKind.ACCESS, NOW)
    sign_in_staff(client, "auditor")

    page = client.get(f"/console/requests/{request_id}")
    answers = [
        act(client, request_id, action, **fields)
        for action, fields in (
            ("verify", {"how": "card"}),
            ("extend", {"extend_reason": "busy"}),
            ("fulfil", {}),
            ("reject", {"reject_reason": "no"}),
        )
    ]
    care = client.post(
        "/console/care",
        data={
            "csrf": staff_csrf(client),
            "subscriber": SUBSCRIBER,
            "choice": "consent-given",
            "option": "current-offers",
            "via": "shop",
        },
    )

    assert page.status_code == 200
    assert "Your role (auditor) takes no step" in page.text
    assert "/verify" not in page.text
    assert "/reject" not in page.text
    assert SUBSCRIBER not in page.text
    assert [answer.status_code for answer in answers] == [403, 403, 403, 403]
    assert "Your role (auditor) may not verify" in answers[0].text
    assert "mira.audit" in answers[0].text
    assert care.status_code == 403
    assert state_of(center, request_id) == "received"


def test_a_care_agent_verifies_but_may_not_fulfil_extend_or_reject(
    console: tuple[Center, TestClient],
) -> None:
    center, client = console
    request_id = open_request(center, RequestKind.ACCESS, NOW)
    sign_in_staff(client, "care-agent")

    verified = act(client, request_id, "verify", how="identity card shown in a shop")
    refused = [
        act(client, request_id, "fulfil").status_code,
        act(client, request_id, "extend", extend_reason="busy").status_code,
        act(client, request_id, "reject", reject_reason="no").status_code,
    ]

    assert verified.status_code == 200
    assert state_of(center, request_id) == "verified"
    assert "/fulfil" not in verified.text
    assert refused == [403, 403, 403]


# ------------------------------------------------------------------ care agents' form


def test_a_care_agent_records_a_consent_withdrawn_by_phone_in_the_ledger(
    console: tuple[Center, TestClient],
) -> None:
    center, client = console
    sign_in_staff(client, "care-agent")
    form = {
        "subscriber": SUBSCRIBER,
        "option": "current-offers",
        "via": "call-centre",
        "reference": "call-2025-0501-77",
    }

    given = client.post(
        "/console/care",
        data={"csrf": staff_csrf(client), **form, "choice": "consent-given", "once": "once-a-1"},
        follow_redirects=True,
    )
    withdrawn = client.post(
        "/console/care",
        data={"csrf": staff_csrf(client), **form, "choice": "consent-withdrawn", "once": "once-b"},
        follow_redirects=True,
    )

    assert given.status_code == 200
    assert "Recorded in the ledger: consent-given (current-offers)" in given.text
    assert "Recorded in the ledger: consent-withdrawn (current-offers)" in withdrawn.text
    history = client.get(
        f"/v1/subjects/{SUBSCRIBER}/history", headers=center.api_headers("subjects:read")
    ).json()["events"]
    last = history[-1]
    assert last["type"] == "consent-withdrawn"
    assert last["collected_via"] == "call-centre"
    assert last["actor"] == STAFF["care-agent"]
    assert last["given_by"] == "subject"
    assert last["evidence"] == "call-2025-0501-77"


def test_a_care_agent_records_an_objection_made_in_a_shop(
    console: tuple[Center, TestClient],
) -> None:
    center, client = console
    sign_in_staff(client, "care-agent")

    answer = client.post(
        "/console/care",
        data={
            "csrf": staff_csrf(client),
            "subscriber": SUBSCRIBER,
            "choice": "objection-made",
            "purpose": "all-direct-marketing",
            "via": "shop",
        },
        follow_redirects=True,
    )

    assert answer.status_code == 200
    assert "Recorded in the ledger: objection-made (all-direct-marketing), via shop" in answer.text
    state = client.get(
        f"/v1/subjects/{SUBSCRIBER}/state", headers=center.api_headers("subjects:read")
    )
    assert state.status_code == 200
    assert state.json()["objects_to_direct_marketing"] is True


def test_the_care_form_answers_each_missing_field_next_to_it(
    sqlite_console: tuple[Center, TestClient],
) -> None:
    _, client = sqlite_console
    sign_in_staff(client, "care-agent")

    answer = client.post(
        "/console/care",
        data={"csrf": staff_csrf(client), "subscriber": "", "choice": "consent-given"},
    )

    assert answer.status_code == 422
    assert "number or customer id" in error_next_to(answer.text, "subscriber")
    assert error_next_to(answer.text, "option") == "Choose the consent option."
    assert error_next_to(answer.text, "via") == "Say whether it was by phone or in a shop."


# ------------------------------------------------------------------ the ledger


def test_the_ledger_page_says_the_chains_are_intact(console: tuple[Center, TestClient]) -> None:
    _, client = console
    sign_in_staff(client, "auditor")
    before = client.get("/console/ledger")

    page = client.post("/console/ledger/verify", data={"csrf": csrf_of(before.text)})

    assert "Not verified through this server since it started" in before.text
    assert "✓ Intact" not in before.text
    assert page.status_code == 200
    assert str(page.url).endswith("/console/ledger")
    assert page.text.count("✓ Intact") == 2
    assert f"by {STAFF['auditor']}" in page.text
    assert re.search(r"<dt>Entries verified</dt><dd>[1-9]\d*</dd>", page.text)


def test_the_ledger_page_counts_events_appended_since_the_last_verification(
    console: tuple[Center, TestClient],
) -> None:
    center, client = console
    sign_in_staff(client, "dpo")
    client.post(
        "/console/ledger/verify", data={"csrf": csrf_of(client.get("/console/ledger").text)}
    )
    recorded = client.post(
        f"/v1/subjects/{SUBSCRIBER}/consents",
        json={**SHOP, "option": "current-offers"},
        headers=center.api_headers("events:write"),
    )
    assert recorded.status_code == 201, recorded.text

    page = client.get("/console/ledger")

    assert "1 event appended since, not yet verified" in page.text


def a_disclosure(center: Center, client: TestClient) -> dict[str, Any]:
    """The subscriber's contact data given to IPKO's contractors under a processor agreement,
    recorded through the API."""
    approve = center.api_headers("disclosures:approve")
    agreed = client.post(
        "/v1/disclosures/agreements",
        json={"agreement_id": "DPA-2025-01", "recipient": "contractors",
              "kind": "processor-agreement", "party": "Prishtina Print Sh.p.k.",
              "reference": "IPKO/DPA/2025/01", "valid_from": "2025-01-01T00:00:00Z"},
        headers=approve,
    )  # fmt: skip
    assert agreed.status_code == 201, agreed.text
    recorded = client.post(
        "/v1/disclosures",
        json={"recipient": "contractors", "purpose": "contract-performance",
              "categories": ["identity", "contact"], "subjects": [SUBSCRIBER],
              "disclosed_at": "2025-04-30T00:00:00Z"},
        headers=approve,
    )  # fmt: skip
    assert recorded.status_code == 201, recorded.text
    disclosure: dict[str, Any] = recorded.json()
    return disclosure


def test_the_ledger_page_replays_a_recorded_disclosure_and_shows_what_differs(
    console: tuple[Center, TestClient],
) -> None:
    center, client = console
    disclosure = a_disclosure(center, client)
    record_id = disclosure["decision_id"]
    sign_in_staff(client, "auditor")
    listed = client.get("/console/ledger")

    same = client.post(
        "/console/ledger/replay", data={"csrf": csrf_of(listed.text), "record": record_id}
    )
    engine = center.services.ledger.engine  # type: ignore[attr-defined]
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE disclosures SET purpose = 'selling-lists'")
    changed = client.post(
        "/console/ledger/replay", data={"csrf": csrf_of(listed.text), "record": record_id}
    )
    forged = client.post("/console/ledger/replay", data={"csrf": "forged", "record": record_id})

    assert f'<tr id="record-{record_id}">' in listed.text
    assert listed.text.count('name="record"') == 1  # the disclosure; not the audience runs
    assert str(same.url).endswith(f"/console/ledger#record-{record_id}")
    assert f"✓ Reproduced ({NOW:%d %b %Y %H:%M} UTC, {STAFF['auditor']})" in same.text
    assert "✗ Differs" in changed.text
    assert (
        f"the register&#39;s disclosure {disclosure['disclosure_id']} differs from the "
        "recorded one in purpose"
    ) in changed.text
    assert forged.status_code == 403


def test_the_ledger_page_signs_a_checkpoint_that_the_ledger_still_matches(
    console: tuple[Center, TestClient],
) -> None:
    center, client = console
    sign_in_staff(client, "dpo")

    answer = client.post(
        "/console/ledger/checkpoint", data={"csrf": csrf_of(client.get("/console/ledger").text)}
    )

    assert answer.status_code == 200
    head = center.services.ledger.head()
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="placet-checkpoint-{head.seq}.jws"'
    )
    checkpoint = check_checkpoint(
        center.services.ledger, answer.text, [center.signing_key.verification_key]
    )
    assert (checkpoint.events.seq, checkpoint.events.hash) == (head.seq, head.hash)


def test_verifying_the_ledger_needs_the_page_s_csrf_token(
    console: tuple[Center, TestClient],
) -> None:
    _, client = console
    sign_in_staff(client, "dpo")

    refused = client.post("/console/ledger/verify", data={"csrf": "forged"})

    assert refused.status_code == 403
    assert "✓ Intact" not in client.get("/console/ledger").text


def test_the_staff_password_is_stored_only_as_an_argon2id_hash(
    sqlite_console: tuple[Center, TestClient],
) -> None:
    center, _ = sqlite_console
    engine = center.services.ledger.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT password_hash FROM console_staff").scalars()
        hashes = list(stored)

    assert len(hashes) == len(STAFF)
    assert all(value.startswith("$argon2id$") for value in hashes)
    assert all(PASSWORD not in value for value in hashes)


def test_the_care_form_s_optional_reference_is_not_required(
    sqlite_console: tuple[Center, TestClient],
) -> None:
    _, client = sqlite_console
    sign_in_staff(client, "care-agent")

    page = client.get("/console/care").text

    reference = re.search(r'<input id="reference"[^>]*>', page)
    agent = re.search(r'<input id="subscriber"[^>]*>', page)
    assert reference is not None
    assert "required" not in reference.group(0)
    assert agent is None or "required" in agent.group(0)


def test_a_disabled_staff_member_s_session_stops_at_the_next_page(
    console: tuple[Center, TestClient],
) -> None:
    center, client = console
    sign_in_staff(client, "dpo")
    assert client.get("/console", follow_redirects=False).status_code == 200
    roster = SqlStaffRoster(center.services.ledger.engine)  # type: ignore[attr-defined]

    disable_staff_member(roster, STAFF["dpo"], at=center.clock())
    answer = client.get("/console", follow_redirects=False)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/sign-in"
