"""A retention plan for one dataset: what each rule would do to how many rows, touching none.

The rows come with the subscriber each belongs to and that subscriber's facts (the caller
resolves keys through the data map's identities and reads the facts from the ledger);
`plan_dataset` decides them all with `retention_frame`, leaves out what a legal hold keeps
(`held_rows`), and sums them up by rule and action.
Imports nothing outside the standard library, polars, `placet.policy`, `placet.datamap`
and `placet.retention`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from placet.datamap.model import Dataset
from placet.policy.model import CategoryId, Policy
from placet.policy.terms import RetentionAction
from placet.retention.bulk import retention_frame
from placet.retention.guard import LegalHold, held_rows

__all__ = ["SUBSCRIBER", "PlanLine", "plan_dataset"]

SUBSCRIBER = "subscriber"
"""The column of a dataset's rows naming the subscriber they belong to (null: nobody)."""


@dataclass(frozen=True, slots=True)
class PlanLine:
    """How many rows of a dataset one rule would act on, and how."""

    dataset: str
    rule: str | None
    """The rule that decides (for keep: whose cutoff comes next; None: no cutoff known)."""
    action: RetentionAction
    rows: int
    held: int
    """Of those rows, how many a legal hold keeps: the action leaves them alone."""
    due_from: datetime | None
    """The earliest instant the action became due among the rows (None for keep)."""
    due_until: datetime | None
    """The latest such instant."""
    next_cutoff: datetime | None
    """For rows kept: the earliest cutoff ahead."""

    @property
    def acts_on(self) -> int:
        """The rows the action would really touch."""
        return 0 if self.action is RetentionAction.KEEP else self.rows - self.held


def plan_dataset(
    policy: Policy,
    dataset: Dataset,
    rows: pl.LazyFrame,
    *,
    at: datetime,
    holds: Sequence[LegalHold] = (),
) -> list[PlanLine]:
    """The plan of `dataset` at `at`: one line per rule and action, the most rows first.

    `rows` holds the dataset's time column, `SUBSCRIBER` and the subscribers' facts
    (`FACT_COLUMNS`; missing ones count as not recorded).
    """
    categories = sorted({CategoryId(column.category) for column in dataset.columns.values()})
    decided = retention_frame(
        policy,
        rows,
        record_type=dataset.record_type,
        categories=categories,
        time_column=dataset.time_column,
        at=at,
    )
    held = held_rows(
        rows,
        holds,
        dataset=dataset.id,
        subject_column=SUBSCRIBER,
        time_column=dataset.time_column,
        at=at,
    )
    summed = (
        decided.with_columns(held=held)
        .group_by("retention_rule", "retention_action")
        .agg(
            rows=pl.len(),
            held=pl.col("held").sum(),
            due_from=pl.col("due_since").min(),
            due_until=pl.col("due_since").max(),
            next_cutoff=pl.col("next_cutoff").min(),
        )
        .sort("rows", "retention_rule", descending=[True, False], nulls_last=True)
        .collect()
    )
    return [
        PlanLine(
            dataset.id,
            line["retention_rule"],
            RetentionAction(line["retention_action"]),
            line["rows"],
            line["held"],
            line["due_from"],
            line["due_until"],
            line["next_cutoff"],
        )
        for line in summed.iter_rows(named=True)
    ]
