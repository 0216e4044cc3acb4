"""GET /v1/receipts/keys (public) and /v1/receipts/{event_id}: signed consent receipts."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field

from placet.api.context import Services, services
from placet.api.security import require
from placet.operations import Scope, issue_receipt, kantara_document

__all__ = ["router"]

router = APIRouter(tags=["receipts"])

Wired = Annotated[Services, Depends(services)]
JOSE = "application/jose"


class SignedReceiptOut(BaseModel):
    event_id: UUID
    receipt_id: UUID
    kid: str = Field(description="The key that signed it, in the published JWKS.")
    token: str = Field(description="The receipt as a compact JWS (Ed25519).")
    receipt: dict[str, Any] = Field(description="The ISO/IEC TS 27560 record it signs.")


class PublicKeyOut(BaseModel):
    kty: Literal["OKP"]
    crv: Literal["Ed25519"]
    x: str = Field(description="The public key, base64url (RFC 8037).")
    kid: str = Field(description="The key id receipts name in their JWS header.")
    alg: Literal["EdDSA"]
    use: Literal["sig"]


class JwkSetOut(BaseModel):
    keys: list[PublicKeyOut] = Field(description="The current key, then the retired ones.")


class JwkSetResponse(JSONResponse):
    """A JWK Set, with its own media type (RFC 7517 §8.5.1)."""

    media_type = "application/jwk-set+json"


@router.get(
    "/receipts/keys",
    summary="The published receipt keys (JWKS)",
    response_class=JwkSetResponse,
    response_model=JwkSetOut,
)
def get_keys(wired: Wired) -> JwkSetResponse:
    """The public keys receipts are verified with, as a JWK Set. No API key needed:
    subscribers and auditors download it once and verify receipts offline."""
    return JwkSetResponse(
        wired.receipts().jwks(), headers={"Cache-Control": "public, max-age=3600"}
    )


@router.get(
    "/receipts/{event_id}",
    dependencies=[Depends(require(Scope.SUBJECTS_READ))],
    summary="The signed receipt of a consent event",
    response_model=None,
    responses={
        200: {
            "description": "The signed receipt (JSON); the bare JWS with `Accept: "
            "application/jose`; the Kantara Consent Receipt v1.1 with `format=kantara`.",
            "content": {
                "application/json": {"schema": SignedReceiptOut.model_json_schema()},
                JOSE: {},
            },
        }
    },
)
def get_receipt(
    event_id: UUID,
    wired: Wired,
    format: Annotated[
        Literal["jws", "kantara"], Query(description="`jws` (default) or `kantara`.")
    ] = "jws",
    lang: Annotated[
        str | None,
        Query(pattern=r"^[a-z]{2,3}$", description="The receipt's language (policy's own)."),
    ] = None,
    accept: Annotated[
        str, Header(description="`application/jose` for the bare JWS; JSON otherwise.")
    ] = "application/json",
) -> SignedReceiptOut | JSONResponse | PlainTextResponse:
    """Issued now, under the policy version the event was recorded under, and signed with
    the current receipt key."""
    keys = wired.receipts()
    signed = issue_receipt(
        wired.ledger,
        wired.policies,
        keys,
        event_id,
        issued_at=wired.clock(),
        language=lang,
        notice_url=wired.notice_url,
    )
    if format == "kantara":
        return JSONResponse(kantara_document(signed, keys))
    if JOSE in accept:
        return PlainTextResponse(signed.token, media_type=JOSE)
    return SignedReceiptOut(
        event_id=event_id,
        receipt_id=signed.receipt.receipt_id,
        kid=signed.kid,
        token=signed.token,
        receipt=signed.receipt.model_dump(mode="json"),
    )
