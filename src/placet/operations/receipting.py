"""Issue the signed receipt of a consent event, and load the operator's receipt keys.

A receipt is built under the policy version the event was recorded under, lists the
subject's earlier events about the same consent option, and is signed with the current
receipt key (`placet.ledger.receipts`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from placet.errors import EventNotFoundError, ReceiptError
from placet.ledger import ConsentGiven, ConsentLog, ConsentWithdrawn, LedgerEntry
from placet.ledger.receipts import (
    Receipt,
    ReceiptKeys,
    SigningKey,
    VerificationKey,
    build_receipt,
    keys_from_jwks,
    render_kantara,
)
from placet.policy import PolicySet
from placet.settings import PlacetSettings

__all__ = [
    "SignedReceipt",
    "configured_receipt_keys",
    "issue_receipt",
    "kantara_document",
    "load_receipt_keys",
]


@dataclass(frozen=True, slots=True)
class SignedReceipt:
    """A consent receipt and its compact JWS, signed with key `kid`."""

    receipt: Receipt
    token: str
    kid: str


def issue_receipt(
    ledger: ConsentLog,
    policies: PolicySet,
    keys: ReceiptKeys,
    event_id: UUID,
    *,
    issued_at: datetime,
    language: str | None = None,
    notice_url: str | None = None,
) -> SignedReceipt:
    """The signed receipt of the consent event `event_id`.

    Raises `EventNotFoundError` when the ledger has no such event, and `ReceiptError`
    when it is not a consent event or the language is not one of the policy's.
    """
    entry = ledger.entry(event_id)
    if entry is None:
        raise EventNotFoundError(str(event_id))
    event = entry.event
    if event.policy_id != policies.policy_id:
        raise ReceiptError(
            f"event {event_id} was recorded under policy '{event.policy_id}', not "
            f"'{policies.policy_id}'",
            "Issue its receipt with the policy it names",
        )
    policy = policies.version(event.policy_version)
    receipt = build_receipt(
        entry,
        policy,
        issued_at=issued_at,
        language=language,
        notice_url=notice_url,
        earlier=_earlier_about_option(ledger, entry),
    )
    return SignedReceipt(receipt, keys.sign(receipt), keys.current.kid)


def kantara_document(signed: SignedReceipt, keys: ReceiptKeys) -> dict[str, Any]:
    """The Kantara Consent Receipt v1.1 rendering, naming the public key that signed it."""
    public = next(key for key in keys.published if key.kid == signed.kid)
    return render_kantara(signed.receipt, public_key_pem=public.to_pem()).to_json()


def load_receipt_keys(
    signing_key: str, *, kid: str | None = None, published: Path | None = None
) -> ReceiptKeys:
    """The receipt key set: `signing_key` is a PEM private key, or the path of a PEM file.

    `published` is a JWKS file of retired keys still published (their receipts verify).
    """
    pem = signing_key if "-----BEGIN" in signing_key else _read(Path(signing_key.strip()))
    current = SigningKey.from_pem(pem, kid)
    retired: tuple[VerificationKey, ...] = ()
    if published is not None:
        document = _json(published)
        retired = tuple(key for key in keys_from_jwks(document) if key.kid != current.kid)
    return ReceiptKeys(current, retired)


def configured_receipt_keys(settings: PlacetSettings) -> ReceiptKeys | None:
    """The receipt key set the settings name (`PLACET_RECEIPT_SIGNING_KEY`, its key id and
    the published retired keys), or None where no signing key is set."""
    if settings.receipt_signing_key is None:
        return None
    return load_receipt_keys(
        settings.receipt_signing_key.get_secret_value(),
        kid=settings.receipt_key_id,
        published=settings.receipt_published_keys,
    )


def _earlier_about_option(ledger: ConsentLog, entry: LedgerEntry) -> list[LedgerEntry]:
    data = entry.event.data
    if not isinstance(data, ConsentGiven | ConsentWithdrawn):
        return []  # not a consent event: build_receipt refuses it, saying so
    option = data.option
    return [
        past
        for past in ledger.history(entry.event.subject)
        if past.seq < entry.seq
        and isinstance(past.event.data, ConsentGiven | ConsentWithdrawn)
        and past.event.data.option == option
    ]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReceiptError(
            f"cannot read the receipt signing key file {path}: {exc.strerror or exc}",
            "Give the key as PEM text or the path of a readable PEM file",
        ) from exc


def _json(path: Path) -> Mapping[str, Any]:
    try:
        document = json.loads(_read(path))
    except json.JSONDecodeError as exc:
        raise ReceiptError(
            f"the published receipt keys file {path} is not JSON ({exc})",
            "Give the JWKS document `placet receipt keygen --jwks` wrote",
        ) from exc
    if not isinstance(document, dict):
        raise ReceiptError(
            f"the published receipt keys file {path} is not a JWK Set",
            "Give the JWKS document `placet receipt keygen --jwks` wrote",
        )
    return document
