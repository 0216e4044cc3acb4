"""The columnar fold equals the replay of each subject's events, field by field."""

from __future__ import annotations

import string
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from placet.decide.bulk import STATE_SCHEMA, states_frame, subject_numbers
from placet.decide.state import SubjectState
from placet.ledger import (
    BusinessOptOutMade,
    ContractEnded,
    ContractStarted,
    LedgerEvent,
    ObjectionMade,
    SubjectFactsRecorded,
    SubjectProjection,
    canonical_bytes,
    event_body,
    project_events,
    replay,
)
from placet.ledger.columnar import (
    EVENT_SCHEMA,
    SNAPSHOT_SCHEMA,
    channel_mask,
    complete_states,
    events_frame,
    fold_projections,
    fold_states,
    snapshot_states,
    stored_events_frame,
)
from placet.policy.terms import Channel
from tests.ledger.builders import (
    CHANNELS,
    MSISDNS,
    OPTIONS,
    at,
    consent_given,
    consent_withdrawn,
    histories,
    make_event,
    subject,
)

SUBJECTS = [subject(msisdn) for msisdn in MSISDNS]
SMS_OPTION = OPTIONS[0]
INSTANTS = st.integers(-1, 16).map(lambda day: at(day) + timedelta(hours=12 * (day % 2)))


def numbers_of(subject: str) -> dict[str, int | None]:
    """A subject's `subject_key` and `subject_check`, worked out in Python: the first and
    the next 16 hex digits of a 64-character reference."""

    def number(digits: str) -> int | None:
        hexadecimal = len(subject) == 64 and all(c in string.hexdigits for c in digits)
        return int(digits, 16) if hexadecimal else None

    return {"subject_key": number(subject[:16]), "subject_check": number(subject[16:32])}


def folded_states(
    events: list[LedgerEvent], as_of: datetime, known_at: datetime | None = None
) -> list[dict[str, Any]]:
    frame = events_frame(events).lazy()
    subjects = pl.LazyFrame({"subject": SUBJECTS})
    states = complete_states(fold_states(frame, as_of, known_at=known_at), subjects)
    return states.collect().to_dicts()


def replayed_states(
    events: list[LedgerEvent], as_of: datetime, known_at: datetime | None = None
) -> list[dict[str, Any]]:
    states = [
        replay(
            [event for event in events if event.subject == who],
            as_of,
            subject=who,
            known_at=known_at,
        )
        for who in SUBJECTS
    ]
    return states_frame(states).to_dicts()


def projection_row(projection: SubjectProjection, last_seq: int) -> dict[str, Any]:
    grants = projection.consents
    return {
        "subject": projection.subject,
        "subject_type": projection.subject_type,
        "birth_date": projection.birth_date,
        "consents": [
            {"option": grant.option, "channels": sorted(grant.channels)} for grant in grants
        ],
        "consent_given_at": [grant.given_at for grant in grants],
        "withdrawn": sorted(projection.withdrawn),
        "objections": sorted(projection.objections),
        "objects_to_direct_marketing": projection.objects_to_direct_marketing,
        "restricted": projection.restricted,
        "contracts": sorted(projection.contracts),
        "last_contract_end": projection.last_contract_end,
        "debts": sorted(projection.debts),
        "debt_settled_at": projection.debt_settled_at,
        "business_opt_out": projection.business_opt_out,
        "business_opt_out_until": projection.business_opt_out_until,
        "effective_through": projection.effective_through,
        "last_seq": last_seq,
        **numbers_of(projection.subject),
        "open_contracts": len(projection.contracts),
        "open_debts": len(projection.debts),
    }


def counted(
    events: list[LedgerEvent], as_of: datetime | None, known_at: datetime | None
) -> list[tuple[int, LedgerEvent]]:
    return [
        (seq, event)
        for seq, event in enumerate(events, start=1)
        if (as_of is None or event.effective_at <= as_of)
        and (known_at is None or event.recorded_at <= known_at)
    ]


def projected_rows(
    events: list[LedgerEvent], as_of: datetime | None, known_at: datetime | None
) -> list[dict[str, Any]]:
    chosen = counted(events, as_of, known_at)
    rows = []
    for who in SUBJECTS:
        own = [(seq, event) for seq, event in chosen if event.subject == who]
        if own:
            projection = project_events(who, [event for _, event in own])
            rows.append(projection_row(projection, max(seq for seq, _ in own)))
    return rows


def folded_projections(
    events: list[LedgerEvent], as_of: datetime | None, known_at: datetime | None
) -> list[dict[str, Any]]:
    frame = events_frame(events).lazy()
    folded = fold_projections(frame, as_of=as_of, known_at=known_at).sort("subject")
    return folded.collect().to_dicts()


@st.composite
def consent_histories(draw: st.DrawFn) -> list[LedgerEvent]:
    """Gives and withdrawals of two options by two subjects, on few days (so many tie),
    naming any set of channels, or none."""
    events = []
    for _ in range(draw(st.integers(0, 14))):
        build = consent_given if draw(st.booleans()) else consent_withdrawn
        channels = draw(st.frozensets(st.sampled_from(CHANNELS)))
        effective = at(draw(st.integers(0, 8)))
        events.append(
            build(
                draw(st.sampled_from(OPTIONS[:2])),
                *sorted(channels),
                who=draw(st.sampled_from(SUBJECTS[:2])),
                effective_at=effective,
                recorded_at=effective + timedelta(days=draw(st.integers(0, 3))),
            )
        )
    return events


# ---------------------------------------------------------------- properties


@settings(max_examples=200)
@given(events=consent_histories(), as_of=INSTANTS, known_at=st.none() | INSTANTS)
def test_fold_states_equals_replay_on_consent_histories(
    events: list[LedgerEvent], as_of: datetime, known_at: datetime | None
) -> None:
    assert folded_states(events, as_of, known_at) == replayed_states(events, as_of, known_at)


@settings(max_examples=200)
@given(events=consent_histories(), as_of=st.none() | INSTANTS)
def test_fold_projections_equals_project_events_on_consent_histories(
    events: list[LedgerEvent], as_of: datetime | None
) -> None:
    expected = sorted(projected_rows(events, as_of, None), key=lambda row: row["subject"])
    assert folded_projections(events, as_of, None) == expected


@settings(max_examples=150)
@given(
    events=histories(MSISDNS, max_size=40),
    as_of=INSTANTS,
    known_at=st.none() | INSTANTS,
)
def test_fold_states_equals_replay_for_every_subject(
    events: list[LedgerEvent], as_of: datetime, known_at: datetime | None
) -> None:
    assert folded_states(events, as_of, known_at) == replayed_states(events, as_of, known_at)


@settings(max_examples=150)
@given(
    events=histories(MSISDNS, max_size=40),
    as_of=st.none() | INSTANTS,
    known_at=st.none() | INSTANTS,
)
def test_fold_projections_equals_project_events_for_every_subject(
    events: list[LedgerEvent], as_of: datetime | None, known_at: datetime | None
) -> None:
    expected = sorted(projected_rows(events, as_of, known_at), key=lambda row: row["subject"])
    assert folded_projections(events, as_of, known_at) == expected


@settings(max_examples=60)
@given(events=histories(MSISDNS, max_size=30), as_of=INSTANTS)
def test_subjects_whose_pseudonyms_begin_alike_are_folded_apart(
    events: list[LedgerEvent], as_of: datetime
) -> None:
    # The fold numbers subjects by their pseudonym's first 16 hex digits; subjects who
    # share them, or are not named by a pseudonym at all (be it hex digits that write the
    # same number: "ab", "0ab"), are folded again one by one.
    expected = fold_states(events_frame(events).lazy(), as_of).collect().sort("subject")
    renames: list[Callable[[str], str]] = [
        lambda who: "f" * 16 + who[16:],
        lambda who: f"subscriber {who}",
        lambda who: "0" * SUBJECTS.index(who) + "ab",
    ]
    for rename in renames:
        renamed = [event.model_copy(update={"subject": rename(event.subject)}) for event in events]
        original = {rename(who): who for who in SUBJECTS}
        folded = fold_states(events_frame(renamed).lazy(), as_of).collect()
        restored = folded.with_columns(pl.col("subject").replace_strict(original))
        numbers = restored.select("subject", *subject_numbers(pl.col("subject")))
        assert restored.update(numbers, on="subject").sort("subject").equals(expected)


@given(events=histories(MSISDNS, max_size=30), later=st.integers(0, 20))
def test_snapshot_states_equals_the_projections_state_at_any_later_instant(
    events: list[LedgerEvent], later: int
) -> None:
    snapshot = fold_projections(events_frame(events).lazy())
    through = max((event.effective_at for event in events), default=at(0))
    when = through + timedelta(days=later)
    states = snapshot_states(snapshot, when).sort("subject").collect()
    expected = [
        project_events(who, [event for event in events if event.subject == who]).state(when)
        for who in sorted({event.subject for event in events})
    ]
    assert states.to_dicts() == states_frame(expected).to_dicts()


@given(events=histories(MSISDNS, max_size=30))
def test_stored_bodies_decode_to_the_same_frame_as_the_events(events: list[LedgerEvent]) -> None:
    bodies = [
        canonical_bytes(event_body(event, seq, None)).decode()
        for seq, event in enumerate(events, start=1)
    ]
    rows = pl.DataFrame(
        {"seq": range(1, len(events) + 1), "body": bodies},
        schema={"seq": pl.Int64, "body": pl.String},
    )
    assert stored_events_frame(rows).equals(events_frame(events))


# ---------------------------------------------------------------- examples


def test_frame_has_the_documented_schema() -> None:
    frame = events_frame([consent_given(SMS_OPTION, Channel.SMS)])
    assert dict(frame.schema) == EVENT_SCHEMA
    assert frame.row(0, named=True)["channels"] == channel_mask([Channel.SMS]) == 1


def test_projection_frame_has_the_documented_schema() -> None:
    folded = fold_projections(events_frame([consent_given()]).lazy()).collect()
    assert dict(folded.schema) == SNAPSHOT_SCHEMA


def test_fold_states_has_the_schema_decide_bulk_reads() -> None:
    folded = fold_states(events_frame([consent_given()]).lazy(), at(1)).collect()
    assert dict(folded.schema) == STATE_SCHEMA


def test_withdrawing_one_channel_of_an_every_channel_grant_withdraws_the_option() -> None:
    events = [
        consent_given(SMS_OPTION, effective_at=at(1)),
        consent_withdrawn(SMS_OPTION, Channel.SMS, effective_at=at(2)),
        consent_given(SMS_OPTION, Channel.EMAIL, effective_at=at(3)),
    ]
    (row,) = folded_projections(events, None, None)
    assert row["consents"] == [{"option": SMS_OPTION, "channels": ["email"]}]
    assert row["consent_given_at"] == [at(3)]


def test_a_grant_given_channel_by_channel_keeps_its_first_instant() -> None:
    events = [
        consent_given(SMS_OPTION, Channel.SMS, effective_at=at(1)),
        consent_given(SMS_OPTION, Channel.EMAIL, effective_at=at(2)),
        consent_withdrawn(SMS_OPTION, Channel.SMS, effective_at=at(3)),
    ]
    (row,) = folded_projections(events, None, None)
    assert row["consents"] == [{"option": SMS_OPTION, "channels": ["email"]}]
    assert row["consent_given_at"] == [at(1)]


def test_a_grant_emptied_channel_by_channel_is_given_anew() -> None:
    events = [
        consent_given(SMS_OPTION, Channel.SMS, effective_at=at(1)),
        consent_withdrawn(SMS_OPTION, Channel.SMS, effective_at=at(2)),
        consent_given(SMS_OPTION, Channel.EMAIL, effective_at=at(3)),
        consent_withdrawn(SMS_OPTION, Channel.EMAIL, effective_at=at(4)),
        consent_given(SMS_OPTION, Channel.CALL, effective_at=at(5)),
        consent_given(SMS_OPTION, Channel.SMS, effective_at=at(6)),
    ]
    (row,) = folded_projections(events, None, None)
    assert row["consents"] == [{"option": SMS_OPTION, "channels": ["call", "sms"]}]
    assert row["consent_given_at"] == [at(5)]


def test_a_contract_open_after_an_earlier_end_keeps_that_end_in_the_projection() -> None:
    events = [
        make_event(ContractStarted(contract="c-1"), effective_at=at(1)),
        make_event(ContractEnded(contract="c-1"), effective_at=at(2)),
        make_event(ContractStarted(contract="c-2"), effective_at=at(3)),
        make_event(ContractStarted(contract="c-3"), effective_at=at(4)),
        make_event(ContractEnded(contract="c-2"), effective_at=at(5)),
    ]
    (row,) = folded_projections(events, None, None)
    assert (row["contracts"], row["last_contract_end"]) == (["c-3"], at(2))
    (state,) = folded_states(events, at(6))[:1]
    assert (state["active_contracts"], state["last_contract_end"]) == (1, None)


def test_a_subject_with_no_event_by_then_gets_the_empty_state() -> None:
    events = [make_event(ObjectionMade(all_direct_marketing=True), effective_at=at(5))]
    states = folded_states(events, at(1))
    empty = states_frame([SubjectState(who, at(1)) for who in SUBJECTS])
    assert states == empty.to_dicts()


def test_a_temporary_business_opt_out_ends_at_its_instant() -> None:
    events = [
        make_event(SubjectFactsRecorded(subject_type="business"), effective_at=at(0)),
        make_event(BusinessOptOutMade(until=at(5)), effective_at=at(1)),
    ]
    snapshot = fold_projections(events_frame(events).lazy())
    during = snapshot_states(snapshot, at(4)).collect().row(0, named=True)
    after = snapshot_states(snapshot, at(5)).collect().row(0, named=True)
    assert (during["business_opt_out"], during["business_opt_out_until"]) == (True, at(5))
    assert (after["business_opt_out"], after["business_opt_out_until"]) == (False, None)


def test_fold_reads_events_from_an_empty_frame() -> None:
    empty = pl.DataFrame(schema=EVENT_SCHEMA).lazy()
    assert fold_states(empty, at(1)).collect().height == 0
