"""Decide one use for a whole table of subjects at once: `decide_bulk` over a polars frame.

The checks are those of `decide_use`, in the same order, as one vectorised expression: what
depends only on the policy and the use is worked out once, what depends on the subject is a
column expression. A property test holds the two to the same outcome and reason for every
subject. Reading the tables that feed it happens outside this module.
Imports nothing outside the standard library, polars and `placet.policy`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from typing import Any, Final

import polars as pl

from placet.decide.decision import REASONS, Outcome, Use
from placet.decide.single import covering_options, recipient_reason, use_channels
from placet.decide.state import SubjectState
from placet.policy.model import Period, Policy, Purpose
from placet.policy.terms import (
    Anchor,
    CategoryFlag,
    LegalBasis,
    MinorRule,
    ObjectionEffect,
    RetentionAction,
)

__all__ = [
    "REASON_TYPE",
    "STATE_SCHEMA",
    "SUBJECT_NUMBERS",
    "Selection",
    "decide_bulk",
    "decide_subjects",
    "join_by_numbers",
    "join_by_subject",
    "minor_expression",
    "select_subjects",
    "states_frame",
    "subject_numbers",
]

REASON_TYPE: Final = pl.Enum(list(REASONS))
"""The `reason` column's type: an enumeration of the reason codes, stored as small integers."""


_OUTCOME_TYPE: Final = pl.Enum([outcome.value for outcome in Outcome])


def _r(reason: str) -> pl.Expr:
    return pl.lit(reason, dtype=REASON_TYPE)


_GRANT = pl.Struct({"option": pl.String, "channels": pl.List(pl.String)})
_INSTANT = pl.Datetime("us", "UTC")

SUBJECT_NUMBERS: Final[dict[str, pl.DataType]] = {
    "subject_key": pl.UInt64(),
    "subject_check": pl.UInt64(),
}
"""The subject's pseudonym as two numbers (`subject_numbers`), null for a subject that is
not one: `decide_subjects` joins a table to the states by them, and never reads the states'
subject strings."""

_PSEUDONYM_DIGITS: Final = 64
_NUMBER_DIGITS: Final = 16

STATE_SCHEMA: Final[dict[str, pl.DataType]] = {
    "subject": pl.String(),
    **SUBJECT_NUMBERS,
    "subject_type": pl.String(),
    "birth_date": pl.Date(),
    "consents": pl.List(_GRANT),
    "withdrawn": pl.List(pl.String),
    "objections": pl.List(pl.String),
    "objects_to_direct_marketing": pl.Boolean(),
    "restricted": pl.Boolean(),
    "active_contracts": pl.Int32(),
    "last_contract_end": _INSTANT,
    "debt_outstanding": pl.Boolean(),
    "debt_settled_at": _INSTANT,
    "business_opt_out": pl.Boolean(),
    "business_opt_out_until": _INSTANT,
}
"""The columns `decide_bulk` reads, one row per subject: the fields of `SubjectState`.

`subject_key` and `subject_check` are the subject's `SUBJECT_NUMBERS`; `consents` holds the
live grants as structs {option, channels} (no channels: all the option's channels);
`withdrawn` and `objections` hold consent option and purpose ids.
"""

_PERMITS: Final = (
    "permitted",
    "permitted-if-anonymised",
    "objection-overridden",
    "legal-obligation",
)


def states_frame(states: Iterable[SubjectState]) -> pl.DataFrame:
    """The `STATE_SCHEMA` frame of some subject states (for tests and small callers)."""
    rows = [
        {
            "subject": state.subject,
            "subject_type": state.subject_type,
            "birth_date": state.birth_date,
            "consents": [
                {
                    "option": grant.option,
                    "channels": sorted(channel.value for channel in grant.channels),
                }
                for grant in state.consents
            ],
            "withdrawn": sorted(state.withdrawn),
            "objections": sorted(state.objections),
            "objects_to_direct_marketing": state.objects_to_direct_marketing,
            "restricted": state.restricted,
            "active_contracts": state.active_contracts,
            "last_contract_end": state.last_contract_end,
            "debt_outstanding": state.debt_outstanding,
            "debt_settled_at": state.debt_settled_at,
            "business_opt_out": state.business_opt_out,
            "business_opt_out_until": state.business_opt_out_until,
        }
        for state in states
    ]
    given = {name: dtype for name, dtype in STATE_SCHEMA.items() if name not in SUBJECT_NUMBERS}
    frame = pl.DataFrame(rows, schema=given)
    return frame.with_columns(subject_numbers(pl.col("subject"))).select(*STATE_SCHEMA)


def decide_bulk(policy: Policy, states: pl.LazyFrame, use: Use, at: datetime) -> pl.LazyFrame:
    """`states` with two columns added: `outcome` (permit / deny) and `reason`.

    decide_bulk(policy, pl.scan_parquet("states.parquet"), use, at).filter(
        pl.col("outcome") == "permit"
    )
    """
    decided = states
    for reason in _reasons(policy, use, at):
        decided = decided.with_columns(reason=reason)
    permitted = pl.col("reason").is_in(pl.Series(_PERMITS, dtype=REASON_TYPE).implode())
    return decided.with_columns(
        outcome=pl.when(permitted)
        .then(pl.lit(Outcome.PERMIT.value, dtype=_OUTCOME_TYPE))
        .otherwise(pl.lit(Outcome.DENY.value, dtype=_OUTCOME_TYPE)),
    )


def decide_subjects(
    policy: Policy,
    states: pl.LazyFrame,
    subjects: pl.DataFrame,
    use: Use,
    at: datetime,
) -> pl.DataFrame:
    """`subjects` (a frame with a `subject` column), each row with the `outcome` and `reason`
    of `use` at `at`, in its order; its other columns are kept. A table that carries its
    subjects' `SUBJECT_NUMBERS` (`subject_numbers`) is joined by them without reading its
    subject strings, and is fastest in the order of `subject_key`.

    `states` (`STATE_SCHEMA`, one row a subject) are decided first, and only their outcome
    and reason are joined to `subjects`; a subject `states` has no row for is decided on the
    empty state (nothing recorded about them), as `decide_use` would.

        audience = decide_subjects(policy, states, table, use, at).filter(
            pl.col("outcome") == "permit"
        )
    """
    decided = decide_bulk(policy, states, use, at)
    return _decided_rows(subjects, decided, _empty_decision(policy, use, at))


def _decided_rows(
    subjects: pl.DataFrame, decided: pl.LazyFrame, nobody: dict[str, Any]
) -> pl.DataFrame:
    """`decide_subjects` of `decided` (`decide_bulk`'s frame) and `nobody` (the decision
    on the empty state): joined by the numbers, or else by the subject strings."""
    joined = join_by_numbers(subjects, _by_numbers(decided))
    if joined is None:
        return _decided_by_subject(subjects, decided, nobody)
    return _filled(joined, nobody)


def _by_numbers(decided: pl.LazyFrame) -> pl.DataFrame:
    """The decided states' `SUBJECT_NUMBERS`, outcome and reason (no subject strings)."""
    return decided.select(*SUBJECT_NUMBERS, "outcome", "reason").collect()


def _decided_by_subject(
    subjects: pl.DataFrame, decided: pl.LazyFrame, nobody: dict[str, Any]
) -> pl.DataFrame:
    """`decide_subjects` joined by the subject strings, where the numbers cannot be used."""
    if "subject" not in subjects.columns:
        raise ValueError(
            "the states cannot be joined by the subjects' numbers (a state's subject is not a "
            "pseudonym, or two share a subject_key): give the table its subject column"
        )
    joined = join_by_subject(subjects, decided.select("subject", "outcome", "reason").collect())
    return _filled(joined, nobody)


def _filled(joined: pl.DataFrame, nobody: dict[str, Any]) -> pl.DataFrame:
    """Rows of subjects with no state take the decision on the empty state (`nobody`)."""
    return joined.with_columns(
        pl.col("outcome").fill_null(nobody["outcome"]),
        pl.col("reason").fill_null(nobody["reason"]),
    )


def _empty_decision(policy: Policy, use: Use, at: datetime) -> dict[str, Any]:
    """The `outcome` and `reason` of `use` for a subject nothing was recorded about."""
    empty = states_frame([SubjectState("", at)]).lazy()
    return (
        decide_bulk(policy, empty, use, at).select("outcome", "reason").collect().row(0, named=True)
    )


def join_by_subject(left: pl.DataFrame, right: pl.DataFrame) -> pl.DataFrame:
    """`left` joined to `right` (one row a subject) on `subject`, in `left`'s order.

    Joining ten million pseudonyms (64 hex digits) as strings took 4.3 s here, and most
    of it went to moving the strings. So the subjects are joined by a 64-bit hash, and
    each match is checked by a second hash with another seed: only integers move. A match
    whose second hashes differ (two subjects sharing the first hash), or a row matched
    twice, and the join is done again on the strings. Two different pseudonyms would have
    to agree on both hashes, 128 bits, to be taken for each other: about one chance in
    10^25 for ten million subscribers against ten million subjects.
    """
    keys = left.select(_hashes(_CHECK))
    found = right.select(_hashes(_MATCHED)).with_row_index(_ROW)
    pairs = keys.join(found, on=_KEY, how="left", maintain_order="left")
    wrong = pl.col(_MATCHED).is_not_null() & (pl.col(_MATCHED) != pl.col(_CHECK))
    if pairs.height != left.height or pairs.select(wrong.any()).item():
        return left.join(right, on="subject", how="left", maintain_order="left")
    rows = pairs[_ROW]
    return left.with_columns(
        right.get_column(name).gather(rows) for name in right.columns if name != "subject"
    )


def subject_numbers(subject: pl.Expr) -> list[pl.Expr]:
    """The `SUBJECT_NUMBERS` of a column of subject references: the first and the next 16
    hex digits of a pseudonym (64 hex digits), as unsigned 64-bit numbers; null for a
    reference that is not 64 characters long or whose first 32 are not hex digits.

    Two references that agree on these 32 digits (case aside) are taken for one subject.
    A pseudonym is an HMAC-SHA-256, so two different ones agree on 128 bits about once in
    10^25 tables of ten million subscribers against ten million subjects.
    """
    shaped = subject.str.len_bytes() == _PSEUDONYM_DIGITS
    return [
        pl.when(shaped)
        .then(
            subject.str.slice(start, _NUMBER_DIGITS).str.to_integer(
                base=16, dtype=pl.UInt64, strict=False
            )
        )
        .alias(name)
        for name, start in zip(SUBJECT_NUMBERS, (0, _NUMBER_DIGITS), strict=True)
    ]


def join_by_numbers(left: pl.DataFrame, right: pl.DataFrame) -> pl.DataFrame | None:
    """`left` (a `subject` column) joined to `right` (`SUBJECT_NUMBERS` and values, one row a
    subject), in `left`'s order; None where the numbers cannot stand for `right`'s
    subjects: one of them is not a pseudonym, or two share a `subject_key`.

    `left`'s numbers (which carry its row numbers) are sorted and joined to `right`'s,
    sorted once (a projection snapshot is written in the order of its subjects, so is
    sorted already), then the rows are put back in `left`'s order. A row of `left` whose
    reference is not a pseudonym matches nothing: every subject of `right` is one.
    """
    pairs = _pairs_by_numbers(left, right)
    if pairs is None:
        return None
    # Each row of `left` takes its pair's values, or those of a last row of nulls.
    unmatched = pl.repeat(pairs.height, left.height, dtype=pl.UInt32, eager=True)
    places = unmatched.scatter(pairs[_ROW], pl.int_range(pairs.height, dtype=pl.UInt32, eager=True))
    values = pairs.drop(_ROW)
    return left.with_columns(pl.concat([values, values.clear(1)]).gather(places))


def _pairs_by_numbers(left: pl.DataFrame, right: pl.DataFrame) -> pl.DataFrame | None:
    """For each row of `left` whose subject is a pseudonym, in no particular order: its
    row number (`_ROW`) and the values of `right`'s row of that subject (null for none);
    None where the numbers cannot stand for `right`'s subjects.

    Both sides sorted by `subject_key`, they are joined by polars' streaming engine, which
    spreads the parsing, the sort and the join over the machine's cores: at ten million
    rows on 16 cores, `select_subjects` took 0.76 s this way against 1.07 s with the sort
    and an as-of join in memory (the same on 2 cores).
    """
    key, check = SUBJECT_NUMBERS
    if right[key].has_nulls() or right[check].has_nulls():
        return None
    if not right[key].is_sorted():
        right = right.sort(key)
    keys = right[key]
    if right.height > 1 and (keys.head(-1) == keys.tail(-1)).any():
        return None
    values = [name for name in right.columns if name not in SUBJECT_NUMBERS]
    found = right.rename({check: _FOUND_CHECK}).set_sorted(key)
    same = (pl.col(_FOUND_CHECK) == pl.col(check)).fill_null(False)
    return (
        _probes(left)
        .lazy()
        .join(found.lazy(), on=key, how="left")
        .select(_ROW, pl.when(same).then(pl.col(values)))
        .collect(engine="streaming")
    )


def _probes(table: pl.DataFrame) -> pl.DataFrame:
    """The rows of `table` whose subject is a pseudonym: their row number (`_ROW`) and
    `SUBJECT_NUMBERS`, in the order of the numbers.

    A table that carries the numbers (`subject_numbers` of its subjects, as UInt64 columns)
    is read by them, and its subject strings are not parsed; one already in their order is
    not sorted again. At ten million rows on 2 cores, parsing took 0.6 s and sorting 1.0 s;
    on 16 cores, by the streaming engine, about 0.1 s each.
    """
    key = next(iter(SUBJECT_NUMBERS))
    if set(SUBJECT_NUMBERS) <= set(table.columns):
        for name, dtype in SUBJECT_NUMBERS.items():
            if table.schema[name] != dtype:
                raise ValueError(
                    f"the table's {name} column is {table.schema[name]}, not {dtype}: give "
                    "the subjects' numbers as subject_numbers makes them, or leave the column out"
                )
        numbers = table.lazy().select(*SUBJECT_NUMBERS)
        in_order = not table[key].has_nulls() and table[key].is_sorted()
    else:
        numbers = table.lazy().select(subject_numbers(pl.col("subject")))
        in_order = False
    probes = numbers.with_row_index(_ROW).drop_nulls()
    if not in_order:
        probes = probes.sort(key)
    return probes.collect(engine="streaming").set_sorted(key)


@dataclass(frozen=True, slots=True)
class Selection:
    """The rows of a table a use is permitted for, and the others counted by reason."""

    permitted: pl.DataFrame
    """The permitted rows, in the table's order, with all its columns."""
    excluded: dict[str, int]
    """Denied rows by reason code."""


def select_subjects(
    policy: Policy,
    states: pl.LazyFrame,
    subjects: pl.DataFrame,
    use: Use,
    at: datetime,
) -> Selection:
    """The rows of `subjects` that `use` is permitted for at `at`, and the denied counted
    by reason: what `decide_subjects` gives, filtered and counted.

    Joined by the pseudonyms' numbers, the denied rows are counted where the join leaves
    them, and only the permitted are put back in the table's order, by a mask of its rows
    (at ten million rows, putting every row back took 0.5 s here). Where the numbers cannot
    be used, or where a subscriber with no state would be permitted (the use permits on the
    empty state), every row is decided by `decide_subjects` first. A table that carries its
    subjects' numbers is read by them, as `decide_subjects` reads it.

        selection = select_subjects(policy, states, table, use, at)
        selection.permitted["subscriber"], selection.excluded  # {"no-consent": 3_835_132, …}
    """
    decided = decide_bulk(policy, states, use, at)
    nobody = _empty_decision(policy, use, at)
    if nobody["outcome"] == Outcome.PERMIT.value:
        every = _decided_rows(subjects, decided, nobody)
    else:
        pairs = _pairs_by_numbers(subjects, _by_numbers(decided))
        if pairs is not None:
            return _selected(subjects, pairs, nobody)
        # The numbers were tried once: joined by the strings without trying them again.
        every = _decided_by_subject(subjects, decided, nobody)
    permit = every["outcome"] == Outcome.PERMIT.value
    chosen = every.filter(permit).select(subjects.columns)
    return Selection(chosen, _counted(every.filter(~permit)["reason"]))


def _selected(subjects: pl.DataFrame, pairs: pl.DataFrame, nobody: dict[str, Any]) -> Selection:
    """`select_subjects` from the join by numbers (`_pairs_by_numbers`): the denied are
    counted where the join left them, and only the permitted kept, in the table's order; a
    row with no state takes `nobody`'s reason (a denial)."""
    found = pairs.filter(pl.col("outcome").is_not_null())
    permit = found["outcome"] == Outcome.PERMIT.value
    excluded = _counted(found.filter(~permit)["reason"])
    strangers = subjects.height - found.height
    if strangers:
        excluded[nobody["reason"]] = excluded.get(nobody["reason"], 0) + strangers
    # The permitted are marked in a mask of the table's rows, which keeps its order: at ten
    # million rows, sorting their row numbers and gathering took four times as long.
    chosen = pl.repeat(False, subjects.height, eager=True).scatter(found.filter(permit)[_ROW], True)
    return Selection(subjects.filter(chosen), dict(sorted(excluded.items())))


def _counted(reasons: pl.Series) -> dict[str, int]:
    # Counted as the enumeration's small integers, and only the few distinct reasons then
    # read as text: casting every row to text first took five times as long (0.4 s of
    # five million denials, here).
    counts = reasons.value_counts()
    return dict(sorted((str(reason), int(count)) for reason, count in counts.iter_rows()))


def _hashes(check: str) -> list[pl.Expr]:
    subject = pl.col("subject")
    return [subject.hash(seed=0).alias(_KEY), subject.hash(seed=_SECOND_SEED).alias(check)]


_KEY = "__placet_subject_hash"
_CHECK = "__placet_subject_check"
_MATCHED = "__placet_matched_check"
_ROW = "__placet_row"
_FOUND_CHECK = "__placet_found_check"
_SECOND_SEED = 0x5EED
"""polars' hashes are the same for equal strings within one process, which is all a join
needs; two seeds give two hashes."""


def _reasons(policy: Policy, use: Use, at: datetime) -> list[pl.Expr]:
    """The `reason` column, worked out in steps: each step after the first reads the
    column the one before wrote. (A step that read its predecessor as an expression would
    evaluate it again: polars does not share the consents' list evaluation between them.)
    """
    purpose = next((p for p in policy.purposes if p.id == use.purpose), None)
    if purpose is None:
        return [_r("no-rule")]
    if not set(use.categories) <= set(purpose.categories):
        return [_r("category-not-covered")]
    steps: list[tuple[pl.Expr, pl.Expr]] = []
    if purpose.subject_types:
        in_scope = pl.col("subject_type").is_in(list(purpose.subject_types)).fill_null(False)
        steps.append((~in_scope, _r("subject-type-not-covered")))
    scalar_scope = _use_scope(policy, purpose, use)
    if scalar_scope is not None:
        steps.append((pl.lit(True), pl.lit(scalar_scope)))
    if purpose.legal_basis is LegalBasis.LEGAL_OBLIGATION:
        return [_chain(steps, _r("legal-obligation"))]
    survives = purpose.conditions.survives_restriction
    if not survives:
        steps.append((pl.col("restricted"), _r("restricted")))
    steps += _restriction_steps(policy, purpose, use, at)
    if purpose.is_direct_marketing:
        objected = pl.col("objects_to_direct_marketing") | _has(pl.col("objections"), purpose.id)
        opted_out = pl.col("business_opt_out") & (
            pl.col("business_opt_out_until").is_null()
            | (pl.col("business_opt_out_until") > pl.lit(at))
        )
        steps += [
            (objected, _r("objection-direct-marketing")),
            (opted_out, _r("business-opt-out")),
        ]
    reasons = [_chain(steps, _by_basis(policy, purpose, use, at))]
    window = purpose.conditions.post_contract
    if window is not None:
        reasons.append(_post_contract_window(window, pl.col("reason"), at))
    return reasons


def _use_scope(policy: Policy, purpose: Purpose, use: Use) -> str | None:
    """Channel and recipient checks: they depend on the use alone, so are answered once."""
    if use.channel is not None and purpose.channels and use.channel not in purpose.channels:
        return "channel-not-covered"
    return recipient_reason(policy, purpose, use)


def _chain(steps: list[tuple[pl.Expr, pl.Expr]], otherwise: pl.Expr) -> pl.Expr:
    """The first step whose condition holds gives the reason; none: `otherwise`."""
    if not steps:
        return otherwise
    expression = otherwise
    for condition, value in reversed(steps):
        expression = pl.when(condition.fill_null(False)).then(value).otherwise(expression)
    return expression


def _has(column: pl.Expr, value: str) -> pl.Expr:
    return column.list.contains(pl.lit(value)).fill_null(False)


def _offset(period: Period) -> str:
    months = period.months
    return f"{period.amount}d" if months is None else f"{months}mo"


def _restriction_steps(
    policy: Policy, purpose: Purpose, use: Use, at: datetime
) -> list[tuple[pl.Expr, pl.Expr]]:
    steps = []
    wanted = set(use.categories)
    for rule in policy.retention_rules:
        if rule.action is not RetentionAction.RESTRICT or rule.period is None:
            continue
        if not wanted & set(rule.categories) or purpose.conditions.survives_restriction:
            continue
        if any(purpose.legal_basis in exception.legal_bases for exception in rule.exceptions):
            continue
        start = _restriction_start(rule.anchors, rule.period)
        if start is not None:
            steps.append((start <= pl.lit(at), _r("restricted-after-contract")))
    return steps


def _restriction_start(anchors: list[Anchor], period: Period) -> pl.Expr | None:
    """When the rule starts restricting, per row: null while it cannot start."""
    blocked = pl.lit(False)
    instants: list[pl.Expr] = []
    for anchor in anchors:
        if anchor is Anchor.END_OF_LAST_CONTRACT:
            blocked = (
                blocked | (pl.col("active_contracts") > 0) | pl.col("last_contract_end").is_null()
            )
            instants.append(pl.col("last_contract_end"))
        elif anchor is Anchor.DEBT_SETTLED:
            blocked = blocked | pl.col("debt_outstanding")
            instants.append(pl.col("debt_settled_at"))
        else:
            return None
    if not instants:
        return None
    latest = pl.max_horizontal(instants).dt.offset_by(_offset(period))
    return pl.when(blocked.fill_null(False)).then(pl.lit(None, dtype=_INSTANT)).otherwise(latest)


def _covering(policy: Policy, purpose: Purpose, use: Use, *, by_categories: bool = True) -> pl.Expr:
    """Whether live grants cover the purpose by each channel the use may take
    (`use_channels`) and, with `by_categories`, each of its categories, per row."""
    return pl.all_horizontal(_by_each_channel(policy, purpose, use, by_categories=by_categories))


def _by_each_channel(
    policy: Policy, purpose: Purpose, use: Use, *, by_categories: bool = True
) -> list[pl.Expr]:
    """Whether a live grant covers the purpose by each channel the use may take, per row."""
    return [
        _covering_by(policy, purpose, replace(use, channel=channel), by_categories=by_categories)
        for channel in use_channels(purpose.channels, use)
    ]


def _covering_by(
    policy: Policy, purpose: Purpose, use: Use, *, by_categories: bool = True
) -> pl.Expr:
    """Whether a live grant covers the purpose, the use's channel (any, if none) and, with
    `by_categories`, each of its categories, per row."""
    options = sorted(covering_options(policy, purpose, use, by_categories=by_categories))
    element = pl.element().struct
    covers = element.field("option").is_in(options)
    if use.channel is not None:
        channels = element.field("channels")
        covers = covers & ((channels.list.len() == 0) | channels.list.contains(use.channel.value))
    return pl.col("consents").list.eval(covers).list.any().fill_null(False)


def _by_basis(policy: Policy, purpose: Purpose, use: Use, at: datetime) -> pl.Expr:
    basis = purpose.legal_basis
    if basis is LegalBasis.CONTRACT:
        if purpose.conditions.subject_initiated:
            return _r("permitted")
        return (
            pl.when(pl.col("active_contracts") > 0)
            .then(_r("permitted"))
            .otherwise(_r("no-contract"))
        )
    consented = _covering(policy, purpose, use)
    if basis is LegalBasis.CONSENT:
        any_channel = Use(purpose=use.purpose, categories=use.categories)
        options = sorted(covering_options(policy, purpose, any_channel, by_categories=False))
        # One `contains` per option: a set intersection took five times as long.
        withdrawn = pl.any_horizontal(
            pl.lit(False), *(_has(pl.col("withdrawn"), o) for o in options)
        )
        steps = [
            (consented, _r("permitted")),
            (withdrawn.fill_null(False), _r("consent-withdrawn")),
        ]
        other_categories = _covering(policy, purpose, use, by_categories=False)
        steps.insert(1, (other_categories, _r("category-not-consented")))
        if use.channel is None and purpose.channels:
            some = pl.any_horizontal(_by_each_channel(policy, purpose, use))
            steps.insert(1, (some, _r("channel-not-named")))
        if purpose.conditions.objection is ObjectionEffect.STOPS:
            steps.insert(0, (_has(pl.col("objections"), purpose.id), _r("objection")))
        return _chain(steps, _r("no-consent"))
    if basis in (LegalBasis.LEGITIMATE_INTEREST, LegalBasis.PUBLIC_TASK):
        return _interest(policy, purpose, use, at, consented)
    return _r("permitted")


def _interest(
    policy: Policy, purpose: Purpose, use: Use, at: datetime, consented: pl.Expr
) -> pl.Expr:
    conditions = purpose.conditions
    objected = _has(pl.col("objections"), purpose.id)
    steps: list[tuple[pl.Expr, pl.Expr]] = []
    reason = _r("permitted")
    if conditions.objection is ObjectionEffect.STOPS:
        steps.append((objected, _r("objection")))
    else:
        reason = pl.when(objected).then(_r("objection-overridden")).otherwise(reason)
    if conditions.minors is not MinorRule.ALLOWED and policy.minors is not None:
        minor = minor_expression(policy.minors.age_below, at, policy.zone)
        if conditions.minors is MinorRule.NEVER:
            steps.append((minor, _r("minor")))
        else:
            steps.append((minor & ~consented, _r("minor-without-consent")))
    if conditions.requires_consent_option:
        steps.append((~consented, _r("no-consent")))
    flags = {f for c in policy.data_categories if c.id in set(use.categories) for f in c.flags}
    sensitive = bool({CategoryFlag.TRAFFIC, CategoryFlag.LOCATION} & flags)
    if sensitive and conditions.traffic_location_needs_consent:
        if not conditions.unless_anonymised:
            steps.append((~consented, _r("traffic-location-needs-consent")))
        elif not use.anonymised:
            anonymise = (
                pl.when(reason == "permitted").then(_r("permitted-if-anonymised")).otherwise(reason)
            )
            reason = pl.when(consented).then(reason).otherwise(anonymise)
    return _chain(steps, reason)


def minor_expression(age_below: int, at: datetime, zone: tzinfo = UTC) -> pl.Expr:
    """Born less than `age_below` years before `at`'s date in `zone` (the controller's, as
    `is_minor`; 29 February: the birthday is 1 March)."""
    at = at.astimezone(zone)
    born = pl.col("birth_date")
    adult_year = born.dt.year() + age_below
    birthday = born.dt.month().cast(pl.Int32) * 100 + born.dt.day().cast(pl.Int32)
    before_birthday = pl.lit(at.month * 100 + at.day) < birthday
    return (
        (pl.lit(at.year) < adult_year) | ((pl.lit(at.year) == adult_year) & before_birthday)
    ).fill_null(False)


def _post_contract_window(window: Period, reason: pl.Expr, at: datetime) -> pl.Expr:
    ended = pl.col("last_contract_end")
    over = (
        reason.is_in(pl.Series(_PERMITS, dtype=REASON_TYPE).implode())
        & (pl.col("active_contracts") == 0)
        & ended.is_not_null()
        & (ended.dt.offset_by(_offset(window)) <= pl.lit(at))
    )
    return pl.when(over.fill_null(False)).then(_r("post-contract-window-ended")).otherwise(reason)
