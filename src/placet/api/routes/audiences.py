"""POST /v1/audiences: the subscribers a campaign may reach, streamed; and the counts.

The list streams as CSV (`text/csv`, the default), Arrow IPC (`Accept:
application/vnd.apache.arrow.stream`) or, for small runs, one JSON document with the counts
(`Accept: application/json`). `POST /v1/audiences/summary` gives the counts alone.

A list is a decision that matters: once its last subscriber is sent, the run is recorded
(`GET /v1/decision-records/{id}`), under the id the `Placet-Decision-Record` header
announced. A run that cannot be recorded ends its stream with an error rather than
complete unrecorded. Counts alone select no one and are not recorded.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Annotated

import pyarrow as pa
from fastapi import APIRouter, Depends, Header
from fastapi.responses import StreamingResponse

from placet.api.context import Services, services
from placet.api.schemas import AudienceBody, AudienceSummaryOut, HeadOut, PolicyRef
from placet.api.security import require
from placet.operations import ApiKey, Audience, Scope, select_audience, subscribers_csv

__all__ = ["ARROW_STREAM", "router"]

router = APIRouter(tags=["audiences"], dependencies=[Depends(require(Scope.DECIDE))])

ARROW_STREAM = "application/vnd.apache.arrow.stream"
_SCHEMA = pa.schema([pa.field("subscriber", pa.string(), nullable=False)])


def _select(body: AudienceBody, wired: Services) -> Audience:
    return select_audience(
        wired.ledger,
        wired.policies,
        wired.key(),
        body.subscribers,
        body.use(),
        at=body.at or wired.clock(),
        known_at=body.known_at,
    )


def _headers(audience: Audience) -> dict[str, str]:
    return {
        "Placet-Policy": f"{audience.policy.policy_id} {audience.policy.version}",
        "Placet-Decided-At": audience.at.isoformat(),
        "Placet-Ledger-Position": str(audience.position.seq),
        "Placet-Decision-Record": str(audience.record_id),
    }


def _recorder(selected: Audience, wired: Services, caller: ApiKey) -> Callable[[], None]:
    def record() -> None:
        selected.record(
            actor=f"api-key:{caller.name}", recorded_at=wired.clock(), source={"via": "api"}
        )

    return record


@router.post(
    "/audiences",
    summary="Select a campaign's audience",
    response_model=None,
    responses={
        200: {
            "description": "The permitted subscriber identifiers, one per row, in the order "
            "given: CSV with a `subscriber` header, Arrow IPC stream, or JSON with the counts.",
            "content": {
                "text/csv": {},
                ARROW_STREAM: {},
                "application/json": {"schema": {"type": "object"}},
            },
        }
    },
)
def audience(
    body: AudienceBody,
    wired: Annotated[Services, Depends(services)],
    caller: Annotated[ApiKey, Depends(require(Scope.DECIDE))],
    accept: Annotated[
        str, Header(description="`text/csv`, `application/vnd.apache.arrow.stream` or JSON.")
    ] = "text/csv",
) -> StreamingResponse | dict[str, object]:
    """Which of `subscribers` may this use reach at `at` (default now)? Decided in chunks
    and streamed as they are decided; the exclusion counts by reason are in
    `/v1/audiences/summary`, or in the JSON answer."""
    selected = _select(body, wired)
    record = _recorder(selected, wired, caller)
    if ARROW_STREAM in accept:
        return StreamingResponse(
            _arrow(selected, record), media_type=ARROW_STREAM, headers=_headers(selected)
        )
    if "application/json" in accept and "text/csv" not in accept:
        permitted = list(selected.permitted())
        record()
        summary = _summary(selected, recorded=True)
        return {**summary.model_dump(mode="json"), "subscribers": permitted}
    return StreamingResponse(
        _csv(selected, record), media_type="text/csv; charset=utf-8", headers=_headers(selected)
    )


@router.post("/audiences/summary", summary="Count a campaign's audience and its exclusions")
def audience_summary(
    body: AudienceBody, wired: Annotated[Services, Depends(services)]
) -> AudienceSummaryOut:
    """How many of `subscribers` the use may reach, and how many are excluded for each
    reason. Give the same `at` and `known_at` as the list to count exactly that list."""
    selected = _select(body, wired)
    selected.count_all()
    return _summary(selected)


def _summary(selected: Audience, *, recorded: bool = False) -> AudienceSummaryOut:
    counts = selected.counts
    return AudienceSummaryOut(
        at=selected.at,
        policy=PolicyRef(id=selected.policy.policy_id, version=selected.policy.version),
        total=counts.total,
        permitted=counts.permitted,
        excluded=dict(sorted(counts.excluded.items())),
        ledger=HeadOut(seq=selected.position.seq, hash=selected.position.hash),
        record_id=selected.record_id if recorded else None,
    )


def _csv(selected: Audience, record: Callable[[], None]) -> Iterator[str]:
    yield "subscriber\r\n"
    for column in selected.columns():
        yield subscribers_csv(column, line_terminator="\r\n")
    record()


def _arrow(selected: Audience, record: Callable[[], None]) -> Iterator[bytes]:
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, _SCHEMA) as writer:
        yield _drain(sink)
        for column in selected.columns():
            arrays = [column.to_arrow().cast(pa.string())]
            writer.write_batch(pa.record_batch(arrays, schema=_SCHEMA))
            yield _drain(sink)
        record()
    yield _drain(sink)


def _drain(sink: io.BytesIO) -> bytes:
    data = sink.getvalue()
    sink.seek(0)
    sink.truncate()
    return data
