"""What the API's routes share, built once by `create_app`: ledger, request book, policy,
keys, clock.

Routes get it with `Depends(services)`; a route that needs a setting that is missing
(the pseudonym key, a receipt signing key) fails with `SettingsError`, answered 503.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from fastapi import Request

from placet.errors import SettingsError
from placet.ledger import ConsentLog, PseudonymKey
from placet.ledger.receipts import ReceiptKeys
from placet.operations import ApiKeyStore
from placet.operations.requests import RequestBook
from placet.policy import PolicySet

__all__ = ["Services", "StaffRequestBook", "services"]


class StaffRequestBook(RequestBook, Protocol):
    """A request book that also gives staff the subscriber a request was opened for."""

    def subscriber(self, request_id: str) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Services:
    """The API's wiring: everything the operations are called with, except the request."""

    ledger: ConsentLog
    requests: StaffRequestBook
    """Subjects' requests, in the ledger's database."""
    policies: PolicySet
    api_keys: ApiKeyStore
    clock: Callable[[], datetime]
    pseudonym_key: PseudonymKey | None = None
    receipt_keys: ReceiptKeys | None = None
    notice_url: str | None = None

    def key(self) -> PseudonymKey:
        """The pseudonym key, or `SettingsError` when the server has none."""
        if self.pseudonym_key is None:
            raise SettingsError(
                "PLACET_PSEUDONYM_KEY",
                "is not set, so subscribers cannot be named in the ledger",
                "Set it to the operator's key in hex (see docs/ledger.md) and restart",
            )
        return self.pseudonym_key

    def receipts(self) -> ReceiptKeys:
        """The receipt keys, or `SettingsError` when the server has no signing key."""
        if self.receipt_keys is None:
            raise SettingsError(
                "PLACET_RECEIPT_SIGNING_KEY",
                "is not set, so receipts cannot be signed or their keys published",
                "Make a key with `placet receipt keygen`, set the setting to its PEM file and "
                "restart",
            )
        return self.receipt_keys


def services(request: Request) -> Services:
    """The app's `Services` (a FastAPI dependency)."""
    wired: Services = request.app.state.services
    return wired
