"""Subjects' requests over HTTP: open, list, read, and take steps as the lifecycle allows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from placet.api import create_app
from placet.ledger.receipts import generate_signing_key
from placet.operations import create_key
from tests.api.conftest import NOW, SUBSCRIBER, Api, Clock, instant, make_settings

OPENED = {"kind": "access", "subject": SUBSCRIBER, "channel": "email"}


def open_request(api: Api, **body: Any) -> dict[str, Any]:
    response = api.post("/v1/requests", {**OPENED, **body}, scope="requests:write")
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def step(api: Api, request_id: str, **body: Any) -> Any:
    return api.post(f"/v1/requests/{request_id}/steps", body, scope="requests:write")


def test_a_request_is_opened_listed_read_and_answered(api: Api) -> None:
    opened = open_request(api, received_at=instant("04-20"))
    request_id = opened["request_id"]

    assert request_id == "DSR-2025-000001"
    assert opened["state"] == "received"
    # The end of 20 May in Pristina, on summer time (IPKO's `controller.timezone`).
    assert opened["due_at"] == "2025-05-20T21:59:59.999999Z"
    assert opened["steps"][0]["actor"] == "test"

    listed = api.get("/v1/requests", scope="requests:read").json()
    assert [item["request_id"] for item in listed] == [request_id]
    assert listed[0]["subject"] == opened["subject"] != SUBSCRIBER
    assert SUBSCRIBER not in str(listed)
    assert listed[0]["is_overdue"] is False
    assert listed[0]["remaining_seconds"] > 0

    for body in (
        {"step": "verify", "reason": "ID card shown in the shop"},
        {"step": "start"},
        {"step": "extend", "reason": "many systems to search", "notified_at": instant("05-01")},
    ):
        response = step(api, request_id, **body)
        assert response.status_code == 200, response.text
    extended = response.json()
    assert extended["is_extended"] is True
    assert extended["due_at"] == "2025-07-20T21:59:59.999999Z"

    fulfilled = step(api, request_id, step="fulfil", notified_at=instant("05-01")).json()
    assert fulfilled["state"] == "fulfilled"
    assert fulfilled["remaining_seconds"] is None

    read = api.get(f"/v1/requests/{request_id}", scope="requests:read").json()
    assert read["subscriber"] == SUBSCRIBER
    assert [item["kind"] for item in read["steps"]] == [
        "opened",
        "verified",
        "work-started",
        "extended",
        "fulfilled",
    ]
    assert read["steps"][1]["reason"] == "ID card shown in the shop"
    assert api.get("/v1/requests?open_only=true", scope="requests:read").json() == []


def test_a_paused_request_is_listed_as_paused(api: Api) -> None:
    request_id = open_request(api)["request_id"]
    step(api, request_id, step="ask-identity", notified_at=NOW.isoformat())
    api.clock.advance(3 * 24 * 3600)

    [listed] = api.get("/v1/requests?due_within_days=60", scope="requests:read").json()

    assert listed["is_paused"] is True
    assert listed["paused_seconds"] == 3 * 24 * 3600
    read = api.get(f"/v1/requests/{request_id}").json()
    assert read["waiting_on"] == "verifying"


def test_a_step_the_lifecycle_does_not_allow_is_a_409_problem(api: Api) -> None:
    request_id = open_request(api)["request_id"]
    for name in ("verify", "start", "fulfil"):
        assert step(api, request_id, step=name).status_code == 200

    response = step(api, request_id, step="fulfil")

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "request-refused"
    assert request_id in response.json()["detail"]


def test_a_step_without_the_reason_it_needs_is_a_422_problem(api: Api) -> None:
    request_id = open_request(api)["request_id"]

    response = step(api, request_id, step="reject")

    assert response.status_code == 422
    assert response.json()["code"] == "invalid-request"
    assert "needs a reason" in response.json()["detail"]


def test_an_extension_the_policy_does_not_allow_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    signing_key = generate_signing_key("ipnordic-test")
    settings = make_settings(sqlite_url, tmp_path, signing_key).model_copy(
        update={"policy": "ipnordic"}
    )
    app = create_app(settings, clock=Clock())
    with TestClient(app) as client:
        key = create_key(app.state.services.api_keys, ["admin"], name="dpo", now=NOW)
        headers = {"Authorization": f"Bearer {key.plaintext}"}
        opened = client.post("/v1/requests", json=OPENED, headers=headers).json()
        request_id = opened["request_id"]
        for name in ("verify", "start"):
            client.post(f"/v1/requests/{request_id}/steps", json={"step": name}, headers=headers)
        body = {"step": "extend", "reason": "many systems", "notified_at": NOW.isoformat()}

        response = client.post(f"/v1/requests/{request_id}/steps", json=body, headers=headers)

    app.state.services.ledger.engine.dispose()
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "request-refused"


def test_an_unknown_request_is_a_404_problem(api: Api) -> None:
    read = api.get("/v1/requests/DSR-2025-999999", scope="requests:read")
    moved = step(api, "DSR-2025-999999", step="verify")

    for response in (read, moved):
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert "There is no request DSR-2025-999999" in response.json()["detail"]
        assert response.json()["type"].endswith("/request-not-found")


def test_each_operation_needs_its_scope(api: Api) -> None:
    request_id = open_request(api)["request_id"]

    refused = [
        api.post("/v1/requests", OPENED, scope="requests:read"),
        api.post(f"/v1/requests/{request_id}/steps", {"step": "verify"}, scope="requests:read"),
        api.get("/v1/requests", scope="requests:write"),
        api.get(f"/v1/requests/{request_id}", scope="subjects:read"),
    ]

    assert [response.status_code for response in refused] == [403, 403, 403, 403]
    assert {response.json()["code"] for response in refused} == {"forbidden"}


def test_the_openapi_document_lists_the_operations_with_their_scopes(api: Api) -> None:
    paths = api.client.get("/v1/openapi.json").json()["paths"]

    scopes = {
        (method, path): sorted(
            {scope for item in operation["security"] for names in item.values() for scope in names}
        )
        for path, item in paths.items()
        if path.startswith("/v1/requests")
        for method, operation in item.items()
    }

    assert scopes == {
        ("post", "/v1/requests"): ["requests:write"],
        ("get", "/v1/requests"): ["requests:read"],
        ("get", "/v1/requests/{request_id}"): ["requests:read"],
        ("post", "/v1/requests/{request_id}/steps"): ["requests:write"],
        ("post", "/v1/requests/{request_id}/code"): ["requests:write"],
        ("post", "/v1/requests/{request_id}/code:confirm"): ["requests:write"],
        ("post", "/v1/requests/{request_id}/fulfilment"): ["requests:write"],
        ("get", "/v1/requests/{request_id}/answer/{name}"): ["requests:read"],
    }
