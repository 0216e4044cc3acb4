"""Signed checkpoints of the ledger: issue one for an auditor to keep, check the ledger
against one (see `placet.ledger.checkpoints`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from placet.errors import CheckpointMismatchError
from placet.ledger import (
    ChainPosition,
    Checkpoint,
    ConsentLog,
    sign_checkpoint,
    verify_checkpoint,
)
from placet.ledger.receipts import ReceiptKeys, VerificationKey

__all__ = ["IssuedCheckpoint", "check_checkpoint", "issue_checkpoint"]


@dataclass(frozen=True, slots=True)
class IssuedCheckpoint:
    checkpoint: Checkpoint
    token: str
    """The compact JWS to hand over."""


def issue_checkpoint(
    ledger: ConsentLog, keys: ReceiptKeys, *, issuer: str, at: datetime
) -> IssuedCheckpoint:
    """The ledger's two chain heads now, signed with the operator's current key."""
    events, decisions = ledger.head(), ledger.decisions_head()
    checkpoint = Checkpoint(
        issuer=issuer,
        events=ChainPosition(seq=events.seq, hash=events.hash),
        decisions=ChainPosition(seq=decisions.seq, hash=decisions.hash),
        signed_at=at,
    )
    return IssuedCheckpoint(checkpoint, sign_checkpoint(checkpoint, keys.current))


def check_checkpoint(
    ledger: ConsentLog, token: str, public_keys: Iterable[VerificationKey]
) -> Checkpoint:
    """The checkpoint `token` holds, once its signature verifies and the ledger still holds,
    at each position it names, the hash it names.

    Raises `CheckpointVerificationError` for a token that does not verify, and
    `CheckpointMismatchError` naming each chain that differs: a hash that is not the one
    signed (everything up to it was rewritten), or a chain that ends before the position
    (it was cut back). Run `verify` besides: a checkpoint says nothing of what came after.
    """
    checkpoint = verify_checkpoint(token, public_keys)
    differences = [
        difference
        for difference in (
            _difference("events", checkpoint.events, ledger.hash_at(checkpoint.events.seq)),
            _difference(
                "decision records",
                checkpoint.decisions,
                ledger.decision_hash_at(checkpoint.decisions.seq),
            ),
        )
        if difference is not None
    ]
    if differences:
        raise CheckpointMismatchError(differences)
    return checkpoint


def _difference(chain: str, signed: ChainPosition, found: str | None) -> str | None:
    if found is None:
        return f"the {chain}' chain ends before position {signed.seq}, which the checkpoint signs"
    if found != signed.hash:
        return (
            f"the {chain}' hash at position {signed.seq} is {found}, the checkpoint signs "
            f"{signed.hash}"
        )
    return None
