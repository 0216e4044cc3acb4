"""The bulk decision over a table equals the single decision for every subject."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placet.decide import ConsentGrant, SubjectState, Use, decide_use
from placet.decide.bulk import STATE_SCHEMA, decide_bulk, states_frame
from placet.policy.model import CategoryId, ConsentOptionId, Policy, PurposeId
from placet.policy.terms import Channel
from tests.decide.builders import NOW, make_subject, make_use, reference

OPERATORS = ["ipko", "ipnordic"]
INSTANTS = st.datetimes(
    min_value=datetime(2019, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
)


@st.composite
def subject_states(draw: st.DrawFn, policy: Policy) -> SubjectState:
    options = [option.id for option in policy.consent_options]
    purposes = [purpose.id for purpose in policy.purposes]
    channels = sorted({channel for option in policy.consent_options for channel in option.channels})
    grants = tuple(
        ConsentGrant(
            ConsentOptionId(option),
            NOW,
            frozenset(draw(st.sets(st.sampled_from(channels), max_size=2)))
            if channels
            else frozenset(),
        )
        for option in draw(
            st.sets(st.sampled_from(options), max_size=3) if options else st.just(set())
        )
    )
    contracts = draw(st.integers(min_value=0, max_value=2))
    return SubjectState(
        subject=f"s-{draw(st.integers(0, 10**6))}",
        as_of=NOW,
        subject_type=draw(st.sampled_from([None, *(t.id for t in policy.subject_types)])),
        birth_date=draw(st.one_of(st.none(), st.dates(date(1950, 1, 1), date(2020, 12, 31)))),
        consents=grants,
        withdrawn=frozenset(draw(st.sets(st.sampled_from(options), max_size=2)) if options else ()),
        objections=frozenset(draw(st.sets(st.sampled_from(purposes), max_size=3))),
        objects_to_direct_marketing=draw(st.booleans()),
        restricted=draw(st.booleans()),
        active_contracts=contracts,
        last_contract_end=None if contracts else draw(st.one_of(st.none(), INSTANTS)),
        debt_outstanding=draw(st.booleans()),
        debt_settled_at=draw(st.one_of(st.none(), INSTANTS)),
        business_opt_out=draw(st.booleans()),
        business_opt_out_until=draw(st.one_of(st.none(), INSTANTS)),
    )


@st.composite
def uses(draw: st.DrawFn, policy: Policy) -> Use:
    purposes = [p.id for p in policy.purposes] + ["no-such-purpose"]
    purpose_id = draw(st.sampled_from(purposes))
    purpose = next((p for p in policy.purposes if p.id == purpose_id), None)
    known = purpose.categories if purpose else [c.id for c in policy.data_categories]
    categories = draw(
        st.lists(st.sampled_from(known or ["x"]), min_size=1, max_size=2, unique=True)
    )
    if draw(st.booleans()):
        categories.append(draw(st.sampled_from([c.id for c in policy.data_categories])))
    recipient = draw(st.one_of(st.none(), st.sampled_from([r.id for r in policy.recipients])))
    return Use(
        purpose=PurposeId(purpose_id),
        categories=tuple(CategoryId(c) for c in dict.fromkeys(categories)),
        channel=draw(st.one_of(st.none(), st.sampled_from(list(Channel)))),
        recipient=recipient,
        country=draw(st.one_of(st.none(), st.sampled_from(["XK", "DK", "US", "DE"]))),
        anonymised=draw(st.booleans()),
    )


def bulk_reasons(policy: Policy, states: list[SubjectState], use: Use, at: datetime) -> list[str]:
    frame = decide_bulk(policy, states_frame(states).lazy(), use, at).collect()
    return frame["reason"].to_list()


@settings(max_examples=150)
@given(data=st.data(), operator=st.sampled_from(OPERATORS), at=INSTANTS)
def test_bulk_decision_equals_the_single_decision_for_every_subject(
    data: st.DataObject, operator: str, at: datetime
) -> None:
    policy = reference(operator)
    states = data.draw(st.lists(subject_states(policy), min_size=1, max_size=12))
    use = data.draw(uses(policy))
    expected = [decide_use(policy, state, use, at).reason for state in states]
    assert bulk_reasons(policy, states, use, at) == expected


def test_bulk_outcome_says_permit_for_permitted_reasons() -> None:
    policy = reference("ipko")
    states = [make_subject(consents=("current-offers",)), make_subject()]
    use = make_use("direct-marketing-current-offers", "contact", channel=Channel.SMS)
    frame = decide_bulk(policy, states_frame(states).lazy(), use, NOW).collect()
    assert frame.select("outcome", "reason").rows() == [
        ("permit", "permitted"),
        ("deny", "no-consent"),
    ]


def assert_decided_alike(
    policy: Policy, states: list[SubjectState], use: Use, expected: list[str]
) -> None:
    """The bulk decision gives each subject the single decision's reason, and those are
    `expected`."""
    one_by_one = [decide_use(policy, state, use, NOW).reason for state in states]
    assert bulk_reasons(policy, states, use, NOW) == one_by_one
    assert one_by_one == expected


def test_a_campaign_that_names_no_channel_is_decided_in_bulk_as_one_by_one() -> None:
    policy = reference("ipko")
    by = {
        channels: ConsentGrant(ConsentOptionId("current-offers"), NOW, frozenset(channels))
        for channels in [(Channel.SMS,), (Channel.SMS, Channel.EMAIL), ()]
    }
    states = [
        replace(make_subject(), consents=(by[Channel.SMS,],)),
        replace(make_subject(), consents=(by[Channel.SMS, Channel.EMAIL],)),
        replace(make_subject(), consents=(by[()],)),
        replace(
            make_subject(withdrawn=frozenset({"current-offers"})), consents=(by[Channel.SMS,],)
        ),
        make_subject(withdrawn=frozenset({"current-offers"})),
        make_subject(),
    ]
    use = make_use("direct-marketing-current-offers", "contact")

    assert_decided_alike(
        policy,
        states,
        use,
        [
            "channel-not-named",
            "channel-not-named",
            "permitted",
            "channel-not-named",
            "consent-withdrawn",
            "no-consent",
        ],
    )


@pytest.mark.parametrize("channel", [Channel.SMS, None])
def test_a_use_of_data_the_consent_does_not_indicate_is_decided_in_bulk_as_one_by_one(
    channel: Channel | None,
) -> None:
    policy = reference("ipko")
    grant = ConsentGrant(ConsentOptionId("offers-just-for-me"), NOW, frozenset())
    states = [
        replace(make_subject(), consents=(grant,)),
        replace(make_subject(withdrawn=frozenset({"offers-just-for-me"})), consents=(grant,)),
        make_subject(withdrawn=frozenset({"offers-just-for-me"})),
        make_subject(),
    ]
    use = make_use("personalised-offers", "service-usage", "contract-data", channel=channel)

    assert_decided_alike(
        policy,
        states,
        use,
        ["category-not-consented", "category-not-consented", "consent-withdrawn", "no-consent"],
    )


@pytest.mark.parametrize(
    ("operator", "use", "subject"),
    [
        pytest.param(
            "ipko",
            make_use("direct-marketing-current-offers", "contact", channel=Channel.SMS),
            make_subject(withdrawn=frozenset({"current-offers"})),
            id="ipko-current-offers",
        ),
        pytest.param(
            "ipnordic",
            make_use("newsletter", "newsletter-signup", channel=Channel.EMAIL),
            make_subject(
                subject_type="newsletter-subscriber",
                contracts=0,
                withdrawn=frozenset({"newsletter"}),
            ),
            id="ipnordic-newsletter",
        ),
    ],
)
def test_bulk_gives_a_withdrawn_consent_its_own_reason(
    operator: str, use: Use, subject: SubjectState
) -> None:
    policy = reference(operator)
    other = replace(subject, subject="someone else", withdrawn=frozenset({"no-such-option"}))
    assert decide_use(policy, subject, use, NOW).reason == "consent-withdrawn"
    assert bulk_reasons(policy, [subject, other], use, NOW) == ["consent-withdrawn", "no-consent"]


def test_bulk_reads_a_frame_with_the_documented_schema() -> None:
    frame = states_frame([make_subject()])
    assert dict(frame.schema) == dict(STATE_SCHEMA.items())


def test_bulk_on_an_empty_table_returns_an_empty_table() -> None:
    empty = pl.DataFrame(schema=STATE_SCHEMA).lazy()
    use = make_use("fraud-prevention", "identity")
    assert decide_bulk(reference("ipko"), empty, use, NOW).collect().height == 0


def test_minor_born_on_29_february_comes_of_age_on_1_march() -> None:
    policy = reference("ipko")
    subject = make_subject(birth_date=date(2008, 2, 29))
    use = make_use("surveys", "contact")
    for at, reason in [
        (datetime(2026, 2, 28, 12, tzinfo=UTC), "minor-without-consent"),
        (datetime(2026, 3, 1, 12, tzinfo=UTC), "permitted"),
    ]:
        assert decide_use(policy, subject, use, at).reason == reason
        assert bulk_reasons(policy, [subject], use, at) == [reason]


def test_a_minor_comes_of_age_at_midnight_on_the_controllers_clock() -> None:
    policy = reference("ipko")
    subject = make_subject(birth_date=date(2008, 1, 1))
    use = make_use("surveys", "contact")
    # 22:30 and 23:30 UTC on 31 December 2025: 23:30 and 00:30 the next day in Pristina.
    for at, reason in [
        (datetime(2025, 12, 31, 22, 30, tzinfo=UTC), "minor-without-consent"),
        (datetime(2025, 12, 31, 23, 30, tzinfo=UTC), "permitted"),
    ]:
        assert decide_use(policy, subject, use, at).reason == reason
        assert bulk_reasons(policy, [subject], use, at) == [reason]


@given(
    born=st.dates(date(1990, 1, 1), date(2025, 12, 31)),
    at=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2045, 1, 1), timezones=st.just(UTC)
    ),
)
def test_bulk_and_single_agree_on_who_is_a_minor(born: date, at: datetime) -> None:
    from placet.decide.bulk import minor_expression
    from placet.decide.single import is_minor

    policy = reference("ipko")
    assert policy.minors is not None
    frame = pl.DataFrame({"birth_date": [born]}).select(
        minor_expression(policy.minors.age_below, at, policy.zone)
    )
    assert frame.item() == is_minor(policy, make_subject(birth_date=born), at)
