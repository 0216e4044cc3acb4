"""/v1/disclosures: disclosures recorded against the policy and the register's agreements,
and what the register shows of one subject (the recipients and agreements are in
`placet.api.routes.recipients`).

A disclosure goes through `placet.operations.disclosures.record_disclosure`, which checks it
against the policy in force on its day and the agreements in the register. A refusal is a
422 `disclosure-refused` problem whose `problems` lists every reason, each with its code. A
DPO records a refused disclosure anyway with an `override` and a justification, which also
needs the scope `dpo:override`. The key's name is recorded as who approved a disclosure
(unless the body names the approver) and as who recorded it. An `Idempotency-Key` header
makes a retry safe: the same key returns the disclosure first recorded under it, with 200
instead of 201 and `Idempotent-Replayed: true`.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Response
from pydantic import AwareDatetime, BaseModel, Field, StringConstraints
from starlette.exceptions import HTTPException

from placet.api.context import Services, services
from placet.api.schemas import Country, StrictBody
from placet.api.security import require
from placet.disclosures import (
    Confidentiality,
    Disclosure,
    DisclosureKind,
    Override,
    ProposedDisclosure,
    RecipientNotification,
)
from placet.errors import DisclosureError
from placet.ledger import SubjectRef
from placet.operations import ApiKey, Scope, authorise, subject_ref
from placet.operations.disclosures import record_disclosure, subject_disclosures, subject_refs
from placet.stores.sql_disclosures import SqlDisclosureBook

__all__ = [
    "MAX_SUBJECTS",
    "ConfidentialityBody",
    "ConfidentialityOut",
    "Country",
    "DisclosureOut",
    "ElementId",
    "Identifier",
    "Line",
    "Reader",
    "Text",
    "Wired",
    "Writer",
    "disclosure_out",
    "router",
]

router = APIRouter(tags=["disclosures"])

Wired = Annotated[Services, Depends(services)]
Reader = Annotated[ApiKey, Depends(require(Scope.DISCLOSURES_READ))]
Writer = Annotated[ApiKey, Depends(require(Scope.DISCLOSURES_APPROVE))]
SubjectReader = Annotated[ApiKey, Depends(require(Scope.SUBJECTS_READ))]

MAX_SUBJECTS = 10_000
"""Subscribers named in one call; a disclosure of more is recorded with
`placet disclosures record --subjects-file` (or `--subjects-query`)."""

RegisterId = Annotated[
    str, Path(min_length=1, max_length=64, description="The register's id (`DIS-20250501-…`).")
]
Subject = Annotated[
    str, Path(min_length=1, max_length=200, description="The subscriber's identifier.")
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Makes a retry safe: the same key returns the same disclosure.",
    ),
]
ElementId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
Identifier = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ChosenId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
"""An id a caller gives a new agreement or request in the register (else one is made)."""
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]

_RECORD_RESPONSES: dict[int | str, dict[str, str]] = {
    200: {"description": "Already recorded under this Idempotency-Key: the original disclosure."},
    201: {"description": "Recorded."},
}


class ConfidentialityBody(StrictBody):
    """The law forbids telling the subject until `until` (an order of secrecy)."""

    ground: Text = Field(description="The law or order that imposes it.")
    until: AwareDatetime


class OverrideBody(StrictBody):
    justification: Text = Field(description="Why the DPO records what the policy refuses.")


class DisclosureBody(StrictBody):
    """A disclosure to record; the policy in force on `disclosed_at` decides it."""

    kind: DisclosureKind = DisclosureKind.DISCLOSURE
    recipient: ElementId | None = Field(
        None, description="The recipient's id in the policy (null: a transfer inherent to the "
        "service, whose `party` is the foreign network)."
    )  # fmt: skip
    purpose: ElementId
    categories: list[ElementId] = Field(min_length=1, max_length=100)
    subjects: list[Identifier] = Field(
        min_length=1,
        max_length=MAX_SUBJECTS,
        description=f"The subscribers whose data was disclosed: at most {MAX_SUBJECTS:,} per "
        "call (more with `placet disclosures record --subjects-file`).",
    )
    party: Line | None = Field(None, description="The actual company or body.")
    country: Country | None = Field(
        None, description="Where the data went (ISO 3166); null: the controller's country."
    )
    legal_ground: Text | None = Field(None, description="The provision that obliges it.")
    reference: Line | None = Field(None, description="The order's or contract's reference.")
    records: list[Line] = Field(
        [], max_length=MAX_SUBJECTS, description="What was handed over, when not whole categories."
    )
    disclosed_at: AwareDatetime | None = Field(None, description="When; default: now.")
    approved_by: Line | None = Field(None, description="Who approved it; default: the key's name.")
    confidentiality: ConfidentialityBody | None = Field(
        None, description="A law-enforcement disclosure kept from the subject until a date."
    )
    override: OverrideBody | None = Field(
        None, description="A DPO records it although the policy refuses it (scope dpo:override)."
    )


class ConfidentialityOut(BaseModel):
    ground: str
    until: datetime


class OverrideOut(BaseModel):
    justification: str
    by: str


class ReasonOut(BaseModel):
    code: str = Field(description="A refusal the DPO overrode, or a flag (`agreement-expiring`).")
    message: str


class DisclosureOut(BaseModel):
    """A disclosure as the register holds it."""

    disclosure_id: str
    kind: DisclosureKind
    recipient: str | None
    party: str | None
    purpose: str
    categories: list[str]
    country: str | None
    legal_ground: str | None
    reference: str | None
    records: list[str]
    disclosed_at: datetime
    approved_by: str
    confidentiality: ConfidentialityOut | None
    override: OverrideOut | None
    subjects: int = Field(description="How many subjects' data it held.")
    transfer: str = Field(description="`none`, `within-eea`, or the chapter V ground it left on.")
    agreement_id: str | None = Field(description="The agreement it rested on.")
    problems: list[ReasonOut] = Field(description="Refusals overridden, and flags.")
    policy_id: str
    policy_version: str
    recorded_by: str
    recorded_at: datetime
    decision_id: str | None = Field(description="Its record in GET /v1/decision-records.")


class SubjectNotificationOut(BaseModel):
    """A recipient told of a change to the subject's data (GDPR Art. 19)."""

    request_id: str
    change: str
    recipient: str
    party: str
    channel: str
    status: str
    disclosures: list[str]
    at: datetime


class SubjectDisclosuresOut(BaseModel):
    subject: str = Field(description="The subject's pseudonym in the ledger.")
    disclosures: list[DisclosureOut]
    notifications: list[SubjectNotificationOut]


def disclosure_out(disclosure: Disclosure) -> DisclosureOut:
    proposed = disclosure.proposed
    confidentiality = proposed.confidentiality
    override = proposed.override
    return DisclosureOut(
        disclosure_id=disclosure.disclosure_id,
        kind=proposed.kind,
        recipient=proposed.recipient,
        party=proposed.party,
        purpose=proposed.purpose,
        categories=list(proposed.categories),
        country=proposed.country,
        legal_ground=proposed.legal_ground,
        reference=proposed.reference,
        records=list(proposed.records),
        disclosed_at=proposed.disclosed_at,
        approved_by=proposed.approved_by,
        confidentiality=None
        if confidentiality is None
        else ConfidentialityOut(ground=confidentiality.ground, until=confidentiality.until),
        override=None
        if override is None
        else OverrideOut(justification=override.justification, by=override.by),
        subjects=disclosure.subjects,
        transfer=disclosure.transfer,
        agreement_id=disclosure.agreement_id,
        problems=[ReasonOut(code=code, message=message) for code, message in disclosure.problems],
        policy_id=disclosure.policy_id,
        policy_version=disclosure.policy_version,
        recorded_by=disclosure.recorded_by,
        recorded_at=disclosure.recorded_at,
        decision_id=disclosure.decision_id,
    )


@router.post(
    "/disclosures", status_code=201, responses=_RECORD_RESPONSES, summary="Record a disclosure"
)
def post_disclosure(
    body: DisclosureBody,
    response: Response,
    wired: Wired,
    caller: Writer,
    idempotency_key: IdempotencyKey = None,
) -> DisclosureOut:
    """Checked against the policy in force on `disclosed_at` and the register's agreements.
    A refusal answers 422 `disclosure-refused`, listing every reason in `problems`; with
    `override` (scope `dpo:override` as well) a DPO records it anyway, and the refusals are
    kept with it. Flags (an agreement ending soon) do not stop it and are kept with it."""
    if body.override is not None:
        authorise(caller, Scope.DPO_OVERRIDE)
    book = wired.disclosure_book()
    at = wired.clock()
    subjects = subject_refs(body.subjects, wired.key())
    disclosure_id = None if idempotency_key is None else _keyed_id(idempotency_key)
    if disclosure_id is not None:
        earlier = book.disclosure(disclosure_id)
        if earlier is not None:
            _check_replay(book, earlier, body, subjects, idempotency_key or "")
            response.status_code = 200
            response.headers["Idempotent-Replayed"] = "true"
            response.headers["Location"] = f"/v1/disclosures/{disclosure_id}"
            return disclosure_out(earlier)
    recorded = record_disclosure(
        book,
        wired.ledger,
        wired.policies,
        _proposed(body, caller, at),
        subjects,
        recorded_by=caller.name,
        at=at,
        disclosure_id=disclosure_id,
    )
    response.headers["Location"] = f"/v1/disclosures/{recorded.disclosure.disclosure_id}"
    return disclosure_out(recorded.disclosure)


@router.get("/disclosures", summary="List the disclosures recorded")
def list_disclosures(
    wired: Wired,
    _caller: Reader,
    since: Annotated[
        AwareDatetime | None,
        Query(alias="from", description="Only those disclosed at or after this instant."),
    ] = None,
    before: Annotated[
        AwareDatetime | None,
        Query(alias="to", description="Only those disclosed before this instant."),
    ] = None,
) -> list[DisclosureOut]:
    """Oldest first, confidential ones included (the register is the DPO's)."""
    found = wired.disclosure_book().disclosures(
        since=None if since is None else _utc(since),
        before=None if before is None else _utc(before),
    )
    return [disclosure_out(disclosure) for disclosure in found]


@router.get("/disclosures/{disclosure_id}", summary="One disclosure")
def get_disclosure(disclosure_id: RegisterId, wired: Wired, _caller: Reader) -> DisclosureOut:
    disclosure = wired.disclosure_book().disclosure(disclosure_id)
    if disclosure is None:
        raise HTTPException(
            404,
            f"There is no disclosure {disclosure_id} in the register; "
            "GET /v1/disclosures lists them.",
        )
    return disclosure_out(disclosure)


@router.get(
    "/subjects/{subject}/disclosures",
    tags=["subjects"],
    summary="The disclosures of a subject's data",
)
def get_subject_disclosures(
    subject: Subject, wired: Wired, _caller: SubjectReader
) -> SubjectDisclosuresOut:
    """What the subject's access answer shows of the register now: the disclosures of their
    data, and the recipients told of a change to it. A disclosure the law still keeps from
    the subject (a confidentiality flag in force) is left out, and nothing says one was."""
    pseudonym = subject_ref(subject, wired.key())
    shown = subject_disclosures(wired.disclosure_book(), pseudonym, wired.clock())
    return SubjectDisclosuresOut(
        subject=pseudonym,
        disclosures=[disclosure_out(disclosure) for disclosure in shown.disclosures],
        notifications=[_notification_out(notification) for notification in shown.notifications],
    )


def _notification_out(notification: RecipientNotification) -> SubjectNotificationOut:
    return SubjectNotificationOut(
        request_id=notification.request_id,
        change=notification.change.value,
        recipient=notification.recipient,
        party=notification.party,
        channel=notification.channel,
        status=notification.status.value,
        disclosures=list(notification.disclosures),
        at=notification.at,
    )


def _proposed(body: DisclosureBody, caller: ApiKey, at: datetime) -> ProposedDisclosure:
    confidentiality = body.confidentiality
    return ProposedDisclosure(
        kind=body.kind,
        recipient=body.recipient,
        purpose=body.purpose,
        categories=tuple(dict.fromkeys(body.categories)),
        disclosed_at=_utc(body.disclosed_at) if body.disclosed_at is not None else at,
        approved_by=body.approved_by or caller.name,
        party=body.party,
        country=body.country,
        legal_ground=body.legal_ground,
        reference=body.reference,
        records=tuple(body.records),
        confidentiality=None
        if confidentiality is None
        else Confidentiality(confidentiality.ground, _utc(confidentiality.until)),
        override=None
        if body.override is None
        else Override(justification=body.override.justification, by=caller.name),
    )


def _keyed_id(idempotency_key: str) -> str:
    """The id a disclosure sent under `idempotency_key` is recorded with, so that a retry
    finds it whatever day it comes."""
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()
    return f"DIS-K-{digest[:24]}"


def _check_replay(
    book: SqlDisclosureBook,
    earlier: Disclosure,
    body: DisclosureBody,
    subjects: list[SubjectRef],
    idempotency_key: str,
) -> None:
    """A retry must send the disclosure first sent under its key."""
    proposed = earlier.proposed
    same = (
        proposed.kind is body.kind
        and proposed.recipient == body.recipient
        and proposed.purpose == body.purpose
        and proposed.categories == tuple(dict.fromkeys(body.categories))
        and (body.disclosed_at is None or proposed.disclosed_at == _utc(body.disclosed_at))
        and set(book.subjects_of(earlier.disclosure_id)) == set(subjects)
    )
    if not same:
        raise DisclosureError(
            f"Idempotency key '{idempotency_key}' was already used for disclosure "
            f"{earlier.disclosure_id}, which differs from this one. Re-send the original "
            "unchanged to get it back, or give a new disclosure a new key. Nothing was recorded"
        )


def _utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)
