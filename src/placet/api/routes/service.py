"""GET /v1/ledger/verify, POST /v1/ledger/checkpoints, /v1/health and /v1/problems/{code}: the
service about itself."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from placet.api.context import Services, services
from placet.api.problems import PROBLEM_TYPES, problem_type_uri
from placet.api.schemas import ChainProblemOut, ChainVerifyOut, HeadOut, VerifyOut
from placet.api.security import require
from placet.ledger import ChainReport
from placet.operations import Scope
from placet.operations.checkpoints import issue_checkpoint

__all__ = ["router"]

router = APIRouter()

Wired = Annotated[Services, Depends(services)]


class HealthOut(BaseModel):
    status: str
    policy: str
    versions: list[str]


class ProblemTypeOut(BaseModel):
    type: str
    code: str
    status: int
    title: str


@router.get(
    "/ledger/verify",
    tags=["ledger"],
    dependencies=[Depends(require(Scope.ADMIN))],
    summary="Verify the ledger's hash chain",
)
def verify_ledger(wired: Wired) -> VerifyOut:
    """Recompute every hash and link of the events' chain and of the decision records'; the
    first altered, removed, inserted or reordered entry is named. Answers 200 either way:
    read `intact`."""
    events = _chain_out(wired.ledger.verify())
    records = _chain_out(wired.ledger.verify_decisions())
    return VerifyOut(
        intact=events.intact and records.intact,
        verified=events.verified,
        head=events.head,
        problem=events.problem,
        decisions=records,
    )


class CheckpointOut(BaseModel):
    token: str
    """The compact JWS to keep: `placet ledger verify --checkpoint FILE --keys JWKS`."""
    issuer: str
    events: HeadOut
    decisions: HeadOut
    signed_at: datetime


@router.post(
    "/ledger/checkpoints",
    tags=["ledger"],
    dependencies=[Depends(require(Scope.ADMIN))],
    summary="Sign the ledger's chain heads",
    status_code=201,
)
def sign_ledger_checkpoint(wired: Wired) -> CheckpointOut:
    """The events' and decision records' chain heads, signed with the operator's receipt key
    (its published JWKS verifies them). An auditor keeps the token outside the database;
    a ledger rewritten before it, hashes and head rows included, no longer matches it."""
    issued = issue_checkpoint(
        wired.ledger,
        wired.receipts(),
        issuer=wired.policies.latest.controller.legal_name,
        at=wired.clock(),
    )
    signed = issued.checkpoint
    return CheckpointOut(
        token=issued.token,
        issuer=signed.issuer,
        events=HeadOut(seq=signed.events.seq, hash=signed.events.hash),
        decisions=HeadOut(seq=signed.decisions.seq, hash=signed.decisions.hash),
        signed_at=signed.signed_at,
    )


def _chain_out(report: ChainReport) -> ChainVerifyOut:
    problem = report.problem
    return ChainVerifyOut(
        intact=problem is None,
        verified=report.verified,
        head=HeadOut(seq=report.head.seq, hash=report.head.hash),
        problem=None
        if problem is None
        else ChainProblemOut(
            position=problem.position,
            kind=problem.kind.value,
            event_id=problem.event_id,
            detail=problem.detail,
        ),
    )


@router.get("/health", tags=["service"], summary="Whether the service is up")
def health(wired: Wired) -> HealthOut:
    """No API key needed; says which policy decides."""
    return HealthOut(
        status="ok",
        policy=wired.policies.policy_id,
        versions=[policy.version for policy in wired.policies.versions],
    )


@router.get("/problems/{code}", tags=["service"], summary="What a problem type means")
def problem_type(code: str) -> ProblemTypeOut:
    """The problem type a problem's `type` names (docs/api.md lists them all)."""
    problem = PROBLEM_TYPES.get(code)
    if problem is None:
        raise HTTPException(404, f"There is no problem type '{code}'; docs/api.md lists them.")
    return ProblemTypeOut(
        type=problem_type_uri(code), code=code, status=problem.status, title=problem.title
    )
