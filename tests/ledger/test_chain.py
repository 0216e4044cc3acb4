"""The hash chain: each event hashed over the one before it, and `verify` names any tampering."""

from __future__ import annotations

import hashlib
import json
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from placet.errors import IdempotencyConflictError, InvalidEventError
from placet.ledger import (
    GENESIS_HASH,
    ChainRow,
    LedgerEvent,
    ProblemKind,
    canonical_bytes,
    entry_from_row,
    event_body,
    new_event_id,
    resent_entry,
    seal_event,
    verify,
)
from placet.ledger.chain import encode_body, encode_event
from tests.ledger.builders import (
    SALT,
    at,
    consent_given,
    histories,
    ledger_events,
    renumbered,
    seal_chain,
)


def ten_events() -> list[LedgerEvent]:
    return [
        consent_given(effective_at=at(day), personal={"msisdn": "+38344000001"})
        if day % 3 == 0
        else consent_given(effective_at=at(day))
        for day in range(10)
    ]


def test_hash_is_sha256_of_the_previous_hash_and_the_canonical_body() -> None:
    row = seal_event(consent_given(), 1, GENESIS_HASH, None)

    body = canonical_bytes(json.loads(row.body))

    assert row.body.encode() == body
    assert row.hash == hashlib.sha256(bytes(32) + body).hexdigest()


def test_each_event_names_the_hash_of_the_one_before() -> None:
    rows, _ = seal_chain(ten_events())

    assert [row.prev_hash for row in rows[1:]] == [row.hash for row in rows[:-1]]


def test_body_holds_the_commitment_not_the_personal_payload() -> None:
    row = seal_event(consent_given(personal={"msisdn": "+38344000001"}), 1, GENESIS_HASH, SALT)

    assert "+38344000001" not in row.body
    assert json.loads(row.body)["personal_commitment"]
    assert row.payload == '{"msisdn":"+38344000001"}'


@given(history=histories(subjects=("+38344000001", "+38344000002")))
def test_chain_of_any_events_verifies(history: list[LedgerEvent]) -> None:
    rows, head = seal_chain(history)

    report = verify(rows, head)

    assert report.is_intact
    assert report.verified == len(history)
    assert report.head == head


def test_altered_body_is_reported_at_its_position() -> None:
    rows, head = seal_chain(ten_events())
    rows[4] = rows[4]._replace(body=rows[4].body.replace("agent-0042", "agent-0666"))

    problem = verify(rows, head).problem

    assert problem is not None
    assert (problem.position, problem.kind) == (5, ProblemKind.ALTERED)
    assert problem.event_id == rows[4].event_id


def test_event_altered_and_rehashed_is_reported_at_its_position() -> None:
    rows, head = seal_chain(ten_events())
    forged = entry_from_row(rows[4]).event.model_copy(update={"actor": "agent-0666"})
    rows[4] = seal_event(forged, 5, rows[3].hash, None)

    report = verify(rows, head)

    assert report.problem is not None
    assert (report.problem.position, report.problem.kind) == (5, ProblemKind.ALTERED)
    assert report.problem.event_id == rows[4].event_id
    assert (report.verified, report.head.hash) == (4, rows[3].hash)


def test_removed_event_is_reported_at_its_position() -> None:
    rows, head = seal_chain(ten_events())

    problem = verify(rows[:3] + rows[4:], head).problem

    assert problem is not None
    assert (problem.position, problem.kind) == (4, ProblemKind.REMOVED)


def test_removed_event_is_reported_even_when_positions_are_renumbered() -> None:
    rows, head = seal_chain(ten_events())

    problem = verify(renumbered(rows[:3] + rows[4:]), head).problem

    assert problem is not None
    assert (problem.position, problem.kind) == (4, ProblemKind.REMOVED)


def test_removed_first_event_is_reported_at_position_one() -> None:
    rows, head = seal_chain(ten_events())

    problem = verify(rows[1:], head).problem

    assert problem is not None
    assert (problem.position, problem.kind) == (1, ProblemKind.REMOVED)


def test_inserted_well_forged_event_is_reported_at_its_position() -> None:
    rows, head = seal_chain(ten_events())
    forged = seal_event(consent_given(effective_at=at(2)), 4, rows[2].hash, None)

    problem = verify(renumbered([*rows[:3], forged, *rows[3:]]), head).problem

    assert problem is not None
    assert (problem.position, problem.kind) == (4, ProblemKind.INSERTED)
    assert problem.event_id == forged.event_id


def test_inserted_event_with_a_bad_hash_is_reported_at_its_position() -> None:
    rows, head = seal_chain(ten_events())
    forged = seal_event(consent_given(), 4, rows[2].hash, None)._replace(hash="ab" * 32)

    problem = verify(renumbered([*rows[:3], forged, *rows[3:]]), head).problem

    assert problem is not None
    assert (problem.position, problem.kind) == (4, ProblemKind.INSERTED)


def test_swapped_events_are_reported_as_reordered_at_the_first() -> None:
    rows, head = seal_chain(ten_events())
    rows[2], rows[6] = rows[6]._replace(seq=3), rows[2]._replace(seq=7)

    problem = verify(rows, head).problem

    assert problem is not None
    assert (problem.position, problem.kind) == (3, ProblemKind.REORDERED)


def test_truncated_chain_is_caught_by_the_recorded_head() -> None:
    rows, head = seal_chain(ten_events())

    assert verify(rows[:8]).is_intact
    problem = verify(rows[:8], head).problem

    assert problem is not None
    assert (problem.position, problem.kind) == (9, ProblemKind.REMOVED)


def test_event_appended_outside_the_ledger_is_caught_by_the_recorded_head() -> None:
    rows, head = seal_chain(ten_events())
    extra = seal_event(consent_given(), 11, rows[-1].hash, None)

    problem = verify([*rows, extra], head).problem

    assert problem is not None
    assert (problem.position, problem.kind) == (11, ProblemKind.INSERTED)


def test_removed_personal_payload_keeps_the_chain_verifying() -> None:
    rows, head = seal_chain(ten_events())

    erased = [row._replace(salt=None, payload=None) for row in rows]

    assert verify(erased, head).is_intact


def test_altered_personal_payload_is_reported() -> None:
    rows, head = seal_chain(ten_events())
    rows[3] = rows[3]._replace(payload='{"msisdn":"+38344999999"}')

    problem = verify(rows, head).problem

    assert problem is not None
    assert (problem.position, problem.kind) == (4, ProblemKind.ALTERED)
    assert "commitment" in problem.detail


def test_column_that_disagrees_with_the_body_is_reported() -> None:
    rows, head = seal_chain(ten_events())
    rows[1] = rows[1]._replace(subject_ref="0" * 64)

    problem = verify(rows, head).problem

    assert problem is not None
    assert (problem.position, problem.kind) == (2, ProblemKind.ALTERED)
    assert "subject_ref" in problem.detail


def _tamper(rows: list[ChainRow], kind: ProblemKind, index: int) -> list[ChainRow]:
    if kind is ProblemKind.ALTERED:
        altered = rows[index]._replace(body=rows[index].body.replace("ipko", "ipkx"))
        return [*rows[:index], altered, *rows[index + 1 :]]
    if kind is ProblemKind.REMOVED:
        return renumbered(rows[:index] + rows[index + 1 :])
    if kind is ProblemKind.INSERTED:
        prev_hash = rows[index - 1].hash if index else GENESIS_HASH
        forged = seal_event(consent_given(), index + 1, prev_hash, None)
        return renumbered([*rows[:index], forged, *rows[index:]])
    moved = [*rows[:index], rows[index + 1], rows[index], *rows[index + 2 :]]
    return renumbered(moved)


@given(
    count=st.integers(3, 12),
    kind=st.sampled_from(list(ProblemKind)),
    data=st.data(),
)
def test_any_one_tampering_is_reported_at_its_position(
    count: int, kind: ProblemKind, data: st.DataObject
) -> None:
    rows, head = seal_chain(ten_events()[:count] + ten_events()[: max(0, count - 10)])
    index = data.draw(st.integers(0, count - 2))

    problem = verify(_tamper(rows, kind, index), head).problem

    assert problem is not None
    assert (problem.position, problem.kind) == (index + 1, kind)


# ---------------------------------------------------------------- the fast body encoder


@given(
    event=ledger_events(),
    seq=st.integers(1, 2**40),
    actor=st.text(min_size=1, max_size=20),
    evidence=st.none() | st.text(min_size=1, max_size=20),
)
def test_body_encoder_writes_the_canonical_encoding_of_any_event(
    event: LedgerEvent, seq: int, actor: str, evidence: str | None
) -> None:
    event = event.model_copy(update={"actor": actor, "evidence": evidence})
    body = event_body(event, seq, "ab" * 32)

    assert encode_body(body) == canonical_bytes(body)
    assert encode_event(event, seq, "ab" * 32) == canonical_bytes(body)
    assert encode_event(event, seq, "ab" * 32) == canonical_bytes(body)  # remembered data


def test_event_models_hold_no_float_the_body_encoder_would_let_through() -> None:
    def floats_in(annotation: object) -> bool:
        if annotation is float:
            return True
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return any(floats_in(field.annotation) for field in annotation.model_fields.values())
        return any(floats_in(argument) for argument in get_args(annotation))

    assert not floats_in(LedgerEvent)
    assert floats_in(dict[str, float | None])  # the walk itself finds a float


# ---------------------------------------------------------------- events sent again


def sealed(event: LedgerEvent) -> ChainRow:
    return seal_event(event, 7, GENESIS_HASH, SALT if event.personal is not None else None)


@given(
    ledger_events(),
    st.none() | st.just({"msisdn": "+38344999999"}),
    st.integers(1, 100),
    st.booleans(),
)
def test_an_event_sent_again_returns_the_entry_the_row_stores(
    event: LedgerEvent, personal: dict[str, str] | None, days_later: int, erased: bool
) -> None:
    row = sealed(event)
    if erased:  # its personal payload removed since: the body still holds the commitment
        row = row._replace(salt=None, payload=None)
    # The same request, rebuilt by a retry: its own id, instant of recording and payload.
    again = event.model_copy(
        update={
            "event_id": new_event_id(),
            "recorded_at": at(days_later),
            "personal": personal,
        }
    )

    assert resent_entry(row, again) == entry_from_row(row)


@pytest.mark.parametrize(
    "change",
    [
        {"actor": "agent-0043"},
        {"evidence": "form-9"},
        {"effective_at": at(1)},
        {"policy_version": "1.2"},
        {"subject": "f" * 64},
        {"data": consent_given("offers-just-for-me").data},
    ],
    ids=lambda change: next(iter(change)),
)
def test_another_event_sent_under_a_recorded_key_is_a_conflict_at_its_position(
    change: dict[str, object],
) -> None:
    event = consent_given(idempotency_key="crm-17")
    row = sealed(event)

    with pytest.raises(IdempotencyConflictError, match="position 7"):
        resent_entry(row, event.model_copy(update=change))


def test_a_re_sent_event_is_compared_with_the_stored_body_even_when_the_columns_agree() -> None:
    # The columns say what the re-sent event says, the body says otherwise (written by
    # another request, or altered): the body decides.
    event = consent_given(idempotency_key="crm-17")
    row = sealed(event.model_copy(update={"actor": "agent-0043"}))._replace(
        subject_ref=event.subject
    )

    with pytest.raises(IdempotencyConflictError, match="position 7"):
        resent_entry(row, event)


def test_a_stored_body_that_cannot_be_read_is_named_by_its_position() -> None:
    event = consent_given()
    row = sealed(event)._replace(body="{not json")

    with pytest.raises(InvalidEventError, match="position 7"):
        resent_entry(row, event)
