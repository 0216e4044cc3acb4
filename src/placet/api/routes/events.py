"""POST /v1/subjects/{subject}/…: record consents, withdrawals, objections, restrictions,
contracts, debts, business opt-outs and subject facts; GET /v1/events/{event_id}.

`subject` is the operator's identifier of the subscriber, pseudonymised before it reaches
the ledger. An `Idempotency-Key` header makes a retry safe: the same key returns the
event first recorded under it, with 200 instead of 201 and `Idempotent-Replayed: true`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Path, Response

from placet.api.context import Services, services
from placet.api.schemas import (
    BusinessOptOutBody,
    ConsentBody,
    ContractBody,
    DebtBody,
    EventFields,
    EventOut,
    FactsBody,
    ObjectionBody,
    RestrictionBody,
    WithdrawalBody,
    event_out,
)
from placet.api.security import require
from placet.errors import EventNotFoundError
from placet.operations import (
    Provenance,
    Recorded,
    Scope,
    end_business_opt_out,
    end_contract,
    give_consent,
    incur_debt,
    lift_restriction,
    make_objection,
    record_business_opt_out,
    record_subject_facts,
    set_restriction,
    settle_debt,
    start_contract,
    withdraw_consent,
    withdraw_objection,
)

__all__ = ["router"]

router = APIRouter(tags=["events"])

Subject = Annotated[
    str,
    Path(
        min_length=1,
        max_length=200,
        description="The subscriber's identifier (customer number, MSISDN in E.164).",
    ),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Makes a retry safe: the same key returns the same event.",
    ),
]
Wired = Annotated[Services, Depends(services)]
_WRITE = [Depends(require(Scope.EVENTS_WRITE))]
_RESPONSES: dict[int | str, dict[str, str]] = {
    200: {"description": "Already recorded under this Idempotency-Key: the original event."},
    201: {"description": "Recorded."},
}


def _provenance(body: EventFields) -> Provenance:
    return Provenance(
        collected_via=body.collected_via,
        actor=body.actor,
        given_by=body.given_by,
        evidence=body.evidence,
        personal=body.personal,
    )


def _record(
    response: Response,
    wired: Services,
    body: EventFields,
    idempotency_key: str | None,
    record: Callable[..., Recorded],
    *arguments: object,
    **options: object,
) -> EventOut:
    """Call a recording operation with the request's common fields; set status and headers."""
    recorded = record(
        wired.ledger,
        wired.policies,
        wired.key(),
        *arguments,
        provenance=_provenance(body),
        recorded_at=wired.clock(),
        effective_at=body.effective_at,
        idempotency_key=idempotency_key,
        **options,
    )
    response.status_code = 201 if recorded.created else 200
    response.headers["Location"] = f"/v1/events/{recorded.entry.event.event_id}"
    if not recorded.created:
        response.headers["Idempotent-Replayed"] = "true"
    return event_out(recorded.entry)


@router.post(
    "/subjects/{subject}/consents",
    status_code=201,
    responses=_RESPONSES,
    dependencies=_WRITE,
    summary="Record a consent",
)
def post_consent(
    subject: Subject,
    body: ConsentBody,
    response: Response,
    wired: Wired,
    idempotency_key: IdempotencyKey = None,
) -> EventOut:
    """The subject agreed to a consent option, on the channels named (none: all it covers)."""
    return _record(
        response,
        wired,
        body,
        idempotency_key,
        give_consent,
        subject,
        body.option,
        channels=body.channels,
    )


@router.post(
    "/subjects/{subject}/withdrawals",
    status_code=201,
    responses=_RESPONSES,
    dependencies=_WRITE,
    summary="Record a consent withdrawal",
)
def post_withdrawal(
    subject: Subject,
    body: WithdrawalBody,
    response: Response,
    wired: Wired,
    idempotency_key: IdempotencyKey = None,
) -> EventOut:
    """The subject withdrew a consent option (on the channels named; none: entirely).
    Uses it covered are denied from `effective_at`."""
    return _record(
        response,
        wired,
        body,
        idempotency_key,
        withdraw_consent,
        subject,
        body.option,
        channels=body.channels,
    )


@router.post(
    "/subjects/{subject}/objections",
    status_code=201,
    responses=_RESPONSES,
    dependencies=_WRITE,
    summary="Record an objection, or its withdrawal",
)
def post_objection(
    subject: Subject,
    body: ObjectionBody,
    response: Response,
    wired: Wired,
    idempotency_key: IdempotencyKey = None,
) -> EventOut:
    """An objection to a purpose (Art. 21(1)) or to all direct marketing (Art. 21(2));
    `status: withdrawn` records that the subject withdrew it."""
    operation = make_objection if body.status == "made" else withdraw_objection
    return _record(
        response,
        wired,
        body,
        idempotency_key,
        operation,
        subject,
        purpose=body.purpose,
        all_direct_marketing=body.all_direct_marketing,
    )


@router.post(
    "/subjects/{subject}/restrictions",
    status_code=201,
    responses=_RESPONSES,
    dependencies=_WRITE,
    summary="Record a restriction of processing, or its lifting",
)
def post_restriction(
    subject: Subject,
    body: RestrictionBody,
    response: Response,
    wired: Wired,
    idempotency_key: IdempotencyKey = None,
) -> EventOut:
    """Processing is restricted (Art. 18): only storage and legal claims remain."""
    if body.status == "set":
        return _record(
            response, wired, body, idempotency_key, set_restriction, subject, ground=body.ground
        )
    return _record(response, wired, body, idempotency_key, lift_restriction, subject)


@router.post(
    "/subjects/{subject}/contracts",
    status_code=201,
    responses=_RESPONSES,
    dependencies=_WRITE,
    summary="Record that a contract started or ended",
)
def post_contract(
    subject: Subject,
    body: ContractBody,
    response: Response,
    wired: Wired,
    idempotency_key: IdempotencyKey = None,
) -> EventOut:
    """A contract (an opaque reference, never a phone number) started or ended."""
    operation = start_contract if body.status == "started" else end_contract
    return _record(response, wired, body, idempotency_key, operation, subject, body.contract)


@router.post(
    "/subjects/{subject}/debts",
    status_code=201,
    responses=_RESPONSES,
    dependencies=_WRITE,
    summary="Record that a debt was incurred or settled",
)
def post_debt(
    subject: Subject,
    body: DebtBody,
    response: Response,
    wired: Wired,
    idempotency_key: IdempotencyKey = None,
) -> EventOut:
    """An outstanding debt holds back the restriction that follows the contract's end."""
    operation = incur_debt if body.status == "incurred" else settle_debt
    return _record(response, wired, body, idempotency_key, operation, subject, body.debt)


@router.post(
    "/subjects/{subject}/business-opt-outs",
    status_code=201,
    responses=_RESPONSES,
    dependencies=_WRITE,
    summary="Record a business entity's opt-out of direct marketing, or its end",
)
def post_business_opt_out(
    subject: Subject,
    body: BusinessOptOutBody,
    response: Response,
    wired: Wired,
    idempotency_key: IdempotencyKey = None,
) -> EventOut:
    """Direct marketing to the business is denied from `effective_at` (until `until`)."""
    if body.status == "made":
        return _record(
            response,
            wired,
            body,
            idempotency_key,
            record_business_opt_out,
            subject,
            until=body.until,
        )
    return _record(response, wired, body, idempotency_key, end_business_opt_out, subject)


@router.post(
    "/subjects/{subject}/facts",
    status_code=201,
    responses=_RESPONSES,
    dependencies=_WRITE,
    summary="Record the subject's type or birth date",
)
def post_facts(
    subject: Subject,
    body: FactsBody,
    response: Response,
    wired: Wired,
    idempotency_key: IdempotencyKey = None,
) -> EventOut:
    """Facts rules depend on: the subject type (most purposes name the types they apply
    to) and the birth date (minors). A fact left out keeps its earlier value."""
    return _record(
        response,
        wired,
        body,
        idempotency_key,
        record_subject_facts,
        subject,
        subject_type=body.subject_type,
        birth_date=body.birth_date,
    )


@router.get(
    "/events/{event_id}",
    dependencies=[Depends(require(Scope.SUBJECTS_READ))],
    summary="Read one recorded event",
)
def get_event(event_id: UUID, wired: Wired) -> EventOut:
    """The event as the ledger holds it, with its position and hashes (no personal data)."""
    entry = wired.ledger.entry(event_id)
    if entry is None:
        raise EventNotFoundError(str(event_id))
    return event_out(entry)
