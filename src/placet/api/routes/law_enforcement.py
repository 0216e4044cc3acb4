"""/v1/law-enforcement-requests: a request from an authority carried step by step, from
received to recorded as a disclosure (see `placet.operations.law_enforcement`).

Each step is recorded with the key's name as who took it; the approval takes four eyes, so
it needs a key of another person than the ones who received the request and checked its
ground, and names their role (`dpo` or `legal-counsel`). The extraction reads the estate of
the data map the server is set up with (`PLACET_DATAMAP`) and is written under
`PLACET_ANSWERS_DIR`/law-enforcement/<request id>/extraction.zip, and streamed from there.
A step the request is not ready for, or a step refused, is a 422 `disclosure-invalid`
problem whose detail names the stage the request is at.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Path, Response
from fastapi.responses import FileResponse
from pydantic import AwareDatetime, BaseModel, Field
from starlette.exceptions import HTTPException

from placet.api.routes.disclosures import (
    ChosenId,
    ConfidentialityBody,
    ConfidentialityOut,
    DisclosureOut,
    ElementId,
    Identifier,
    Line,
    Reader,
    Text,
    Wired,
    Writer,
    disclosure_out,
)
from placet.api.schemas import StrictBody
from placet.disclosures import (
    APPROVER_ROLES,
    Confidentiality,
    LawEnforcementRequest,
    LawEnforcementStage,
)
from placet.operations.law_enforcement import (
    approve_request,
    check_request_ground,
    deliver_request,
    extract_request,
    receive_request,
    record_request,
)
from placet.stores.sql_disclosures import SqlDisclosureBook

__all__ = ["router"]

router = APIRouter(tags=["law enforcement"])

MAX_SUBSCRIBERS = 1_000
"""Subscribers one request may name."""

RequestIdPath = Annotated[
    str, Path(min_length=1, max_length=64, description="The request's id (`LE-20250501-…`).")
]


class ReceivedBody(StrictBody):
    """A request as received from an authority the policy names."""

    request_id: ChosenId | None = Field(
        None,
        description="The register's id for it (default: a new `LE-…` id).",
    )
    recipient: ElementId = Field(description="The authority's id in the policy.")
    party: Line = Field(description="The requesting body (`Kosovo Police, Cybercrime`).")
    reference: Line = Field(description="The order's number.")
    legal_ground: Text = Field(description="The provision the order rests on.")
    purpose: ElementId | None = Field(
        None, description="Default: the authority's first purpose in the policy."
    )
    subscribers: list[Identifier] = Field(
        min_length=1, max_length=MAX_SUBSCRIBERS, description="Whose data is asked."
    )
    categories: list[ElementId] = Field(min_length=1, max_length=100)
    data_from: AwareDatetime | None = Field(None, description="The span of records asked.")
    data_until: AwareDatetime | None = None
    confidentiality: ConfidentialityBody | None = Field(
        None, description="The order forbids telling the subjects until a date."
    )


class GroundCheckBody(StrictBody):
    holds: bool = Field(description="Whether the legal ground holds; if not, it is refused.")
    note: Text = Field(description="Why.")


class ApprovalBody(StrictBody):
    role: Line = Field(description=f"The approver's role: {' or '.join(APPROVER_ROLES)}.")
    note: Text


class DeliveryBody(StrictBody):
    how: Text = Field(description="The channel, and who received it.")


class StepOut(BaseModel):
    stage: LawEnforcementStage
    actor: str
    at: datetime
    note: str
    role: str | None


class ExtractedDatasetOut(BaseModel):
    dataset: str
    rows: int
    beyond_retention: int = Field(description="Rows past their retention period, held back.")


class ExtractionOut(BaseModel):
    sha256: str
    rows: int
    beyond_retention: int
    datasets: list[ExtractedDatasetOut]
    download: str = Field(description="Where the zip is downloaded from (disclosures:approve).")


class LawEnforcementSummaryOut(BaseModel):
    """A request as a list shows it: how many subscribers, not who."""

    request_id: str
    recipient: str
    party: str
    reference: str
    purpose: str
    stage: LawEnforcementStage
    received_at: datetime
    subscribers: int
    disclosure_id: str | None


class LawEnforcementOut(BaseModel):
    """A request with what it asks and every step, oldest first."""

    request_id: str
    recipient: str
    party: str
    reference: str
    legal_ground: str
    purpose: str
    stage: LawEnforcementStage
    received_at: datetime
    subscribers: list[str]
    categories: list[str]
    data_from: datetime | None
    data_until: datetime | None
    confidentiality: ConfidentialityOut | None
    steps: list[StepOut]
    extraction: ExtractionOut | None
    delivery: str | None
    disclosure_id: str | None


class RecordedOut(BaseModel):
    request: LawEnforcementOut
    disclosure: DisclosureOut


@router.post(
    "/law-enforcement-requests", status_code=201, summary="Record a law-enforcement request"
)
def post_request(
    body: ReceivedBody, response: Response, wired: Wired, caller: Writer
) -> LawEnforcementOut:
    """Received now, by the key's name, from an authority the policy names, for data
    categories the policy declares."""
    confidentiality = body.confidentiality
    request = receive_request(
        wired.disclosure_book(),
        wired.policies,
        recipient=body.recipient,
        party=body.party,
        reference=body.reference,
        legal_ground=body.legal_ground,
        subscribers=tuple(body.subscribers),
        categories=tuple(body.categories),
        actor=caller.name,
        at=wired.clock(),
        purpose=body.purpose,
        data_from=_utc(body.data_from),
        data_until=_utc(body.data_until),
        confidentiality=None
        if confidentiality is None
        else Confidentiality(confidentiality.ground, confidentiality.until.astimezone(UTC)),
        request_id=body.request_id,
    )
    response.headers["Location"] = f"/v1/law-enforcement-requests/{request.request_id}"
    return _out(request)


@router.get("/law-enforcement-requests", summary="List the law-enforcement requests")
def list_requests(wired: Wired, _caller: Reader) -> list[LawEnforcementSummaryOut]:
    return [_summary_out(request) for request in wired.disclosure_book().requests()]


@router.get("/law-enforcement-requests/{request_id}", summary="One law-enforcement request")
def get_request(request_id: RequestIdPath, wired: Wired, _caller: Reader) -> LawEnforcementOut:
    """With the subscribers it names and every step taken."""
    return _out(_found(wired.disclosure_book(), request_id))


@router.post(
    "/law-enforcement-requests/{request_id}/ground-check",
    summary="Record whether a request's legal ground holds",
)
def post_ground_check(
    request_id: RequestIdPath, body: GroundCheckBody, wired: Wired, caller: Writer
) -> LawEnforcementOut:
    """A ground that does not hold refuses the request: nothing is extracted."""
    book = wired.disclosure_book()
    _found(book, request_id)
    return _out(
        check_request_ground(
            book, request_id, holds=body.holds, note=body.note, actor=caller.name, at=wired.clock()
        )
    )


@router.post(
    "/law-enforcement-requests/{request_id}/approval", summary="Approve a law-enforcement request"
)
def post_approval(
    request_id: RequestIdPath, body: ApprovalBody, wired: Wired, caller: Writer
) -> LawEnforcementOut:
    """By the key's name, in the role given; never the person who received the request or
    checked its ground (four eyes)."""
    book = wired.disclosure_book()
    _found(book, request_id)
    return _out(
        approve_request(
            book, request_id, role=body.role, note=body.note, actor=caller.name, at=wired.clock()
        )
    )


@router.post(
    "/law-enforcement-requests/{request_id}/extraction",
    summary="Extract an approved request's data from the estate",
)
def post_extraction(request_id: RequestIdPath, wired: Wired, caller: Writer) -> LawEnforcementOut:
    """The asked categories' columns of each subscriber's rows in the asked span, another
    party's number masked; rows past their retention period are counted and held back. One
    zip (a CSV per dataset and a manifest), whose SHA-256 is recorded with the request."""
    book = wired.disclosure_book()
    _found(book, request_id)
    with wired.estate() as estate:
        extracted = extract_request(
            book,
            estate,
            wired.policies,
            request_id,
            wired.answers_dir / "law-enforcement",
            actor=caller.name,
            at=wired.clock(),
        )
    return _out(extracted.request)


@router.get(
    "/law-enforcement-requests/{request_id}/extraction",
    summary="Download a request's extraction",
    response_class=FileResponse,
    responses={200: {"content": {"application/zip": {}}}},
)
def get_extraction(request_id: RequestIdPath, wired: Wired, _caller: Writer) -> FileResponse:
    """The zip written by the extraction, to deliver to the authority."""
    request = _found(wired.disclosure_book(), request_id)
    extraction = request.extraction
    if extraction is None or not FilePath(extraction.file).is_file():
        raise HTTPException(
            404,
            f"Law-enforcement request {request_id} has no extraction on this server; "
            "POST its /extraction once it is approved.",
        )
    return FileResponse(
        extraction.file,
        media_type="application/zip",
        filename=f"{request_id}-extraction.zip",
        headers={"Cache-Control": "no-store"},
    )


@router.post(
    "/law-enforcement-requests/{request_id}/delivery",
    summary="Record how an extraction reached the authority",
)
def post_delivery(
    request_id: RequestIdPath, body: DeliveryBody, wired: Wired, caller: Writer
) -> LawEnforcementOut:
    book = wired.disclosure_book()
    _found(book, request_id)
    return _out(
        deliver_request(book, request_id, how=body.how, actor=caller.name, at=wired.clock())
    )


@router.post(
    "/law-enforcement-requests/{request_id}/record",
    summary="Record a delivered request as a disclosure",
)
def post_record(request_id: RequestIdPath, wired: Wired, caller: Writer) -> RecordedOut:
    """A law-enforcement disclosure of the subscribers' data, approved by the approver, with
    the extraction's digest and the request's confidentiality flag. The policy checks it
    like any disclosure: a refusal is a `disclosure-refused` problem."""
    book = wired.disclosure_book()
    _found(book, request_id)
    request, recorded = record_request(
        book,
        wired.ledger,
        wired.policies,
        wired.key(),
        request_id,
        actor=caller.name,
        at=wired.clock(),
    )
    return RecordedOut(request=_out(request), disclosure=disclosure_out(recorded.disclosure))


def _found(book: SqlDisclosureBook, request_id: str) -> LawEnforcementRequest:
    request = book.request(request_id)
    if request is None:
        raise HTTPException(
            404,
            f"There is no law-enforcement request {request_id}; "
            "GET /v1/law-enforcement-requests lists them.",
        )
    return request


def _summary_out(request: LawEnforcementRequest) -> LawEnforcementSummaryOut:
    return LawEnforcementSummaryOut(
        request_id=request.request_id,
        recipient=request.recipient,
        party=request.party,
        reference=request.reference,
        purpose=request.purpose,
        stage=request.stage,
        received_at=request.received_at,
        subscribers=len(request.subscribers),
        disclosure_id=request.disclosure_id,
    )


def _out(request: LawEnforcementRequest) -> LawEnforcementOut:
    confidentiality = request.confidentiality
    extraction = request.extraction
    return LawEnforcementOut(
        request_id=request.request_id,
        recipient=request.recipient,
        party=request.party,
        reference=request.reference,
        legal_ground=request.legal_ground,
        purpose=request.purpose,
        stage=request.stage,
        received_at=request.received_at,
        subscribers=list(request.subscribers),
        categories=list(request.categories),
        data_from=request.data_from,
        data_until=request.data_until,
        confidentiality=None
        if confidentiality is None
        else ConfidentialityOut(ground=confidentiality.ground, until=confidentiality.until),
        steps=[
            StepOut(stage=step.stage, actor=step.actor, at=step.at, note=step.note, role=step.role)
            for step in request.steps
        ],
        extraction=None
        if extraction is None
        else ExtractionOut(
            sha256=extraction.sha256,
            rows=extraction.rows,
            beyond_retention=extraction.beyond_retention,
            datasets=[
                ExtractedDatasetOut(
                    dataset=dataset.dataset,
                    rows=dataset.rows,
                    beyond_retention=dataset.beyond_retention,
                )
                for dataset in extraction.datasets
            ],
            download=f"/v1/law-enforcement-requests/{request.request_id}/extraction",
        ),
        delivery=request.delivery,
        disclosure_id=request.disclosure_id,
    )


def _utc(instant: datetime | None) -> datetime | None:
    return None if instant is None else instant.astimezone(UTC)
