"""Rebuilding a request from its recorded steps: a history the lifecycle wrote comes back
as it was; one it could not have written is refused, naming the step."""

from __future__ import annotations

from dataclasses import replace

import pytest

from placet.dsr import (
    RequestState,
    Step,
    StepKind,
    SubjectRequest,
    extend,
    replay,
    start_verification,
    start_work,
    verified,
)
from placet.dsr.model import DeadlineTerms
from placet.errors import RequestError
from tests.dsr.builders import POLICIES, make_request, utc


def replayed(request: SubjectRequest, steps: tuple[Step, ...] | None = None) -> SubjectRequest:
    return replay(
        request.request_id,
        request.kind,
        request.subject,
        channel=request.channel,
        received_at=request.received_at,
        terms=request.terms,
        steps=request.steps if steps is None else steps,
    )


def extended_request() -> SubjectRequest:
    request = start_verification(make_request(), actor="agent-7", at=utc(2025, 3, 17, 10))
    request = verified(request, actor="agent-7", at=utc(2025, 3, 22, 10), reason="ID card seen")
    request = start_work(request, actor="agent-9", at=utc(2025, 3, 23))
    return extend(
        request,
        actor="agent-9",
        at=utc(2025, 4, 10),
        reason="many systems to search",
        notified_at=utc(2025, 4, 9),
    )


def test_replaying_the_recorded_steps_gives_back_the_same_request() -> None:
    request = extended_request()

    assert replayed(request) == request


def test_a_step_from_a_state_that_does_not_allow_it_is_refused_naming_the_step() -> None:
    request = extended_request()
    skipped = (request.steps[0], *request.steps[3:])  # work started without verification

    with pytest.raises(RequestError, match=r"recorded step 2 \('work-started'"):
        replayed(request, skipped)


def test_a_step_whose_recorded_reason_differs_from_what_the_lifecycle_records_is_refused() -> None:
    request = extended_request()
    blanked = replace(request.steps[4], reason="   ")

    with pytest.raises(RequestError, match="recorded step 5"):
        replayed(request, (*request.steps[:4], blanked))


def test_a_changed_target_state_is_refused() -> None:
    request = extended_request()
    forged = replace(request.steps[3], to_state=RequestState.FULFILLED)

    with pytest.raises(RequestError, match="not as verified -> fulfilled"):
        replayed(request, (*request.steps[:3], forged))


def test_an_extension_under_a_policy_without_one_is_refused() -> None:
    request = extended_request()
    ipnordic = replace(request, terms=DeadlineTerms.from_policy(POLICIES["ipnordic"]))

    with pytest.raises(RequestError, match="cannot be extended"):
        replayed(ipnordic)


def test_a_history_that_does_not_begin_with_opened_is_refused() -> None:
    request = extended_request()

    with pytest.raises(RequestError, match="the first step must be 'opened'"):
        replayed(request, request.steps[1:])


def test_a_history_without_steps_is_refused() -> None:
    with pytest.raises(RequestError, match="no recorded steps"):
        replayed(make_request(), ())


def test_a_second_opened_step_is_refused() -> None:
    request = make_request()
    again = replace(request.steps[0], from_state=RequestState.RECEIVED)

    with pytest.raises(RequestError, match="can only be the first step"):
        replayed(request, (request.steps[0], again))


def test_an_extension_recorded_without_its_notification_is_refused() -> None:
    request = extended_request()
    untold = replace(request.steps[-1], notified_at=None)

    with pytest.raises(RequestError, match="instant the subject was told"):
        replayed(request, (*request.steps[:-1], untold))
    assert request.steps[-1].kind is StepKind.EXTENDED
