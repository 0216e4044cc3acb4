"""/v1/requests: open a subject's request, list what is due, read one, take its steps, and
verify the requester's identity by a one-time code.

Each step goes through the application services of `placet.operations.requests`, which
take it by the lifecycle of `placet.dsr`; a step the lifecycle refuses is a 409 problem.
The key's name is recorded as who took each step. Lists name the subject by pseudonym;
only a single request, read with `requests:read`, shows the subscriber it is for. The
answers about codes are the same whether or not the subscriber has an address on record
(or exists at all).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from placet.api.context import Services, services
from placet.api.schemas import (
    RequestBody,
    RequestDetailOut,
    RequestOut,
    RequestStepBody,
    RequestSummaryOut,
    request_detail_out,
    request_out,
    request_summary_out,
)
from placet.api.security import require
from placet.dsr import CodeChannel, CodeOutcome, SubjectRequest
from placet.errors import RequestError
from placet.operations import ApiKey, Scope
from placet.operations.requests import (
    RequestBook,
    ask_request_clarification,
    due_requests,
    extend_request,
    fulfil_request,
    load_request,
    open_subject_request,
    record_clarification,
    reject_request,
    start_request_verification,
    start_request_work,
    verify_request,
)
from placet.operations.verification import (
    CODE_SENT_ANSWER,
    confirm_request_code,
    given_address,
    send_request_code,
)

__all__ = ["router"]

router = APIRouter(tags=["requests"])

Wired = Annotated[Services, Depends(services)]
Reader = Annotated[ApiKey, Depends(require(Scope.REQUESTS_READ))]
Writer = Annotated[ApiKey, Depends(require(Scope.REQUESTS_WRITE))]
RequestIdPath = Annotated[
    str, Path(min_length=1, max_length=128, description="The request's id (`DSR-2025-000001`).")
]
Move = Callable[[RequestBook, str, RequestStepBody, str, datetime], SubjectRequest]

_STEPS: dict[str, Move] = {
    "ask-identity": lambda book, request_id, body, actor, at: start_request_verification(
        book, request_id, actor=actor, at=at, reason=body.reason, notified_at=body.notified_at
    ),
    "verify": lambda book, request_id, body, actor, at: verify_request(
        book, request_id, actor=actor, at=at, how=body.reason
    ),
    "start": lambda book, request_id, body, actor, at: start_request_work(
        book, request_id, actor=actor, at=at, reason=body.reason
    ),
    "clarify": lambda book, request_id, body, actor, at: ask_request_clarification(
        book,
        request_id,
        actor=actor,
        at=at,
        question=body.reason or "",
        notified_at=body.notified_at,
    ),
    "clarified": lambda book, request_id, body, actor, at: record_clarification(
        book, request_id, actor=actor, at=at, reason=body.reason
    ),
    "extend": lambda book, request_id, body, actor, at: extend_request(
        book,
        request_id,
        actor=actor,
        at=at,
        reason=body.reason or "",
        notified_at=body.notified_at or at,
    ),
    "fulfil": lambda book, request_id, body, actor, at: fulfil_request(
        book, request_id, actor=actor, at=at, reason=body.reason, notified_at=body.notified_at
    ),
    "reject": lambda book, request_id, body, actor, at: reject_request(
        book, request_id, actor=actor, at=at, reason=body.reason or "", notified_at=body.notified_at
    ),
}
"""Each step of the body, as the operation that takes it. `RequestStepBody` has already
refused a `clarify`, `extend` or `reject` without its reason (and `extend` without
`notified_at`), so the fallbacks here are never used."""


@router.post("/requests", status_code=201, summary="Open a subject's request")
def open_request(body: RequestBody, wired: Wired, caller: Writer) -> RequestOut:
    """Record a request received from a subject, under the policy version in force when it
    was received; its deadline counts from that day. The subject is kept by pseudonym."""
    now = wired.clock()
    request = open_subject_request(
        wired.requests,
        wired.policies,
        wired.key(),
        body.subject,
        body.kind,
        channel=body.channel,
        received_at=body.received_at or now,
        actor=caller.name,
        at=now,
        request_id=body.request_id,
    )
    return request_out(request, now)


@router.get("/requests", summary="List subjects' requests")
def list_requests(
    wired: Wired,
    _caller: Reader,
    open_only: Annotated[bool, Query(description="Only requests not yet answered.")] = False,
    due_within_days: Annotated[
        int | None,
        Query(
            ge=1,
            le=366,
            description="Only what needs answering: overdue, or due within "
            "this many days (7: this week), most urgent first.",
        ),
    ] = None,
) -> list[RequestSummaryOut]:
    """Each request with its state, due date as it stands now, time left, and whether it is
    overdue, paused or extended. Subjects are named by pseudonym only."""
    now = wired.clock()
    if due_within_days is not None:
        requests = due_requests(wired.requests, now, timedelta(days=due_within_days))
    else:
        requests = wired.requests.all(open_only=open_only)
    return [request_summary_out(request, now) for request in requests]


@router.get("/requests/{request_id}", summary="One subject's request, with every step")
def get_request(request_id: RequestIdPath, wired: Wired, _caller: Reader) -> RequestDetailOut:
    """The request, its terms, its pauses, every step with who took it, when and why, and
    the subscriber it was opened for (personal data: staff only)."""
    request = _existing(wired.requests, request_id)
    return request_detail_out(request, wired.clock(), wired.requests.subscriber(request_id))


@router.post("/requests/{request_id}/steps", summary="Take a step on a subject's request")
def take_step(
    request_id: RequestIdPath, body: RequestStepBody, wired: Wired, caller: Writer
) -> RequestOut:
    """Move the request as the lifecycle allows; a step it does not allow from the
    request's state (or an extension the policy does not allow) is a 409 problem."""
    _existing(wired.requests, request_id)
    now = wired.clock()
    at = body.at or now
    moved = _STEPS[body.step](wired.requests, request_id, body, caller.name, at)
    wired.announce(moved)
    return request_out(moved, max(now, at))


CODE_TTL = timedelta(minutes=10)
"""How long a code sent over the API stays valid."""


class CodeSendBody(BaseModel):
    """Send a one-time code for a request, to the subscriber's address on record."""

    model_config = ConfigDict(extra="forbid")

    channel: CodeChannel = Field(description="`email` or `sms`.")
    to: Annotated[str, StringConstraints(min_length=3, max_length=320)] | None = Field(
        None,
        description="The address to send to, as staff read it in the subscriber's records "
        "(an e-mail address, or a number in E.164 form); leave it out to use the records "
        "lookup the server is set up with.",
    )


class CodeSentOut(BaseModel):
    """The same answer whether a code was sent or no address was known."""

    channel: CodeChannel
    answer: str = Field(description="What to tell the requester.")
    expires_in_seconds: int = Field(description="How long a code sent stays valid.")


class CodeConfirmBody(BaseModel):
    """A code the requester offers."""

    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, StringConstraints(min_length=1, max_length=32)] = Field(
        description="The code as the requester gave it (spaces are ignored)."
    )


class CodeConfirmedOut(BaseModel):
    """`verified`, or `wrong-or-expired` for a wrong, expired, used or spent code, or when
    none was sent: these read the same, so the answer never tells whether a subscriber
    exists."""

    outcome: CodeOutcome
    answer: str = Field(description="What to tell the requester.")


@router.post(
    "/requests/{request_id}/code",
    status_code=202,
    summary="Send a one-time code to verify the requester",
)
def send_code(
    request_id: RequestIdPath, body: CodeSendBody, wired: Wired, _caller: Writer
) -> CodeSentOut:
    """Send a code for the request by e-mail or SMS to the subscriber's address, and keep
    its challenge (only the code's keyed digest) as the one a code is checked against.
    The answer is the same whether or not an address was known; a request that is no
    longer `received` or `verifying` is a 409 problem."""
    _existing(wired.requests, request_id)
    outbox = wired.outboxes.for_channel(body.channel)
    key = wired.codes_key()
    if body.to is not None:
        address_of = given_address(body.channel, body.to)
    elif wired.address_of is not None:
        address_of = wired.address_of
    else:
        raise RequestError(
            f"Request {request_id}: this server has no lookup of subscribers' addresses "
            "yet, so say where to send the code: give `to`, the address from the "
            "subscriber's records."
        )
    send_request_code(
        wired.requests,
        request_id,
        body.channel,
        address_of=address_of,
        outbox=outbox,
        key=key,
        at=wired.clock(),
        ttl=CODE_TTL,
    )
    return CodeSentOut(
        channel=body.channel,
        answer=CODE_SENT_ANSWER,
        expires_in_seconds=int(CODE_TTL.total_seconds()),
    )


@router.post(
    "/requests/{request_id}/code:confirm",
    summary="Confirm the one-time code a requester offers",
)
def confirm_code(
    request_id: RequestIdPath, body: CodeConfirmBody, wired: Wired, caller: Writer
) -> CodeConfirmedOut:
    """Check the code against the last one sent for the request: a right code in time
    records the `verified` step (by the key's name, with where the code went as the
    reason). Every attempt counts; after the last try the code is spent, and the answer
    says to ask for a new one."""
    _existing(wired.requests, request_id)
    confirmed = confirm_request_code(
        wired.requests,
        request_id,
        body.code,
        key=wired.codes_key(),
        at=wired.clock(),
        actor=caller.name,
    )
    return CodeConfirmedOut(outcome=confirmed.outcome, answer=confirmed.answer)


def _existing(book: RequestBook, request_id: str) -> SubjectRequest:
    """The stored request; an unknown id is a 404 `request-not-found` problem."""
    return load_request(book, request_id)
