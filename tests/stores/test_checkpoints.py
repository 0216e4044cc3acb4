"""A ledger rewritten as a whole, or cut back, verifies by itself: a signed checkpoint taken
before catches it. On SQLite and PostgreSQL, changing the tables directly as someone with
database access could, hashes and head rows included."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from placet.errors import CheckpointMismatchError
from placet.ledger import DecisionKind
from placet.ledger.receipts import ReceiptKeys, generate_signing_key
from placet.operations.checkpoints import IssuedCheckpoint, check_checkpoint, issue_checkpoint
from placet.stores.sql_ledger import SqlLedger
from tests.ledger.builders import at, consent_given
from tests.stores.conftest import an_audience_run, rewrite_from, run_sql

KEYS = ReceiptKeys(generate_signing_key("ipko-2026"))
SIGNED_AT = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


@pytest.fixture
def signed(ledger: SqlLedger) -> IssuedCheckpoint:
    """Ten events and an audience run, and a checkpoint of both heads."""
    ledger.append_many([consent_given(effective_at=at(day)) for day in range(10)])
    an_audience_run(ledger, SIGNED_AT)
    return issue_checkpoint(ledger, KEYS, issuer="IPKO", at=SIGNED_AT)


def check(ledger: SqlLedger, issued: IssuedCheckpoint) -> None:
    check_checkpoint(ledger, issued.token, KEYS.published)


def test_a_checkpoint_still_checks_after_later_appends_and_records(
    ledger: SqlLedger, signed: IssuedCheckpoint
) -> None:
    ledger.append_many([consent_given(effective_at=at(day)) for day in range(10, 13)])
    an_audience_run(ledger, SIGNED_AT)

    checkpoint = check_checkpoint(ledger, signed.token, KEYS.published)

    assert (checkpoint.events.seq, checkpoint.decisions.seq) == (10, 1)
    assert ledger.head().seq == 13


def test_events_rewritten_as_a_whole_verify_by_themselves_but_not_against_a_checkpoint(
    ledger: SqlLedger, signed: IssuedCheckpoint
) -> None:
    rewrite_from(ledger, "ledger_events", "ledger_head", 4)

    assert ledger.verify().is_intact
    with pytest.raises(CheckpointMismatchError) as caught:
        check(ledger, signed)

    assert caught.value.differences == (
        f"the events' hash at position 10 is {ledger.head().hash}, the checkpoint signs "
        f"{signed.checkpoint.events.hash}",
    )


def test_decision_records_rewritten_as_a_whole_do_not_match_a_checkpoint(
    ledger: SqlLedger, signed: IssuedCheckpoint
) -> None:
    rewrite_from(ledger, "ledger_decisions", "ledger_decision_head", 1)

    assert ledger.verify_decisions().is_intact
    with pytest.raises(CheckpointMismatchError, match="the decision records' hash at position 1"):
        check(ledger, signed)


def test_a_ledger_cut_back_before_a_checkpoint_verifies_by_itself_but_not_against_it(
    ledger: SqlLedger, signed: IssuedCheckpoint
) -> None:
    eighth = ledger.hash_at(8)
    run_sql(
        ledger,
        "DELETE FROM ledger_personal_payloads",
        "DELETE FROM ledger_events WHERE seq > 8",
        f"UPDATE ledger_head SET seq = 8, hash = '{eighth}'",
    )

    assert ledger.verify().is_intact
    with pytest.raises(CheckpointMismatchError) as caught:
        check(ledger, signed)

    assert caught.value.differences == (
        "the events' chain ends before position 10, which the checkpoint signs",
    )


def test_the_last_decision_records_are_read_from_the_end_in_the_order_recorded(
    ledger: SqlLedger, signed: IssuedCheckpoint
) -> None:
    """What the console's ledger page lists: `decisions(last=N)`, one query from the end."""
    an_audience_run(ledger, SIGNED_AT)
    an_audience_run(ledger, SIGNED_AT)
    every = ledger.decisions()

    assert ledger.decisions(last=2) == every[-2:]
    assert ledger.decisions(DecisionKind.AUDIENCE_RUN, last=5) == every
    assert ledger.decisions(last=0) == []
    assert [entry.seq for entry in every] == [1, 2, 3]
