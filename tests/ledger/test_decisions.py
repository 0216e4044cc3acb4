"""Decision records: sealed into a chain of their own, read back whole, checked by `verify`."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from placet.ledger import (
    GENESIS_HASH,
    ChainHead,
    DecisionKind,
    DecisionRecord,
    ProblemKind,
    SelectionDigest,
    decision_from_row,
    seal_decision,
    verify,
)
from tests.ledger.builders import at, subject


def record(**changes: Any) -> DecisionRecord:
    fields: dict[str, Any] = {
        "kind": DecisionKind.AUDIENCE_RUN,
        "recorded_at": at(10),
        "actor": "crm-campaigns",
        "policy_id": "ipko",
        "policy_version": "2025-01",
        "ledger_seq": 42,
        "ledger_hash": "ab" * 32,
        "as_of": at(9),
        "request": {"purpose": "direct-marketing-current-offers", "channel": "sms"},
        "outcome": {"total": 30, "permitted": 8, "excluded": {"no-consent": 22}},
        "selection_digest": "cd" * 32,
        "source": {"table": "campaign.csv"},
        "idempotency_key": "run-1",
    }
    fields.update(changes)
    return DecisionRecord(**fields)


def test_a_sealed_record_reads_back_whole() -> None:
    original = record(subject=subject(), known_at=at(8))

    row = seal_decision(original, 1, GENESIS_HASH)

    assert decision_from_row(row).record == original
    assert (row.event_id, row.type, row.subject_ref) == (
        str(original.record_id),
        "audience-run",
        subject(),
    )


def test_a_chain_of_records_verifies_and_an_altered_one_is_named() -> None:
    rows = []
    prev = GENESIS_HASH
    for seq in range(1, 4):
        row = seal_decision(record(idempotency_key=f"run-{seq}"), seq, prev)
        rows.append(row)
        prev = row.hash
    assert verify(rows, ChainHead(3, prev)).is_intact

    rows[1] = rows[1]._replace(body=rows[1].body.replace('"permitted":8', '"permitted":9'))
    problem = verify(rows, ChainHead(3, prev)).problem

    assert problem is not None
    assert (problem.position, problem.kind) == (2, ProblemKind.ALTERED)


def test_a_record_that_cannot_be_encoded_canonically_is_refused() -> None:
    with pytest.raises(ValidationError, match="cannot be recorded"):
        record(outcome={"share": 0.27})


def test_selection_digest_is_sha256_of_the_pseudonyms_one_per_line() -> None:
    digest = SelectionDigest()
    digest.update(["aa", "bb"])
    digest.update(["cc"])

    assert digest.hexdigest() == hashlib.sha256(b"aa\nbb\ncc\n").hexdigest()


@given(st.lists(st.text(max_size=20), min_size=1, max_size=20))
def test_identifiers_joined_at_once_digest_as_they_do_one_by_one(identifiers: list[str]) -> None:
    one_by_one, joined = SelectionDigest(), SelectionDigest()

    one_by_one.update(identifiers)
    joined.update_joined("\n".join(identifiers))

    assert joined.hexdigest() == one_by_one.hexdigest()
