"""A fresh ledger on each database, IPKO's policy, and the tests' pseudonym key."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from placet.ledger import CollectedVia, PseudonymKey
from placet.operations import Provenance, record_subject_facts, start_contract
from placet.policy import PolicySet, load_policy_set
from placet.stores.sql_ledger import SqlLedger, open_ledger

if TYPE_CHECKING:
    from tests.operations.estate_fixtures import OpenEstate

KEY = PseudonymKey(bytes(range(32)))
"""The tests' pseudonym key; never a production key."""
SHOP = Provenance(CollectedVia.SHOP, "shop-prishtina-07", evidence="form-2025-0117")
SUBSCRIBER = "+38344123456"


def on(month: int, day: int = 1, hour: int = 0) -> datetime:
    """An instant of 2025, UTC."""
    return datetime(2025, month, day, hour, tzinfo=UTC)


NOW = on(5)


@pytest.fixture(scope="session")
def ipko() -> PolicySet:
    return load_policy_set("ipko")


@pytest.fixture
def ledger(database_url: str) -> Iterator[SqlLedger]:
    """An empty ledger, on SQLite and on PostgreSQL."""
    opened = open_ledger(database_url)
    yield opened
    opened.engine.dispose()


def consumer(ledger: SqlLedger, policies: PolicySet, subscriber: str = SUBSCRIBER) -> None:
    """A consumer subscriber with a contract since 1 January 2025."""
    record_subject_facts(
        ledger,
        policies,
        KEY,
        subscriber,
        provenance=SHOP,
        subject_type="consumer-subscriber",
        recorded_at=on(1),
    )
    start_contract(
        ledger,
        policies,
        KEY,
        subscriber,
        f"c-{subscriber[-4:]}",
        provenance=SHOP,
        recorded_at=on(1),
    )


@pytest.fixture(scope="session")
def reference_estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic IPKO estate with its ledger history, written once per process."""
    from tests.operations.estate_fixtures import write_reference_estate

    return write_reference_estate(tmp_path_factory.mktemp("reference") / "estate")


@pytest.fixture
def estate(reference_estate: Path, tmp_path: Path) -> Iterator[OpenEstate]:
    """A fresh copy of the reference estate, its stores, ledger and retention book open."""
    from tests.operations.estate_fixtures import opened_estate

    with opened_estate(reference_estate, tmp_path / "estate") as opened:
        yield opened
