"""GET /v1/decision-records: the decisions that matter, as recorded (audience runs, …)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

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
