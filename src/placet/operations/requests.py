"""Subjects' requests as the CLI and the API handle them: open one, take a step on it,
list what is due. Each step is read from the book, taken by the pure lifecycle of
`placet.dsr`, and appended; nothing here reads the clock (every function takes `at`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from placet.dsr import (
    DeadlineTerms,
    RequestKind,
    Step,
    SubjectRequest,
    ask_clarification,
    clarified,
    due_within,
    extend,
    fulfil,
    open_request,
    overdue,
    reject,
    start_verification,
    start_work,
    verified,
)
from placet.errors import RequestError, RequestNotFoundError
from placet.ledger import PseudonymKey, pseudonymise_subject
from placet.policy import PolicySet
from placet.policy.terms import Channel

__all__ = [
    "RequestBook",
    "StaffBook",
    "advance_request",
    "ask_request_clarification",
    "due_requests",
    "extend_request",
    "fulfil_request",
    "load_request",
    "next_request_id",
    "open_subject_request",
    "record_clarification",
    "reject_request",
    "start_request_verification",
    "start_request_work",
    "terms_of",
    "verify_request",
]

log = logging.getLogger(__name__)


class RequestBook(Protocol):
    """Where requests are kept: written once, then only their steps appended."""

    def add(self, request: SubjectRequest, *, subscriber: str) -> None: ...
    def append(self, request: SubjectRequest, step: Step) -> None: ...
    def get(self, request_id: str) -> SubjectRequest | None: ...
    def all(self, *, open_only: bool = False) -> list[SubjectRequest]: ...
    def request_ids(self, prefix: str) -> list[str]: ...


class StaffBook(RequestBook, Protocol):
    """A request book that gives staff the subscriber a request was opened for."""

    def subscriber(self, request_id: str) -> str | None: ...


def terms_of(policies: PolicySet) -> Callable[[str, str], DeadlineTerms]:
    """The deadline terms of a version of `policies`, by the id and version recorded with
    a request: what a request book needs to read requests back."""

    def resolve(policy_id: str, version: str) -> DeadlineTerms:
        if policy_id != policies.policy_id:
            raise RequestError(
                f"A request was recorded under policy {policy_id}, but Placet is set up with "
                f"policy {policies.policy_id} ({policies.label}). Set PLACET_POLICY to the "
                f"policy {policy_id} to read it."
            )
        return DeadlineTerms.from_policy(policies.version(version))

    return resolve


def next_request_id(book: RequestBook, year: int) -> str:
    """The next free id of the year: `DSR-2026-000124` after `DSR-2026-000123`."""
    prefix = f"DSR-{year}-"
    numbers = [
        int(tail)
        for request_id in book.request_ids(prefix)
        if (tail := request_id.removeprefix(prefix)).isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:06d}"


def open_subject_request(
    book: RequestBook,
    policies: PolicySet,
    key: PseudonymKey,
    subscriber: str,
    kind: RequestKind,
    *,
    channel: Channel,
    received_at: datetime,
    actor: str,
    at: datetime,
    request_id: str | None = None,
) -> SubjectRequest:
    """Record a request received at `received_at`, under the policy version in force then.

    The request names the subject by the keyed pseudonym of `subscriber` (as the ledger
    does); the book also keeps `subscriber` as given, for staff to answer it. Without a
    `request_id` the next of the year of receipt is made."""
    if not subscriber.strip():
        raise RequestError("A request needs the subscriber it is for; it was blank.")
    chosen = request_id or next_request_id(book, received_at.year)
    request = open_request(
        chosen,
        kind,
        pseudonymise_subject(subscriber, key),
        channel=channel,
        received_at=received_at,
        policy=policies.in_force(received_at),
        actor=actor,
        at=at,
    )
    book.add(request, subscriber=subscriber)
    log.info(
        "request opened",
        extra={"request": request.request_id, "subject": request.subject, "kind": kind.value},
    )
    return request


def load_request(book: RequestBook, request_id: str) -> SubjectRequest:
    """The request with this id; an unknown id is a `RequestNotFoundError`."""
    request = book.get(request_id)
    if request is None:
        raise RequestNotFoundError(request_id)
    return request


def advance_request(
    book: RequestBook, request_id: str, move: Callable[[SubjectRequest], SubjectRequest]
) -> SubjectRequest:
    """Take one step on the stored request (`move`, a lifecycle function with its
    arguments bound) and append it; the request as it now stands."""
    request = load_request(book, request_id)
    moved = move(request)
    step = moved.steps[-1]
    book.append(request, step)
    log.info(
        "request step recorded",
        extra={"request": request_id, "step": step.kind.value, "state": moved.state.value},
    )
    return moved


def start_request_verification(
    book: RequestBook,
    request_id: str,
    *,
    actor: str,
    at: datetime,
    reason: str | None = None,
    notified_at: datetime | None = None,
) -> SubjectRequest:
    """Ask the requester to prove who they are; the clock stops."""
    return advance_request(
        book,
        request_id,
        lambda request: start_verification(
            request, actor=actor, at=at, reason=reason, notified_at=notified_at
        ),
    )


def verify_request(
    book: RequestBook, request_id: str, *, actor: str, at: datetime, how: str | None = None
) -> SubjectRequest:
    """Record that the requester's identity was verified, and how."""
    return advance_request(
        book, request_id, lambda request: verified(request, actor=actor, at=at, reason=how)
    )


def start_request_work(
    book: RequestBook, request_id: str, *, actor: str, at: datetime, reason: str | None = None
) -> SubjectRequest:
    """Begin answering a verified request."""
    return advance_request(
        book, request_id, lambda request: start_work(request, actor=actor, at=at, reason=reason)
    )


def ask_request_clarification(
    book: RequestBook,
    request_id: str,
    *,
    actor: str,
    at: datetime,
    question: str,
    notified_at: datetime | None = None,
) -> SubjectRequest:
    """Ask the requester what they ask for; the clock stops."""
    return advance_request(
        book,
        request_id,
        lambda request: ask_clarification(
            request, actor=actor, at=at, reason=question, notified_at=notified_at
        ),
    )


def record_clarification(
    book: RequestBook, request_id: str, *, actor: str, at: datetime, reason: str | None = None
) -> SubjectRequest:
    """Record the requester's answer; the clock runs again."""
    return advance_request(
        book, request_id, lambda request: clarified(request, actor=actor, at=at, reason=reason)
    )


def extend_request(
    book: RequestBook,
    request_id: str,
    *,
    actor: str,
    at: datetime,
    reason: str,
    notified_at: datetime,
) -> SubjectRequest:
    """Extend the deadline as the policy allows (Art. 12(3)), the subject told why."""
    return advance_request(
        book,
        request_id,
        lambda request: extend(request, actor=actor, at=at, reason=reason, notified_at=notified_at),
    )


def fulfil_request(
    book: RequestBook,
    request_id: str,
    *,
    actor: str,
    at: datetime,
    reason: str | None = None,
    notified_at: datetime | None = None,
) -> SubjectRequest:
    """Record that the request was answered."""
    return advance_request(
        book,
        request_id,
        lambda request: fulfil(request, actor=actor, at=at, reason=reason, notified_at=notified_at),
    )


def reject_request(
    book: RequestBook,
    request_id: str,
    *,
    actor: str,
    at: datetime,
    reason: str,
    notified_at: datetime | None = None,
) -> SubjectRequest:
    """Refuse the request, with the reason told to the subject (Art. 12(4))."""
    return advance_request(
        book,
        request_id,
        lambda request: reject(request, actor=actor, at=at, reason=reason, notified_at=notified_at),
    )


def due_requests(book: RequestBook, at: datetime, within: timedelta) -> list[SubjectRequest]:
    """What needs answering: the overdue requests (longest overdue first), then those due
    in the next `within` (soonest first), "what is due this week"."""
    requests = book.all(open_only=True)
    return overdue(requests, at) + due_within(requests, at, at + within)
