"""Consent receipts: what a subject gets for each consent event, signed so anyone can check it.

`record` builds the ISO/IEC TS 27560 record, `kantara` renders it as a Kantara Consent
Receipt v1.1, and `signing` signs it as an Ed25519 JWS and verifies it offline.
"""

from placet.errors import RECEIPT_FAILURE_CODES, ReceiptError, ReceiptVerificationError
from placet.ledger.receipts.kantara import KANTARA_VERSION, KantaraReceipt, render_kantara
from placet.ledger.receipts.record import (
    ISO_27560_FIELDS,
    SCHEMA_VERSION,
    ConsentStatus,
    Receipt,
    ReceiptEvent,
    build_receipt,
    iso_duration,
)
from placet.ledger.receipts.signing import (
    ReceiptKeys,
    SigningKey,
    VerificationKey,
    generate_signing_key,
    jwk_thumbprint,
    jwks_document,
    keys_from_jwks,
    receipt_payload,
    sign_receipt,
    verify_receipt,
)

__all__ = [
    "ISO_27560_FIELDS",
    "KANTARA_VERSION",
    "RECEIPT_FAILURE_CODES",
    "SCHEMA_VERSION",
    "ConsentStatus",
    "KantaraReceipt",
    "Receipt",
    "ReceiptError",
    "ReceiptEvent",
    "ReceiptKeys",
    "ReceiptVerificationError",
    "SigningKey",
    "VerificationKey",
    "build_receipt",
    "generate_signing_key",
    "iso_duration",
    "jwk_thumbprint",
    "jwks_document",
    "keys_from_jwks",
    "receipt_payload",
    "render_kantara",
    "sign_receipt",
    "verify_receipt",
]
