"""POST /v1/decisions and /v1/decisions:batch: may this purpose use these data, now or then?"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from placet.api.context import Services, services
from placet.api.schemas import BatchBody, BatchOut, DecisionBody, DecisionOut, decision_out
from placet.api.security import require
from placet.operations import DecisionRequest, Scope, decide_for_subject, decide_many

__all__ = ["router"]

router = APIRouter(tags=["decisions"], dependencies=[Depends(require(Scope.DECIDE))])


@router.post("/decisions", summary="Decide one use of one subject's data")
def decide_one(body: DecisionBody, wired: Annotated[Services, Depends(services)]) -> DecisionOut:
    """Permit or deny, the reason, the clauses that decided it (in `language`), the
    obligations and until when it holds. With `at`, a replay as of that instant."""
    answer = decide_for_subject(
        wired.ledger,
        wired.policies,
        wired.key(),
        body.subject,
        body.use(),
        now=wired.clock(),
        at=body.at,
        known_at=body.known_at,
        language=body.language,
    )
    return decision_out(answer)


@router.post("/decisions:batch", summary="Decide many uses at once")
def decide_batch(body: BatchBody, wired: Annotated[Services, Depends(services)]) -> BatchOut:
    """The answers in the order of the questions; questions about the same instant share
    one read of the ledger."""
    requests = [
        DecisionRequest(subject=item.subject, use=item.use(), at=item.at, known_at=item.known_at)
        for item in body.decisions
    ]
    answers = decide_many(
        wired.ledger,
        wired.policies,
        wired.key(),
        requests,
        now=wired.clock(),
        language=body.language,
    )
    return BatchOut(decisions=[decision_out(answer) for answer in answers])
