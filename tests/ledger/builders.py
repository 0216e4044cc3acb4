"""Builders of ledger events and chains for the tests, and hypothesis strategies of histories."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from placet.ledger import (
    GENESIS_HASH,
    BusinessOptOutEnded,
    BusinessOptOutMade,
    ChainHead,
    ChainRow,
    CollectedVia,
    ConsentGiven,
    ConsentWithdrawn,
    ContractEnded,
    ContractStarted,
    DebtIncurred,
    DebtSettled,
    EventData,
    LedgerEvent,
    ObjectionMade,
    ObjectionWithdrawn,
    PseudonymKey,
    RestrictionLifted,
    RestrictionSet,
    SubjectFactsRecorded,
    SubjectRef,
    pseudonymise_subject,
    seal_event,
)
from placet.policy.terms import Channel

KEY = PseudonymKey(bytes(range(32)))
"""The pseudonym key of the tests; never a production key."""
T0 = datetime(2024, 1, 1, tzinfo=UTC)
SALT = bytes(32)
GENESIS = GENESIS_HASH

OPTIONS = ("marketing-sms", "marketing-email", "traffic-analysis")
PURPOSES = ("analytics", "fraud-prevention", "marketing-sms")
CHANNELS = (Channel.SMS, Channel.EMAIL, Channel.CALL)
MSISDNS = ("+38344000001", "+38344000002", "+38344000003")


def subject(msisdn: str = MSISDNS[0]) -> SubjectRef:
    """The ledger's pseudonym of a subscriber of the synthetic estate."""
    return pseudonymise_subject(msisdn, KEY)


def at(days: float = 0) -> datetime:
    """An instant `days` after 1 January 2024, UTC."""
    return T0 + timedelta(days=days)


def make_event(
    data: EventData,
    *,
    who: SubjectRef | None = None,
    effective_at: datetime | None = None,
    recorded_at: datetime | None = None,
    personal: dict[str, str] | None = None,
    **envelope: Any,
) -> LedgerEvent:
    """An event with the envelope a call-centre agent would give it, changed where asked."""
    effective = effective_at or T0
    return LedgerEvent(
        subject=who or subject(),
        data=data,
        effective_at=effective,
        recorded_at=recorded_at or effective,
        collected_via=envelope.pop("collected_via", CollectedVia.CALL_CENTRE),
        actor=envelope.pop("actor", "agent-0042"),
        policy_id=envelope.pop("policy_id", "ipko"),
        policy_version=envelope.pop("policy_version", "1.1"),
        personal=personal,
        **envelope,
    )


def consent_given(option: str = OPTIONS[0], *channels: Channel, **kwargs: Any) -> LedgerEvent:
    return make_event(ConsentGiven(option=option, channels=frozenset(channels)), **kwargs)


def consent_withdrawn(option: str = OPTIONS[0], *channels: Channel, **kwargs: Any) -> LedgerEvent:
    return make_event(ConsentWithdrawn(option=option, channels=frozenset(channels)), **kwargs)


def seal_chain(events: Sequence[LedgerEvent]) -> tuple[list[ChainRow], ChainHead]:
    """The rows a store would hold for `events` appended in order, and the recorded head."""
    rows: list[ChainRow] = []
    prev_hash = GENESIS_HASH
    for seq, event in enumerate(events, start=1):
        row = seal_event(event, seq, prev_hash, SALT if event.personal is not None else None)
        rows.append(row)
        prev_hash = row.hash
    return rows, ChainHead(len(rows), prev_hash)


def renumbered(rows: Sequence[ChainRow]) -> list[ChainRow]:
    """`rows` with their position column renumbered 1, 2, … as a careful forger would."""
    return [row._replace(seq=seq) for seq, row in enumerate(rows, start=1)]


# ---------------------------------------------------------------- hypothesis strategies

_channels = st.frozensets(st.sampled_from(CHANNELS), max_size=2)


def event_data_of(
    options: Sequence[str],
    purposes: Sequence[str],
    subject_types: Sequence[str],
    *,
    channels: st.SearchStrategy[frozenset[Channel]],
    birth_dates: Sequence[date],
    untils: st.SearchStrategy[datetime],
) -> st.SearchStrategy[EventData]:
    """Any event of every type, saying these consent options (on `channels`), purposes,
    subject types and birth dates, two contracts and two debts, and opt-outs until one of
    `untils` or for good."""
    return st.one_of(
        st.builds(ConsentGiven, option=st.sampled_from(options), channels=channels),
        st.builds(ConsentWithdrawn, option=st.sampled_from(options), channels=channels),
        st.builds(ObjectionMade, purpose=st.sampled_from(purposes)),
        st.builds(ObjectionWithdrawn, purpose=st.sampled_from(purposes)),
        st.builds(ObjectionMade, all_direct_marketing=st.just(True)),
        st.builds(ObjectionWithdrawn, all_direct_marketing=st.just(True)),
        st.builds(RestrictionSet),
        st.builds(RestrictionLifted),
        st.builds(ContractStarted, contract=st.sampled_from(["c-1", "c-2"])),
        st.builds(ContractEnded, contract=st.sampled_from(["c-1", "c-2"])),
        st.builds(DebtIncurred, debt=st.sampled_from(["d-1", "d-2"])),
        st.builds(DebtSettled, debt=st.sampled_from(["d-1", "d-2"])),
        st.builds(BusinessOptOutMade, until=st.none() | untils),
        st.builds(BusinessOptOutEnded),
        st.builds(
            SubjectFactsRecorded,
            subject_type=st.sampled_from(subject_types),
            birth_date=st.none() | st.sampled_from(birth_dates),
        ),
    )


event_data = event_data_of(
    OPTIONS,
    PURPOSES,
    ["consumer", "business"],
    channels=_channels,
    birth_dates=[date(2010, 5, 1)],
    untils=st.sampled_from([at(5), at(20)]),
)


@st.composite
def ledger_events(draw: st.DrawFn, subjects: Sequence[str] = MSISDNS[:1]) -> LedgerEvent:
    """An event about one of `subjects`, taking effect on one of a few days (so some tie),
    recorded on or after that day, sometimes with a personal payload."""
    msisdn = draw(st.sampled_from(subjects))
    effective = at(draw(st.integers(0, 10)))
    recorded = effective + timedelta(days=draw(st.integers(0, 5)))
    personal = draw(st.none() | st.just({"msisdn": msisdn}))
    return make_event(
        draw(event_data),
        who=subject(msisdn),
        effective_at=effective,
        recorded_at=recorded,
        personal=personal,
    )


def histories(subjects: Sequence[str] = MSISDNS[:1], max_size: int = 25) -> Any:
    """Lists of events in the order they were recorded."""
    return st.lists(ledger_events(subjects), max_size=max_size)
