"""Which rows a retention action is due on, said the way a store selects them.

A dataset's rows are split the cheap way first (`retention_shape`):

- **A time prefix.** A rule that runs from the record's own instant (collection, the end
  of its year) and concerns every subject is due on every record before one instant: its
  threshold, found by bisection on `Period.after`, which is monotone (a later record
  never falls due earlier). Deletion is due wherever any destroying rule is, and facts
  can only add rules that are due, never take one away: so every row before the latest
  threshold of the dated destroying rules is to be deleted (or anonymised) whatever its
  subject's facts. The store selects those by time alone (`time < threshold`), which a
  lake partitioned by month turns into dropping whole partitions and rewriting the one
  the threshold falls in, without reading a row to know it.
- **The subjects whose facts may make a rule due** (`could_fall_due`): a rule that runs
  from a subject's facts (the end of the last contract, debts settled) is due only for
  subscribers whose facts are all known and old enough (or, for the end of a contract a
  subject never had, waived: their rows are decided). Only those subscribers' rows
  after the prefix are decided one by one (`retention_frame`); every other row after it
  is kept, for no rule can be due on it.

Rows decided one by one become **key windows** (`action_windows`): each key's rows, in
time order, fall into runs of one action, and each run of the action becomes one window
`[first, last]` of that key, selecting exactly the run's rows. A recycled number is one
key whose runs follow its holders' facts: a window never reaches a row whose own
decision differs. Rows without a time, or without a key, cannot be told apart by a
window: they are kept (and counted) rather than destroyed on a guess.

Imports nothing outside the standard library, polars, pyarrow, `placet.policy` and
`placet.retention`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Final

import polars as pl
import pyarrow as pa

from placet.policy.model import CategoryId, Policy, RetentionRule
from placet.policy.terms import Anchor, RetentionAction
from placet.retention.bulk import INSTANT, period_offset
from placet.retention.rules import (
    ANCHOR_FACTS,
    RetainedRecord,
    RetentionFacts,
    anchor_date,
    applicable_rules,
    binds,
    is_unlimited,
    waives_contract_end,
)

__all__ = [
    "DATED_ANCHORS",
    "WINDOW_SCHEMA",
    "RetentionShape",
    "TimeSpan",
    "action_windows",
    "could_fall_due",
    "retention_shape",
]

DATED_ANCHORS: Final = frozenset({Anchor.COLLECTION, Anchor.END_OF_YEAR})
"""Anchors read from the record's own instant."""

WINDOW_SCHEMA: Final = pa.schema(
    [
        pa.field("key", pa.string(), nullable=False),
        pa.field("since", pa.timestamp("us", "UTC")),
        pa.field("before", pa.timestamp("us", "UTC")),
    ]
)
"""A key and the span `[since, before)` of the rows' time in which it names the subject
(`placet.stores.protocol.Selection`)."""

_EARLIEST: Final = datetime(1900, 1, 1, tzinfo=UTC)
_STEP: Final = timedelta(microseconds=1)
_WINDOW_TYPE: Final = pl.Datetime("us", "UTC")


@dataclass(frozen=True, slots=True)
class TimeSpan:
    """The rows whose time lies before `before` are due for `action` under `rules`."""

    action: RetentionAction
    rules: tuple[str, ...]
    before: datetime


@dataclass(frozen=True, slots=True)
class RetentionShape:
    """How a dataset's rows split at an instant (see the module's docstring)."""

    prefix: TimeSpan | None
    """The rows due whatever their subject's facts; None: no dated destroying rule."""
    fact_rules: tuple[RetentionRule, ...]
    """The binding rules that run from a subject's facts; their rows are decided one by
    one, for the subscribers `could_fall_due` names."""
    every_row: bool
    """True: the rules cannot be split this way (a dated rule for some subject types only,
    destroying rules with different actions, a dated restriction): decide every row."""


def retention_shape(
    policy: Policy, record_type: str, categories: tuple[CategoryId, ...], at: datetime
) -> RetentionShape:
    """How the rows of a dataset of `record_type` holding `categories` split at `at`."""
    own, others = applicable_rules(policy, record_type, categories)
    if is_unlimited(own):
        return RetentionShape(None, (), every_row=False)
    rules = [
        rule
        for rule in (own, *others)
        if binds(rule, is_record_type=rule is own) and not is_unlimited(rule)
    ]
    dated = [rule for rule in rules if _dated(rule, is_record_type=rule is own)]
    facts = tuple(rule for rule in rules if rule not in dated)
    destroying = [rule for rule in rules if rule.action is not RetentionAction.RESTRICT]
    every_row = (
        any(not _needs_facts(rule) for rule in facts)
        or len({rule.action for rule in destroying}) > 1
        or any(rule.action is RetentionAction.RESTRICT for rule in dated)
    )
    if every_row:
        return RetentionShape(None, facts, every_row=True)
    prefix = None
    if dated:
        before = max(_threshold(rule, at, policy.zone) for rule in dated)
        if before > _EARLIEST:
            prefix = TimeSpan(dated[0].action, tuple(rule.id for rule in dated), before)
    return RetentionShape(prefix, facts, every_row=False)


def could_fall_due(rules: tuple[RetentionRule, ...], at: datetime) -> pl.Expr:
    """Over `FACT_COLUMNS`: True for the subjects on whom one of `rules` may be due at `at`
    (every fact it runs from known, and its period from the latest of them passed); a
    later dated anchor can only put the cutoff later, so the others are surely not due."""
    due = pl.lit(False)
    now = pl.lit(at).cast(INSTANT)
    never = pl.col("never_had_contract").fill_null(False)
    for rule in rules:
        counted: list[pl.Expr] = []
        known: list[pl.Expr] = []
        for anchor in _fact_anchors(rule):
            date = pl.col(ANCHOR_FACTS[anchor]).cast(INSTANT)
            if anchor is Anchor.END_OF_LAST_CONTRACT and waives_contract_end(rule):
                # A contract the subject never had does not count (`retention_action`).
                date = pl.when(~never).then(date)
                known.append(date.is_not_null() | never)
            else:
                known.append(date.is_not_null())
            counted.append(date)
        starts = pl.max_horizontal(counted)
        cutoff = starts if rule.period is None else starts.dt.offset_by(period_offset(rule))
        # No fact counted (each waived): the record's own dates decide, so it may be due.
        due |= pl.all_horizontal(known) & (cutoff.is_null() | (cutoff <= now))
    return due


def _fact_anchors(rule: RetentionRule) -> list[Anchor]:
    return [anchor for anchor in rule.anchors if anchor not in DATED_ANCHORS]


def _needs_facts(rule: RetentionRule) -> bool:
    return bool(_fact_anchors(rule))


def _dated(rule: RetentionRule, *, is_record_type: bool) -> bool:
    """Whether the rule's cutoff depends on the record's instant only."""
    concerns_all = is_record_type or not rule.subject_types
    return bool(rule.anchors) and set(rule.anchors) <= DATED_ANCHORS and concerns_all


def _cutoff(rule: RetentionRule, collected: datetime, zone: tzinfo) -> datetime:
    record = RetainedRecord(rule.id, collected_at=collected)
    dates = [anchor_date(anchor, record, RetentionFacts(), zone) for anchor in rule.anchors]
    starts = max(date for date in dates if date is not None)
    return rule.period.after(starts) if rule.period is not None else starts


def _threshold(rule: RetentionRule, at: datetime, zone: tzinfo) -> datetime:
    """The earliest record instant on which the rule is not yet due at `at`: the rule is
    due on every record before it. Found by bisection to the microsecond."""
    low, high = _EARLIEST, at + _STEP
    if _cutoff(rule, low, zone) > at:
        return low
    while high - low > _STEP:
        middle = low + (high - low) / 2
        if _cutoff(rule, middle, zone) <= at:
            low = middle
        else:
            high = middle
    return high


def action_windows(
    decided: pl.DataFrame, *, key_column: str, time_column: str, action: RetentionAction
) -> pa.Table:
    """Key windows (`WINDOW_SCHEMA`) selecting exactly the rows of
    `decided` whose `retention_action` is `action` and that no hold keeps (`held`, when the
    column is there), apart from rows without a key or a time."""
    acting = pl.col("retention_action") == action.value
    if "held" in decided.columns:
        acting &= ~pl.col("held").fill_null(False)
    key, time = pl.col(key_column), pl.col(time_column)
    # A window cannot part two rows of one key at one instant: where such rows are decided
    # differently, neither is selected.
    parted = pl.col("acting").any().over("key", "time") & (~pl.col("acting")).any().over(
        "key", "time"
    )
    runs = (
        decided.lazy()
        .filter(key.is_not_null() & time.is_not_null())
        .select(
            key.cast(pl.String).alias("key"),
            time.cast(_WINDOW_TYPE).alias("time"),
            acting.alias("acting"),
        )
        .with_columns(acting=pl.col("acting") & ~parted)
        .sort("key", "time")
        .with_columns(
            run=(
                (pl.col("key") != pl.col("key").shift(1))
                | (pl.col("acting") != pl.col("acting").shift(1))
            )
            .fill_null(True)
            .cum_sum()
        )
        .filter(pl.col("acting"))
        .group_by("run")
        .agg(
            pl.col("key").first(),
            since=pl.col("time").min(),
            before=pl.col("time").max() + pl.duration(microseconds=1),
        )
        .sort("key", "since")
        .select("key", "since", "before")
        .collect()
    )
    windows = runs.to_arrow()
    return pa.table(
        [windows[name].cast(WINDOW_SCHEMA.field(name).type) for name in WINDOW_SCHEMA.names],
        schema=WINDOW_SCHEMA,
    )
