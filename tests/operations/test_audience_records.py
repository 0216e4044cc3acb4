"""Audience runs are recorded with the policy version and ledger position they read, and replay."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

import polars as pl
import pytest

from placet.errors import DecisionNotFoundError, IdempotencyConflictError, StoreError
from placet.ledger import ChainHead, DecisionEntry, DecisionKind, ProblemKind
from placet.operations import (
    Audience,
    give_consent,
    make_objection,
    replay_audience,
    select_audience,
    withdraw_consent,
)
from placet.policy import PolicySet
from placet.stores.sql_columnar import write_snapshot
from placet.stores.sql_ledger import SqlLedger
from tests.operations.conftest import KEY, NOW, SHOP, on
from tests.operations.test_audiences import TABLE, estate
from tests.operations.test_deciding import SMS_OFFERS
from tests.stores.conftest import run_sql


def run(
    ledger: SqlLedger, ipko: PolicySet, table: list[str] = TABLE
) -> tuple[Audience, list[str], DecisionEntry]:
    """Select the SMS offers audience of `table` now, and record the run."""
    audience = select_audience(ledger, ipko, KEY, table, SMS_OFFERS, at=NOW)
    permitted = list(audience.permitted())
    entry = audience.record(actor="crm-campaigns", recorded_at=NOW, source={"table": "t.csv"})
    return audience, permitted, entry


def test_audience_run_is_recorded_with_the_policy_version_and_ledger_position(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    estate(ledger, ipko)
    head = ledger.head()

    audience, permitted, entry = run(ledger, ipko)

    record = entry.record
    assert record.kind == DecisionKind.AUDIENCE_RUN
    assert (record.policy_id, record.policy_version) == ("ipko", ipko.in_force(NOW).version)
    assert (record.ledger_seq, record.ledger_hash) == (head.seq, head.hash)
    assert record.as_of == NOW
    assert record.request["purpose"] == SMS_OFFERS.purpose
    assert record.outcome == {
        "total": 30,
        "permitted": len(permitted),
        "excluded": dict(sorted(audience.counts.excluded.items())),
    }
    assert record.source["table"] == "t.csv"
    assert ledger.decision(record.record_id) == entry
    assert ledger.decisions(DecisionKind.AUDIENCE_RUN) == [entry]
    assert ledger.decisions(DecisionKind.ERASURE) == []


def test_an_audience_is_recorded_only_once_its_stream_has_ended(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    audience = select_audience(ledger, ipko, KEY, TABLE, SMS_OFFERS, at=NOW)

    with pytest.raises(RuntimeError, match="batches"):
        audience.record(actor="crm", recorded_at=NOW)


def test_audience_reads_the_ledger_as_it_stood_when_it_began(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    estate(ledger, ipko)
    audience = select_audience(ledger, ipko, KEY, TABLE, SMS_OFFERS, at=NOW, chunk_size=5)
    batches = audience.batches()
    first = next(batches)
    # A withdrawal recorded while the selection runs, about a subscriber not yet decided:
    withdraw_consent(
        ledger, ipko, KEY, TABLE[18], "current-offers", provenance=SHOP, recorded_at=on(4, 20)
    )
    rest = [identifier for batch in batches for identifier in batch]

    assert TABLE[18] in first + rest  # decided as the ledger stood at the start
    assert audience.position.seq < ledger.head().seq


def test_recorded_audience_run_replays_identically_after_later_events(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    estate(ledger, ipko)
    _, _, entry = run(ledger, ipko)
    withdraw_consent(
        ledger, ipko, KEY, TABLE[0], "current-offers", provenance=SHOP, recorded_at=on(4, 20)
    )
    give_consent(ledger, ipko, KEY, TABLE[1], "current-offers", provenance=SHOP, recorded_at=on(2))

    replayed = replay_audience(ledger, ipko, KEY, entry.record.record_id, TABLE)

    assert replayed.reproduced, replayed.differences
    assert replayed.audience.outcome() == entry.record.outcome


def test_a_fresh_run_after_later_events_differs_from_the_recorded_one(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    estate(ledger, ipko)
    _, before, _ = run(ledger, ipko)
    make_objection(
        ledger, ipko, KEY, TABLE[2], provenance=SHOP, all_direct_marketing=True, recorded_at=on(4)
    )

    _, after, _ = run(ledger, ipko)

    assert TABLE[2] in before
    assert TABLE[2] not in after


def test_replay_names_what_differs_when_given_other_subscribers(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    estate(ledger, ipko)
    _, _, entry = run(ledger, ipko)

    replayed = replay_audience(ledger, ipko, KEY, entry.record.record_id, TABLE[:10])

    assert not replayed.reproduced
    assert "the subscribers given are not those the run was given" in replayed.differences
    assert "the subscribers selected differ from those recorded" in replayed.differences


def test_replay_of_an_unknown_record_is_refused(ledger: SqlLedger, ipko: PolicySet) -> None:
    with pytest.raises(DecisionNotFoundError, match="no audience-run record"):
        replay_audience(ledger, ipko, KEY, uuid4(), TABLE)


def test_resent_decision_record_returns_the_original_and_a_changed_one_is_refused(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    estate(ledger, ipko)
    _, _, entry = run(ledger, ipko)

    again = ledger.record_decision(entry.record.model_copy(update={"recorded_at": on(6)}))
    changed = entry.record.model_copy(update={"outcome": {"total": 1}})

    assert again == entry
    with pytest.raises(IdempotencyConflictError):
        ledger.record_decision(changed)
    assert len(ledger.decisions()) == 1


def test_decision_records_chain_verifies(ledger: SqlLedger, ipko: PolicySet) -> None:
    estate(ledger, ipko)
    for _ in range(3):
        run(ledger, ipko)

    report = ledger.verify_decisions()

    assert report.is_intact
    assert report.verified == 3


# ---------------------------------------------------------------- tampering with the records


def three_runs(ledger: SqlLedger, ipko: PolicySet) -> None:
    estate(ledger, ipko)
    for _ in range(3):
        run(ledger, ipko)


def test_altered_decision_record_is_reported_at_its_position(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    three_runs(ledger, ipko)
    run_sql(
        ledger,
        "UPDATE ledger_decisions SET body = replace(body, 'crm-campaigns', 'someone-else') "
        "WHERE seq = 2",
    )

    problem = ledger.verify_decisions().problem

    assert problem is not None
    assert (problem.position, problem.kind) == (2, ProblemKind.ALTERED)


def test_removed_decision_record_is_reported(ledger: SqlLedger, ipko: PolicySet) -> None:
    three_runs(ledger, ipko)
    run_sql(ledger, "DELETE FROM ledger_decisions WHERE seq = 3")

    problem = ledger.verify_decisions().problem

    assert problem is not None
    assert (problem.position, problem.kind) == (3, ProblemKind.REMOVED)


# ---------------------------------------------------------------- from a projection snapshot


def estate_and_snapshot(ledger: SqlLedger, ipko: PolicySet, folder: Path) -> Path:
    """The estate recorded, and a projection snapshot of it written in `folder`."""
    estate(ledger, ipko)
    snapshot = folder / "states.parquet"
    write_snapshot(ledger, snapshot)
    return snapshot


def test_audience_from_a_stale_snapshot_equals_the_audience_from_the_ledger(
    ledger: SqlLedger, ipko: PolicySet, tmp_path: Path
) -> None:
    snapshot = estate_and_snapshot(ledger, ipko, tmp_path)
    # Events after the snapshot's watermark: they must count all the same.
    withdraw_consent(
        ledger, ipko, KEY, TABLE[0], "current-offers", provenance=SHOP, recorded_at=on(4, 20)
    )
    make_objection(
        ledger, ipko, KEY, TABLE[4], provenance=SHOP, all_direct_marketing=True, recorded_at=on(4)
    )
    give_consent(ledger, ipko, KEY, TABLE[1], "current-offers", provenance=SHOP, recorded_at=on(2))

    from_ledger = select_audience(ledger, ipko, KEY, TABLE, SMS_OFFERS, at=NOW, chunk_size=7)
    from_snapshot = select_audience(
        ledger, ipko, KEY, TABLE, SMS_OFFERS, at=NOW, chunk_size=7, snapshot=snapshot
    )

    assert list(from_snapshot.permitted()) == list(from_ledger.permitted())
    assert from_snapshot.outcome() == from_ledger.outcome()
    assert from_snapshot.digest.hexdigest() == from_ledger.digest.hexdigest()


def test_subscribers_given_as_a_column_are_decided_as_the_same_identifiers_one_by_one(
    ledger: SqlLedger, ipko: PolicySet, tmp_path: Path
) -> None:
    snapshot = estate_and_snapshot(ledger, ipko, tmp_path)
    # As a file is read: spaces around some identifiers, and blank rows, left out.
    column = pl.Series([f" {TABLE[0]} ", None, *TABLE[1:5], "  ", *TABLE[5:]])

    one_by_one = select_audience(ledger, ipko, KEY, TABLE, SMS_OFFERS, at=NOW, chunk_size=7)
    permitted = list(one_by_one.permitted())
    for snapshot_or_not in (snapshot, None):
        as_column = select_audience(
            ledger, ipko, KEY, column, SMS_OFFERS, at=NOW, chunk_size=7, snapshot=snapshot_or_not
        )
        assert list(as_column.permitted()) == permitted
        assert as_column.outcome() == one_by_one.outcome()
        assert as_column.digest.hexdigest() == one_by_one.digest.hexdigest()
        assert as_column.input_digest.hexdigest() == one_by_one.input_digest.hexdigest()


def test_snapshot_past_the_position_asked_for_is_refused(
    ledger: SqlLedger, ipko: PolicySet, tmp_path: Path
) -> None:
    snapshot = estate_and_snapshot(ledger, ipko, tmp_path)

    earlier = select_audience(
        ledger, ipko, KEY, TABLE, SMS_OFFERS, at=NOW, snapshot=snapshot, position=ChainHead(1, "")
    )

    with pytest.raises(StoreError, match="past the position 1"):
        list(earlier.batches())
