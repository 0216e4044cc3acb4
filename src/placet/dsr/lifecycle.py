"""How a data-subject request moves: one pure function per step, each returning a new
request with that step appended, or raising `RequestError` naming the state and what it
allows.

Imports nothing outside the standard library, `placet.policy` and `placet.errors`. The
functions read no clock: the caller passes the instant of each step (`at`), never before
the last one, so that the recorded steps are the request's history, append-only.

- received -> verifying -> verified -> in-progress -> fulfilled; received -> verified
  when the requester's identity is evident at receipt;
- received, verified or in-progress -> awaiting-clarification -> back to where it was;
- any open state -> rejected, with a reason; any open state -> extended, staying put.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from placet.dsr.model import (
    OPEN_STATES,
    DeadlineTerms,
    RequestId,
    RequestKind,
    RequestState,
    Step,
    StepKind,
    SubjectRequest,
    as_utc,
)
from placet.errors import RequestError
from placet.policy.calendar import local_date
from placet.policy.model import Policy
from placet.policy.terms import Channel

__all__ = [
    "allowed_steps",
    "ask_clarification",
    "clarified",
    "extend",
    "fulfil",
    "open_request",
    "reject",
    "replay",
    "start_verification",
    "start_work",
    "verified",
]

_S = RequestState
_MOVES: dict[StepKind, tuple[frozenset[RequestState], RequestState | None]] = {
    StepKind.VERIFICATION_STARTED: (frozenset({_S.RECEIVED}), _S.VERIFYING),
    # Identity may be evident at receipt (a subject logged in to the portal, an identity
    # card shown in a shop): then it is verified without a pause.
    StepKind.VERIFIED: (frozenset({_S.RECEIVED, _S.VERIFYING}), _S.VERIFIED),
    StepKind.CLARIFICATION_ASKED: (
        frozenset({_S.RECEIVED, _S.VERIFIED, _S.IN_PROGRESS}),
        _S.AWAITING_CLARIFICATION,
    ),
    StepKind.CLARIFIED: (frozenset({_S.AWAITING_CLARIFICATION}), None),
    StepKind.WORK_STARTED: (frozenset({_S.VERIFIED}), _S.IN_PROGRESS),
    StepKind.EXTENDED: (OPEN_STATES, None),
    StepKind.FULFILLED: (frozenset({_S.IN_PROGRESS}), _S.FULFILLED),
    # Art. 12(4): a request may be refused at any stage, with the reasons told.
    StepKind.REJECTED: (OPEN_STATES, _S.REJECTED),
}
"""For each step: the states it may follow, and the state it leaves (None: `extended`
stays where it was, `clarified` returns to the state clarification was asked from)."""

_ORDER = list(RequestState)


def allowed_steps(state: RequestState) -> tuple[StepKind, ...]:
    """The steps that may follow `state`, in lifecycle order; none after a final state."""
    return tuple(kind for kind, (sources, _) in _MOVES.items() if state in sources)


def open_request(
    request_id: str,
    kind: RequestKind,
    subject: str,
    *,
    channel: Channel,
    received_at: datetime,
    policy: Policy,
    actor: str,
    at: datetime | None = None,
) -> SubjectRequest:
    """Record a request received at `received_at` under `policy`, the version in force
    then (`PolicySet.in_force(received_at)`). `at`, when the request was recorded, may
    be later than its receipt (a letter entered the next morning); the deadline counts
    from receipt all the same."""
    received_at = as_utc(received_at, "received_at")
    recorded_at = received_at if at is None else as_utc(at, "at")
    for value, what in ((request_id, "a request id"), (subject, "a subject reference")):
        if not value.strip():
            raise RequestError(f"A request needs {what}; it was blank. Give one and try again.")
    if recorded_at < received_at:
        raise RequestError(
            f"Request {request_id} is recorded at {recorded_at.isoformat()}, before its "
            f"receipt at {received_at.isoformat()}. Give the instant it was received."
        )
    day = local_date(received_at, policy.zone)
    if policy.effective_from > day or (
        policy.effective_until is not None and policy.effective_until < day
    ):
        raise RequestError(
            f"Policy {policy.policy_id} {policy.version} is not in force on {day} (it runs "
            f"from {policy.effective_from}). Answer request {request_id} under the version "
            "in force at its receipt: PolicySet.in_force(received_at)."
        )
    return _opened(
        request_id,
        kind,
        subject,
        channel=channel,
        received_at=received_at,
        terms=DeadlineTerms.from_policy(policy),
        actor=actor,
        at=recorded_at,
    )


def _opened(
    request_id: str,
    kind: RequestKind,
    subject: str,
    *,
    channel: Channel,
    received_at: datetime,
    terms: DeadlineTerms,
    actor: str,
    at: datetime,
) -> SubjectRequest:
    opened = Step(StepKind.OPENED, None, RequestState.RECEIVED, at, _actor(actor, request_id))
    return SubjectRequest(
        RequestId(request_id), kind, subject, received_at, channel, terms.for_kind(kind), (opened,)
    )


def start_verification(
    request: SubjectRequest,
    *,
    actor: str,
    at: datetime,
    reason: str | None = None,
    notified_at: datetime | None = None,
) -> SubjectRequest:
    """Ask the requester to prove who they are (Art. 12(6)); the clock stops until they
    have (`verified`) or the request is rejected."""
    return _append(
        request, StepKind.VERIFICATION_STARTED, actor, at, reason, notified_at=notified_at
    )


def verified(
    request: SubjectRequest, *, actor: str, at: datetime, reason: str | None = None
) -> SubjectRequest:
    """Record that the requester is the subject or acts for them; the clock runs again."""
    return _append(request, StepKind.VERIFIED, actor, at, reason)


def ask_clarification(
    request: SubjectRequest,
    *,
    actor: str,
    at: datetime,
    reason: str,
    notified_at: datetime | None = None,
) -> SubjectRequest:
    """Ask the requester what they ask for; the clock stops until they answer. `reason`
    says what is unclear: a pause with no stated question would only buy time."""
    return _append(
        request,
        StepKind.CLARIFICATION_ASKED,
        actor,
        at,
        reason,
        notified_at=notified_at,
        needs="a question",
    )


def clarified(
    request: SubjectRequest, *, actor: str, at: datetime, reason: str | None = None
) -> SubjectRequest:
    """Record the requester's answer; the request returns to the state it was in when the
    question was asked, and the clock runs again."""
    return _append(request, StepKind.CLARIFIED, actor, at, reason)


def start_work(
    request: SubjectRequest, *, actor: str, at: datetime, reason: str | None = None
) -> SubjectRequest:
    """Begin answering a verified request."""
    return _append(request, StepKind.WORK_STARTED, actor, at, reason)


def extend(
    request: SubjectRequest, *, actor: str, at: datetime, reason: str, notified_at: datetime
) -> SubjectRequest:
    """Extend the deadline to the policy's `extension_total`, counted from receipt.

    GDPR Art. 12(3): once, for complex or numerous requests, with the reasons told to the
    subject within the first deadline. `notified_at` is when they were told; it must lie
    within the first deadline (pauses included), while `at`, when the extension is
    recorded, may be later. A policy without `extension_total` allows none."""
    _check_may_follow(request, StepKind.EXTENDED)
    terms = request.terms
    extended_due = terms.extended_due(request.received_at)
    if extended_due is None and request.kind is RequestKind.BUSINESS_OPT_OUT:
        raise RequestError(
            f"Request {request.request_id} cannot be extended: policy {terms.policy_id} "
            f"{terms.policy_version} honours a business entity's opt-out of direct marketing "
            f"within {terms.deadline} (conditions.business_opt_out), with no extension. "
            f"Record the opt-out by {request.due_as_of(at):%d %B %Y %H:%M} UTC."
        )
    if extended_due is None:
        raise RequestError(
            f"Request {request.request_id} cannot be extended: policy {terms.policy_id} "
            f"{terms.policy_version} gives {terms.deadline} to answer (requests.deadline) and "
            "no extension (it sets no requests.extension_total). Answer it by "
            f"{request.due_as_of(at):%d %B %Y %H:%M} UTC, or reject it with a reason."
        )
    if request.is_extended:
        raise RequestError(
            f"Request {request.request_id} was already extended, to "
            f"{terms.extension_total} from receipt; it can be extended only once (Art. 12(3))."
        )
    if extended_due <= terms.first_due(request.received_at):
        raise RequestError(
            f"Policy {terms.policy_id} {terms.policy_version}: requests.extension_total "
            f"({terms.extension_total}) is not longer than requests.deadline "
            f"({terms.deadline}), so an extension would move no due date. Fix the policy."
        )
    _required(reason, request, "the reason for the delay, as told to the subject")
    told = as_utc(notified_at, "notified_at")
    first_due = request.first_due_as_of(told)
    if told > first_due:
        raise RequestError(
            f"Request {request.request_id} cannot be extended: the subject was told on "
            f"{told:%d %B %Y %H:%M} UTC, after the first deadline of "
            f"{first_due:%d %B %Y %H:%M} UTC. The extension and its reason must be told "
            "within the first deadline (GDPR Art. 12(3)); answer the request now."
        )
    return _append(request, StepKind.EXTENDED, actor, at, reason, notified_at=told)


def fulfil(
    request: SubjectRequest,
    *,
    actor: str,
    at: datetime,
    reason: str | None = None,
    notified_at: datetime | None = None,
) -> SubjectRequest:
    """Record that the request was answered; final."""
    return _append(request, StepKind.FULFILLED, actor, at, reason, notified_at=notified_at)


def reject(
    request: SubjectRequest,
    *,
    actor: str,
    at: datetime,
    reason: str,
    notified_at: datetime | None = None,
) -> SubjectRequest:
    """Refuse the request; final. Art. 12(4): the subject is told why, and that they may
    complain to the supervisory authority, so the reason is required."""
    return _append(
        request,
        StepKind.REJECTED,
        actor,
        at,
        reason,
        notified_at=notified_at,
        needs="the reason for refusing, as told to the subject",
    )


def replay(
    request_id: str,
    kind: RequestKind,
    subject: str,
    *,
    channel: Channel,
    received_at: datetime,
    terms: DeadlineTerms,
    steps: Sequence[Step],
) -> SubjectRequest:
    """The request whose recorded steps are `steps`, each taken again, in order, by the
    function that records it: a history these functions could not have written (a step
    from the wrong state, an extension the policy does not allow, a step whose states or
    reason differ from what the function records) raises `RequestError` naming the step.

    This is how a stored request is read back: what the lifecycle allows is checked on
    the way in and again on the way out."""
    if not steps:
        raise RequestError(
            f"Request {request_id} has no recorded steps, not even the one that opened it. "
            "The record was changed outside Placet or is damaged; restore it from a backup."
        )
    first = steps[0]
    try:
        if first.kind is not StepKind.OPENED:
            raise RequestError("the first step must be 'opened'")
        request = _opened(
            request_id,
            kind,
            subject,
            channel=channel,
            received_at=received_at,
            terms=terms,
            actor=first.actor,
            at=first.at,
        )
    except RequestError as exc:
        raise _not_replayable(request_id, 1, first, str(exc)) from exc
    _check_recorded(request, 1, first)
    for number, step in enumerate(steps[1:], start=2):
        move = _REPLAYS.get(step.kind)
        try:
            if move is None:
                raise RequestError(f"'{step.kind}' can only be the first step")
            request = move(request, step)
        except RequestError as exc:
            raise _not_replayable(request_id, number, step, str(exc)) from exc
        _check_recorded(request, number, step)
    return request


def _check_recorded(request: SubjectRequest, number: int, step: Step) -> None:
    """The step the lifecycle records on taking `step` again must be `step` itself."""
    if request.steps[-1] != step:
        raise _not_replayable(
            request.request_id,
            number,
            step,
            f"the lifecycle records it as {_describe(request.steps[-1])}, not as {_describe(step)}",
        )


def _replay_extension(request: SubjectRequest, step: Step) -> SubjectRequest:
    if step.notified_at is None:
        raise RequestError("an extension needs the instant the subject was told; none is recorded")
    return extend(
        request,
        actor=step.actor,
        at=step.at,
        reason=step.reason or "",
        notified_at=step.notified_at,
    )


_REPLAYS: dict[StepKind, Callable[[SubjectRequest, Step], SubjectRequest]] = {
    StepKind.VERIFICATION_STARTED: lambda request, step: start_verification(
        request, actor=step.actor, at=step.at, reason=step.reason, notified_at=step.notified_at
    ),
    StepKind.VERIFIED: lambda request, step: verified(
        request, actor=step.actor, at=step.at, reason=step.reason
    ),
    StepKind.CLARIFICATION_ASKED: lambda request, step: ask_clarification(
        request,
        actor=step.actor,
        at=step.at,
        reason=step.reason or "",
        notified_at=step.notified_at,
    ),
    StepKind.CLARIFIED: lambda request, step: clarified(
        request, actor=step.actor, at=step.at, reason=step.reason
    ),
    StepKind.WORK_STARTED: lambda request, step: start_work(
        request, actor=step.actor, at=step.at, reason=step.reason
    ),
    StepKind.EXTENDED: _replay_extension,
    StepKind.FULFILLED: lambda request, step: fulfil(
        request, actor=step.actor, at=step.at, reason=step.reason, notified_at=step.notified_at
    ),
    StepKind.REJECTED: lambda request, step: reject(
        request,
        actor=step.actor,
        at=step.at,
        reason=step.reason or "",
        notified_at=step.notified_at,
    ),
}
"""How each recorded step is taken again: by the function that records it."""


def _describe(step: Step) -> str:
    told = "" if step.notified_at is None else f", told {step.notified_at.isoformat()}"
    return (
        f"{step.from_state or '-'} -> {step.to_state} by {step.actor!r} "
        f"(reason {step.reason!r}{told})"
    )


def _not_replayable(request_id: str, number: int, step: Step, why: str) -> RequestError:
    return RequestError(
        f"Request {request_id}: recorded step {number} ('{step.kind}' at "
        f"{step.at.isoformat()}) is not one the lifecycle allows: {why}. The record was "
        "changed outside Placet or is damaged; restore it from a backup before acting on it."
    )


def _check_may_follow(request: SubjectRequest, kind: StepKind) -> None:
    state = request.state
    if request.is_final:
        raise RequestError(
            f"Request {request.request_id} is {state}, which is final: no step can follow "
            f"it, '{kind}' included. If the subject asks again, open a new request."
        )
    sources, _ = _MOVES[kind]
    if state not in sources:
        allowed = ", ".join(str(step) for step in allowed_steps(state))
        needed = ", ".join(str(source) for source in sorted(sources, key=_ORDER.index))
        raise RequestError(
            f"Request {request.request_id} is {state}: '{kind}' may follow only {needed}. "
            f"From {state} the next step may be: {allowed}."
        )


def _append(
    request: SubjectRequest,
    kind: StepKind,
    actor: str,
    at: datetime,
    reason: str | None,
    *,
    notified_at: datetime | None = None,
    needs: str | None = None,
) -> SubjectRequest:
    """`request` with one more step, checked: the only way a step is added. `needs`
    names the reason this step cannot go without, if any."""
    _check_may_follow(request, kind)
    who = _actor(actor, request.request_id)
    if needs is not None:
        _required(reason, request, needs)
    at = as_utc(at, "at")
    if at < request.last_at:
        raise RequestError(
            f"Request {request.request_id}: '{kind}' at {at.isoformat()} is before the last "
            f"step, at {request.last_at.isoformat()}. Steps are recorded in order; give the "
            "instant the step was taken."
        )
    told = None if notified_at is None else as_utc(notified_at, "notified_at")
    if told is not None and not request.received_at <= told <= at:
        raise RequestError(
            f"Request {request.request_id}: the subject cannot have been told of '{kind}' at "
            f"{told.isoformat()}: that is before the request was received or after the step "
            f"is recorded ({at.isoformat()}). Record the step once the subject is told."
        )
    _, target = _MOVES[kind]
    if kind is StepKind.CLARIFIED:
        target = _state_before_question(request)
    step = Step(
        kind,
        request.state,
        target or request.state,
        at,
        who,
        reason.strip() if reason is not None and reason.strip() else None,
        told,
    )
    return replace(request, steps=(*request.steps, step))


def _state_before_question(request: SubjectRequest) -> RequestState:
    for step in reversed(request.steps):
        if step.kind is StepKind.CLARIFICATION_ASKED and step.from_state is not None:
            return step.from_state
    raise RequestError(
        f"Request {request.request_id} awaits clarification but no step asked for it; "
        "its steps are damaged. Rebuild it from the stored steps."
    )


def _actor(actor: str, request_id: str) -> str:
    if not actor.strip():
        raise RequestError(
            f"Request {request_id}: every step needs an actor, the staff id or system name "
            "that took it; it was blank."
        )
    return actor.strip()


def _required(reason: str | None, request: SubjectRequest, what: str) -> None:
    if reason is None or not reason.strip():
        raise RequestError(
            f"Request {request.request_id}: this step needs {what}; it was blank. "
            "Write it as the subject is told it."
        )
