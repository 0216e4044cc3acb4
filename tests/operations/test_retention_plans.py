"""`plan_retention` plans a whole synthetic estate from its data map and the ledger,
counting every row once, resolving numbers through their assignments, touching nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from placet.datamap import load_datamap
from placet.datamap.scan import system_locations
from placet.ledger import CollectedVia
from placet.operations import Provenance, end_contract, record_subject_facts, start_contract
from placet.operations.retention_plans import RetentionPlan, plan_retention
from placet.policy import PolicySet
from placet.policy.terms import RetentionAction
from placet.retention import HoldReason, HoldScope, LegalHold
from placet.stores.estate_tables import read_dataset
from placet.stores.sql_ledger import SqlLedger
from placet.synth import EstatePlan, OperatorName, write_estate
from tests.operations.conftest import KEY

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2027, 5, 1, tzinfo=UTC)
CRM = Provenance(CollectedVia.SHOP, "crm-migration")


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("estate")
    write_estate(EstatePlan(OperatorName.IPKO, 120, 1, 3), out)
    return out


def plan(
    estate: Path, ledger: SqlLedger, policies: PolicySet, holds: Sequence[LegalHold] = ()
) -> RetentionPlan:
    datamap = load_datamap(ROOT / "examples" / "datamap" / "ipko.yaml")
    overrides = {
        system.id: f"sqlite:///{estate / 'estate.db'}"
        if system.kind == "sql"
        else str(estate / "lake")
        for system in datamap.systems
    }
    locations = system_locations(datamap, overrides, {})
    return plan_retention(
        datamap,
        locations,
        policies.latest,
        ledger,
        KEY,
        read=read_dataset,
        at=AT,
        holds=holds,
    )


def table_rows(estate: Path, table: str) -> int:
    with sqlite3.connect(estate / "estate.db") as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_every_row_of_every_dataset_is_planned_once(
    estate: Path, ledger: SqlLedger, ipko: PolicySet
) -> None:
    planned = plan(estate, ledger, ipko)

    rows: dict[str, int] = {}
    for line in planned.lines:
        rows[line.dataset] = rows.get(line.dataset, 0) + line.rows
    assert rows["subscribers"] == table_rows(estate, "subscribers")
    assert rows["invoices"] == table_rows(estate, "invoices")
    assert rows["cdrs"] > 0
    cdrs = [line for line in planned.lines if line.dataset == "cdrs"]
    assert {line.rule for line in cdrs} == {"traffic-and-location-data"}
    assert planned.acts_on == sum(line.acts_on for line in planned.lines)


def test_a_subscriber_whose_contract_ended_in_the_ledger_has_their_rows_restricted(
    estate: Path, ledger: SqlLedger, ipko: PolicySet
) -> None:
    with sqlite3.connect(estate / "estate.db") as connection:
        (subscriber,) = connection.execute(
            "SELECT subscriber_id FROM subscribers WHERE subscriber_type = 'consumer' LIMIT 1"
        ).fetchone()
    started, ended = datetime(2023, 2, 1, tzinfo=UTC), datetime(2024, 3, 1, tzinfo=UTC)
    record_subject_facts(
        ledger, ipko, KEY, subscriber, provenance=CRM, subject_type="consumer-subscriber",
        recorded_at=started, effective_at=started,
    )  # fmt: skip
    start_contract(
        ledger,
        ipko,
        KEY,
        subscriber,
        "k-1",
        provenance=CRM,
        recorded_at=started,
        effective_at=started,
    )
    end_contract(
        ledger, ipko, KEY, subscriber, "k-1", provenance=CRM, recorded_at=ended, effective_at=ended
    )

    planned = plan(estate, ledger, ipko)

    restricted = [
        line
        for line in planned.lines
        if line.dataset == "subscribers" and line.action is RetentionAction.RESTRICT
    ]
    assert [(line.rule, line.rows) for line in restricted] == [("post-contract-restriction", 1)]
    assert restricted[0].due_from == datetime(2026, 3, 1, tzinfo=UTC)

    hold = LegalHold(
        "h-1", HoldScope(subject=subscriber), HoldReason.DISPUTE, "invoice dispute", "dpo", ended
    )
    held = plan(estate, ledger, ipko, holds=[hold])
    line = next(
        line
        for line in held.lines
        if line.dataset == "subscribers" and line.action is RetentionAction.RESTRICT
    )
    assert (line.held, line.acts_on) == (1, 0)


def test_planning_changes_nothing(estate: Path, ledger: SqlLedger, ipko: PolicySet) -> None:
    before = {
        table: table_rows(estate, table) for table in ("subscribers", "invoices", "contracts")
    }
    lake = sorted(path.stat().st_mtime_ns for path in (estate / "lake").rglob("*.parquet"))

    plan(estate, ledger, ipko)

    assert {table: table_rows(estate, table) for table in before} == before
    assert sorted(path.stat().st_mtime_ns for path in (estate / "lake").rglob("*.parquet")) == lake
