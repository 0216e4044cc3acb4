"""The privacy center's test set-up: a site on a fresh ledger with a code key, an outbox,
a session key and receipt keys, and a subscriber the ledger knows by their number."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from placet.api.context import Services
from placet.ledger.receipts import SigningKey, generate_signing_key
from placet.operations import create_key
from placet.settings import PlacetSettings
from placet.web import create_site
from tests.api.conftest import PSEUDONYM_KEY, SHOP, Clock

__all__ = ["SHOP", "SUBSCRIBER", "Center", "code_in", "csrf_of", "known_subscriber", "make_center"]

SUBSCRIBER = "+38344123456"
"""A subscriber of IPKO, named in the ledger by their number."""
STRANGER = "+38344999888"
"""A number no subscriber holds."""
CODE_KEY = "ab" * 32
SESSION_KEY = "cd" * 32


@dataclass
class Center:
    """A site with the privacy center, its clock and its services."""

    app: FastAPI
    clock: Clock
    signing_key: SigningKey
    outbox: Path | None

    @property
    def services(self) -> Services:
        wired: Services = self.app.state.services
        return wired

    def api_headers(self, *scopes: str) -> dict[str, str]:
        issued = create_key(self.services.api_keys, scopes, name="test", now=self.clock())
        return {"Authorization": f"Bearer {issued.plaintext}"}


def center_settings(
    database_url: str, tmp_path: Path, signing_key: SigningKey, outbox: str, **changes: Any
) -> PlacetSettings:
    """IPKO's settings with every key the privacy center needs."""
    pem = tmp_path / "receipt-key.pem"
    pem.write_text(signing_key.to_pem(), encoding="utf-8")
    values: dict[str, Any] = {
        "database_url": database_url,
        "policy": "ipko",
        "pseudonym_key": PSEUDONYM_KEY,
        "receipt_signing_key": str(pem),
        "receipt_key_id": signing_key.kid,
        "code_key": CODE_KEY,
        "outbox": outbox,
        "web_session_key": SESSION_KEY,
        "answers_dir": tmp_path / "answers",
    }
    return PlacetSettings(**{**values, **changes})


def make_center(
    database_url: str, tmp_path: Path, *, folder_outbox: bool = False, **changes: Any
) -> Center:
    """The site on a fresh ledger: codes go to memory, or to a folder (the demo's outbox)."""
    signing_key = generate_signing_key("ipko-test")
    clock = Clock()
    folder = tmp_path / "outbox" if folder_outbox else None
    outbox = f"folder:{folder}" if folder is not None else "memory"
    settings = center_settings(database_url, tmp_path, signing_key, outbox, **changes)
    app = create_site(settings, clock=clock)
    return Center(app, clock, signing_key, folder)


def known_subscriber(center: Center, client: Any, subject: str = SUBSCRIBER) -> None:
    """Record `subject` as a consumer subscriber with a contract, over the API."""
    headers = center.api_headers("events:write")
    for kind, body in (
        ("facts", {"subject_type": "consumer-subscriber"}),
        ("contracts", {"contract": f"c-{subject[-4:]}"}),
    ):
        response = client.post(
            f"/v1/subjects/{subject}/{kind}",
            json={**SHOP, **body, "effective_at": "2025-01-01T00:00:00Z"},
            headers=headers,
        )
        assert response.status_code == 201, response.text


def code_in(text: str) -> str:
    """The six-digit code in a message."""
    found = re.search(r"\b(\d{6})\b", text)
    assert found is not None, text
    return found.group(1)


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, html[:500]
    return found.group(1)
