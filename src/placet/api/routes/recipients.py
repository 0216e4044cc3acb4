"""/v1/disclosures/recipients and /v1/disclosures/agreements: the register of recipients.

The policy names the recipients; the register records the agreements with their actual
parties (processor agreements, joint-controller arrangements, transfer safeguards), each
valid between two dates, and flags what the DPO should look at on a given day (see
`placet.disclosures.register`). The key's name is recorded as who recorded an agreement.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import AwareDatetime, BaseModel, Field
from starlette.exceptions import HTTPException

from placet.api.routes.disclosures import ChosenId, ElementId, Line, Reader, Wired, Writer
from placet.api.schemas import Country, StrictBody
from placet.disclosures import (
    Agreement,
    AgreementKind,
    AgreementStatus,
    RecipientEntry,
    RegisterFlag,
)
from placet.operations.disclosures import new_id, register_agreement, register_entries
from placet.policy import RecipientKind, TransferSafeguard

__all__ = ["agreement_out", "router"]

router = APIRouter(tags=["disclosures"])

AgreementIdPath = Annotated[
    str, Path(min_length=1, max_length=64, description="The agreement's id (`DPA-2024-07`).")
]


class AgreementBody(StrictBody):
    """An agreement with a party of a recipient the policy names, valid between two dates."""

    agreement_id: ChosenId | None = Field(
        None,
        description="The register's id for it (default: a new `AGR-…` id).",
    )
    recipient: ElementId = Field(description="The recipient's id in the policy.")
    kind: AgreementKind
    party: Line = Field(description="The actual company or body (`Enreach A/S`).")
    reference: Line = Field(description="The contract's own reference.")
    valid_from: AwareDatetime
    valid_until: AwareDatetime | None = Field(None, description="Null: until ended.")
    countries: list[Country] = Field(
        [], max_length=50, description="Where the party processes the data (ISO 3166)."
    )
    safeguard: TransferSafeguard | None = Field(
        None, description="The chapter V ground a transfer to a third country rests on."
    )
    contact: Line | None = Field(
        None, description="Where the recipient is told of changes (GDPR Art. 19)."
    )


class AgreementEndBody(StrictBody):
    at: AwareDatetime | None = Field(None, description="When it ends; default: now.")


class AgreementOut(BaseModel):
    agreement_id: str
    recipient: str
    kind: AgreementKind
    party: str
    reference: str
    valid_from: datetime
    valid_until: datetime | None
    countries: list[str]
    safeguard: TransferSafeguard | None
    contact: str | None
    status: AgreementStatus = Field(description="As of the instant asked (or now).")
    recorded_by: str
    recorded_at: datetime | None


class FlagOut(BaseModel):
    flag: RegisterFlag
    about: str = Field(description="What it is about (`DPA-2024-07 (Enreach A/S) ended …`).")


class RecipientOut(BaseModel):
    """A recipient of the policy with its agreements, and what the DPO should look at."""

    recipient: str = Field(description="Its id in the policy.")
    name: dict[str, str] = Field(description="Its name, in each of the policy's languages.")
    kind: RecipientKind
    country: str | None
    third_country: bool
    safeguard: TransferSafeguard | None = Field(description="The policy's transfer ground.")
    purposes: list[str]
    categories: list[str]
    agreements: list[AgreementOut]
    flags: list[FlagOut]


class RegisterOut(BaseModel):
    at: datetime
    policy_version: str
    recipients: list[RecipientOut]


def agreement_out(agreement: Agreement, at: datetime) -> AgreementOut:
    return AgreementOut(
        agreement_id=agreement.agreement_id,
        recipient=agreement.recipient,
        kind=agreement.kind,
        party=agreement.party,
        reference=agreement.reference,
        valid_from=agreement.valid_from,
        valid_until=agreement.valid_until,
        countries=list(agreement.countries),
        safeguard=agreement.safeguard,
        contact=agreement.contact,
        status=agreement.status(at),
        recorded_by=agreement.recorded_by,
        recorded_at=agreement.recorded_at,
    )


def _recipient_out(entry: RecipientEntry, at: datetime) -> RecipientOut:
    recipient = entry.recipient
    return RecipientOut(
        recipient=recipient.id,
        name=dict(recipient.name),
        kind=recipient.kind,
        country=recipient.country,
        third_country=recipient.third_country,
        safeguard=recipient.safeguard,
        purposes=list(recipient.purposes),
        categories=list(recipient.categories),
        agreements=[agreement_out(agreement, at) for agreement in entry.agreements],
        flags=[FlagOut(flag=flag, about=about) for flag, about in entry.flags],
    )


@router.get("/disclosures/recipients", summary="The register of recipients")
def get_register(
    wired: Wired,
    _caller: Reader,
    at: Annotated[
        AwareDatetime | None, Query(description="As of this instant; default: now.")
    ] = None,
) -> RegisterOut:
    """Every recipient the policy in force names, with its agreements (processor agreements,
    joint-controller arrangements, transfer safeguards) and flags: an agreement or safeguard
    expired or ending within 30 days, a processor or joint controller with none in force."""
    instant = _as_utc(at) if at is not None else wired.clock()
    entries = register_entries(wired.disclosure_book(), wired.policies, instant)
    return RegisterOut(
        at=instant,
        policy_version=wired.policies.in_force(instant).version,
        recipients=[_recipient_out(entry, instant) for entry in entries],
    )


@router.post(
    "/disclosures/agreements", status_code=201, summary="Record an agreement with a recipient"
)
def post_agreement(
    body: AgreementBody, response: Response, wired: Wired, caller: Writer
) -> AgreementOut:
    """The recipient must be one the policy in force on the agreement's first day names."""
    at = wired.clock()
    agreement = register_agreement(
        wired.disclosure_book(),
        wired.policies,
        Agreement(
            agreement_id=body.agreement_id or new_id("AGR", at),
            recipient=body.recipient,
            kind=body.kind,
            party=body.party,
            reference=body.reference,
            valid_from=_as_utc(body.valid_from),
            valid_until=None if body.valid_until is None else _as_utc(body.valid_until),
            countries=tuple(dict.fromkeys(body.countries)),
            safeguard=body.safeguard,
            contact=body.contact,
            recorded_by=caller.name,
            recorded_at=at,
        ),
    )
    response.headers["Location"] = "/v1/disclosures/recipients"
    return agreement_out(agreement, at)


@router.post(
    "/disclosures/agreements/{agreement_id}/end", summary="End an agreement with a recipient"
)
def end_agreement(
    agreement_id: AgreementIdPath, body: AgreementEndBody, wired: Wired, _caller: Writer
) -> AgreementOut:
    """From `at` on, the agreement is expired: disclosures resting on it are refused."""
    book = wired.disclosure_book()
    now = wired.clock()
    if not any(agreement.agreement_id == agreement_id for agreement in book.agreements()):
        raise HTTPException(
            404,
            f"There is no agreement {agreement_id} in the register; "
            "GET /v1/disclosures/recipients lists them.",
        )
    ended = book.end_agreement(agreement_id, _as_utc(body.at) if body.at is not None else now)
    return agreement_out(ended, now)


def _as_utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)
