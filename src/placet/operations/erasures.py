"""The destructive paths besides a retention run: a subject's erasure, an administrator's
delete, a lake's physical purge, and the replay of erasures after a restore. Each asks the
guard (`may_destroy`) first, with its own `DestructivePath`; `DESTRUCTIVE_PATHS` lists
which function takes which path, and a test walks them all.

- `erase_subject`: every row of one subscriber in every dataset of the map (their own id,
  or each key they held while they held it; a recycled number's other holders are never
  touched), each erased dataset purged after (the physical phase): a subject's rows count
  as gone (`DatasetErasure.is_gone`) only once the purge is complete. A dataset the law
  makes the operator keep (its retention rule has a legal ground, such as tax law for
  invoices) keeps the subscriber's rows until their cutoff (GDPR Art. 17(3)(b)); the next
  retention run deletes them then.
- `admin_delete`: one selection of one dataset, for an administrator's correction.
- `purge_dataset`: the physical phase of a dataset on its own.
- `replay_erasures`: after a backup is restored, every tombstone is applied again (keys are
  matched by their keyed pseudonym, read from the restored rows), so a restore never
  resurrects an erased subscriber.
- `pseudonymise_dataset`: a dataset's identifiers replaced by keyed pseudonyms (the raw
  values are gone, so it is a destructive path too), and `rotate_pseudonyms`, which
  carries them to the keyring's current key.

Every erasure writes its tombstones before the store changes anything.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from placet.datamap import Dataset
from placet.errors import RetentionError
from placet.ledger import PseudonymKey, pseudonymise_subject
from placet.operations.retention_plans import EstateStores, StateLedger, subject_windows
from placet.operations.retention_runs import tombstone
from placet.policy import Policy
from placet.policy.terms import RetentionAction
from placet.retention import (
    DestructionScope,
    DestructivePath,
    GuardDecision,
    LegalHold,
    OpenRequest,
    may_destroy,
)
from placet.retention.anonymise import PseudonymKeyring, anonymisation_rewrites
from placet.retention.journal import RetentionJournal, Tombstone
from placet.retention.rewrites import Remap
from placet.retention.spans import WINDOW_SCHEMA
from placet.stores.protocol import ANONYMISED_MARK, PSEUDONYMISED_MARK, Purge, Selection, Store

__all__ = [
    "DESTRUCTIVE_PATHS",
    "DatasetErasure",
    "ErasureOutcome",
    "admin_delete",
    "erase_subject",
    "pseudonymise_dataset",
    "purge_dataset",
    "replay_erasures",
    "rotate_pseudonyms",
]

_KEY_BATCH: Final = 50_000


class ErasureOutcome(StrEnum):
    ERASED = "erased"
    KEPT = "kept"
    """The guard stopped it: a hold, an open request or a legal retention."""
    NOTHING = "nothing"
    """No row was selected."""


@dataclass(frozen=True, slots=True)
class DatasetErasure:
    """What one destructive call did to one dataset."""

    dataset: str
    outcome: ErasureOutcome
    rows: int
    explanation: str
    version: int | None = None
    purge: Purge | None = None
    """The physical phase, where it ran after the erasure."""
    scope: DestructionScope | None = None
    """What the guard was asked about, where it was asked (an erasure of rows found)."""
    decision: GuardDecision | None = None
    """What the guard answered about `scope`."""

    @property
    def is_gone(self) -> bool:
        """Whether the erased rows are gone from disk too: the purge ran and is complete.
        Until then a lake's older files (or a database's dead rows) still hold them."""
        return (
            self.outcome is ErasureOutcome.ERASED
            and self.purge is not None
            and (self.purge.complete)
        )


def erase_subject(
    estate: EstateStores,
    policy: Policy,
    ledger: StateLedger,
    key: PseudonymKey,
    journal: RetentionJournal,
    *,
    subject: str,
    at: datetime,
    reference: str,
    holds: Sequence[LegalHold] = (),
    open_requests: Sequence[OpenRequest] = (),
) -> list[DatasetErasure]:
    """Erase every row of `subject` (a subscriber id) in the estate, dataset by dataset,
    where the guard allows; `reference` names the request (`request:<id>`)."""
    finder = subject_windows(estate, policy, ledger, key, at=at)
    # Every dataset's selection is found before anything is deleted: the datasets that say
    # which numbers the subject held (the identities) are themselves erased, and go last.
    identities = {identity.dataset for identity in estate.datamap.identities}
    chosen = []
    for _, _, dataset, store in estate.located():
        if dataset.subject_key is None or dataset.time_column is None:
            continue
        windows = finder.windows_of(dataset, [subject], since=None, until=None)
        selection = Selection(
            time_column=dataset.time_column,
            key_column=dataset.subject_key.column,
            windows=windows,
        )
        chosen.append((dataset.id in identities, dataset, store, selection))
    results = []
    for _, dataset, store, selection in sorted(chosen, key=lambda entry: entry[0]):
        rows = store.count(dataset.location, selection)
        if rows == 0:
            results.append(DatasetErasure(dataset.id, ErasureOutcome.NOTHING, 0, "no rows"))
            continue
        scope = DestructionScope(
            DestructivePath.ERASURE_REQUEST,
            dataset.id,
            frozenset(dataset.categories),
            subject=subject,
            legal_retention_until=(
                finder.legal_cutoff(dataset, store, subject)
                if _kept_by_law(policy, dataset)
                else None
            ),
        )
        decision = may_destroy(scope, holds, open_requests, at)
        if not decision.allowed:
            results.append(
                DatasetErasure(
                    dataset.id,
                    ErasureOutcome.KEPT,
                    rows,
                    decision.explanation,
                    scope=scope,
                    decision=decision,
                )
            )
            continue
        erased = _delete(store, dataset, selection, key, journal, reference=reference, at=at)
        purge = purge_dataset(estate, dataset.id, at=at, holds=holds)
        results.append(dataclasses.replace(erased, purge=purge, scope=scope, decision=decision))
    return results


def admin_delete(
    estate: EstateStores,
    key: PseudonymKey,
    journal: RetentionJournal,
    dataset_id: str,
    selection: Selection,
    *,
    at: datetime,
    actor: str,
    holds: Sequence[LegalHold] = (),
    open_requests: Sequence[OpenRequest] = (),
) -> DatasetErasure:
    """Delete one selection of one dataset, as an administrator (`actor`) asks, where the
    guard allows; a hold on part of it leaves the whole delete undone."""
    dataset, store = _dataset(estate, dataset_id)
    decision = may_destroy(
        DestructionScope(
            DestructivePath.ADMIN_DELETE,
            dataset.id,
            frozenset(dataset.categories),
            records_from=selection.since,
            records_until=selection.before,
        ),
        holds,
        open_requests,
        at,
    )
    if not decision.allowed or decision.excluded:
        return DatasetErasure(dataset.id, ErasureOutcome.KEPT, 0, _why(decision))
    return _delete(store, dataset, selection, key, journal, reference=f"admin:{actor}", at=at)


def purge_dataset(
    estate: EstateStores,
    dataset_id: str,
    *,
    at: datetime,
    holds: Sequence[LegalHold] = (),
) -> Purge:
    """The physical phase of one dataset, unless a hold meets it (then nothing is removed:
    what was deleted may be what the hold needs)."""
    dataset, store = _dataset(estate, dataset_id)
    decision = may_destroy(DestructionScope(DestructivePath.LAKE_PURGE, dataset.id), holds, (), at)
    if not decision.allowed or decision.excluded:
        return Purge(0, complete=False, detail=f"deferred: {_why(decision)}")
    return store.purge(dataset.location)


def pseudonymise_dataset(
    estate: EstateStores,
    policy: Policy,
    keyring: PseudonymKeyring,
    dataset_id: str,
    *,
    at: datetime,
    before: datetime | None = None,
    holds: Sequence[LegalHold] = (),
    open_requests: Sequence[OpenRequest] = (),
) -> DatasetErasure:
    """Replace the identifiers of a dataset's rows (those before `before`, or all) by keyed
    pseudonyms under the keyring's chain, mask other parties' numbers and coarsen location,
    where the guard allows; rows already pseudonymised are left as they are."""
    dataset, store = _dataset(estate, dataset_id)
    decision = may_destroy(
        DestructionScope(
            DestructivePath.PSEUDONYMISATION,
            dataset.id,
            frozenset(dataset.categories),
            records_until=before,
        ),
        holds,
        open_requests,
        at,
    )
    if not decision.allowed or decision.excluded:
        return DatasetErasure(dataset.id, ErasureOutcome.KEPT, 0, _why(decision))
    rewrites = anonymisation_rewrites(policy, dataset, keyring=keyring, pseudonymise=True)
    selection = Selection(time_column=dataset.time_column, before=before)
    change = store.update(
        dataset.location, selection, rewrites.rewrites, mark=PSEUDONYMISED_MARK, at=at
    )
    return DatasetErasure(
        dataset.id,
        ErasureOutcome.ERASED if change.rows else ErasureOutcome.NOTHING,
        change.rows,
        f"pseudonymised under key {keyring.current.key_id}; " + " ".join(rewrites.notes),
        change.version,
    )


def rotate_pseudonyms(
    estate: EstateStores,
    policy: Policy,
    keyring: PseudonymKeyring,
    dataset_id: str,
    *,
    at: datetime,
) -> DatasetErasure:
    """Carry a pseudonymised dataset's pseudonyms to the keyring's current key. Each row is
    rotated once per key (its mark names the key); every row must be pseudonymised."""
    dataset, store = _dataset(estate, dataset_id)
    rewrites = anonymisation_rewrites(policy, dataset, keyring=keyring, pseudonymise=True)
    rotated = {
        column: keyring.remap_rotate()
        for column, rewrite in rewrites.rewrites.items()
        if isinstance(rewrite, Remap)
    }
    if not rotated:
        return DatasetErasure(dataset.id, ErasureOutcome.NOTHING, 0, "no pseudonymised column")
    mark = f"placet_rotated_{keyring.current.key_id.replace('-', '_')}_at"
    change = store.update(dataset.location, Selection(), rotated, mark=mark, at=at)
    return DatasetErasure(
        dataset.id,
        ErasureOutcome.ERASED if change.rows else ErasureOutcome.NOTHING,
        change.rows,
        f"{', '.join(sorted(rotated))} carried to key {keyring.current.key_id}",
        change.version,
    )


def replay_erasures(
    estate: EstateStores,
    policy: Policy,
    key: PseudonymKey,
    journal: RetentionJournal,
    *,
    at: datetime,
    holds: Sequence[LegalHold] = (),
    on_dataset: Callable[[DatasetErasure], None] | None = None,
) -> list[DatasetErasure]:
    """Apply every tombstone again (after a backup is restored): the rows they name are
    deleted (or anonymised) again wherever they came back."""
    results = []
    for _, _, dataset, store in estate.located():
        stones = list(journal.tombstones(dataset.id))
        if not stones or dataset.subject_key is None or dataset.time_column is None:
            continue
        decision = may_destroy(
            DestructionScope(
                DestructivePath.RETENTION_RUN, dataset.id, frozenset(dataset.categories)
            ),
            holds,
            (),
            at,
        )
        if not decision.allowed:
            result = DatasetErasure(dataset.id, ErasureOutcome.KEPT, 0, _why(decision))
        else:
            rows = _replay(store, policy, dataset, key, stones=stones, at=at)
            outcome = ErasureOutcome.ERASED if rows else ErasureOutcome.NOTHING
            result = DatasetErasure(
                dataset.id, outcome, rows, f"{len(stones)} tombstone(s) applied again"
            )
        results.append(result)
        if on_dataset is not None:
            on_dataset(result)
    return results


DESTRUCTIVE_PATHS: Final = {
    DestructivePath.RETENTION_RUN: "placet.operations.retention_runs.run_retention",
    DestructivePath.ERASURE_REQUEST: "placet.operations.erasures.erase_subject",
    DestructivePath.ADMIN_DELETE: "placet.operations.erasures.admin_delete",
    DestructivePath.LAKE_PURGE: "placet.operations.erasures.purge_dataset",
    DestructivePath.PSEUDONYMISATION: "placet.operations.erasures.pseudonymise_dataset",
}
"""Which operation takes each destructive path (a run purges its lakes itself too)."""


def _replay(
    store: Store,
    policy: Policy,
    dataset: Dataset,
    key: PseudonymKey,
    *,
    stones: list[Tombstone],
    at: datetime,
) -> int:
    assert dataset.subject_key is not None
    assert dataset.time_column is not None
    time_column, key_column = dataset.time_column, dataset.subject_key.column
    changed = 0
    keyed = [stone for stone in stones if stone.key_pseudonym is not None]
    selections: list[tuple[str, Selection]] = [
        (stone.action, Selection(time_column=time_column, since=stone.since, before=stone.before))
        for stone in stones
        if stone.key_pseudonym is None
    ]
    if keyed:
        by_pseudonym = pl.DataFrame(
            {
                "pseudonym": [stone.key_pseudonym for stone in keyed],
                "action": [stone.action for stone in keyed],
                "since": [stone.since for stone in keyed],
                "before": [stone.before for stone in keyed],
            },
            schema={
                "pseudonym": pl.String,
                "action": pl.String,
                "since": pl.Datetime("us", "UTC"),
                "before": pl.Datetime("us", "UTC"),
            },
        )
        found = _keys_named(store, dataset.location, key_column, by_pseudonym, key)
        for action in sorted(set(found["action"].to_list())):
            windows = found.filter(pl.col("action") == action).select("key", "since", "before")
            arrow = windows.to_arrow()
            table = pa.table(
                [arrow[name].cast(WINDOW_SCHEMA.field(name).type) for name in WINDOW_SCHEMA.names],
                schema=WINDOW_SCHEMA,
            )
            selections.append(
                (
                    action,
                    Selection(time_column=time_column, key_column=key_column, windows=table),
                )
            )
    for action, selection in selections:
        if action == RetentionAction.ANONYMISE.value:
            rewrites = anonymisation_rewrites(policy, dataset, keyring=None, pseudonymise=False)
            changed += store.update(
                dataset.location, selection, rewrites.rewrites, mark=ANONYMISED_MARK, at=at
            ).rows
        else:
            changed += store.delete(dataset.location, selection).rows
    return changed


def _keys_named(
    store: Store, table: str, column: str, tombstones: pl.DataFrame, key: PseudonymKey
) -> pl.DataFrame:
    """The dataset's keys whose pseudonym a tombstone names, with the tombstone's span:
    the distinct keys are read batch by batch and pseudonymised once each."""
    wanted = set(tombstones["pseudonym"].to_list())
    matched: dict[str, str] = {}
    seen: set[str] = set()
    for batch in store.find(table, Selection(), [column], batch_rows=_KEY_BATCH):
        for value in pc.unique(batch.column(0)).to_pylist():
            if value is None or str(value) in seen:
                continue
            seen.add(str(value))
            pseudonym = pseudonymise_subject(str(value), key)
            if pseudonym in wanted:
                matched[pseudonym] = str(value)
    keys = pl.DataFrame(
        {"pseudonym": list(matched), "key": list(matched.values())},
        schema={"pseudonym": pl.String, "key": pl.String},
    )
    return tombstones.join(keys, on="pseudonym", how="inner")


def _delete(
    store: Store,
    dataset: Dataset,
    selection: Selection,
    key: PseudonymKey,
    journal: RetentionJournal,
    *,
    reference: str,
    at: datetime,
) -> DatasetErasure:
    stones = []
    if selection.windows is not None:
        stones = [
            tombstone(
                dataset.id,
                RetentionAction.DELETE.value,
                pseudonymise_subject(str(window["key"]), key),
                (window["since"], window["before"]),
                reference=reference,
                at=at,
            )
            for window in selection.windows.to_pylist()
        ]
    else:
        stones = [
            tombstone(
                dataset.id,
                RetentionAction.DELETE.value,
                None,
                (selection.since, selection.before),
                reference=reference,
                at=at,
            )
        ]
    journal.add_tombstones(stones)
    change = store.delete(dataset.location, selection)
    left = store.count(dataset.location, selection)
    explanation = "erased; verified: none left" if left == 0 else f"{left} row(s) still there"
    return DatasetErasure(
        dataset.id, ErasureOutcome.ERASED, change.rows, explanation, change.version
    )


def _dataset(estate: EstateStores, dataset_id: str) -> tuple[Dataset, Store]:
    for _, _, dataset, store in estate.located():
        if dataset.id == dataset_id:
            return dataset, store
    raise RetentionError(f"the data map has no dataset {dataset_id}")


def _kept_by_law(policy: Policy, dataset: Dataset) -> bool:
    """Whether a law keeps the dataset's records from erasure on request: its retention
    rule has a legal ground (tax law for invoices; GDPR Art. 17(3)(b))."""
    return any(
        rule.id == dataset.record_type and rule.legal_ground is not None
        for rule in policy.retention_rules
    )


def _why(decision: GuardDecision) -> str:
    blockers = [*decision.blockers, *decision.excluded]
    return "; ".join(blocker.explanation for blocker in blockers) or decision.explanation
