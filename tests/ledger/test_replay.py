"""A subject's state, folded from their events: the later event wins, as of any instant."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from placet.decide.state import ConsentGrant
from placet.errors import InvalidEventError
from placet.ledger import (
    BusinessOptOutMade,
    ConsentGiven,
    ConsentWithdrawn,
    ContractEnded,
    ContractStarted,
    DebtIncurred,
    DebtSettled,
    LedgerEvent,
    ObjectionMade,
    ObjectionWithdrawn,
    RestrictionLifted,
    RestrictionSet,
    SubjectFactsRecorded,
    SubjectProjection,
    apply_event,
    apply_events,
    project_events,
    replay,
)
from placet.policy.terms import Channel
from tests.ledger.builders import (
    OPTIONS,
    at,
    consent_given,
    consent_withdrawn,
    histories,
    make_event,
    subject,
)

SMS_OPTION = OPTIONS[0]
LATER = at(365)


def is_given(events: list[LedgerEvent], option: str, as_of=LATER) -> bool:
    state = replay(events, as_of, subject=subject())
    return any(grant.option == option for grant in state.consents)


def test_given_consent_is_live_from_the_instant_it_takes_effect() -> None:
    events = [consent_given(SMS_OPTION, Channel.SMS, effective_at=at(3))]

    state = replay(events, at(3))

    assert state.consents == (ConsentGrant(SMS_OPTION, at(3), frozenset({Channel.SMS})),)
    assert replay(events, at(2)).consents == ()


def test_withdrawn_consent_is_in_withdrawn_not_in_consents() -> None:
    events = [consent_given(effective_at=at(1)), consent_withdrawn(effective_at=at(2))]

    state = replay(events, at(3))

    assert state.consents == ()
    assert state.withdrawn == {SMS_OPTION}


def test_withdrawal_is_never_overridden_by_an_older_grant_recorded_later() -> None:
    withdrawal = consent_withdrawn(effective_at=at(5), recorded_at=at(5))
    paper_form = consent_given(effective_at=at(2), recorded_at=at(9))

    assert not is_given([withdrawal, paper_form], SMS_OPTION)


def test_grant_after_a_withdrawal_gives_consent_again() -> None:
    events = [consent_withdrawn(effective_at=at(1)), consent_given(effective_at=at(2))]

    state = replay(events, at(3))

    assert [grant.option for grant in state.consents] == [SMS_OPTION]
    assert state.withdrawn == frozenset()


def test_events_at_the_same_instant_apply_in_the_order_recorded() -> None:
    given_first = [consent_given(effective_at=at(1)), consent_withdrawn(effective_at=at(1))]
    withdrawn_first = [consent_withdrawn(effective_at=at(1)), consent_given(effective_at=at(1))]

    assert not is_given(given_first, SMS_OPTION)
    assert is_given(withdrawn_first, SMS_OPTION)


def test_state_as_of_a_past_instant_ignores_events_that_take_effect_later() -> None:
    events = [consent_given(effective_at=at(1)), consent_withdrawn(effective_at=at(10))]

    assert is_given(events, SMS_OPTION, as_of=at(9))
    assert not is_given(events, SMS_OPTION, as_of=at(10))


def test_known_at_ignores_events_recorded_later() -> None:
    events = [
        consent_given(effective_at=at(1)),
        consent_withdrawn(effective_at=at(2), recorded_at=at(8)),
    ]

    before = replay(events, at(5), known_at=at(5))
    after = replay(events, at(5), known_at=at(8))

    assert [grant.option for grant in before.consents] == [SMS_OPTION]
    assert after.consents == ()


def test_withdrawing_one_channel_keeps_the_others() -> None:
    events = [
        consent_given(SMS_OPTION, Channel.SMS, Channel.EMAIL, effective_at=at(1)),
        consent_withdrawn(SMS_OPTION, Channel.SMS, effective_at=at(2)),
    ]

    state = replay(events, at(3))

    assert state.consents == (ConsentGrant(SMS_OPTION, at(1), frozenset({Channel.EMAIL})),)
    assert state.withdrawn == frozenset()


def test_withdrawing_the_last_channel_withdraws_the_option() -> None:
    events = [
        consent_given(SMS_OPTION, Channel.SMS, effective_at=at(1)),
        consent_withdrawn(SMS_OPTION, Channel.SMS, effective_at=at(2)),
    ]

    state = replay(events, at(3))

    assert state.consents == ()
    assert state.withdrawn == {SMS_OPTION}


def test_withdrawing_one_channel_of_an_every_channel_grant_withdraws_the_option() -> None:
    events = [
        consent_given(SMS_OPTION, effective_at=at(1)),
        consent_withdrawn(SMS_OPTION, Channel.SMS, effective_at=at(2)),
    ]

    assert replay(events, at(3)).consents == ()


def test_giving_more_channels_adds_them_to_the_grant() -> None:
    events = [
        consent_given(SMS_OPTION, Channel.SMS, effective_at=at(1)),
        consent_given(SMS_OPTION, Channel.EMAIL, effective_at=at(2)),
    ]

    (grant,) = replay(events, at(3)).consents

    assert grant.channels == {Channel.SMS, Channel.EMAIL}
    assert grant.given_at == at(1)


def test_objection_to_a_purpose_lasts_until_withdrawn() -> None:
    events = [
        make_event(ObjectionMade(purpose="analytics"), effective_at=at(1)),
        make_event(ObjectionWithdrawn(purpose="analytics"), effective_at=at(4)),
    ]

    assert replay(events, at(2)).objections == {"analytics"}
    assert replay(events, at(4)).objections == frozenset()


def test_objection_to_all_direct_marketing_is_held_apart_from_purpose_objections() -> None:
    events = [make_event(ObjectionMade(all_direct_marketing=True), effective_at=at(1))]

    state = replay(events, at(2))

    assert state.objects_to_direct_marketing
    assert state.objections == frozenset()


def test_restriction_holds_until_lifted() -> None:
    events = [
        make_event(RestrictionSet(), effective_at=at(1)),
        make_event(RestrictionLifted(), effective_at=at(5)),
    ]

    assert replay(events, at(2)).restricted
    assert not replay(events, at(5)).restricted


def test_last_contract_end_is_set_when_the_last_open_contract_ends() -> None:
    events = [
        make_event(ContractStarted(contract="c-1"), effective_at=at(1)),
        make_event(ContractStarted(contract="c-2"), effective_at=at(2)),
        make_event(ContractEnded(contract="c-1"), effective_at=at(3)),
        make_event(ContractEnded(contract="c-2"), effective_at=at(4)),
    ]

    during = replay(events, at(3))
    after = replay(events, at(4))

    assert (during.active_contracts, during.last_contract_end) == (1, None)
    assert (after.active_contracts, after.last_contract_end) == (0, at(4))


def test_debt_is_outstanding_until_every_claim_is_settled() -> None:
    events = [
        make_event(DebtIncurred(debt="d-1"), effective_at=at(1)),
        make_event(DebtIncurred(debt="d-2"), effective_at=at(1)),
        make_event(DebtSettled(debt="d-1"), effective_at=at(2)),
        make_event(DebtSettled(debt="d-2"), effective_at=at(3)),
    ]

    assert replay(events, at(2)).debt_outstanding
    settled = replay(events, at(3))
    assert (settled.debt_outstanding, settled.debt_settled_at) == (False, at(3))


def test_temporary_business_opt_out_ends_at_its_instant() -> None:
    events = [make_event(BusinessOptOutMade(until=at(10)), effective_at=at(1))]

    during = replay(events, at(9))
    after = replay(events, at(10))

    assert (during.business_opt_out, during.business_opt_out_until) == (True, at(10))
    assert (after.business_opt_out, after.business_opt_out_until) == (False, None)


def test_permanent_business_opt_out_has_no_end() -> None:
    events = [make_event(BusinessOptOutMade(), effective_at=at(1))]

    state = replay(events, LATER)

    assert (state.business_opt_out, state.business_opt_out_until) == (True, None)


def test_subject_facts_keep_earlier_values_they_do_not_restate() -> None:
    events = [
        make_event(SubjectFactsRecorded(birth_date=date(2010, 5, 1)), effective_at=at(1)),
        make_event(SubjectFactsRecorded(subject_type="consumer"), effective_at=at(2)),
    ]

    state = replay(events, at(3))

    assert (state.subject_type, state.birth_date) == ("consumer", date(2010, 5, 1))


def test_replay_of_no_events_needs_the_subject() -> None:
    with pytest.raises(InvalidEventError, match="subject="):
        replay([], at(1))

    assert replay([], at(1), subject=subject()).consents == ()


def test_replay_refuses_events_of_another_subject() -> None:
    events = [consent_given(), consent_given(who=subject("+38344000002"))]

    with pytest.raises(InvalidEventError, match="another subject"):
        replay(events, at(1))


@given(history=histories())
def test_latest_event_about_an_option_decides_whether_it_is_given(
    history: list[LedgerEvent],
) -> None:
    state = replay(history, LATER, subject=subject())

    for option in OPTIONS:
        about = [
            (event.effective_at, order, event.data)
            for order, event in enumerate(history)
            if isinstance(event.data, ConsentGiven | ConsentWithdrawn)
            and event.data.option == option
        ]
        live = any(grant.option == option for grant in state.consents)
        if not about:
            assert not live
            continue
        *_, last = max(about, key=lambda item: (item[0], item[1]))
        if isinstance(last, ConsentGiven):
            assert live
        elif not last.channels:
            assert not live
            assert option in state.withdrawn


@given(history=histories())
def test_a_withdrawal_is_never_overridden_by_an_older_grant(history: list[LedgerEvent]) -> None:
    withdrawal = consent_withdrawn(effective_at=at(5), recorded_at=at(5))
    older_grants = [consent_given(effective_at=at(day), recorded_at=at(30)) for day in (1, 4)]

    events = [*history, withdrawal, *older_grants]
    later_grants = [
        event
        for event in history
        if isinstance(event.data, ConsentGiven)
        and event.data.option == SMS_OPTION
        and event.effective_at > at(5)
    ]

    if not later_grants:
        assert not is_given(events, SMS_OPTION)


@given(history=histories())
def test_folding_events_one_by_one_in_effective_order_equals_replaying(
    history: list[LedgerEvent],
) -> None:
    ordered = sorted(history, key=lambda event: event.effective_at)
    folded = SubjectProjection(subject=subject())
    for event in ordered:
        folded = apply_event(folded, event)

    assert folded == project_events(subject(), history)
    assert folded.state(LATER) == replay(history, LATER, subject=subject())


@given(history=histories(), split=st.integers(0, 25))
def test_folding_a_run_of_events_at_once_equals_folding_them_one_by_one(
    history: list[LedgerEvent], split: int
) -> None:
    # An append folds each subject's events of a batch at once (`apply_events`), onto what
    # earlier batches folded.
    ordered = sorted(history, key=lambda event: event.effective_at)
    earlier, run = ordered[:split], ordered[split:]
    folded = SubjectProjection(subject=subject())
    for event in earlier:
        folded = apply_event(folded, event)
    one_by_one = folded
    for event in run:
        one_by_one = apply_event(one_by_one, event)

    assert apply_events(folded, run) == one_by_one
