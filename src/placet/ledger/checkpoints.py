"""Signed checkpoints of the ledger's two chain heads, for auditors to hold outside it.

`verify` proves the chains agree with themselves and with the head rows. Whoever can write
the database could still rewrite everything, hashes and head rows included, and the chains
would agree with themselves again. A checkpoint closes that: the operator signs the heads
(the events' and the decision records' positions and hashes) with its published Ed25519
key, as it signs receipts, and an auditor or the DPO keeps the file. Each hash commits to
everything before it, so a ledger that still holds those hashes at those positions holds
what was signed; one rewritten or cut back before them does not. The same pattern as a
transparency log's signed tree head.

A checkpoint is a compact JWS (`typ` `placet-checkpoint+jws`) whose payload is the
`Checkpoint`'s canonical JSON. Pure: keys are arguments.
Imports nothing outside the standard library, pydantic, `cryptography` and `placet.ledger`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as PydanticValidationError

from placet.errors import CheckpointVerificationError
from placet.ledger.canonical import canonical_bytes
from placet.ledger.receipts.signing import SigningKey, VerificationKey, open_jws, sign_jws

__all__ = [
    "CHECKPOINT_TYPE",
    "ChainPosition",
    "Checkpoint",
    "sign_checkpoint",
    "verify_checkpoint",
]

CHECKPOINT_TYPE: Final = "placet-checkpoint+jws"
"""The JWS header's `typ`: a receipt is never taken for a checkpoint, nor one for a receipt."""


class ChainPosition(BaseModel):
    """A position in one of the ledger's chains, and the hash of the entry there."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int = Field(ge=0)
    hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class Checkpoint(BaseModel):
    """The ledger's chain heads at an instant, as its operator signs them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    issuer: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    """Who signs: the controller, as the policy names it."""
    events: ChainPosition
    decisions: ChainPosition
    signed_at: AwareDatetime


def sign_checkpoint(checkpoint: Checkpoint, key: SigningKey) -> str:
    """`checkpoint` as a compact JWS signed with `key`."""
    payload = canonical_bytes(checkpoint.model_dump(mode="python"))
    return sign_jws(payload, key.private_key, key.kid, typ=CHECKPOINT_TYPE)


def verify_checkpoint(token: str, public_keys: Iterable[VerificationKey]) -> Checkpoint:
    """The checkpoint a compact JWS holds, once its signature verifies under a published key.

    Raises `CheckpointVerificationError` (with `code`) when it does not, or when the token
    holds something else (a receipt).
    """
    header, payload = open_jws(
        token, public_keys, what="checkpoint", fail=CheckpointVerificationError
    )
    if header.get("typ") != CHECKPOINT_TYPE:
        raise CheckpointVerificationError(
            "bad-payload",
            f"its header's type is {header.get('typ')!r}, not {CHECKPOINT_TYPE!r}: it is "
            "not a ledger checkpoint (a receipt, perhaps)",
        )
    try:
        return Checkpoint.model_validate(payload)
    except PydanticValidationError as exc:
        raise CheckpointVerificationError(
            "bad-payload", f"its payload is not a ledger checkpoint ({exc.error_count()} problems)"
        ) from exc
