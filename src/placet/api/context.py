"""What the API's routes share, built once by `create_app`: ledger, request book, policy,
keys, clock, and what one-time codes are sent and checked with.

Routes get it with `Depends(services)`; a route that needs a setting that is missing
(the pseudonym key, a receipt signing key) fails with `SettingsError`, answered 503.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol
from uuid import UUID

from fastapi import Request

from placet.datamap import load_datamap
from placet.datamap.scan import system_locations
from placet.disclosures import RecipientNotifier
from placet.dsr import SubjectRequest
from placet.errors import SettingsError
from placet.ledger import PseudonymKey
from placet.ledger.receipts import ReceiptKeys
from placet.operations import ApiKeyStore, EstateStores
from placet.operations.fulfilment import ErasureLedger
from placet.operations.opendsr import StatusCallbacks, notify_callbacks
from placet.operations.recipient_channels import recipient_notifier
from placet.operations.replays import Replayed, replay_recorded
from placet.operations.sms_keywords import MsisdnHolder
from placet.operations.unsubscribe_links import UnsubscribeKey
from placet.operations.verification import AddressOf, CodeBook, Outboxes
from placet.policy import PolicySet
from placet.stores.connect import open_stores
from placet.stores.sql_disclosures import SqlDisclosureBook
from placet.stores.sql_retention import SqlRetentionBook

__all__ = ["Services", "StaffRequestBook", "opened_estate", "services"]


class StaffRequestBook(CodeBook, Protocol):
    """A request book that also gives staff the subscriber a request was opened for, and
    keeps the one-time code challenges sent for each request."""


@dataclass(frozen=True, slots=True)
class Services:
    """The API's wiring: everything the operations are called with, except the request."""

    ledger: ErasureLedger
    requests: StaffRequestBook
    """Subjects' requests, in the ledger's database."""
    policies: PolicySet
    api_keys: ApiKeyStore
    clock: Callable[[], datetime]
    pseudonym_key: PseudonymKey | None = None
    receipt_keys: ReceiptKeys | None = None
    notice_url: str | None = None
    code_key: bytes | None = None
    """The key one-time codes are kept under (`PLACET_CODE_KEY`)."""
    outboxes: Outboxes = field(default_factory=Outboxes)
    """Where one-time codes are sent from (`PLACET_OUTBOX`, `PLACET_SMS_GATEWAY`)."""
    address_of: AddressOf | None = None
    """The operator's records of where subscribers get codes; None until a lookup (the
    estate's CRM) is wired, and then a code is sent only to an address the caller gives."""
    unsubscribe_key: UnsubscribeKey | None = None
    """Signs and verifies the one-click unsubscribe links of marketing e-mails."""
    msisdn_holder: MsisdnHolder | None = None
    """The subscriber who holds an MSISDN at an instant, for SMS sent to the short code."""
    retention: SqlRetentionBook | None = None
    """The retention book: erasures' tombstones and legal holds, in the ledger's database."""
    datamap: Path | None = None
    """The estate's data map (`PLACET_DATAMAP`): where requests find subjects' data."""
    answers_dir: Path = Path("placet-answers")
    """Where answers to requests are written (`PLACET_ANSWERS_DIR`)."""
    status_callbacks: StatusCallbacks | None = None
    """Where OpenDSR status callbacks are kept, and the key that signs them
    (`PLACET_OPENDSR_CALLBACK_KEY`)."""
    disclosures: SqlDisclosureBook | None = None
    """The disclosure register, in the ledger's database."""
    notifier: RecipientNotifier | None = None
    """The operator's own channel for telling recipients of a change
    (`PLACET_RECIPIENT_NOTIFIER`); None: e-mail through `outboxes`."""

    @contextmanager
    def estate(self) -> Iterator[EstateStores]:
        """The estate's stores, opened for one call, or `SettingsError` without a map."""
        if self.datamap is None:
            raise SettingsError(
                "PLACET_DATAMAP",
                "is not set, so the server does not know where subjects' data is",
                "Set it to the estate's data map and restart",
            )
        with opened_estate(self.datamap) as estate:
            yield estate

    def announce(self, request: SubjectRequest) -> None:
        """Tell the request's OpenDSR status callbacks, if it has any, of its status when
        they were not yet told it: after any step, on /opendsr or on /v1."""
        if self.status_callbacks is not None:
            notify_callbacks(
                self.status_callbacks,
                request,
                controller_id=self.policies.policy_id,
                at=self.clock(),
            )

    def retention_book(self) -> SqlRetentionBook:
        """The retention book, or `SettingsError` when the server has none."""
        if self.retention is None:
            raise SettingsError(
                "PLACET_DATABASE_URL",
                "names no database with a retention book",
                "Point it at Placet's database and restart",
            )
        return self.retention

    def disclosure_book(self) -> SqlDisclosureBook:
        """The disclosure register, or `SettingsError` when the server has none."""
        if self.disclosures is None:
            raise SettingsError(
                "PLACET_DATABASE_URL",
                "names no database with a disclosure register",
                "Point it at Placet's database and restart",
            )
        return self.disclosures

    def replay(self, record_id: UUID) -> Replayed:
        """A recorded disclosure or erasure decided again (`replay_recorded`) with this
        server's ledger, policy, registers and legal holds."""
        return replay_recorded(
            self.ledger,
            self.policies,
            record_id,
            disclosures=self.disclosure_book,
            requests=self.requests,
            holds=lambda: self.retention_book().holds(),
        )

    def recipient_notifier(self) -> RecipientNotifier:
        """The channel that tells recipients of a rectification, erasure or restriction
        (GDPR Art. 19): `notifier`, else e-mail through `PLACET_OUTBOX`, else one that
        records each notification as failed, naming the settings to set."""
        return recipient_notifier(
            plugged=self.notifier,
            email=self.outboxes.email,
            controller=self.policies.latest.controller.legal_name,
        )

    def codes_key(self) -> bytes:
        """The code key, or `SettingsError` when the server has none."""
        if self.code_key is None:
            raise SettingsError(
                "PLACET_CODE_KEY",
                "is not set, so one-time codes can be neither sent nor checked",
                "Set it to a key in hex (`python -c 'import secrets; "
                "print(secrets.token_hex(32))'`) and restart",
            )
        return self.code_key

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

    def links_key(self) -> UnsubscribeKey:
        """The unsubscribe links' key, or `SettingsError` when the server has none."""
        if self.unsubscribe_key is None:
            raise SettingsError(
                "PLACET_UNSUBSCRIBE_KEY",
                "is not set, so unsubscribe links cannot be verified",
                "Set it to the key the links were made with, in hex, and restart",
            )
        return self.unsubscribe_key

    def holder(self) -> MsisdnHolder:
        """Who holds a number, or `SettingsError` when nothing resolves numbers."""
        if self.msisdn_holder is None:
            raise SettingsError(
                "msisdn_holder",
                "of the API's services is not wired, so an SMS cannot be traced to the "
                "subscriber who holds the sender's number",
                "Pass create_app's Services a resolver of MSISDNs to subscribers (for "
                "instance from the data map's msisdn identity) and restart",
            )
        return self.msisdn_holder


def services(request: Request) -> Services:
    """The app's `Services` (a FastAPI dependency)."""
    wired: Services = request.app.state.services
    return wired


@contextmanager
def opened_estate(datamap: Path) -> Iterator[EstateStores]:
    """The stores of the map's systems, reached through the connections it names (read
    from the environment), closed after."""
    loaded = load_datamap(datamap)
    stores = open_stores(loaded, system_locations(loaded, {}, os.environ))
    try:
        yield EstateStores(loaded, stores)
    finally:
        for store in stores.values():
            store.close()
