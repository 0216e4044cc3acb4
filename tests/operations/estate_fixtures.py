"""A small synthetic IPKO estate with its ledger history, and the stores, ledger and
retention book a test opens on a fresh copy of it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from placet.datamap import DataMap, load_datamap
from placet.datamap.scan import system_locations
from placet.operations import EstateStores
from placet.policy import Policy, load_policy_set
from placet.stores.connect import open_stores
from placet.stores.sql_ledger import SqlLedger, open_ledger
from placet.stores.sql_retention import SqlRetentionBook, open_retention_book
from placet.synth import EstatePlan, OperatorName, write_estate
from placet.synth.history import record_estate_history
from tests.operations.conftest import KEY

ROOT = Path(__file__).resolve().parents[2]
MAP = ROOT / "examples" / "datamap" / "ipko.yaml"
ESTATE_PLAN = EstatePlan(OperatorName.IPKO, subscribers=150, months=14, seed=5)
AT = datetime(2026, 12, 1, tzinfo=UTC)
"""The instant runs decide for: a month after the estate's now (its last traffic month)."""


def write_reference_estate(out: Path) -> Path:
    """The estate and its ledger (`placet.db`, history recorded), under `out`."""
    write_estate(ESTATE_PLAN, out)
    ledger = open_ledger(f"sqlite:///{out / 'placet.db'}")
    record_estate_history(ledger, ESTATE_PLAN, KEY, recorded_at=ESTATE_PLAN.now)
    ledger.engine.dispose()
    return out


@dataclass(frozen=True, slots=True)
class OpenEstate:
    folder: Path
    stores: EstateStores
    ledger: SqlLedger
    book: SqlRetentionBook
    policy: Policy
    datamap: DataMap

    @property
    def database(self) -> Path:
        return self.folder / "estate.db"


def locations_of(datamap: DataMap, folder: Path) -> list:  # type: ignore[type-arg]
    overrides = {
        system.id: f"sqlite:///{folder / 'estate.db'}"
        if system.kind == "sql"
        else str(folder / "lake")
        for system in datamap.systems
    }
    return system_locations(datamap, overrides, {})


@contextmanager
def opened_estate(
    reference: Path, folder: Path, *, spark: str | None = None
) -> Iterator[OpenEstate]:
    """A fresh copy of the reference estate at `folder`, opened (its lake through Spark
    Connect at `spark`, when given)."""
    shutil.copytree(reference, folder)
    datamap = load_datamap(MAP)
    stores = open_stores(datamap, locations_of(datamap, folder), spark=spark)
    ledger = open_ledger(f"sqlite:///{folder / 'placet.db'}")
    book = open_retention_book(f"sqlite:///{folder / 'placet.db'}")
    try:
        yield OpenEstate(
            folder,
            EstateStores(datamap, stores),
            ledger,
            book,
            load_policy_set("ipko").in_force(AT),
            datamap,
        )
    finally:
        for store in stores.values():
            store.close()
        ledger.engine.dispose()
        book.engine.dispose()
