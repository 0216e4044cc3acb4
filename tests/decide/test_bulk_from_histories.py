"""From random estates and event histories, the bulk answer equals the single decision for
every subject: the audience's path (`fold_states`, then `select_subjects` over a table of
subscribers) against the single decision's (`replay` of one subject's events, then
`decide_use`), on both reference policies."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from placet.decide import Use, decide_use, select_subjects
from placet.decide.bulk import decide_subjects
from placet.ledger import (
    ConsentGiven,
    ContractEnded,
    ContractStarted,
    EventData,
    LedgerEvent,
    SubjectFactsRecorded,
    replay,
)
from placet.ledger.columnar import events_frame, fold_states
from placet.policy.model import Policy
from placet.policy.terms import Channel
from tests.decide.builders import reference
from tests.decide.test_bulk import OPERATORS, uses
from tests.ledger.builders import at, event_data_of, make_event, subject

ESTATE = [f"+3834400{n:04d}" for n in range(6)]
"""The subscriber table: six MSISDNs, some of whom the history never names."""
DAYS = 1200
"""Histories span more than three years, so that IPKO's two years after a contract ends
(and its 24 months after contracts and debts) fall inside them."""


def event_data(policy: Policy, use: Use) -> st.SearchStrategy[EventData]:
    """Any event the policy's own ids can say (its consent options and their channels, its
    purposes, its subject types), half the time about the use's own purpose: the options
    that cover it, and objections to it."""
    covering = [option.id for option in policy.consent_options if use.purpose in option.purposes]
    every = [option.id for option in policy.consent_options]
    options = every + covering * max(1, len(every) // max(1, len(covering)))
    purposes = [purpose.id for purpose in policy.purposes]
    purposes += [use.purpose] * len(purposes)
    return event_data_of(
        options,
        purposes,
        [subject_type.id for subject_type in policy.subject_types],
        channels=st.frozensets(st.sampled_from(list(Channel)), max_size=2),
        birth_dates=[date(1970, 3, 1), date(2012, 5, 1)],
        untils=st.integers(0, DAYS).map(at),
    )


@st.composite
def campaigns(draw: st.DrawFn, policy: Policy) -> Use:
    """A use the policy declares, kept in the controller (no recipient, no country): one
    that the subject's state decides, rather than the use alone."""
    purpose = draw(st.sampled_from(policy.purposes))
    categories = draw(st.lists(st.sampled_from(purpose.categories), min_size=1, max_size=2))
    return Use(
        purpose=purpose.id,
        categories=tuple(dict.fromkeys(categories)),
        channel=draw(st.none() | st.sampled_from(list(Channel))),
        anonymised=draw(st.booleans()),
    )


@st.composite
def histories(draw: st.DrawFn, policy: Policy, use: Use) -> list[LedgerEvent]:
    """Events about the estate's subscribers in the order recorded.

    Most subscribers first become customers of a kind the use's purpose covers (their
    subject type and a contract, which some end later) and give a consent to an option
    that covers it; then any events follow, each taking effect on a day of the span (some
    on the same day) and recorded then or up to a month later. The last subscriber is never
    named.
    """
    purpose = next((purpose for purpose in policy.purposes if purpose.id == use.purpose), None)
    named = Counter(kind for purpose in policy.purposes for kind in purpose.subject_types)
    kinds = (purpose.subject_types if purpose else []) or [kind for kind, _ in named.most_common(2)]
    every = [option.id for option in policy.consent_options]
    options = [option for option in policy.consent_options if use.purpose in option.purposes]
    channels = st.frozensets(st.sampled_from(list(Channel)), max_size=2)
    starts: list[tuple[str, EventData, int]] = []
    for msisdn in ESTATE[:-1]:
        if draw(st.integers(0, 9)) > 0:
            kind = draw(st.sampled_from(kinds))
            starts.append((msisdn, SubjectFactsRecorded(subject_type=kind), 0))
        if draw(st.integers(0, 9)) > 1:
            starts.append((msisdn, ContractStarted(contract="c-1"), draw(st.integers(0, 30))))
            if draw(st.booleans()):
                starts.append((msisdn, ContractEnded(contract="c-1"), draw(st.integers(31, DAYS))))
        if every and draw(st.integers(0, 9)) > 3:
            option = draw(st.sampled_from([option.id for option in options] or every))
            starts.append((msisdn, ConsentGiven(option=option, channels=draw(channels)), 1))
    drawn = [
        (
            draw(st.sampled_from(ESTATE[:-1])),
            draw(event_data(policy, use)),
            draw(st.integers(0, DAYS)),
        )
        for _ in range(draw(st.integers(0, 30)))
    ]
    events = [
        make_event(
            data,
            who=subject(msisdn),
            effective_at=at(day),
            recorded_at=at(day) + timedelta(days=draw(st.integers(0, 30))),
        )
        for msisdn, data, day in [*starts, *drawn]
    ]
    return sorted(events, key=lambda event: event.recorded_at)


def single_decisions(
    policy: Policy, events: Sequence[LedgerEvent], use: Use, when: datetime
) -> list[tuple[str, str]]:
    """Each subscriber's outcome and reason, decided one by one from their replayed state."""
    decided = []
    for msisdn in ESTATE:
        who = subject(msisdn)
        state = replay([event for event in events if event.subject == who], when, subject=who)
        decision = decide_use(policy, state, use, when)
        decided.append((decision.outcome.value, decision.reason))
    return decided


@settings(max_examples=100, deadline=None)
@given(data=st.data(), operator=st.sampled_from(OPERATORS), day=st.integers(-10, DAYS + 800))
def test_the_audience_from_an_event_history_equals_the_single_decision_for_every_subscriber(
    data: st.DataObject, operator: str, day: int
) -> None:
    policy = reference(operator)
    use = data.draw(st.one_of(campaigns(policy), campaigns(policy), uses(policy)))
    events = data.draw(histories(policy, use))
    when = at(day)
    table = pl.DataFrame({"subscriber": ESTATE, "subject": [subject(msisdn) for msisdn in ESTATE]})
    states = fold_states(events_frame(events).lazy(), when)

    expected = single_decisions(policy, events, use, when)
    every = decide_subjects(policy, states, table, use, when)
    assert every.select(pl.col("outcome", "reason").cast(pl.String)).rows() == expected

    selection = select_subjects(policy, states, table, use, when)
    permitted = [
        who for who, (outcome, _) in zip(ESTATE, expected, strict=True) if outcome == "permit"
    ]
    assert selection.permitted["subscriber"].to_list() == permitted
    assert selection.excluded == dict(
        sorted(Counter(reason for outcome, reason in expected if outcome != "permit").items())
    )
