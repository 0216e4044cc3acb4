"""A signed checkpoint verifies offline with the operator's published keys, and nothing else
passes for one: an altered or forged token, an unpublished key, or a signed receipt."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from placet.errors import CheckpointVerificationError
from placet.ledger import (
    GENESIS_HASH,
    ChainPosition,
    Checkpoint,
    canonical_bytes,
    sign_checkpoint,
    verify_checkpoint,
)
from placet.ledger.receipts import generate_signing_key, sign_receipt
from tests.ledger.test_receipts import compact_jws, make_receipt

KEY = generate_signing_key("ipko-2026")
CHECKPOINT = Checkpoint(
    issuer="IPKO Telecommunications LLC",
    events=ChainPosition(seq=18234, hash="ab" * 32),
    decisions=ChainPosition(seq=0, hash=GENESIS_HASH),
    signed_at=datetime(2026, 11, 27, 9, 30, tzinfo=UTC),
)


def test_a_signed_checkpoint_verifies_with_the_published_key() -> None:
    token = sign_checkpoint(CHECKPOINT, KEY)

    assert verify_checkpoint(token, [KEY.verification_key]) == CHECKPOINT


def test_a_checkpoint_whose_position_was_changed_does_not_verify() -> None:
    header, payload, signature = sign_checkpoint(CHECKPOINT, KEY).split(".")
    moved = CHECKPOINT.model_copy(update={"events": ChainPosition(seq=18000, hash="ab" * 32)})
    _, other_payload, _ = sign_checkpoint(moved, generate_signing_key("ipko-2026")).split(".")

    with pytest.raises(CheckpointVerificationError) as caught:
        verify_checkpoint(f"{header}.{other_payload}.{signature}", [KEY.verification_key])

    assert caught.value.code == "bad-signature"
    assert payload != other_payload


def test_a_checkpoint_signed_with_an_unpublished_key_does_not_verify() -> None:
    forged = sign_checkpoint(CHECKPOINT, generate_signing_key("ipko-2026-forged"))

    with pytest.raises(CheckpointVerificationError) as caught:
        verify_checkpoint(forged, [KEY.verification_key])

    assert caught.value.code == "unknown-key"


def test_a_signed_receipt_is_not_taken_for_a_checkpoint() -> None:
    receipt = sign_receipt(make_receipt(), KEY.private_key, KEY.kid)

    with pytest.raises(CheckpointVerificationError, match="not a ledger checkpoint") as caught:
        verify_checkpoint(receipt, [KEY.verification_key])

    assert caught.value.code == "bad-payload"


def test_a_checkpoint_signed_under_a_receipts_header_is_refused() -> None:
    """Signed by the operator's key, but as a receipt is (typ JOSE): a signature made for
    one purpose is not accepted for the other."""
    payload = canonical_bytes(CHECKPOINT.model_dump(mode="python"))
    token = compact_jws({"alg": "EdDSA", "kid": KEY.kid, "typ": "JOSE"}, payload, KEY)

    with pytest.raises(CheckpointVerificationError, match="type is 'JOSE'") as caught:
        verify_checkpoint(token, [KEY.verification_key])

    assert caught.value.code == "bad-payload"
