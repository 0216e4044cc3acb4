"""GET /v1/decision-records: the decisions that matter, as recorded (audience runs, …); POST
/v1/decision-records/{id}/replay: a disclosure or an erasure decided again."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from placet.api.context import Services, services
from placet.api.schemas import DecisionRecordOut, decision_record_out
from placet.api.security import require
from placet.errors import DecisionNotFoundError
from placet.ledger import DecisionKind
from placet.operations import Scope

__all__ = ["router"]

router = APIRouter(tags=["ledger"], dependencies=[Depends(require(Scope.ADMIN))])

Wired = Annotated[Services, Depends(services)]


@router.get("/decision-records", summary="List the decisions recorded")
def list_records(
    wired: Wired,
    kind: Annotated[DecisionKind | None, Query(description="Only records of this kind.")] = None,
) -> list[DecisionRecordOut]:
    """Audience runs, disclosures, erasures and retention runs, oldest first, each with the
    policy version and ledger position it was computed from."""
    return [decision_record_out(entry) for entry in wired.ledger.decisions(kind)]


@router.get("/decision-records/{record_id}", summary="One decision record")
def get_record(record_id: UUID, wired: Wired) -> DecisionRecordOut:
    """The record, with its position and hash in the decision records' chain."""
    entry = wired.ledger.decision(record_id)
    if entry is None:
        raise DecisionNotFoundError(str(record_id))
    return decision_record_out(entry)


class ReplayOut(BaseModel):
    record_id: UUID
    kind: DecisionKind
    reproduced: bool
    """Whether it came out as recorded."""
    differences: list[str]
    """Each difference found, in words; empty when reproduced."""


@router.post("/decision-records/{record_id}/replay", summary="Decide a recorded decision again")
def replay_record(record_id: UUID, wired: Wired) -> ReplayOut:
    """A disclosure is checked again from the register, under the policy version in force on
    its day and the agreements its record holds; an erasure's guard is asked again about
    each dataset, with the legal holds and requests the registers say were in force at its
    instant. Answers 200 either way: read `reproduced`. An audience run is replayed from the
    subscribers it was given (`placet decisions replay ID --subscribers FILE`), a retention
    run not at all: `decision-not-replayable`."""
    replayed = wired.replay(record_id)
    return ReplayOut(
        record_id=record_id,
        kind=replayed.record.kind,
        reproduced=replayed.reproduced,
        differences=list(replayed.differences),
    )
