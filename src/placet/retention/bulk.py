"""`retention_action` for every row of a dataset at once, as polars expressions.

A retention plan asks, for each dataset, what is due for each of its rows: the rows come
with their time column and their subject's facts (the ledger's projection joined by the
caller), and `retention_frame` adds the action, the rule, since when it is due, the next
cutoff and when the row will be deleted, exactly as `retention_action` decides one
record (a property test holds the two together, row by row). No Python loop over rows.
Imports nothing outside the standard library, polars, `placet.policy` and
`placet.retention.rules`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import polars as pl

from placet.policy.model import CategoryId, Period, Policy, RetentionRule
from placet.policy.terms import Anchor, LegalBasis, RetentionAction
from placet.retention.rules import (
    ANCHOR_FACTS,
    applicable_rules,
    binds,
    covering_exceptions,
    is_excepted,
    is_unlimited,
    waives_contract_end,
)

__all__ = ["FACT_COLUMNS", "RETENTION_COLUMNS", "period_offset", "retention_frame"]

INSTANT: Final = pl.Datetime("us", "UTC")

FACT_COLUMNS: Final[dict[str, pl.DataType]] = {
    "subject_type": pl.String(),
    "last_contract_end": INSTANT,
    "never_had_contract": pl.Boolean(),
    "debt_settled_at": INSTANT,
    "claims_time_barred_at": INSTANT,
    "investment_ended_at": INSTANT,
    "consent_withdrawn_at": INSTANT,
    "objected_at": INSTANT,
    "campaign_ended_at": INSTANT,
    "purpose_fulfilled_at": INSTANT,
}
"""The subject's facts each row carries, named as `RetentionFacts`' fields (null: not yet,
or for `never_had_contract` false), and the subject's type (null: not known)."""

_ACTION: Final = pl.Enum([action.value for action in RetentionAction])

RETENTION_COLUMNS: Final[dict[str, pl.DataType]] = {
    "retention_action": _ACTION,
    "retention_rule": pl.String(),
    "due_since": INSTANT,
    "next_cutoff": INSTANT,
    "delete_at": INSTANT,
}
"""The columns `retention_frame` adds: `RetentionDecision`'s fields but the terms."""


@dataclass(frozen=True, slots=True)
class _Cutoff:
    """One binding rule's cutoff for each row (null where it is pending or does not apply)."""

    rule: RetentionRule
    at: pl.Expr


def retention_frame(
    policy: Policy,
    rows: pl.LazyFrame,
    *,
    record_type: str,
    categories: Sequence[CategoryId] = (),
    legal_basis: LegalBasis | None = None,
    time_column: str | None = None,
    at: datetime,
) -> pl.LazyFrame:
    """`rows` with `RETENTION_COLUMNS` added: what retention requires of each at `at`.

    The rows hold `FACT_COLUMNS` (missing ones count as null) and, when given, the
    `time_column` (when each record was made). The dataset's record type, categories and
    legal basis are the same for all its rows.
    """
    names = rows.collect_schema().names()
    facts = rows.with_columns(
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in FACT_COLUMNS.items()
        if name not in names
    )
    collected = pl.col(time_column).cast(INSTANT) if time_column else pl.lit(None, dtype=INSTANT)
    dates = _Dates.of(collected, str(policy.zone))
    own, others = applicable_rules(policy, record_type, categories)
    if is_unlimited(own):
        return facts.with_columns(
            retention_action=pl.lit(RetentionAction.KEEP.value, dtype=_ACTION),
            retention_rule=pl.lit(own.id),
            due_since=pl.lit(None, dtype=INSTANT),
            next_cutoff=pl.lit(None, dtype=INSTANT),
            delete_at=pl.lit(None, dtype=INSTANT),
        )
    cutoffs = [
        _Cutoff(rule, _cutoff(rule, dates, legal_basis, is_record_type=rule is own))
        for rule in (own, *others)
        if binds(rule, is_record_type=rule is own) and not is_unlimited(rule)
    ]
    destroying = [
        cutoff for cutoff in cutoffs if cutoff.rule.action is not RetentionAction.RESTRICT
    ]
    restricting = [cutoff for cutoff in cutoffs if cutoff.rule.action is RetentionAction.RESTRICT]
    now = pl.lit(at).cast(INSTANT)
    delete_at = _earliest(destroying)
    restrict_at = _earliest(restricting)
    ahead = [pl.when(cutoff.at > now).then(cutoff.at) for cutoff in cutoffs]
    next_cutoff = pl.min_horizontal(ahead) if ahead else pl.lit(None, dtype=INSTANT)
    deleting = delete_at.is_not_null() & (delete_at <= now)
    restricted = ~deleting & restrict_at.is_not_null() & (restrict_at <= now)
    return facts.with_columns(
        retention_action=pl.when(deleting)
        .then(_first_at(destroying, delete_at, action=True))
        .when(restricted)
        .then(pl.lit(RetentionAction.RESTRICT.value))
        .otherwise(pl.lit(RetentionAction.KEEP.value))
        .cast(_ACTION),
        retention_rule=pl.when(deleting)
        .then(_first_at(destroying, delete_at))
        .when(restricted)
        .then(_first_at(restricting, restrict_at))
        .otherwise(_first_at(cutoffs, next_cutoff)),
        due_since=pl.when(deleting).then(delete_at).when(restricted).then(restrict_at),
        next_cutoff=pl.when(~deleting).then(next_cutoff),
        delete_at=delete_at,
    )


def _cutoff(
    rule: RetentionRule,
    dates: _Dates,
    legal_basis: LegalBasis | None,
    *,
    is_record_type: bool,
) -> pl.Expr:
    """When the rule's action is due for each row: the latest anchor plus the period, no
    earlier than where an exception covering the row ends; null while an anchor has not
    happened, an exception still covers the row, or the rule does not concern its subject."""
    anchors = [dates.anchor(anchor) for anchor in rule.anchors]
    if not anchors:
        return pl.lit(None, dtype=INSTANT)
    missing = [anchor.is_null() for anchor in anchors]
    if waives_contract_end(rule):
        # As `retention_action`: the end of a contract the subject never had does not count;
        # the latest of the other anchors starts the period (`max_horizontal` skips nulls).
        never = pl.col("never_had_contract").fill_null(False)
        for index, anchor in enumerate(rule.anchors):
            if anchor is Anchor.END_OF_LAST_CONTRACT:
                anchors[index] = pl.when(~never).then(anchors[index])
                missing[index] = anchors[index].is_null() & ~never
    starts = (
        pl.when(pl.any_horizontal(missing))
        .then(pl.lit(None, dtype=INSTANT))
        .otherwise(pl.max_horizontal(anchors))
    )
    cutoff = starts if rule.period is None else starts.dt.offset_by(period_offset(rule))
    if is_excepted(rule, legal_basis):
        ended = _exception_end(rule, legal_basis, dates)
        cutoff = pl.when(ended.is_not_null() & cutoff.is_not_null()).then(
            pl.max_horizontal(cutoff, ended)
        )
    if is_record_type or not rule.subject_types:
        return cutoff
    subject_type = pl.col("subject_type")
    # As in `retention_action`: a rule for some subject types is read for a subject whose
    # type is not known.
    concerned = subject_type.is_null() | subject_type.is_in(list(rule.subject_types))
    return pl.when(concerned).then(cutoff)


def _exception_end(rule: RetentionRule, legal_basis: LegalBasis | None, dates: _Dates) -> pl.Expr:
    """As `exception_end`, per row: null while an exception covering the row still does."""
    ends: list[pl.Expr] = []
    for exception in covering_exceptions(rule, legal_basis):
        if not exception.until:
            return pl.lit(None, dtype=INSTANT)
        ends.append(
            pl.min_horizontal(
                dates.anchor(end.anchor)
                if end.period is None
                else dates.anchor(end.anchor).dt.offset_by(offset_of(end.period))
                for end in exception.until
            )
        )
    if not ends:
        return pl.lit(None, dtype=INSTANT)
    return pl.when(~pl.any_horizontal(end.is_null() for end in ends)).then(pl.max_horizontal(ends))


@dataclass(frozen=True, slots=True)
class _Dates:
    """Each row's own dates: when it was made, and when its year ended in the
    controller's zone (as `anchor_date`)."""

    collected: pl.Expr
    year_end: pl.Expr

    @classmethod
    def of(cls, collected: pl.Expr, zone: str) -> _Dates:
        local = collected.dt.convert_time_zone(zone)
        year_end = pl.datetime(local.dt.year() + 1, 1, 1, time_zone=zone)
        return cls(collected, year_end.dt.convert_time_zone("UTC").cast(INSTANT))

    def anchor(self, anchor: Anchor) -> pl.Expr:
        if anchor is Anchor.COLLECTION:
            return self.collected
        if anchor is Anchor.END_OF_YEAR:
            return self.year_end
        return pl.col(ANCHOR_FACTS[anchor]).cast(INSTANT)


def period_offset(rule: RetentionRule) -> str:
    """The rule's period as a polars offset (`12mo`, `30d`)."""
    if rule.period is None:  # pragma: no cover - only rules with a period are offset
        raise ValueError(f"rule {rule.id} has no period")
    return offset_of(rule.period)


def offset_of(period: Period) -> str:
    """A period as a polars offset (`12mo`, `30d`)."""
    months = period.months
    return f"{period.amount}d" if months is None else f"{months}mo"


def _earliest(cutoffs: list[_Cutoff]) -> pl.Expr:
    if not cutoffs:
        return pl.lit(None, dtype=INSTANT)
    return pl.min_horizontal(cutoff.at for cutoff in cutoffs)


def _first_at(cutoffs: list[_Cutoff], instant: pl.Expr, *, action: bool = False) -> pl.Expr:
    """The first of `cutoffs` (in the order `retention_action` reads them) due at `instant`:
    its rule id, or with `action` its action."""
    if not cutoffs:
        return pl.lit(None, dtype=pl.String)
    return pl.coalesce(
        pl.when(cutoff.at == instant).then(
            pl.lit(cutoff.rule.action.value if action else cutoff.rule.id)
        )
        for cutoff in cutoffs
    )
