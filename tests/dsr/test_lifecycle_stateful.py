"""Random sequences of steps, with random actors, reasons and instants moving forward,
against both reference policies: no sequence reaches an invalid state, loses a step or
moves a due date backwards, and the due date is the one a simple model of the rules gives.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from placet.dsr import (
    FINAL_STATES,
    PAUSED_STATES,
    RequestKind,
    RequestState,
    Step,
    StepKind,
    SubjectRequest,
    ask_clarification,
    clarified,
    extend,
    fulfil,
    open_request,
    reject,
    replay,
    start_verification,
    start_work,
    verified,
)
from placet.errors import RequestError
from placet.policy import Channel
from tests.dsr.builders import POLICIES, SUBJECT

S = RequestState
EXPECTED_MOVES: dict[StepKind, tuple[set[RequestState], RequestState | None]] = {
    StepKind.VERIFICATION_STARTED: ({S.RECEIVED}, S.VERIFYING),
    StepKind.VERIFIED: ({S.RECEIVED, S.VERIFYING}, S.VERIFIED),
    StepKind.CLARIFICATION_ASKED: (
        {S.RECEIVED, S.VERIFIED, S.IN_PROGRESS},
        S.AWAITING_CLARIFICATION,
    ),
    StepKind.CLARIFIED: ({S.AWAITING_CLARIFICATION}, None),
    StepKind.WORK_STARTED: ({S.VERIFIED}, S.IN_PROGRESS),
    StepKind.EXTENDED: (set(S) - {S.FULFILLED, S.REJECTED}, None),
    StepKind.FULFILLED: ({S.IN_PROGRESS}, S.FULFILLED),
    StepKind.REJECTED: (set(S) - {S.FULFILLED, S.REJECTED}, S.REJECTED),
}
"""The issue's state machine, written out again so that the code is checked against it."""
NEEDS_REASON = {StepKind.CLARIFICATION_ASKED, StepKind.EXTENDED, StepKind.REJECTED}


def _clamped(year: int, month: int, day: int, minute: int) -> datetime:
    day = min(day, calendar.monthrange(year, month)[1])
    return datetime(year, month, day, tzinfo=UTC) + timedelta(minutes=minute)


ACTORS = st.sampled_from(["agent-7", "dpo", "portal", " shop-12 ", "", "   "])
REASONS = st.none() | st.sampled_from(["", "  ", "Complex request.", "Which contract?"])
ADVANCES = st.one_of(
    st.just(timedelta()),
    st.integers(1, 20 * 24 * 60).map(lambda minutes: timedelta(minutes=minutes)),
    st.integers(25, 45).map(lambda days: timedelta(days=days)),
)
RECEIPTS = st.builds(
    _clamped,
    st.integers(2023, 2026),
    st.integers(1, 12),
    st.sampled_from([1, 15, 28, 29, 30, 31]),
    st.integers(0, 24 * 60 - 1),
)

Move = Callable[[SubjectRequest, str, datetime, str | None, datetime], SubjectRequest]
MOVES: dict[StepKind, Move] = {
    StepKind.VERIFICATION_STARTED: lambda r, a, at, why, told: start_verification(
        r, actor=a, at=at, reason=why
    ),
    StepKind.VERIFIED: lambda r, a, at, why, told: verified(r, actor=a, at=at, reason=why),
    StepKind.CLARIFICATION_ASKED: lambda r, a, at, why, told: ask_clarification(
        r, actor=a, at=at, reason=why or ""
    ),
    StepKind.CLARIFIED: lambda r, a, at, why, told: clarified(r, actor=a, at=at, reason=why),
    StepKind.WORK_STARTED: lambda r, a, at, why, told: start_work(r, actor=a, at=at, reason=why),
    StepKind.EXTENDED: lambda r, a, at, why, told: extend(
        r, actor=a, at=at, reason=why or "", notified_at=told
    ),
    StepKind.FULFILLED: lambda r, a, at, why, told: fulfil(r, actor=a, at=at, reason=why),
    StepKind.REJECTED: lambda r, a, at, why, told: reject(r, actor=a, at=at, reason=why or ""),
}


def _months_after(instant: datetime, months: int, zone: tzinfo) -> datetime:
    """The end of the day, in `zone`, `months` calendar months after `instant`'s day there,
    clamped; in UTC."""
    here = instant.astimezone(zone)
    year, month = divmod(here.month - 1 + months, 12)
    year += here.year
    day = min(here.day, calendar.monthrange(year, month + 1)[1])
    return datetime.combine(date(year, month + 1, day), time.max, zone).astimezone(UTC)


OPT_OUT_DAYS = {"ipko": 15}
"""How many days a business opt-out has, by policy (IPKO 002#165); the others: a request's
ordinary deadline."""


@settings(max_examples=150, stateful_step_count=30, deadline=None)
class RequestLifecycle(RuleBasedStateMachine):
    """Drives one request through random steps and keeps a model of what it should be."""

    def __init__(self) -> None:
        super().__init__()
        self.request: SubjectRequest
        self.policy = POLICIES["ipko"]
        self.now = datetime(2023, 1, 1, tzinfo=UTC)
        self.steps: list[Step] = []
        self.state = S.RECEIVED
        self.resume_to = S.RECEIVED
        self.pauses: list[tuple[datetime, datetime | None]] = []
        self.extended = False
        self.opt_out_days: int | None = None
        self.due_seen = datetime.min.replace(tzinfo=UTC)
        self.due_now_seen = self.due_seen

    @initialize(
        policy=st.sampled_from(sorted(POLICIES)),
        kind=st.sampled_from(RequestKind),
        received=RECEIPTS,
        recorded_after=ADVANCES,
    )
    def open(
        self, policy: str, kind: RequestKind, received: datetime, recorded_after: timedelta
    ) -> None:
        self.policy = POLICIES[policy]
        self.opt_out_days = (
            OPT_OUT_DAYS.get(policy) if kind is RequestKind.BUSINESS_OPT_OUT else None
        )
        self.request = open_request(
            "DSR-1",
            kind,
            SUBJECT,
            channel=Channel.WEB,
            received_at=received,
            policy=self.policy,
            actor="portal",
            at=received + recorded_after,
        )
        self.now = received + recorded_after
        self.steps = list(self.request.steps)

    # ------------------------------------------------------------------ the model

    def paused_until(self, instant: datetime) -> timedelta:
        return sum(
            (max(min(end or instant, instant) - start, timedelta()) for start, end in self.pauses),
            timedelta(),
        )

    def expected_due(self, at: datetime, *, extended: bool | None = None) -> datetime:
        if self.opt_out_days is not None:  # no extension
            zone = self.policy.zone
            received = self.request.received_at.astimezone(zone).date()
            last = received + timedelta(days=self.opt_out_days)
            return datetime.combine(last, time.max, zone).astimezone(UTC) + self.paused_until(at)
        requests = self.policy.requests
        assert requests is not None
        with_extension = self.extended if extended is None else extended
        received = self.request.received_at
        first = requests.deadline.months
        assert first is not None
        due = _months_after(received, first, self.policy.zone)
        if with_extension:
            assert requests.extension_total is not None
            total = requests.extension_total.months
            assert total is not None
            # Three months from receipt, or two further months after the first deadline,
            # whichever ends first.
            due = min(
                _months_after(received, total, self.policy.zone),
                _months_after(due, total - first, self.policy.zone),
            )
        return due + self.paused_until(at)

    def may_move(self, kind: StepKind, actor: str, reason: str | None, told: datetime) -> bool:
        sources, _ = EXPECTED_MOVES[kind]
        if self.state not in sources or not actor.strip():
            return False
        if kind in NEEDS_REASON and not (reason or "").strip():
            return False
        if kind is StepKind.EXTENDED:
            requests = self.policy.requests
            assert requests is not None
            return (
                requests.extension_total is not None
                and self.opt_out_days is None
                and not self.extended
                and told <= self.expected_due(told, extended=False)
            )
        return True

    def record(self, kind: StepKind, at: datetime, told: datetime) -> None:
        _, target = EXPECTED_MOVES[kind]
        if kind is StepKind.CLARIFIED:
            target = self.resume_to
        if kind is StepKind.CLARIFICATION_ASKED:
            self.resume_to = self.state
        if kind is StepKind.EXTENDED:
            self.extended = True
        new_state = target or self.state
        if self.state not in PAUSED_STATES and new_state in PAUSED_STATES:
            self.pauses.append((at, None))
        if self.state in PAUSED_STATES and new_state not in PAUSED_STATES:
            self.pauses[-1] = (self.pauses[-1][0], at)
        self.state = new_state

    # ------------------------------------------------------------------ the rules

    def attempt(
        self,
        kind: StepKind,
        actor: str,
        reason: str | None,
        advance: timedelta,
        told_before: timedelta = timedelta(),
    ) -> None:
        at = self.now + advance
        told = max(at - told_before, self.request.received_at)
        before = self.request
        expected = self.may_move(kind, actor, reason, told)
        try:
            after = MOVES[kind](before, actor, at, reason, told)
        except RequestError:
            assert not expected, f"{kind} from {before.state} was refused"
            assert self.request is before
        else:
            assert expected, f"{kind} from {before.state} was allowed"
            assert after.steps[: len(before.steps)] == before.steps
            assert len(after.steps) == len(before.steps) + 1
            step = after.steps[-1]
            assert (step.kind, step.from_state, step.at, step.actor) == (
                kind,
                before.state,
                at,
                actor.strip(),
            )
            self.record(kind, at, told)
            self.request = after
            self.steps.append(step)
        self.now = at

    @rule(actor=ACTORS, reason=REASONS, advance=ADVANCES)
    def verification(self, actor: str, reason: str | None, advance: timedelta) -> None:
        self.attempt(StepKind.VERIFICATION_STARTED, actor, reason, advance)

    @rule(actor=ACTORS, advance=ADVANCES)
    def identity_verified(self, actor: str, advance: timedelta) -> None:
        self.attempt(StepKind.VERIFIED, actor, None, advance)

    @rule(actor=ACTORS, reason=REASONS, advance=ADVANCES)
    def clarification(self, actor: str, reason: str | None, advance: timedelta) -> None:
        self.attempt(StepKind.CLARIFICATION_ASKED, actor, reason, advance)

    @rule(actor=ACTORS, advance=ADVANCES)
    def answer_to_clarification(self, actor: str, advance: timedelta) -> None:
        self.attempt(StepKind.CLARIFIED, actor, None, advance)

    @rule(actor=ACTORS, advance=ADVANCES)
    def work(self, actor: str, advance: timedelta) -> None:
        self.attempt(StepKind.WORK_STARTED, actor, None, advance)

    @rule(
        actor=ACTORS,
        reason=REASONS,
        advance=ADVANCES,
        told_before=st.integers(0, 10).map(lambda days: timedelta(days=days)),
    )
    def extension(
        self, actor: str, reason: str | None, advance: timedelta, told_before: timedelta
    ) -> None:
        self.attempt(StepKind.EXTENDED, actor, reason, advance, told_before)

    @rule(actor=ACTORS, advance=ADVANCES)
    def answer(self, actor: str, advance: timedelta) -> None:
        self.attempt(StepKind.FULFILLED, actor, None, advance)

    @rule(actor=ACTORS, reason=REASONS, advance=ADVANCES)
    def refusal(self, actor: str, reason: str | None, advance: timedelta) -> None:
        self.attempt(StepKind.REJECTED, actor, reason, advance)

    @rule(advance=ADVANCES)
    def wait(self, advance: timedelta) -> None:
        self.now += advance

    # ------------------------------------------------------------------ the invariants

    @invariant()
    def the_state_is_valid_and_the_last_steps(self) -> None:
        assert self.request.state in set(RequestState)
        assert self.request.state is self.request.steps[-1].to_state is self.state
        for before, after in zip(self.request.steps, self.request.steps[1:], strict=False):
            assert after.from_state is before.to_state
            assert after.at >= before.at
            assert after.actor.strip() == after.actor != ""

    @invariant()
    def no_step_is_lost(self) -> None:
        assert list(self.request.steps) == self.steps

    @invariant()
    def replaying_the_recorded_steps_rebuilds_the_request(self) -> None:
        request = self.request
        rebuilt = replay(
            request.request_id,
            request.kind,
            request.subject,
            channel=request.channel,
            received_at=request.received_at,
            terms=request.terms,
            steps=request.steps,
        )
        assert rebuilt == request

    @invariant()
    def the_due_date_never_moves_backwards(self) -> None:
        due = self.request.due_at
        due_now = self.request.due_as_of(self.now)
        assert due >= self.due_seen
        assert due_now >= self.due_now_seen
        assert due_now >= due
        self.due_seen, self.due_now_seen = due, due_now

    @invariant()
    def the_due_date_is_the_models(self) -> None:
        assert self.request.due_as_of(self.now) == self.expected_due(self.now)
        assert self.request.is_extended is self.extended

    @invariant()
    def the_pause_is_shown_while_the_clock_stands_still(self) -> None:
        paused = self.request.paused_for(self.now)
        assert paused.total == self.paused_until(self.now)
        if self.state in PAUSED_STATES:
            assert paused.waiting_on is self.state
            assert paused.since == self.pauses[-1][0]
            assert paused.current == self.now - self.pauses[-1][0]
        else:
            assert (paused.current, paused.since, paused.waiting_on) == (timedelta(), None, None)
            assert self.request.due_as_of(self.now) == self.request.due_at

    @invariant()
    def overdue_is_exactly_past_the_due_date_while_open(self) -> None:
        expected = self.state not in FINAL_STATES and self.now > self.request.due_as_of(self.now)
        assert self.request.is_overdue(self.now) is expected

    @invariant()
    def a_final_state_accepts_no_further_step(self) -> None:
        if self.state not in FINAL_STATES:
            return
        for kind, move in MOVES.items():
            try:
                move(self.request, "dpo", self.now, "A reason.", self.now)
            except RequestError:
                continue
            raise AssertionError(f"{kind} followed a {self.state} request")


TestRequestLifecycle = RequestLifecycle.TestCase
