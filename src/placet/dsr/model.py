"""What a data-subject request is: its kind, its states, its recorded steps and its due date.

Imports nothing outside the standard library, `placet.policy` and `placet.errors`. The
values here are pure: every instant is passed in, nothing reads the clock. How a request
moves from one state to the next is `placet.dsr.lifecycle`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import NewType

from placet.errors import RequestError
from placet.policy.calendar import end_of_day
from placet.policy.model import Period, Policy
from placet.policy.terms import Channel, RightKind

__all__ = [
    "FINAL_STATES",
    "OPEN_STATES",
    "PAUSED_STATES",
    "DeadlineTerms",
    "PausedTime",
    "RequestId",
    "RequestKind",
    "RequestState",
    "Step",
    "StepKind",
    "SubjectRequest",
    "as_utc",
]

RequestId = NewType("RequestId", str)
"""The operator's reference of a request (`DSR-2025-0042`): not a name or a number."""


class RequestKind(StrEnum):
    """What a subject asks for. The values are those of `RightKind` where the policy
    names the right, so that a request can be matched with the policy's `rights:`."""

    ACCESS = "access"
    """Access to one's data (Art. 15)."""
    PRINTED_COPY = "printed-copy"
    """A printed copy of one's data (Art. 15(3)), as IPKO promises."""
    RECTIFICATION = "rectification"
    """Rectification (Art. 16)."""
    ERASURE = "erasure"
    """Erasure (Art. 17)."""
    RESTRICTION = "restriction"
    """Restriction of processing (Art. 18)."""
    OBJECTION = "objection"
    """Objection (Art. 21)."""
    PORTABILITY = "portability"
    """Data portability (Art. 20)."""
    WITHDRAW_CONSENT = "withdraw-consent"
    """Withdrawal of consent (Art. 7(3))."""
    COMPLAINT = "complaint"
    """A complaint to the controller about how it handles personal data."""
    BUSINESS_OPT_OUT = "business-opt-out"
    """A business subscriber's written opt-out of direct marketing: not a GDPR right, so
    the policy has no `RightKind` for it (see `PurposeConditions.business_opt_out`)."""

    @property
    def right(self) -> RightKind | None:
        """The policy's right of the same name, or None for a business opt-out.

        A complaint maps to `RightKind.COMPLAINT`, which the policy defines as the right
        to complain to the supervisory authority; the request is the complaint made to
        the controller, which the policy's `complaints:` section describes."""
        try:
            return RightKind(self.value)
        except ValueError:
            return None


class RequestState(StrEnum):
    """Where a request stands. Two states stop the clock; two are final."""

    RECEIVED = "received"
    """Recorded; nothing done yet."""
    VERIFYING = "verifying"
    """Waiting for the requester to prove who they are (Art. 12(6)); the clock stops."""
    VERIFIED = "verified"
    """The requester is who they say, or acts for them."""
    AWAITING_CLARIFICATION = "awaiting-clarification"
    """Waiting for the requester to say what they ask; the clock stops."""
    IN_PROGRESS = "in-progress"
    """Being answered."""
    FULFILLED = "fulfilled"
    """Answered; final."""
    REJECTED = "rejected"
    """Refused with a reason told to the subject (Art. 12(4)); final."""


PAUSED_STATES = frozenset({RequestState.VERIFYING, RequestState.AWAITING_CLARIFICATION})
"""The states in which Placet waits on the requester, so the clock does not run."""
FINAL_STATES = frozenset({RequestState.FULFILLED, RequestState.REJECTED})
"""The states after which no step may follow."""
OPEN_STATES = frozenset(RequestState) - FINAL_STATES
"""The states of a request not yet answered."""


class StepKind(StrEnum):
    """What a recorded step did; `extended` leaves the state as it was."""

    OPENED = "opened"
    VERIFICATION_STARTED = "verification-started"
    VERIFIED = "verified"
    CLARIFICATION_ASKED = "clarification-asked"
    CLARIFIED = "clarified"
    WORK_STARTED = "work-started"
    EXTENDED = "extended"
    FULFILLED = "fulfilled"
    REJECTED = "rejected"


def as_utc(instant: datetime, what: str) -> datetime:
    """`instant` in UTC; a naive instant is refused, since its day would be a guess."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise RequestError(
            f"{what} {instant.isoformat()} has no time zone. Pass a timezone-aware instant, "
            "such as datetime(2025, 3, 15, 9, 30, tzinfo=UTC)."
        )
    return instant.astimezone(UTC)


_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
"""An instant to compare periods from (calendar months differ in length)."""


@dataclass(frozen=True, slots=True)
class DeadlineTerms:
    """The answer deadlines of the policy version in force when the request was received."""

    policy_id: str
    policy_version: str
    deadline: Period
    """The time to answer, counted from receipt (`requests.deadline`)."""
    extension_total: Period | None
    """The latest answer with an extension, counted from receipt; None: no extension."""
    business_opt_out: Period | None = None
    """How soon a business entity's opt-out of direct marketing is honoured (the shortest
    `conditions.business_opt_out` of the policy's purposes): the deadline of a
    `business-opt-out` request, which has no extension (IPKO: 15 days)."""
    zone: tzinfo = UTC
    """The zone the controller's days are counted in (`Policy.zone`)."""

    @classmethod
    def from_policy(cls, policy: Policy) -> DeadlineTerms:
        """The terms of `policy`'s `requests:` section; a policy without one is refused."""
        if policy.requests is None:
            raise RequestError(
                f"Policy {policy.policy_id} {policy.version} has no 'requests:' section, so "
                "Placet cannot tell when a request is due. Add 'requests: deadline: 1 month' "
                "(GDPR Art. 12(3)) to the policy and check it again."
            )
        opt_outs = [
            purpose.conditions.business_opt_out
            for purpose in policy.purposes
            if purpose.conditions.business_opt_out is not None
        ]
        return cls(
            policy.policy_id,
            policy.version,
            policy.requests.deadline,
            policy.requests.extension_total,
            min(opt_outs, key=lambda period: period.after(_EPOCH), default=None),
            policy.zone,
        )

    def for_kind(self, kind: RequestKind) -> DeadlineTerms:
        """The terms of a request of `kind`: a business opt-out is due within
        `business_opt_out` with no extension, where the policy sets one; the others keep
        the policy's `requests:` terms."""
        if kind is RequestKind.BUSINESS_OPT_OUT and self.business_opt_out is not None:
            return replace(self, deadline=self.business_opt_out, extension_total=None)
        return self

    def first_due(self, received_at: datetime) -> datetime:
        """The end of the deadline, before any pause or extension.

        The day of receipt is not counted and a period in months ends with the last
        instant of the same date in the last month, or of that month's last day when it
        has no such date (Regulation 1182/71 Art. 3(1), 3(2)(c)): received on 15 March,
        due by the end of 15 April; received on 31 January, due by the end of February.
        Days are the controller's (`zone`): received at 00:30 on 15 March in Copenhagen, the
        request is due by the end of 15 April there, though it was still 14 March in UTC.
        The end does not move to the next working day."""
        received = as_utc(received_at, "received_at").astimezone(self.zone)
        return end_of_day(self.deadline.after(received).date(), self.zone)

    def extended_due(self, received_at: datetime) -> datetime | None:
        """The end of the extended deadline; None when the policy allows no extension.

        `extension_total` counted from receipt as `first_due` is, or, where both periods
        are in months, the further months counted from the first deadline (GDPR Art.
        12(3): "extended by two further months"), whichever ends first: the two differ at
        month ends (received on 31 January: 30 April three months from receipt, 28 April
        two months after 28 February), and the subject gets the earlier."""
        if self.extension_total is None:
            return None
        received = as_utc(received_at, "received_at").astimezone(self.zone)
        total = self.extension_total.after(received).date()
        months, first = self.extension_total.months, self.deadline.months
        if months is not None and first is not None and months > first:
            further = Period(amount=months - first, unit="month")
            total = min(total, further.after(self.deadline.after(received)).date())
        return end_of_day(total, self.zone)


@dataclass(frozen=True, slots=True)
class Step:
    """One recorded transition: who moved the request from which state to which, when,
    why, and when the subject was told."""

    kind: StepKind
    from_state: RequestState | None
    """None for the step that opens the request."""
    to_state: RequestState
    at: datetime
    """When it was recorded (UTC)."""
    actor: str
    """Who did it: a staff id or a system name, not a person's name."""
    reason: str | None = None
    notified_at: datetime | None = None
    """When the subject was told of this step, if they were."""


@dataclass(frozen=True, slots=True)
class PausedTime:
    """How long the clock has stood still, and the pause running now if there is one."""

    total: timedelta
    """Every pause up to the instant asked, the current one included."""
    current: timedelta
    """The running pause up to the instant asked; zero when the clock runs."""
    since: datetime | None
    """When the running pause began; None when the clock runs."""
    waiting_on: RequestState | None
    """Why the clock stands still (verifying, awaiting clarification); None when it runs."""


@dataclass(frozen=True, slots=True)
class SubjectRequest:
    """A subject's request and every step recorded on it, oldest first.

    Build one with `placet.dsr.lifecycle.open_request` and move it with the other
    functions there: each returns a new request with one more step."""

    request_id: RequestId
    kind: RequestKind
    subject: str
    """The subject's pseudonymous reference, never a name or a number."""
    received_at: datetime
    """When the operator received it (UTC); the deadline counts from this day."""
    channel: Channel
    """How it arrived: web, e-mail, post, shop, call, …"""
    terms: DeadlineTerms
    steps: tuple[Step, ...]

    def __post_init__(self) -> None:
        first = self.steps[0] if self.steps else None
        if first is None or first.kind is not StepKind.OPENED or first.at < self.received_at:
            raise RequestError(
                f"Request {self.request_id} does not begin with an 'opened' step recorded at "
                "or after its receipt. Build requests with open_request() so that every "
                "step is recorded."
            )
        for before, after in zip(self.steps, self.steps[1:], strict=False):
            if after.from_state is not before.to_state or after.at < before.at:
                raise RequestError(
                    f"Request {self.request_id}: step '{after.kind}' at "
                    f"{after.at.isoformat()} does not follow '{before.kind}' at "
                    f"{before.at.isoformat()}. Steps are appended in order, each from the "
                    "state the last one left."
                )

    @property
    def state(self) -> RequestState:
        """The state the last step left the request in."""
        return self.steps[-1].to_state

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def is_paused(self) -> bool:
        """Is Placet waiting on the requester, so that the clock stands still?"""
        return self.state in PAUSED_STATES

    @property
    def is_extended(self) -> bool:
        return any(step.kind is StepKind.EXTENDED for step in self.steps)

    @property
    def last_at(self) -> datetime:
        """When the last step was recorded."""
        return self.steps[-1].at

    def paused_for(self, at: datetime) -> PausedTime:
        """How long the clock has stood still between receipt and `at`, and the running
        pause, so that a console can show "paused 3 days, waiting on identity"."""
        at = as_utc(at, "at")
        total = timedelta()
        for step, following in zip(self.steps, self.steps[1:], strict=False):
            if step.to_state in PAUSED_STATES:
                total += _overlap(step.at, following.at, at)
        if not self.is_paused:
            return PausedTime(total, timedelta(), None, None)
        since = self.last_at
        for step in reversed(self.steps):
            if step.from_state not in PAUSED_STATES:
                since = step.at
                break
        running = _overlap(self.last_at, at, at)
        return PausedTime(total + running, max(at - since, timedelta()), since, self.state)

    def due_as_of(self, at: datetime) -> datetime:
        """The due date as it stands at `at`: the deadline (extended, if it was) plus
        every pause up to `at`. While the clock stands still it moves with `at`, so the
        time left stays what it was when the pause began."""
        return self._base_due() + self.paused_for(at).total

    @property
    def due_at(self) -> datetime:
        """The due date as it stood at the last step; later pauses only move it later."""
        return self.due_as_of(self.last_at)

    def first_due_as_of(self, at: datetime) -> datetime:
        """The due date without the extension, with the pauses up to `at`: an extension
        must be told to the subject by then (Art. 12(3))."""
        return self.terms.first_due(self.received_at) + self.paused_for(at).total

    def remaining(self, at: datetime) -> timedelta:
        """The time left at `at`; negative once overdue."""
        return self.due_as_of(at) - as_utc(at, "at")

    def is_overdue(self, at: datetime) -> bool:
        """Is the request still open after its due date as it stands at `at`?"""
        return not self.is_final and as_utc(at, "at") > self.due_as_of(at)

    def _base_due(self) -> datetime:
        extended = self.terms.extended_due(self.received_at) if self.is_extended else None
        return extended or self.terms.first_due(self.received_at)


def _overlap(start: datetime, end: datetime, until: datetime) -> timedelta:
    """The length of [start, end] that lies before `until`."""
    return max(min(end, until) - start, timedelta())
