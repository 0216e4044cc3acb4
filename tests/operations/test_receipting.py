"""Issuing signed receipts of consent events, and loading the receipt keys from files."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import uuid4

import pytest

from placet.errors import EventNotFoundError, ReceiptError
from placet.ledger.receipts import ReceiptKeys, generate_signing_key, jwks_document, verify_receipt
from placet.operations import (
    give_consent,
    issue_receipt,
    kantara_document,
    load_receipt_keys,
    start_contract,
    withdraw_consent,
)
from placet.policy import PolicySet
from placet.stores.sql_ledger import SqlLedger
from tests.operations.conftest import KEY, NOW, SHOP, SUBSCRIBER, on

KEYS = ReceiptKeys(generate_signing_key("ipko-2025"))


def test_a_consent_receipt_is_signed_and_verifies(ledger: SqlLedger, ipko: PolicySet) -> None:
    given = give_consent(
        ledger, ipko, KEY, SUBSCRIBER, "current-offers", provenance=SHOP, recorded_at=on(3)
    )

    signed = issue_receipt(ledger, ipko, KEYS, given.entry.event.event_id, issued_at=NOW)

    assert signed.kid == "ipko-2025"
    assert verify_receipt(signed.token, KEYS.published) == signed.receipt
    assert signed.receipt.events[-1].ledger_position == given.entry.seq


def test_a_withdrawal_receipt_lists_the_earlier_consent(ledger: SqlLedger, ipko: PolicySet) -> None:
    give_consent(
        ledger, ipko, KEY, SUBSCRIBER, "current-offers", provenance=SHOP, recorded_at=on(3)
    )
    give_consent(
        ledger, ipko, KEY, SUBSCRIBER, "offers-just-for-me", provenance=SHOP, recorded_at=on(3)
    )
    withdrawn = withdraw_consent(
        ledger, ipko, KEY, SUBSCRIBER, "current-offers", provenance=SHOP, recorded_at=on(4)
    )

    signed = issue_receipt(ledger, ipko, KEYS, withdrawn.entry.event.event_id, issued_at=NOW)

    assert [event.status for event in signed.receipt.events] == ["given", "withdrawn"]


def test_the_kantara_rendering_carries_the_signing_public_key(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    given = give_consent(
        ledger, ipko, KEY, SUBSCRIBER, "current-offers", provenance=SHOP, recorded_at=on(3)
    )
    signed = issue_receipt(ledger, ipko, KEYS, given.entry.event.event_id, issued_at=NOW)

    document = kantara_document(signed, KEYS)

    assert document["publicKey"] == KEYS.current.verification_key.to_pem()


def test_an_unknown_event_has_no_receipt(ledger: SqlLedger, ipko: PolicySet) -> None:
    with pytest.raises(EventNotFoundError):
        issue_receipt(ledger, ipko, KEYS, uuid4(), issued_at=NOW)


def test_a_contract_event_has_no_receipt(ledger: SqlLedger, ipko: PolicySet) -> None:
    started = start_contract(ledger, ipko, KEY, SUBSCRIBER, "c-1", provenance=SHOP, recorded_at=NOW)

    with pytest.raises(ReceiptError):
        issue_receipt(ledger, ipko, KEYS, started.entry.event.event_id, issued_at=NOW)


def test_receipt_keys_load_from_a_pem_file_with_the_retired_keys_published(
    tmp_path: Path,
) -> None:
    current, retired = generate_signing_key("k-2025"), generate_signing_key("k-2024")
    (tmp_path / "key.pem").write_text(current.to_pem())
    (tmp_path / "jwks.json").write_text(
        json.dumps(jwks_document([current.verification_key, retired.verification_key]))
    )

    keys = load_receipt_keys(
        str(tmp_path / "key.pem"), kid="k-2025", published=tmp_path / "jwks.json"
    )

    assert keys.current.kid == "k-2025"
    assert [key.kid for key in keys.published] == ["k-2025", "k-2024"]


def test_receipt_keys_load_from_pem_text() -> None:
    key = generate_signing_key()

    assert load_receipt_keys(key.to_pem()).current.kid == key.kid


def test_an_unreadable_key_file_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ReceiptError, match=r"missing\.pem"):
        load_receipt_keys(str(tmp_path / "missing.pem"))
