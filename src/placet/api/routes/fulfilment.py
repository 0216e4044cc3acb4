"""/v1/requests/{id}/fulfilment and /answer: carry out a verified request in the estate and
the ledger, and download its answer (see `placet.operations.fulfilment`).

The estate is the data map the server is set up with (`PLACET_DATAMAP`); its systems'
connections come from the environment (`Services.estate`). Answers are written under
`PLACET_ANSWERS_DIR`, one folder per request, and streamed from there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import FileResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from placet.api.routes.requests import Reader, RequestIdPath, Wired, Writer
from placet.api.schemas import RequestOut, request_out
from placet.errors import RequestNotFoundError
from placet.ledger.events import RestrictionGround
from placet.operations.fulfilment import Asked, Carried
from placet.operations.fulfilment import carry_out as carry_out_request
from placet.operations.requests import load_request

__all__ = ["router"]

router = APIRouter(tags=["requests"])

AnswerFileName = Literal[
    "answer.zip",
    "answer.json",
    "printed-copy.pdf",
    "printed-copy.html",
    "manifest.json",
    "portability.zip",
]
_MEDIA = {
    "zip": "application/zip",
    "json": "application/json",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}


class FulfilmentBody(BaseModel):
    """What the request needs beyond itself; every field is optional."""

    model_config = ConfigDict(extra="forbid")

    language: str | None = Field(
        None, description="The subject's language for the answer (default: the policy's first)."
    )
    options: list[str] = Field(
        [], description="Withdrawal: the consent options (default: every option held)."
    )
    purposes: list[str] = Field(
        [], description="Objection: the purposes (default: all direct marketing)."
    )
    ground: RestrictionGround | None = Field(None, description="Restriction: its ground.")
    until: AwareDatetime | None = Field(
        None, description="Business opt-out: until when (default: for good)."
    )
    values: dict[str, str] = Field(
        {}, description="Rectification: each column to correct, with its corrected value."
    )


class AnswerFileOut(BaseModel):
    name: str
    bytes: int
    sha256: str
    rows: int | None


class FulfilmentOut(BaseModel):
    """What was done, and the request as it now stands."""

    done: bool = Field(description="Whether the request is fulfilled.")
    summary: str = Field(description="What was done, as recorded with the step.")
    request: RequestOut
    answer: list[AnswerFileOut] = Field(
        [], description="The answer's files, each at `answer/{name}`."
    )
    restricted: list[str] = Field([], description="Datasets kept and restricted, and why.")


@router.post(
    "/requests/{request_id}/fulfilment",
    summary="Carry out a verified subject's request",
)
def carry_out(
    request_id: RequestIdPath, body: FulfilmentBody, wired: Wired, caller: Writer
) -> FulfilmentOut:
    """Access or printed copy: write the answer. Portability: write the package. Erasure:
    erase where allowed, restrict the rest, purge (`done` is false until every purge is
    complete: call it again). Restriction, objection, withdrawal: record them in the
    ledger (a business opt-out `until` an instant, or for good). Complaint: route it to
    the DPO. Rectification: set `values` in SQL. After a rectification, an erasure or a
    restriction every recipient of the data is told (GDPR Art. 19); `done` is false while
    one could not be told: call it again."""
    at = wired.clock()
    carried = carry_out_request(
        wired.requests,
        wired.policies,
        wired.ledger,
        wired.key(),
        request_id,
        asked=Asked(
            language=body.language,
            options=tuple(body.options),
            purposes=tuple(body.purposes),
            ground=body.ground,
            until=body.until,
            values=body.values,
        ),
        estate=wired.estate,
        answers=wired.answers_dir,
        retention=wired.retention_book(),
        disclosures=wired.disclosure_book(),
        notifier=wired.recipient_notifier(),
        actor=caller.name,
        at=at,
    )
    wired.announce(carried.request)
    return _out(carried, at)


@router.get(
    "/requests/{request_id}/answer/{name}",
    summary="Download a file of a request's answer",
    response_class=FileResponse,
    responses={200: {"content": {media: {} for media in _MEDIA.values()}}},
)
def answer_file(
    request_id: RequestIdPath, name: AnswerFileName, wired: Wired, _caller: Reader
) -> FileResponse:
    """A file of the answer written for the request (streamed from the answers folder)."""
    load_request(wired.requests, request_id)
    path = wired.answers_dir / request_id / name
    if not path.is_file():
        raise RequestNotFoundError(f"{request_id}/{name}")
    return FileResponse(
        path,
        media_type=_MEDIA[name.rsplit(".", 1)[1]],
        filename=f"{request_id}-{name}",
        headers={"Cache-Control": "no-store"},
    )


def _out(carried: Carried, at: datetime) -> FulfilmentOut:
    files = carried.answer.files if carried.answer is not None else ()
    return FulfilmentOut(
        done=carried.done,
        summary=carried.summary,
        request=request_out(carried.request, at),
        answer=[
            AnswerFileOut(name=entry.name, bytes=entry.bytes, sha256=entry.sha256, rows=entry.rows)
            for entry in files
            if "/" not in entry.name
        ],
        restricted=list(carried.restricted),
    )
