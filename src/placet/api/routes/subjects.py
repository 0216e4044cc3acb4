"""GET /v1/subjects/{subject}/state and /history: what the ledger knows of one subject."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import AwareDatetime

from placet.api.context import Services, services
from placet.api.schemas import HistoryOut, StateOut, event_out, state_out
from placet.api.security import require
from placet.operations import Scope, subject_history, subject_ref, subject_state

__all__ = ["router"]

router = APIRouter(tags=["subjects"], dependencies=[Depends(require(Scope.SUBJECTS_READ))])

Subject = Annotated[
    str, Path(min_length=1, max_length=200, description="The subscriber's identifier.")
]
Wired = Annotated[Services, Depends(services)]


@router.get("/subjects/{subject}/state", summary="A subject's state, now or as of an instant")
def get_state(
    subject: Subject,
    wired: Wired,
    at: Annotated[
        AwareDatetime | None, Query(description="As of this instant; default: now.")
    ] = None,
    known_at: Annotated[
        AwareDatetime | None,
        Query(description="Only the events recorded by this instant (what was known then)."),
    ] = None,
) -> StateOut:
    """Live consents, withdrawals, objections, restriction, contracts, debts, opt-out."""
    instant: datetime = at or wired.clock()
    state = subject_state(wired.ledger, wired.key(), subject, at=instant, known_at=known_at)
    return state_out(state, known_at)


@router.get("/subjects/{subject}/history", summary="Every event about a subject")
def get_history(subject: Subject, wired: Wired) -> HistoryOut:
    """In the order recorded, with positions and hashes; personal payloads are not shown."""
    key = wired.key()
    entries = subject_history(wired.ledger, key, subject)
    return HistoryOut(
        subject=subject_ref(subject, key), events=[event_out(entry) for entry in entries]
    )
