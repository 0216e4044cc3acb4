"""The compiled checks decide as the checks run one after the other, explanation included."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from placet.decide import SubjectState, Use, decide_use
from placet.decide.single import _DECISIONS_KEPT, _plans_of
from placet.policy.model import (
    CategoryId,
    Period,
    Policy,
    Purpose,
    PurposeId,
    RecipientId,
    SubjectTypeId,
)
from placet.policy.terms import Channel, LegalBasis, MinorRule, ObjectionEffect
from tests.decide.builders import NOW, make_subject, make_use, reference
from tests.decide.ordered_checks import decide_in_order
from tests.decide.test_bulk import INSTANTS, OPERATORS, subject_states, uses

CURRENT_OFFERS_BY_SMS = make_use("direct-marketing-current-offers", "contact", channel=Channel.SMS)


@st.composite
def reworded_purposes(draw: st.DrawFn, purpose: Purpose) -> Purpose:
    """`purpose` with another legal basis and other conditions: combinations the reference
    policies do not have (a legal obligation that runs on after the contract, ...)."""
    conditions = purpose.conditions.model_copy(
        update={
            "objection": draw(st.sampled_from(ObjectionEffect)),
            "minors": draw(st.sampled_from(MinorRule)),
            "post_contract": draw(
                st.sampled_from(
                    [None, Period(amount=2, unit="year"), Period(amount=90, unit="day")]
                )
            ),
            "requires_consent_option": draw(st.booleans()),
            "traffic_location_needs_consent": draw(st.booleans()),
            "unless_anonymised": draw(st.booleans()),
            "aggregated_only": draw(st.booleans()),
            "location_precision": draw(st.sampled_from([None, "country", "cell"])),
            "subject_initiated": draw(st.booleans()),
            "survives_restriction": draw(st.sampled_from([False, False, True])),
        }
    )
    return purpose.model_copy(
        update={
            "legal_basis": draw(
                st.one_of(st.just(purpose.legal_basis), st.sampled_from([None, *LegalBasis]))
            ),
            "is_direct_marketing": draw(st.booleans()),
            "conditions": conditions,
        }
    )


@st.composite
def reworded_cases(draw: st.DrawFn, operator: str) -> tuple[Policy, Use, list[SubjectState]]:
    """A reference policy with one purpose reworded and some options covering others; a use
    inside what that purpose covers, so that the checks after the scope run; subjects of a
    type it concerns, half of them with their contract ended."""
    policy = reference(operator)
    ids = [purpose.id for purpose in policy.purposes]
    purpose = draw(reworded_purposes(draw(st.sampled_from(policy.purposes))))
    options = [
        option.model_copy(
            update={"purposes": draw(st.lists(st.sampled_from(ids), max_size=3, unique=True))}
        )
        if draw(st.booleans())
        else option
        for option in policy.consent_options
    ]
    policy = policy.model_copy(
        update={
            "purposes": [purpose if p.id == purpose.id else p for p in policy.purposes],
            "consent_options": options,
        }
    )
    categories = draw(st.lists(st.sampled_from(purpose.categories), min_size=1, max_size=3))
    use = Use(
        purpose=PurposeId(purpose.id),
        categories=tuple(CategoryId(c) for c in dict.fromkeys(categories)),
        channel=draw(st.one_of(st.none(), st.sampled_from(purpose.channels or list(Channel)))),
        recipient=draw(
            st.one_of(st.none(), st.sampled_from([RecipientId(r.id) for r in policy.recipients]))
        ),
        anonymised=draw(st.booleans()),
    )
    states = []
    for drawn in draw(st.lists(subject_states(policy), min_size=1, max_size=4)):
        subject_types: list[SubjectTypeId | None] = [*purpose.subject_types] or [None]
        state = replace(drawn, subject_type=draw(st.sampled_from(subject_types)))
        if draw(st.booleans()):
            state = replace(state, active_contracts=0, last_contract_end=draw(INSTANTS))
        states.append(state)
    return policy, use, states


@settings(max_examples=150)
@given(data=st.data(), operator=st.sampled_from(OPERATORS), at=INSTANTS)
def test_compiled_decision_equals_the_ordered_checks_field_by_field(
    data: st.DataObject, operator: str, at: datetime
) -> None:
    policy = reference(operator)
    states = data.draw(st.lists(subject_states(policy), min_size=1, max_size=6))
    use = data.draw(uses(policy))
    for state in states:
        assert decide_use(policy, state, use, at) == decide_in_order(policy, state, use, at)


@settings(max_examples=100)
@given(operator=st.sampled_from(OPERATORS), at=INSTANTS, data=st.data())
def test_every_purpose_decides_as_the_ordered_checks_for_its_own_categories(
    operator: str, at: datetime, data: st.DataObject
) -> None:
    policy = reference(operator)
    state = data.draw(subject_states(policy))
    for purpose in policy.purposes:
        for category in purpose.categories:
            use = make_use(purpose.id, category, anonymised=data.draw(st.booleans()))
            assert decide_use(policy, state, use, at) == decide_in_order(policy, state, use, at)


@settings(max_examples=200)
@given(data=st.data(), operator=st.sampled_from(OPERATORS), at=INSTANTS)
def test_compiled_decision_equals_the_ordered_checks_on_reworded_policies(
    data: st.DataObject, operator: str, at: datetime
) -> None:
    policy, use, states = data.draw(reworded_cases(operator))
    for state in states:
        assert decide_use(policy, state, use, at) == decide_in_order(policy, state, use, at)


def test_legal_obligation_holds_after_a_post_contract_window_it_names() -> None:
    policy = reference("ipko")
    disclosure = policy.purpose("law-enforcement-disclosure")
    window = disclosure.conditions.model_copy(
        update={"post_contract": Period(amount=1, unit="year")}
    )
    reworded = disclosure.model_copy(update={"conditions": window})
    policy = policy.model_copy(
        update={"purposes": [reworded if p.id == reworded.id else p for p in policy.purposes]}
    )
    subject = make_subject(contracts=0, last_contract_end=datetime(2020, 1, 1, tzinfo=UTC))
    use = make_use("law-enforcement-disclosure", "identity")
    decision = decide_use(policy, subject, use, NOW)
    assert (decision.reason, decision.valid_until) == ("legal-obligation", None)
    assert decision == decide_in_order(policy, subject, use, NOW)


def test_a_remembered_decision_does_not_carry_another_subjects_end_date() -> None:
    policy = reference("ipko")
    ended = make_subject(
        consents=("current-offers",),
        contracts=0,
        last_contract_end=datetime(2025, 1, 1, tzinfo=UTC),
    )
    active = make_subject(consents=("current-offers",))
    first = decide_use(policy, ended, CURRENT_OFFERS_BY_SMS, NOW)
    second = decide_use(policy, active, CURRENT_OFFERS_BY_SMS, NOW)
    again = decide_use(policy, ended, CURRENT_OFFERS_BY_SMS, NOW)
    assert first.valid_until == again.valid_until == datetime(2027, 1, 1, tzinfo=UTC)
    assert second.valid_until is None


def test_decisions_remembered_per_purpose_are_bounded_whatever_recipients_are_named() -> None:
    policy = reference("ipko")
    for n in range(_DECISIONS_KEPT + 50):
        use = make_use("contract-performance", "identity", recipient=f"unknown-{n}")
        decision = decide_use(policy, make_subject(), use, NOW)
        assert decision.reason == "unknown-recipient"
        assert f"recipients.unknown-{n}" in decision.rules
    assert len(_plans_of(policy)["contract-performance"].decisions) <= _DECISIONS_KEPT
