"""/v1/requests/{id}/fulfilment and /answer on a small synthetic IPKO estate whose SQL
tables, ledger and request book are on SQLite and on PostgreSQL, and whose lake is Delta:
each request type carried out over HTTP, its answer downloaded."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from placet.api import create_app
from placet.ledger import PseudonymKey, SubjectRef, pseudonymise_subject
from placet.operations import create_key
from placet.stores.sql_ledger import open_ledger
from tests.api.conftest import PSEUDONYM_KEY, Clock, estate_settings, estate_subscriber
from tests.pdf_text import pdf_text

NOW = datetime(2026, 12, 1, tzinfo=UTC)
KEY = PseudonymKey.from_hex(PSEUDONYM_KEY)


@dataclass
class EstateApi:
    client: TestClient
    database_url: str
    answers: Path

    def call(self, method: str, path: str, body: Any = None) -> Any:
        services = self.client.app.state.services  # type: ignore[attr-defined]
        issued = create_key(services.api_keys, ["admin"], name="dpo-1", now=NOW)
        return self.client.request(
            method, path, json=body, headers={"Authorization": f"Bearer {issued.plaintext}"}
        )

    def verified(self, subscriber: str, kind: str) -> str:
        opened = self.call(
            "POST",
            "/v1/requests",
            {
                "kind": kind,
                "subject": subscriber,
                "channel": "web",
                "received_at": "2026-11-28T10:00:00Z",
            },
        )
        assert opened.status_code == 201, opened.text
        request_id: str = opened.json()["request_id"]
        moved = self.call(
            "POST", f"/v1/requests/{request_id}/steps", {"step": "verify", "reason": "code"}
        )
        assert moved.status_code == 200, moved.text
        return request_id

    def subscriber(self) -> str:
        return estate_subscriber(self.estate_url)

    @property
    def estate_url(self) -> str:
        return self.database_url


@pytest.fixture
def estate_api(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[EstateApi]:
    """The estate's SQL tables in the same database as the ledger (SQLite or PostgreSQL)."""
    app = create_app(estate_settings(database_url, tmp_path, monkeypatch), clock=Clock(NOW))
    with TestClient(app) as client:
        yield EstateApi(client, database_url, tmp_path / "answers")
    app.state.services.ledger.engine.dispose()


def test_access_request_is_answered_over_http_and_its_pdf_downloaded(
    estate_api: EstateApi,
) -> None:
    subscriber = estate_api.subscriber()
    request_id = estate_api.verified(subscriber, "printed-copy")

    done = estate_api.call("POST", f"/v1/requests/{request_id}/fulfilment", {"language": "sq"})

    assert done.status_code == 200, done.text
    body = done.json()
    assert body["done"]
    assert body["request"]["state"] == "fulfilled"
    assert {"answer.zip", "printed-copy.pdf", "answer.json"} <= {
        entry["name"] for entry in body["answer"]
    }
    pdf = estate_api.call("GET", f"/v1/requests/{request_id}/answer/printed-copy.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert subscriber in pdf_text(pdf.content)
    answer = orjson.loads(
        estate_api.call("GET", f"/v1/requests/{request_id}/answer/answer.json").content
    )
    invoices = next(entry for entry in answer["datasets"] if entry["id"] == "invoices")
    assert invoices["row_count"] > 0
    assert all(row["subscriber_id"] == subscriber for row in invoices["rows"])
    missing = estate_api.call("GET", f"/v1/requests/{request_id}/answer/portability.zip")
    assert missing.status_code == 404


def test_portability_package_is_downloaded_over_http(estate_api: EstateApi) -> None:
    request_id = estate_api.verified(estate_api.subscriber(), "portability")

    done = estate_api.call("POST", f"/v1/requests/{request_id}/fulfilment", {})

    assert done.status_code == 200, done.text
    package = estate_api.call("GET", f"/v1/requests/{request_id}/answer/portability.zip")
    with zipfile.ZipFile(io.BytesIO(package.content)) as opened:
        manifest = orjson.loads(opened.read("manifest.json"))
    assert manifest["format"] == "placet-portability/1"
    assert manifest["datasets"]


def test_erasure_over_http_keeps_invoices_restricted_and_the_ledger_verifiable(
    estate_api: EstateApi,
) -> None:
    subscriber = estate_api.subscriber()
    request_id = estate_api.verified(subscriber, "erasure")

    done = estate_api.call("POST", f"/v1/requests/{request_id}/fulfilment", {}).json()
    if not done["done"]:
        done = estate_api.call("POST", f"/v1/requests/{request_id}/fulfilment", {}).json()

    assert done["done"], done
    assert any(entry.startswith("invoices") for entry in done["restricted"])
    engine = sa.create_engine(estate_api.estate_url)
    with engine.connect() as connection:
        left = connection.execute(
            sa.text("SELECT COUNT(*) FROM subscribers WHERE subscriber_id = :s"),
            {"s": subscriber},
        ).scalar_one()
        unrestricted = connection.execute(
            sa.text(
                "SELECT COUNT(*) FROM invoices WHERE subscriber_id = :s "
                "AND placet_restricted_at IS NULL"
            ),
            {"s": subscriber},
        ).scalar_one()
    engine.dispose()
    assert left == 0
    assert unrestricted == 0
    ledger = open_ledger(estate_api.database_url)
    try:
        assert ledger.verify().is_intact
        subject = SubjectRef(pseudonymise_subject(subscriber, KEY))
        erasure = ledger.decisions()[-1].record
        assert erasure.subject == subject
    finally:
        ledger.engine.dispose()
    replay = estate_api.call("POST", f"/v1/decision-records/{erasure.record_id}/replay", {})
    assert replay.json() == {
        "record_id": str(erasure.record_id),
        "kind": "erasure",
        "reproduced": True,
        "differences": [],
    }


def test_withdrawal_request_over_http_lands_in_the_ledger(estate_api: EstateApi) -> None:
    subscriber = estate_api.subscriber()
    given = estate_api.call(
        "POST",
        f"/v1/subjects/{subscriber}/consents",
        {"option": "current-offers", "collected_via": "web", "actor": "web",
         "effective_at": "2026-11-01T00:00:00Z"},
    )  # fmt: skip
    assert given.status_code == 201, given.text
    request_id = estate_api.verified(subscriber, "withdraw-consent")

    done = estate_api.call("POST", f"/v1/requests/{request_id}/fulfilment", {})

    assert done.status_code == 200, done.text
    assert "current-offers" in done.json()["summary"]
    state = estate_api.call("GET", f"/v1/subjects/{subscriber}/state").json()
    assert not state["consents"]
