"""Retention over a whole synthetic estate (SQLite and a Delta/Parquet lake): the plan
counts what is due and changes nothing; a run does exactly what the plan said and proves
it; holds and open requests keep their rows; recycled numbers never leak; a killed run is
finished by the next; a restore is erased again from the tombstones."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from placet.ledger import DecisionKind, SubjectFactsRecorded, pseudonymise_subject
from placet.operations import plan_estate, run_retention
from placet.operations.erasures import erase_subject, replay_erasures
from placet.policy.terms import RetentionAction, RightKind
from placet.retention import HoldReason, HoldScope, LegalHold, OpenRequest
from placet.stores.protocol import RESTRICTED_MARK, Selection
from tests.ledger.builders import make_event
from tests.operations.conftest import KEY
from tests.operations.estate_fixtures import (
    AT,
    MAP,
    OpenEstate,
    opened_estate,
)

CUTOFF = datetime(2025, 12, 1, tzinfo=UTC)
"""Twelve months before `AT`: IPKO's traffic data goes before it."""
PLACED = datetime(2026, 11, 1, tzinfo=UTC)


def lake(estate: OpenEstate, table: str, columns: list[str]) -> pl.DataFrame:
    store = estate.stores.stores["lake"]
    frames = [pl.from_arrow(batch) for batch in store.find(table, Selection(), columns)]
    frame = pl.concat([frame for frame in frames if isinstance(frame, pl.DataFrame)])
    return frame


def sql(estate: OpenEstate, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(estate.database) as connection:
        return connection.execute(query).fetchall()


def plan(estate: OpenEstate, **kwargs: object):  # type: ignore[no-untyped-def]
    return plan_estate(estate.stores, estate.policy, estate.ledger, KEY, at=AT, **kwargs)  # type: ignore[arg-type]


def run(estate: OpenEstate, **kwargs: object):  # type: ignore[no-untyped-def]
    return run_retention(
        estate.stores,
        estate.policy,
        estate.ledger,
        KEY,
        estate.book,
        at=AT,
        actor="test",
        datamap_sha256="0" * 64,
        **kwargs,  # type: ignore[arg-type]
    )


HANDOVER = CUTOFF - timedelta(days=60)
NEXT_HOLDER = "C-NEXT-HOLDER"


def handed_over(estate: OpenEstate) -> tuple[str, dict[str, object], dict[str, object]]:
    """A number handed from one subscriber to the next inside the traffic data's span.

    The synthetic estate recycles numbers after a quarantine, years before its traffic
    data starts; this hands one number over on `HANDOVER` (before the cutoff) in the test's
    copy, so that both holders have calls old enough to go: the number and the two
    holders' assignments (`subscriber`, `valid_from`, `valid_to`)."""
    calls = lake(estate, "cdrs", ["a_number", "start_time"])
    first_call = calls["start_time"].min()
    (number, subscriber, since), *_ = sql(
        estate,
        "SELECT msisdn, subscriber_id, valid_from FROM msisdn_assignments "
        f"WHERE valid_to IS NULL AND valid_from < '{first_call:%Y-%m-%d %H:%M:%S.%f}' "  # type: ignore[str-format]
        "AND msisdn IN (SELECT msisdn FROM msisdn_assignments GROUP BY msisdn "
        "HAVING count(*) = 1) ORDER BY msisdn",
    )
    handover = f"{HANDOVER:%Y-%m-%d %H:%M:%S.%f}"
    with sqlite3.connect(estate.database) as connection:
        connection.execute(
            "UPDATE msisdn_assignments SET valid_to = ? WHERE msisdn = ?", (handover, number)
        )
        connection.execute(
            "INSERT INTO msisdn_assignments VALUES (?, ?, ?, NULL)",
            (number, NEXT_HOLDER, handover),
        )
    first = {"subscriber": subscriber, "valid_from": since, "valid_to": HANDOVER}
    second = {"subscriber": NEXT_HOLDER, "valid_from": HANDOVER, "valid_to": None}
    return str(number), first, second


def files(estate: OpenEstate) -> list[tuple[Path, int]]:
    return sorted((path, path.stat().st_mtime_ns) for path in estate.folder.rglob("*.parquet"))


def test_traffic_data_older_than_twelve_months_is_deleted_by_time_alone(
    estate: OpenEstate,
) -> None:
    planned = plan(estate)
    cdrs = next(dataset for dataset in planned.datasets if dataset.dataset == "cdrs")
    rows = lake(estate, "cdrs", ["start_time"])
    prefix = [step for step in cdrs.steps if step.shape == "time-prefix"]
    assert [(step.action, step.rules) for step in prefix] == [
        (RetentionAction.DELETE, ("traffic-and-location-data",))
    ]
    assert prefix[0].before == CUTOFF + timedelta(microseconds=1)
    assert prefix[0].rows == rows.filter(pl.col("start_time") <= CUTOFF).height > 0
    assert cdrs.rows == rows.height
    assert cdrs.kept == rows.height - cdrs.acts_on


def test_invoices_of_a_buyer_who_never_had_a_contract_go_six_years_after_their_year(
    estate: OpenEstate,
) -> None:
    # A shop sale to someone the ledger knows (a fact recorded) and who never subscribed,
    # and the same to someone it does not know, who may well have a contract: IPKO keeps
    # invoices six years from the later of their year's end "and/or" the contract's end.
    buyer, stranger = "C-SHOP-BUYER", "C-NOT-IN-LEDGER"
    with sqlite3.connect(estate.database) as connection:
        connection.executemany(
            "INSERT INTO invoices VALUES (?, ?, ?, ?, 9.90)",
            [
                (who, f"INV-{who}-{year}", f"{year}-03-01 10:00:00.000000", f"{year}-03-21")
                for who in (buyer, stranger)
                for year in (2019, 2021)
            ],
        )
    estate.ledger.append(
        make_event(
            SubjectFactsRecorded(subject_type="consumer-subscriber"),
            who=pseudonymise_subject(buyer, KEY),
            effective_at=datetime(2019, 3, 1, tzinfo=UTC),
        )
    )

    run(estate)

    left = sql(
        estate,
        "SELECT invoice_id FROM invoices WHERE subscriber_id IN "
        f"('{buyer}', '{stranger}') ORDER BY invoice_id",
    )
    # The buyer's 2019 invoice went on 1 January 2026; the 2021 one stays until 2028.
    assert [row[0] for row in left] == [
        f"INV-{stranger}-2019",
        f"INV-{stranger}-2021",
        f"INV-{buyer}-2021",
    ]


def test_planning_changes_nothing(estate: OpenEstate) -> None:
    before = files(estate)
    counts = sql(estate, "SELECT count(*) FROM subscribers")

    planned = plan(estate)

    assert planned.acts_on > 0
    assert (
        sorted((path, path.stat().st_mtime_ns) for path in estate.folder.rglob("*.parquet"))
        == before
    )
    assert sql(estate, "SELECT count(*) FROM subscribers") == counts


def test_a_run_does_what_the_plan_said_proves_it_and_records_it(estate: OpenEstate) -> None:
    planned = plan(estate)

    report = run(estate)

    assert report.is_verified
    assert report.changed == planned.acts_on
    by_step = {step.step_no: step for step in report.steps}
    for step in planned.steps:
        assert by_step[step.step_no].changed_rows == step.rows
        assert by_step[step.step_no].left_rows == 0
    assert plan(estate).acts_on == 0
    assert lake(estate, "cdrs", ["start_time"])["start_time"].min() > CUTOFF  # type: ignore[operator]
    restricted = sum(step.rows for step in planned.steps if step.action is RetentionAction.RESTRICT)
    tables = {step.table for step in planned.steps if step.action is RetentionAction.RESTRICT}
    marked = sum(
        int(sql(estate, f"SELECT count(*) FROM {table} WHERE {RESTRICTED_MARK} IS NOT NULL")[0][0])
        for table in tables
    )
    assert marked == restricted > 0
    (recorded,) = estate.ledger.decisions(DecisionKind.RETENTION_RUN)
    assert recorded.record.outcome["totals"] == {
        action: sum(s.changed_rows or 0 for s in report.steps if s.action == action)
        for action in ("delete", "restrict")
    }
    assert str(recorded.record.record_id) == report.run.decision_id
    again = run(estate)
    assert again.changed == 0
    assert not again.resumed


def test_a_recycled_number_never_hands_one_holders_rows_to_the_other(
    estate: OpenEstate,
) -> None:
    number, first, second = handed_over(estate)
    calls = lake(estate, "cdrs", ["a_number", "start_time"]).filter(pl.col("a_number") == number)
    handover = pl.col("start_time") >= second["valid_from"]
    firsts, seconds = calls.filter(~handover), calls.filter(handover)
    assert firsts.height > 0
    assert seconds.height > 0

    results = erase_subject(
        estate.stores,
        estate.policy,
        estate.ledger,
        KEY,
        estate.book,
        subject=str(first["subscriber"]),
        at=AT,
        reference="request:test",
    )

    by_dataset = {result.dataset: result for result in results}
    assert by_dataset["cdrs"].rows == firsts.height
    # The Delta table keeps removed files for its retention window: not gone from disk yet.
    purge = by_dataset["cdrs"].purge
    assert purge is not None
    assert not purge.complete
    assert not by_dataset["cdrs"].is_gone
    assert all(
        result.is_gone for result in results if result.dataset in {"subscribers", "contracts"}
    )
    left = lake(estate, "cdrs", ["a_number", "start_time"]).filter(pl.col("a_number") == number)
    assert left.filter(~handover).height == 0
    assert left.filter(handover).sort("start_time").equals(seconds.sort("start_time"))


def test_a_hold_keeps_its_subjects_rows_until_it_is_released(estate: OpenEstate) -> None:
    number, first, second = handed_over(estate)
    calls = lake(estate, "cdrs", ["a_number", "start_time"]).filter(pl.col("a_number") == number)
    held = calls.filter(pl.col("start_time") < second["valid_from"])
    assert held.height > 0
    hold = LegalHold(
        "case-17",
        HoldScope(subject=str(first["subscriber"]), dataset="cdrs"),
        HoldReason.LAW_ENFORCEMENT_REQUEST,
        "police request 2026/4471",
        "dpo",
        PLACED,
    )
    estate.book.place(hold)

    planned = plan(estate, holds=estate.book.holds())
    cdrs = next(dataset for dataset in planned.datasets if dataset.dataset == "cdrs")
    assert cdrs.left_out == ("case-17",)
    report = run(estate, holds=estate.book.holds())

    assert report.is_verified
    old = lake(estate, "cdrs", ["a_number", "start_time"]).filter(pl.col("start_time") <= CUTOFF)
    # Only the held subscriber's calls are left of the old ones; the next holder's went.
    assert old.sort("start_time").equals(held.sort("start_time"))
    purge = next(step for step in report.steps if step.dataset == "cdrs" and step.action == "purge")
    assert (purge.detail or "").startswith("deferred")

    estate.book.release("case-17", AT, "dpo")
    second_run = run(estate, holds=estate.book.holds())
    assert second_run.changed == held.height
    assert lake(estate, "cdrs", ["start_time"])["start_time"].min() > CUTOFF  # type: ignore[operator]


def test_a_hold_on_a_span_of_records_cuts_the_sweep_around_it(estate: OpenEstate) -> None:
    span = (datetime(2025, 5, 1, tzinfo=UTC), datetime(2025, 6, 1, tzinfo=UTC))
    hold = LegalHold(
        "audit-3",
        HoldScope(dataset="location-events", records_from=span[0], records_until=span[1]),
        HoldReason.REGULATOR_INQUIRY,
        "regulator's inquiry into May 2025",
        "dpo",
        PLACED,
    )

    run(estate, holds=[hold])

    left = lake(estate, "location_events", ["observed_at"])
    old = left.filter(pl.col("observed_at") <= CUTOFF)
    assert old.height > 0
    assert old["observed_at"].is_between(span[0], span[1], closed="left").all()


def test_an_open_access_request_holds_the_subjects_rows(estate: OpenEstate) -> None:
    number, first, second = handed_over(estate)
    request = OpenRequest("r-1", str(first["subscriber"]), RightKind.ACCESS)

    run(estate, open_requests=[request])

    old = lake(estate, "cdrs", ["a_number", "start_time"]).filter(pl.col("start_time") <= CUTOFF)
    assert old.height > 0
    assert set(old["a_number"].to_list()) <= {number, *first_numbers(estate, first)}
    assert (old.filter(pl.col("a_number") == number)["start_time"] < second["valid_from"]).all()


def first_numbers(estate: OpenEstate, holder: dict[str, object]) -> set[str]:
    rows = sql(
        estate,
        f"SELECT msisdn FROM msisdn_assignments WHERE subscriber_id = '{holder['subscriber']}'",
    )
    return {str(row[0]) for row in rows}


def test_replay_erasures_erases_a_restored_backup_again(
    estate: OpenEstate, reference_estate: Path
) -> None:
    report = run(estate)
    after = {
        "subscribers": sql(estate, "SELECT count(*) FROM subscribers"),
        "cdrs": lake(estate, "cdrs", ["start_time"]).height,
    }
    # A backup from before the run is restored over the estate; Placet's database stays.
    for store in estate.stores.stores.values():
        store.close()
    shutil.copy(reference_estate / "estate.db", estate.database)
    shutil.rmtree(estate.folder / "lake")
    shutil.copytree(reference_estate / "lake", estate.folder / "lake")
    assert lake(estate, "cdrs", ["start_time"]).height > after["cdrs"]

    results = replay_erasures(estate.stores, estate.policy, KEY, estate.book, at=AT)

    assert sum(result.rows for result in results) == sum(
        step.changed_rows or 0 for step in report.steps if step.action == "delete"
    )
    assert lake(estate, "cdrs", ["start_time"]).height == after["cdrs"]
    assert sql(estate, "SELECT count(*) FROM subscribers") == after["subscribers"]


KILL_POINTS = [
    "run-started",
    "step-started:1",
    "step-changed:3",
    "step-finished:5",
    "step-changed:16",
    "purge-finished:2",
    "run-recorded",
]


@pytest.fixture(scope="session")
def clean_run(
    reference_estate: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("clean") / "estate"
    with opened_estate(reference_estate, folder) as opened:
        report = run(opened)
        return {"changed": report.changed, "state": estate_state(opened)}


def estate_state(estate: OpenEstate) -> dict[str, object]:
    return {
        "subscribers": sql(estate, "SELECT count(*), count(placet_restricted_at) FROM subscribers"),
        "invoices": sql(estate, "SELECT count(*), count(placet_restricted_at) FROM invoices"),
        "cdrs": lake(estate, "cdrs", ["start_time"]).height,
        "sessions": lake(estate, "data_sessions", ["started_at"]).height,
    }


@pytest.mark.parametrize("kill_at", KILL_POINTS)
def test_a_killed_run_is_finished_by_the_next_with_counts_that_add_up(
    estate: OpenEstate, kill_at: str, clean_run: dict[str, object]
) -> None:
    environment = {
        **os.environ,
        "PLACET_DATABASE_URL": f"sqlite:///{estate.folder / 'placet.db'}",
        "PLACET_PSEUDONYM_KEY": KEY.secret.hex(),
        "PLACET_POLICY": "ipko",
    }
    command = [
        sys.executable, "-c", "from placet.cli.main import main; main()",
        "retention", "run", str(MAP), "--estate", str(estate.folder), "--at", AT.isoformat(),
        "--report", str(estate.folder / "report.json"),
    ]  # fmt: skip

    killed = subprocess.run(
        command,
        env={**environment, "PLACET_TEST_KILL_AT": kill_at},
        capture_output=True,
        check=False,
    )
    assert killed.returncode == -9, killed.stderr.decode()
    finished = subprocess.run(command, env=environment, capture_output=True, check=False)
    assert finished.returncode == 0, finished.stderr.decode()

    report = json.loads((estate.folder / "report.json").read_text())
    assert report["verified"]
    assert report["resumed"] is True
    assert sum(report["totals"].values()) == clean_run["changed"]
    assert estate_state(estate) == clean_run["state"]
    (recorded,) = estate.ledger.decisions(DecisionKind.RETENTION_RUN)
    assert recorded.record.outcome["totals"] == report["totals"]


@pytest.mark.xdist_group("spark")  # on the worker whose Sail server is started already
def test_a_run_through_spark_connect_on_sail_does_what_a_local_run_does(
    reference_estate: Path, tmp_path: Path, clean_run: dict[str, object]
) -> None:
    from tests.stores.contract import spark_factories

    remote = spark_factories.address("sail")
    with opened_estate(reference_estate, tmp_path / "estate", spark=remote) as estate:
        planned = plan(estate)
        report = run(estate)

        assert report.is_verified
        assert report.changed == planned.acts_on == clean_run["changed"]
        assert estate_state(estate) == clean_run["state"]
