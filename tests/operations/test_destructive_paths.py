"""One guard for every destructive path: each `DestructivePath` has its operation, each
operation asks `may_destroy` with its own path before it destroys anything, and a hold in
force stops it."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from placet.operations import erasures, retention_plans, retention_runs
from placet.operations.erasures import (
    DESTRUCTIVE_PATHS,
    ErasureOutcome,
    admin_delete,
    erase_subject,
    pseudonymise_dataset,
    purge_dataset,
)
from placet.retention import (
    DestructionScope,
    DestructivePath,
    GuardDecision,
    HoldReason,
    HoldScope,
    LegalHold,
    may_destroy,
)
from placet.retention.anonymise import PseudonymKeyring
from placet.stores.protocol import Selection
from tests.operations.conftest import KEY
from tests.operations.estate_fixtures import (
    AT,
    OpenEstate,
)

PLACED = datetime(2026, 11, 1, tzinfo=UTC)
KEYRING = PseudonymKeyring.from_setting("k1:" + "QUFB" * 11)


@pytest.fixture
def guard_calls(monkeypatch: pytest.MonkeyPatch) -> list[DestructionScope]:
    """Every scope the guard is asked about, wherever an operation imported it."""
    asked: list[DestructionScope] = []

    def spy(scope: DestructionScope, *args: Any, **kwargs: Any) -> GuardDecision:
        asked.append(scope)
        return may_destroy(scope, *args, **kwargs)

    for module in (erasures, retention_plans, retention_runs):
        monkeypatch.setattr(module, "may_destroy", spy)
    return asked


def a_subscriber(estate: OpenEstate) -> str:
    import sqlite3

    with sqlite3.connect(estate.database) as connection:
        (subscriber,) = connection.execute(
            "SELECT subscriber_id FROM msisdn_assignments ORDER BY subscriber_id LIMIT 1"
        ).fetchone()
    return str(subscriber)


def hold_on(subject: str | None = None, dataset: str | None = None) -> LegalHold:
    return LegalHold(
        "court-1",
        HoldScope(subject=subject, dataset=dataset),
        HoldReason.COURT_ORDER,
        "preservation order",
        "dpo",
        PLACED,
    )


def cdr_count(estate: OpenEstate) -> int:
    return estate.stores.stores["lake"].count("cdrs", Selection())


def run_path(path: DestructivePath, estate: OpenEstate, hold: LegalHold) -> Callable[[], object]:
    """Call the operation that takes `path`, with `hold` in force."""
    subscriber = hold.scope.subject or a_subscriber(estate)
    calls: dict[DestructivePath, Callable[[], object]] = {
        DestructivePath.RETENTION_RUN: lambda: retention_runs.run_retention(
            estate.stores, estate.policy, estate.ledger, KEY, estate.book,
            at=AT, actor="test", datamap_sha256="0" * 64, holds=[hold],
        ),
        DestructivePath.ERASURE_REQUEST: lambda: erase_subject(
            estate.stores, estate.policy, estate.ledger, KEY, estate.book,
            subject=subscriber, at=AT, reference="request:r-1", holds=[hold],
        ),
        DestructivePath.ADMIN_DELETE: lambda: admin_delete(
            estate.stores, KEY, estate.book, "cdrs",
            Selection(time_column="start_time", before=AT), at=AT, actor="admin", holds=[hold],
        ),
        DestructivePath.LAKE_PURGE: lambda: purge_dataset(
            estate.stores, "cdrs", at=AT, holds=[hold]
        ),
        DestructivePath.PSEUDONYMISATION: lambda: pseudonymise_dataset(
            estate.stores, estate.policy, KEYRING, "cdrs", at=AT, holds=[hold]
        ),
    }  # fmt: skip
    return calls[path]


def test_every_destructive_path_names_an_operation_that_exists() -> None:
    assert set(DESTRUCTIVE_PATHS) == set(DestructivePath)
    for dotted in DESTRUCTIVE_PATHS.values():
        module, _, name = dotted.rpartition(".")
        assert callable(getattr(importlib.import_module(module), name))


@pytest.mark.parametrize("path", list(DestructivePath))
def test_every_destructive_path_asks_the_guard_with_its_own_path(
    path: DestructivePath, estate: OpenEstate, guard_calls: list[DestructionScope]
) -> None:
    hold = hold_on(dataset="cdrs")

    run_path(path, estate, hold)()

    assert path in {scope.path for scope in guard_calls}


@pytest.mark.parametrize(
    "path",
    [
        DestructivePath.ERASURE_REQUEST,
        DestructivePath.ADMIN_DELETE,
        DestructivePath.PSEUDONYMISATION,
    ],
)
def test_a_hold_stops_a_delete_of_the_rows_it_keeps(
    path: DestructivePath, estate: OpenEstate
) -> None:
    # A retention run's sweep goes on without the held rows (test_retention_runs) and a
    # purge waits (below); a subject's erasure and an administrator's delete stop.
    before = cdr_count(estate)

    run_path(path, estate, hold_on(subject=a_subscriber(estate), dataset="cdrs"))()

    assert cdr_count(estate) == before


def test_an_erasure_request_leaves_a_held_dataset_and_names_the_hold(estate: OpenEstate) -> None:
    subscriber = a_subscriber(estate)
    results = erase_subject(
        estate.stores, estate.policy, estate.ledger, KEY, estate.book,
        subject=subscriber, at=AT, reference="request:r-2",
        holds=[hold_on(subject=subscriber, dataset="subscribers")],
    )  # fmt: skip
    by_dataset = {result.dataset: result for result in results}
    assert by_dataset["subscribers"].outcome is ErasureOutcome.KEPT
    assert "court-1" in by_dataset["subscribers"].explanation
    assert by_dataset["contracts"].outcome in {ErasureOutcome.ERASED, ErasureOutcome.KEPT}


def test_invoices_are_kept_from_an_erasure_request_while_tax_law_keeps_them(
    estate: OpenEstate,
) -> None:
    subscriber = a_subscriber(estate)
    results = erase_subject(
        estate.stores, estate.policy, estate.ledger, KEY, estate.book,
        subject=subscriber, at=AT, reference="request:r-3",
    )  # fmt: skip
    invoices = next(result for result in results if result.dataset == "invoices")
    if invoices.outcome is not ErasureOutcome.NOTHING:
        assert invoices.outcome is ErasureOutcome.KEPT
        assert "Art. 17(3)(b)" in invoices.explanation


def test_a_lake_purge_waits_while_a_hold_meets_the_dataset(estate: OpenEstate) -> None:
    purge = purge_dataset(estate.stores, "cdrs", at=AT, holds=[hold_on(dataset="cdrs")])
    assert not purge.complete
    assert purge.detail.startswith("deferred")
