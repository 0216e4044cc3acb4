"""Verifying a requester's identity: send a one-time code, confirm it, or record that an
agent saw an identity document.

Each function takes what it needs (the request, the address the subscriber's records
hold, the outbox, the code key, the instant) and returns the new values for the caller to
keep: nothing here reads a database, settings or the clock. The answers given to the
requester never tell whether a subscriber exists.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from placet.dsr import RequestState, SubjectRequest, verified
from placet.dsr.outbox import Outbox, code_message
from placet.dsr.verification import (
    CodeChallenge,
    CodeChannel,
    CodeOutcome,
    check_code,
    issue_code,
)
from placet.errors import RequestError

__all__ = [
    "CODE_SENT_ANSWER",
    "CodeAsked",
    "CodeConfirmed",
    "confirm_code",
    "request_code",
    "verified_in_person",
]

log = logging.getLogger(__name__)

CODE_SENT_ANSWER = (
    "If the details match our records, a code has been sent. Enter it to confirm your request."
)
"""What the requester is told on asking for a code, whether or not one was sent."""

_ANSWERS = {
    CodeOutcome.VERIFIED: "Your identity is confirmed; we are handling your request.",
    CodeOutcome.WRONG_OR_EXPIRED: (
        "The code is wrong or has expired. Check it, or ask for a new code."
    ),
}


@dataclass(frozen=True, slots=True)
class CodeAsked:
    """The answer to a request for a code: `answer` for the requester, always the same;
    `challenge` for the caller to keep (None when no subscriber's address was known)."""

    answer: str
    challenge: CodeChallenge | None


@dataclass(frozen=True, slots=True)
class CodeConfirmed:
    """The result of a code offered: what the requester is told, the challenge to keep
    (None when none was sent) and the request, with a `verified` step when it was right."""

    outcome: CodeOutcome
    challenge: CodeChallenge | None
    request: SubjectRequest

    @property
    def answer(self) -> str:
        return _ANSWERS[self.outcome]


def request_code(
    request: SubjectRequest,
    channel: CodeChannel,
    address: str | None,
    *,
    outbox: Outbox,
    key: bytes,
    at: datetime,
    ttl: timedelta = timedelta(minutes=10),
    language: str = "en",
    random: Callable[[], int] | None = None,
) -> CodeAsked:
    """Send a one-time code for `request` to `address`, the subscriber's e-mail address or
    number on record for `channel`; `address` is None when the details given match no
    subscriber, and then nothing is sent. The answer reads the same either way.

    A request that can no longer be verified (already verified, in progress, final) is
    refused with `RequestError` whatever the address, so the refusal tells nothing either.
    A delivery failure is raised: the operator must fix the outbox."""
    _check_verifiable(request)
    if address is None:
        log.info("code asked; no subscriber matched", extra={"request": request.request_id})
        return CodeAsked(CODE_SENT_ANSWER, None)
    challenge, code = issue_code(
        request.request_id, channel, address, key=key, at=at, ttl=ttl, random=random
    )
    outbox.send(code_message(channel, address, code, request.request_id, language, valid_for=ttl))
    log.info(
        "one-time code sent",
        extra={
            "request": request.request_id,
            "challenge": challenge.challenge_id,
            "channel": str(channel),
        },
    )
    return CodeAsked(CODE_SENT_ANSWER, challenge)


def confirm_code(
    request: SubjectRequest,
    challenge: CodeChallenge | None,
    offered: str,
    *,
    key: bytes,
    at: datetime,
    actor: str = "one-time-code",
) -> CodeConfirmed:
    """Try the code `offered` against the challenge kept for `request` (None when none was
    sent, so that a made-up subscriber gets the same answer as a wrong code). A right code
    records the lifecycle's `verified` step, by `actor`, with where the code went as the
    reason."""
    _check_verifiable(request)
    if challenge is None:
        return CodeConfirmed(CodeOutcome.WRONG_OR_EXPIRED, None, request)
    if challenge.request_id != request.request_id:
        raise RequestError(
            f"Challenge {challenge.challenge_id} was issued for request "
            f"{challenge.request_id}, not {request.request_id}. Check the code against the "
            "challenge kept with its own request."
        )
    challenge, outcome = check_code(challenge, offered, key=key, at=at)
    log.info(
        "one-time code tried",
        extra={
            "request": request.request_id,
            "challenge": challenge.challenge_id,
            "state": str(challenge.state),
        },
    )
    if outcome is CodeOutcome.VERIFIED:
        request = verified(request, actor=actor, at=at, reason=challenge.how_verified)
    return CodeConfirmed(outcome, challenge, request)


def verified_in_person(
    request: SubjectRequest, *, actor: str, document: str, at: datetime
) -> SubjectRequest:
    """Record that `actor`, a staff id, saw `document` (an ID card, a passport) of the
    requester: the `verified` step with reason "in person: ID card seen by agent-12"."""
    if not document.strip():
        raise RequestError(
            f"Request {request.request_id}: say which document was seen (an ID card, a "
            "passport), without its number; it was blank."
        )
    reason = f"in person: {document.strip()} seen by {actor.strip()}"
    return verified(request, actor=actor, at=at, reason=reason)


def _check_verifiable(request: SubjectRequest) -> None:
    if request.state not in {RequestState.RECEIVED, RequestState.VERIFYING}:
        raise RequestError(
            f"Request {request.request_id} is {request.state}: identity is verified only "
            "while it is received or verifying, so no code is sent or checked for it."
        )
