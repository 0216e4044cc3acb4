"""The lifecycle's steps: which may follow which, what each records, and the errors that
name the state and what it allows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from placet.dsr import (
    RequestKind,
    RequestState,
    StepKind,
    SubjectRequest,
    allowed_steps,
    ask_clarification,
    clarified,
    fulfil,
    open_request,
    reject,
    start_verification,
    start_work,
)
from placet.dsr import verified as mark_verified
from placet.dsr.model import DeadlineTerms
from placet.errors import RequestError
from placet.policy import Channel, RightKind
from tests.dsr.builders import POLICIES, SUBJECT, make_request, utc


def answered(request: SubjectRequest) -> SubjectRequest:
    """`request` taken through verification and work to its answer."""
    request = start_verification(request, actor="agent-7", at=utc(2025, 3, 16))
    request = mark_verified(request, actor="agent-7", at=utc(2025, 3, 17))
    request = start_work(request, actor="agent-9", at=utc(2025, 3, 18))
    return fulfil(request, actor="agent-9", at=utc(2025, 3, 20), notified_at=utc(2025, 3, 20))


def test_a_new_request_is_received_with_one_opening_step_by_its_actor() -> None:
    request = make_request()

    assert request.state is RequestState.RECEIVED
    (step,) = request.steps
    assert (step.kind, step.from_state, step.to_state) == (
        StepKind.OPENED,
        None,
        RequestState.RECEIVED,
    )
    assert step.actor == "portal"
    assert request.terms == DeadlineTerms.from_policy(POLICIES["ipko"])


def test_a_request_goes_from_receipt_to_answer_recording_every_step() -> None:
    request = answered(make_request())

    assert request.state is RequestState.FULFILLED
    assert [step.to_state for step in request.steps] == [
        RequestState.RECEIVED,
        RequestState.VERIFYING,
        RequestState.VERIFIED,
        RequestState.IN_PROGRESS,
        RequestState.FULFILLED,
    ]
    assert [step.actor for step in request.steps] == [
        "portal",
        "agent-7",
        "agent-7",
        "agent-9",
        "agent-9",
    ]


def test_each_step_returns_a_new_request_and_leaves_the_old_one_as_it_was() -> None:
    request = make_request()

    moved = start_verification(request, actor="agent-7", at=utc(2025, 3, 16))

    assert request.state is RequestState.RECEIVED
    assert len(request.steps) == 1
    assert moved.steps[:1] == request.steps


def test_identity_evident_at_receipt_is_verified_without_a_pause() -> None:
    request = mark_verified(make_request(), actor="shop-12", at=utc(2025, 3, 15, 10), reason="ID")

    assert request.state is RequestState.VERIFIED
    assert request.paused_for(utc(2025, 4, 1)).total == timedelta()


@pytest.mark.parametrize(
    "before",
    [RequestState.RECEIVED, RequestState.VERIFIED, RequestState.IN_PROGRESS],
)
def test_a_clarification_returns_the_request_to_where_it_was(before: RequestState) -> None:
    request = make_request()
    if before is not RequestState.RECEIVED:
        request = mark_verified(request, actor="agent-7", at=utc(2025, 3, 15, 10))
    if before is RequestState.IN_PROGRESS:
        request = start_work(request, actor="agent-7", at=utc(2025, 3, 15, 11))

    asked = ask_clarification(request, actor="agent-7", at=utc(2025, 3, 16), reason="Which line?")
    answered_ = clarified(asked, actor="agent-7", at=utc(2025, 3, 18))

    assert asked.state is RequestState.AWAITING_CLARIFICATION
    assert answered_.state is before
    assert answered_.due_at == request.due_at + timedelta(days=2)


def test_a_rejection_records_its_reason_and_is_final() -> None:
    request = reject(
        make_request(),
        actor="dpo",
        at=utc(2025, 3, 20),
        reason="Identity could not be confirmed.",
        notified_at=utc(2025, 3, 20),
    )

    assert request.state is RequestState.REJECTED
    assert request.steps[-1].reason == "Identity could not be confirmed."
    assert not request.is_overdue(utc(2026, 1, 1))
    assert allowed_steps(request.state) == ()


@pytest.mark.parametrize("reason", ["", "  "])
def test_a_rejection_needs_a_reason(reason: str) -> None:
    with pytest.raises(RequestError, match="reason for refusing"):
        reject(make_request(), actor="dpo", at=utc(2025, 3, 20), reason=reason)


def test_a_clarification_needs_a_question() -> None:
    with pytest.raises(RequestError, match="needs a question"):
        ask_clarification(make_request(), actor="agent-7", at=utc(2025, 3, 20), reason=" ")


def test_a_fulfilled_request_accepts_no_further_step() -> None:
    request = answered(make_request())

    with pytest.raises(RequestError, match="fulfilled, which is final: no step can follow"):
        reject(request, actor="dpo", at=utc(2025, 3, 21), reason="Late doubt.")


def test_a_step_out_of_order_names_the_state_and_what_it_allows() -> None:
    with pytest.raises(RequestError) as raised:
        fulfil(make_request(), actor="agent-9", at=utc(2025, 3, 16))

    message = str(raised.value)
    assert "is received: 'fulfilled' may follow only in-progress" in message
    assert "verification-started, verified, clarification-asked, extended, rejected" in message


def test_work_starts_only_on_a_verified_request() -> None:
    paused = start_verification(make_request(), actor="agent-7", at=utc(2025, 3, 16))

    with pytest.raises(RequestError, match="'work-started' may follow only verified"):
        start_work(paused, actor="agent-9", at=utc(2025, 3, 17))


@pytest.mark.parametrize("actor", ["", "   "])
def test_every_step_needs_an_actor(actor: str) -> None:
    with pytest.raises(RequestError, match="needs an actor"):
        start_verification(make_request(), actor=actor, at=utc(2025, 3, 16))


def test_a_step_cannot_be_recorded_before_the_last_one() -> None:
    request = start_verification(make_request(), actor="agent-7", at=utc(2025, 3, 16))

    with pytest.raises(RequestError, match="before the last step"):
        mark_verified(request, actor="agent-7", at=utc(2025, 3, 15, 12))


def test_an_instant_without_a_time_zone_is_refused() -> None:
    with pytest.raises(RequestError, match="has no time zone"):
        start_verification(
            make_request(), actor="agent-7", at=utc(2025, 3, 16).replace(tzinfo=None)
        )


def test_a_subject_cannot_be_told_before_the_request_was_received() -> None:
    with pytest.raises(RequestError, match="cannot have been told"):
        reject(
            make_request(),
            actor="dpo",
            at=utc(2025, 3, 20),
            reason="Manifestly unfounded.",
            notified_at=utc(2025, 3, 1),
        )


def test_a_request_recorded_after_receipt_keeps_the_deadline_from_receipt() -> None:
    request = open_request(
        "DSR-2",
        RequestKind.PRINTED_COPY,
        SUBJECT,
        channel=Channel.POST,
        received_at=utc(2025, 3, 14, 16),
        policy=POLICIES["ipko"],
        actor="mailroom",
        at=utc(2025, 3, 17, 9),
    )

    assert request.steps[0].at == utc(2025, 3, 17, 9)
    assert request.due_at.date().isoformat() == "2025-04-14"


def test_a_request_cannot_be_recorded_before_it_was_received() -> None:
    with pytest.raises(RequestError, match="before its receipt"):
        open_request(
            "DSR-2",
            RequestKind.ACCESS,
            SUBJECT,
            channel=Channel.POST,
            received_at=utc(2025, 3, 14),
            policy=POLICIES["ipko"],
            actor="mailroom",
            at=utc(2025, 3, 13),
        )


def test_a_request_is_opened_only_under_a_policy_version_in_force_at_receipt() -> None:
    with pytest.raises(RequestError, match="not in force on 2019-12-31"):
        make_request("ipnordic", utc(2019, 12, 31))


def test_a_policy_without_a_requests_section_cannot_date_a_request() -> None:
    policy = POLICIES["ipko"].model_copy(update={"requests": None})

    with pytest.raises(RequestError, match="has no 'requests:' section"):
        open_request(
            "DSR-3",
            RequestKind.ERASURE,
            SUBJECT,
            channel=Channel.EMAIL,
            received_at=utc(2025, 3, 15),
            policy=policy,
            actor="agent-7",
        )


def test_a_request_cannot_be_built_without_its_opening_step() -> None:
    request = make_request()

    with pytest.raises(RequestError, match="does not begin with an 'opened' step"):
        SubjectRequest(
            request.request_id,
            request.kind,
            request.subject,
            request.received_at,
            request.channel,
            request.terms,
            (),
        )


def test_request_kinds_take_the_policys_right_names_except_the_business_opt_out() -> None:
    rights = {kind: kind.right for kind in RequestKind}

    assert rights[RequestKind.BUSINESS_OPT_OUT] is None
    assert all(
        right is not None and right.value == kind.value
        for kind, right in rights.items()
        if kind is not RequestKind.BUSINESS_OPT_OUT
    )
    assert rights[RequestKind.PRINTED_COPY] is RightKind.PRINTED_COPY
