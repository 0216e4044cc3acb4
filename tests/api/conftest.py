"""An API on a fresh ledger (SQLite file, PostgreSQL schema), its keys, and request builders."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from placet.api import create_app
from placet.api.context import Services
from placet.ledger import PseudonymKey
from placet.ledger.receipts import SigningKey, generate_signing_key
from placet.operations import Scope, create_key
from placet.settings import PlacetSettings
from placet.stores.sql_ledger import open_ledger
from placet.synth import EstatePlan, OperatorName, write_estate
from placet.synth.history import record_estate_history
from tests.operations.estate_fixtures import MAP

PSEUDONYM_KEY = "0f" * 32
"""The tests' pseudonym key, in hex; never a production key."""
NOW = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
SUBSCRIBER = "+38344123456"
OTHER = "+38344654321"
SMS_MARKETING = {
    "purpose": "direct-marketing-current-offers",
    "categories": ["contact"],
    "channel": "sms",
}
"""IPKO's consent-based marketing of current offers, by SMS."""
SHOP = {"collected_via": "shop", "actor": "shop-prishtina-07"}


def instant(text: str) -> str:
    """An instant of 2025 as the API takes it: `instant("03-01")` is 1 March 2025, 00:00 UTC."""
    return f"2025-{text}T00:00:00Z"


@dataclass
class Clock:
    """The API's "now": fixed, and moved on by tests that need time to pass."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Api:
    """A test client of an app, with a key per scope."""

    client: TestClient
    app: FastAPI
    clock: Clock
    signing_key: SigningKey
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def services(self) -> Services:
        wired: Services = self.app.state.services
        return wired

    def headers(self, *scopes: str) -> dict[str, str]:
        """Authorization headers of a fresh key with `scopes`."""
        issued = create_key(self.services.api_keys, scopes, name="test", now=self.clock())
        return {"Authorization": f"Bearer {issued.plaintext}"}

    def post(self, path: str, body: Any, scope: str = "admin", **headers: str) -> Any:
        return self.client.post(path, json=body, headers={**self.headers(scope), **headers})

    def get(self, path: str, scope: str = "admin", **headers: str) -> Any:
        return self.client.get(path, headers={**self.headers(scope), **headers})

    def record(self, kind: str, subject: str = SUBSCRIBER, **body: Any) -> dict[str, Any]:
        """Record an event (`consents`, `withdrawals`, …) and return it; it must succeed."""
        response = self.post(f"/v1/subjects/{subject}/{kind}", {**SHOP, **body})
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def subscriber(self, subject: str = SUBSCRIBER, since: str = "01-01") -> None:
        """A consumer subscriber with a contract since `since` (IPKO purposes need the type)."""
        effective = instant(since)
        self.record("facts", subject, subject_type="consumer-subscriber", effective_at=effective)
        self.record("contracts", subject, contract=f"c-{subject[-4:]}", effective_at=effective)


def make_settings(database_url: str, tmp_path: Path, signing_key: SigningKey) -> PlacetSettings:
    pem = tmp_path / "receipt-key.pem"
    pem.write_text(signing_key.to_pem(), encoding="utf-8")
    return PlacetSettings(
        database_url=database_url,
        policy="ipko",
        pseudonym_key=PSEUDONYM_KEY,
        receipt_signing_key=str(pem),
        receipt_key_id=signing_key.kid,
    )


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    """The API of IPKO's policy on a fresh ledger, once on SQLite and once on PostgreSQL."""
    signing_key = generate_signing_key("ipko-test")
    clock = Clock()
    app = create_app(make_settings(database_url, tmp_path, signing_key), clock=clock)
    with TestClient(app) as client:
        yield Api(client, app, clock, signing_key)
    app.state.services.ledger.engine.dispose()


@pytest.fixture
def sqlite_api(sqlite_url: str, tmp_path: Path) -> Iterator[Api]:
    """The same API on SQLite only, for what does not depend on the database."""
    signing_key = generate_signing_key("ipko-test")
    clock = Clock()
    app = create_app(make_settings(sqlite_url, tmp_path, signing_key), clock=clock)
    with TestClient(app) as client:
        yield Api(client, app, clock, signing_key)
    app.state.services.ledger.engine.dispose()


ALL_SCOPES = [scope.value for scope in Scope]


ESTATE_PLAN = EstatePlan(OperatorName.IPKO, subscribers=40, months=3, seed=11)
"""A small IPKO estate for the requests carried out over HTTP."""


def estate_settings(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> PlacetSettings:
    """Write `ESTATE_PLAN` with its SQL tables in the ledger's database (SQLite or
    PostgreSQL) and its lake in `tmp_path`, record its history in the ledger, point the
    data map's systems at them, and return settings naming the map and an answers folder."""
    folder = tmp_path / "estate"
    write_estate(ESTATE_PLAN, folder, database_url=database_url)
    ledger = open_ledger(database_url)
    record_estate_history(
        ledger, ESTATE_PLAN, PseudonymKey.from_hex(PSEUDONYM_KEY), recorded_at=ESTATE_PLAN.now
    )
    ledger.engine.dispose()
    for system in ("CRM", "BILLING", "CARE", "NETWORK"):
        monkeypatch.setenv(f"PLACET_{system}_URL", database_url)
    monkeypatch.setenv("PLACET_LAKE_PATH", str(folder / "lake"))
    settings = make_settings(database_url, tmp_path, generate_signing_key("ipko-test"))
    return settings.model_copy(update={"datamap": MAP, "answers_dir": tmp_path / "answers"})


def estate_subscriber(database_url: str) -> str:
    """A subscriber of the synthetic estate with a contract and invoices."""
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        found: str = connection.execute(
            sa.text(
                "SELECT c.subscriber_id FROM contracts c JOIN invoices i "
                "ON i.subscriber_id = c.subscriber_id ORDER BY c.subscriber_id LIMIT 1"
            )
        ).scalar_one()
    engine.dispose()
    return found
