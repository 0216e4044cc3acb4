"""/opendsr: OpenDSR 2.0 requests submitted by a request tool, followed, cancelled and
answered, with their status callbacks caught by a small HTTP server on 127.0.0.1; on
SQLite and on PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import threading
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from placet.api import create_app
from placet.ledger.receipts import generate_signing_key
from placet.operations import create_key
from placet.settings import PlacetSettings
from tests.api.conftest import (
    SUBSCRIBER,
    Api,
    Clock,
    estate_settings,
    estate_subscriber,
    make_settings,
)

CALLBACK_KEY = "5a" * 32
"""The tests' callback signing key, in hex; never a production key."""
ESTATE_NOW = datetime(2026, 12, 1, tzinfo=UTC)


def opendsr_request(subscriber: str = SUBSCRIBER, **fields: Any) -> dict[str, Any]:
    """An OpenDSR request as a tool sends it: access, for `subscriber`, with a fresh id."""
    return {
        "subject_request_id": str(uuid.uuid4()),
        "subject_request_type": "access",
        "submitted_time": "2025-04-28T10:00:00Z",
        "regulation": "gdpr",
        "subject_identities": [
            {"identity_type": "email", "identity_value": "a@example.com", "identity_format": "raw"},
            {
                "identity_type": "controller_customer_id",
                "identity_value": subscriber,
                "identity_format": "raw",
            },
        ],
        "api_version": "2.0",
        **fields,
    }


def signature(body: bytes) -> str:
    return base64.b64encode(hmac.digest(bytes.fromhex(CALLBACK_KEY), body, hashlib.sha256)).decode()


@dataclass
class Callbacks:
    """What the controller's callback endpoint received: each POST's headers and body."""

    url: str
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def statuses(self) -> list[str]:
        return [orjson.loads(body)["request_status"] for _, body in self.received]


@pytest.fixture
def callbacks() -> Iterator[Callbacks]:
    """A controller's callback endpoint on a free port of 127.0.0.1."""
    caught = Callbacks(url="")

    class Endpoint(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            caught.received.append((dict(self.headers.items()), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    caught.url = f"http://127.0.0.1:{server.server_address[1]}/opendsr/callbacks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield caught
    finally:
        server.shutdown()
        server.server_close()


def keyed(settings: PlacetSettings) -> PlacetSettings:
    return settings.model_copy(update={"opendsr_callback_key": SecretStr(CALLBACK_KEY)})


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    """IPKO's API on a fresh ledger, with a callback signing key."""
    signing_key = generate_signing_key("ipko-test")
    clock = Clock()
    app = create_app(keyed(make_settings(database_url, tmp_path, signing_key)), clock=clock)
    with TestClient(app) as client:
        yield Api(client, app, clock, signing_key)
    app.state.services.ledger.engine.dispose()


def submit(api: Api, body: dict[str, Any], scope: str = "requests:write") -> Any:
    return api.post("/opendsr/requests", body, scope)


def test_discovery_names_what_placet_supports_without_a_key(api: Api) -> None:
    response = api.client.get("/opendsr/discovery")

    assert response.status_code == 200
    assert response.json() == {
        "api_version": "2.0",
        "supported_identities": [
            {"identity_type": "controller_customer_id", "identity_format": "raw"}
        ],
        "supported_subject_request_types": ["access", "portability", "erasure"],
        "processor_certificate": None,
    }


def test_the_endpoints_also_answer_under_the_major_version(api: Api) -> None:
    body = opendsr_request()

    submitted = api.post("/opendsr/v2/requests", body, "requests:write")
    status = api.get(f"/opendsr/v2/requests/{body['subject_request_id']}", "requests:read")

    assert api.client.get("/opendsr/v2/discovery").json()["api_version"] == "2.0"
    assert submitted.status_code == 201, submitted.text
    assert status.json()["request_status"] == "pending"


def test_a_submitted_request_is_recorded_under_its_id_and_reads_back_pending(api: Api) -> None:
    body = opendsr_request()

    submitted = submit(api, body)
    status = api.get(f"/opendsr/requests/{body['subject_request_id']}", "requests:read")

    assert submitted.status_code == 201, submitted.text
    receipt = submitted.json()
    assert receipt["subject_request_id"] == body["subject_request_id"]
    assert receipt["controller_id"] == "ipko"
    assert receipt["received_time"] == "2025-05-01T09:00:00Z"
    assert receipt["expected_completion_time"].startswith("2025-05-28T21:59:59")
    assert orjson.loads(base64.b64decode(receipt["encoded_request"])) == body
    assert submitted.headers["X-OpenDSR-Signature"] == signature(submitted.content)
    assert submitted.headers["X-OpenDSR-Processor-Domain"] == "testserver"
    assert status.status_code == 200, status.text
    assert status.json() == {
        "controller_id": "ipko",
        "expected_completion_time": receipt["expected_completion_time"],
        "subject_request_id": body["subject_request_id"],
        "request_status": "pending",
        "api_version": "2.0",
    }
    assert status.headers["X-OpenDSR-Signature"] == signature(status.content)
    placet = api.get(f"/v1/requests/{body['subject_request_id']}", "requests:read").json()
    assert (placet["kind"], placet["state"], placet["channel"]) == ("access", "received", "web")
    assert placet["received_at"] == "2025-04-28T10:00:00Z"


def test_the_same_request_sent_twice_opens_one_request(api: Api) -> None:
    body = opendsr_request(subject_request_type="erasure")

    first = submit(api, body)
    api.clock.advance(3600)
    again = submit(api, body)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["received_time"] == first.json()["received_time"]
    listed = api.get("/v1/requests", "requests:read").json()
    assert [entry["request_id"] for entry in listed] == [body["subject_request_id"]]


def test_another_request_under_a_used_id_is_refused(api: Api) -> None:
    body = opendsr_request()
    submit(api, body)

    response = submit(api, {**body, "subject_request_type": "portability"})

    assert response.status_code == 409
    assert response.json()["code"] == "request-refused"


def test_delete_cancels_a_pending_request_and_its_callback_says_so(
    api: Api, callbacks: Callbacks
) -> None:
    body = opendsr_request(status_callback_urls=[callbacks.url])
    submit(api, body)
    path = f"/opendsr/requests/{body['subject_request_id']}"

    cancelled = api.client.delete(path, headers=api.headers("requests:write"))

    assert cancelled.status_code == 202, cancelled.text
    assert cancelled.json()["subject_request_id"] == body["subject_request_id"]
    status = api.get(path, "requests:read").json()
    assert status["request_status"] == "cancelled"
    assert status["reason"] == "cancelled by the requester's tool"
    assert callbacks.statuses() == ["pending", "cancelled"]
    placet = api.get(f"/v1/requests/{body['subject_request_id']}", "requests:read").json()
    assert placet["state"] == "rejected"


def test_a_request_being_worked_on_cannot_be_cancelled(api: Api) -> None:
    body = opendsr_request()
    request_id = body["subject_request_id"]
    submit(api, body)
    for step in ("verify", "start"):
        assert api.post(f"/v1/requests/{request_id}/steps", {"step": step}).status_code == 200

    refused = api.client.delete(
        f"/opendsr/requests/{request_id}", headers=api.headers("requests:write")
    )

    assert refused.status_code == 409
    assert "in_progress" in refused.json()["detail"]
    status = api.get(f"/opendsr/requests/{request_id}", "requests:read").json()
    assert status["request_status"] == "in_progress"


def test_a_malformed_request_is_answered_with_the_opendsr_error_object(api: Api) -> None:
    body = opendsr_request(subject_request_type="rectification")
    del body["submitted_time"]

    response = submit(api, body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 400
    assert {detail["domain"] for detail in error["errors"]} == {"Validation"}
    assert "submitted_time" in error["message"]
    assert "subject_request_type" in error["message"]
    assert SUBSCRIBER not in response.text


def test_a_body_that_is_not_json_text_is_answered_with_the_opendsr_error_object(
    api: Api,
) -> None:
    response = api.client.post(
        "/opendsr/requests",
        content=b'{"subject_request_type": "\xc3\x28"}',
        headers={**api.headers("requests:write"), "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == 400
    assert "cannot be read as JSON" in error["message"]
    assert api.get("/v1/requests", "requests:read").json() == []


def test_a_request_naming_no_subscriber_id_is_refused_with_the_identities_placet_takes(
    api: Api,
) -> None:
    body = opendsr_request()
    body["subject_identities"] = body["subject_identities"][:1]

    response = submit(api, body)

    assert response.status_code == 400
    assert "controller_customer_id (raw)" in response.json()["error"]["message"]
    assert "a@example.com" not in response.text
    assert api.get("/v1/requests", "requests:read").json() == []


def test_a_request_submitted_after_now_is_refused(api: Api) -> None:
    response = submit(api, opendsr_request(submitted_time="2025-05-02T09:00:00Z"))

    assert response.status_code == 400
    assert "before its receipt" in response.json()["error"]["message"]


def test_submitting_needs_the_requests_write_scope(api: Api) -> None:
    response = submit(api, opendsr_request(), scope="requests:read")

    assert response.status_code == 403


def test_callbacks_are_refused_without_a_signing_key(
    database_url: str, tmp_path: Path, callbacks: Callbacks
) -> None:
    signing_key = generate_signing_key("ipko-test")
    app = create_app(make_settings(database_url, tmp_path, signing_key), clock=Clock())
    with TestClient(app) as client:
        unkeyed = Api(client, app, Clock(), signing_key)

        response = submit(unkeyed, opendsr_request(status_callback_urls=[callbacks.url]))

        assert response.status_code == 503
        assert "PLACET_OPENDSR_CALLBACK_KEY" in response.json()["detail"]
        assert unkeyed.get("/v1/requests", "requests:read").json() == []
    app.state.services.ledger.engine.dispose()


def test_a_callback_that_fails_does_not_fail_the_request(api: Api) -> None:
    with ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) as closed:
        nowhere = f"http://127.0.0.1:{closed.server_address[1]}/callbacks"
    body = opendsr_request(status_callback_urls=[nowhere])

    response = submit(api, body)

    assert response.status_code == 201, response.text
    status = api.get(f"/opendsr/requests/{body['subject_request_id']}", "requests:read")
    assert status.json()["request_status"] == "pending"


# ---------------------------------------------------------------- carried out on an estate


@dataclass
class EstateApi:
    client: TestClient

    def headers(self, scope: str) -> dict[str, str]:
        services = self.client.app.state.services  # type: ignore[attr-defined]
        issued = create_key(services.api_keys, [scope], name="privacy-portal", now=ESTATE_NOW)
        return {"Authorization": f"Bearer {issued.plaintext}"}

    def call(self, method: str, path: str, scope: str, body: Any = None) -> Any:
        return self.client.request(method, path, json=body, headers=self.headers(scope))


@pytest.fixture
def estate_api(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[EstateApi]:
    """The API over a small IPKO estate whose SQL tables share the ledger's database."""
    settings = estate_settings(database_url, tmp_path, monkeypatch)
    app = create_app(keyed(settings), clock=Clock(ESTATE_NOW))
    with TestClient(app) as client:
        yield EstateApi(client)
    app.state.services.ledger.engine.dispose()


def test_opendsr_requests_round_trip(
    estate_api: EstateApi, database_url: str, callbacks: Callbacks
) -> None:
    body = opendsr_request(
        estate_subscriber(database_url),
        submitted_time="2026-11-28T10:00:00Z",
        status_callback_urls=[callbacks.url],
    )
    request_id = body["subject_request_id"]
    submitted = estate_api.call("POST", "/opendsr/requests", "requests:write", body)
    assert submitted.status_code == 201, submitted.text
    pending = estate_api.call("GET", f"/opendsr/requests/{request_id}", "requests:read").json()
    assert pending["request_status"] == "pending"

    verified = estate_api.call(
        "POST", f"/v1/requests/{request_id}/steps", "requests:write", {"step": "verify"}
    )
    done = estate_api.call("POST", f"/v1/requests/{request_id}/fulfilment", "requests:write", {})

    assert verified.status_code == 200, verified.text
    assert done.status_code == 200, done.text
    status = estate_api.call("GET", f"/opendsr/requests/{request_id}", "requests:read").json()
    results_url = f"http://testserver/v1/requests/{request_id}/answer/answer.zip"
    assert status["request_status"] == "completed"
    assert status["results_url"] == results_url
    answer = estate_api.client.get(
        status["results_url"], headers=estate_api.headers("requests:read")
    )
    assert answer.status_code == 200
    with zipfile.ZipFile(io.BytesIO(answer.content)) as opened:
        assert "answer.json" in opened.namelist()
    assert callbacks.statuses() == ["pending", "completed"]
    for headers, sent in callbacks.received:
        assert headers["X-OpenDSR-Signature"] == signature(sent)
        assert headers["X-OpenDSR-Processor-Domain"] == "testserver"
        assert orjson.loads(sent)["status_callback_url"] == callbacks.url
        assert orjson.loads(sent)["subject_request_id"] == request_id
    assert orjson.loads(callbacks.received[-1][1])["results_url"] == results_url
