"""The checks of a consent import: every row against the policy version in force at its instant.

Vectorised in polars, so that a million rows are checked in a few seconds; only the
sentences of the problems found are written row by row (`placet.ledger.importing.reasons`).
Pure: reads no file or clock; the caller passes the frame and the instant of the import.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from placet.errors import RowProblem
from placet.ledger.events import GivenBy
from placet.ledger.importing.format import (
    ALL_DIRECT_MARKETING,
    CHANNEL_NAMES,
    COLLECTION_NAMES,
    CONSENT_EVENTS,
    FIRST_LINE,
    GIVEN_BY_NAMES,
    GOOD_SCHEMA,
    HEADER_LINE,
    IMPORT_COLUMNS,
    MAX_KEY,
    MAX_TEXT,
    OBJECTION_EVENTS,
    REQUIRED_COLUMNS,
    CheckedRows,
    ImportColumn,
)
from placet.ledger.importing.reasons import Reasons
from placet.policy.versions import PolicySet

__all__ = ["check_consent_rows"]

_INSTANT_FORMAT = "%+"
"""ISO 8601 / RFC 3339 with a zone: 2024-05-01T12:00:00Z, 2024-05-01 14:00:00.5+02:00."""
_NAIVE_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d")
_TEXT_TYPES = (pl.String, pl.Categorical, pl.Enum, pl.Null)


def check_consent_rows(
    rows: pl.LazyFrame | pl.DataFrame, policies: PolicySet, recorded_at: datetime
) -> CheckedRows:
    """Check every row of an import against the policy version in force at its instant.

    `rows` holds the file's columns as read (text, or Parquet's types); `recorded_at` is the
    instant of the import, after which no row may take effect. Nothing is dropped silently:
    each row is either in `good` or named by at least one problem.
    """
    if recorded_at.tzinfo is None:
        raise ValueError("recorded_at must be timezone-aware (UTC)")
    frame = rows.lazy()
    schema = frame.collect_schema()
    header = _header_problems(schema)
    if header:
        empty = pl.DataFrame(schema=GOOD_SCHEMA)
        return CheckedRows(0, empty, tuple(header), policies.policy_id)
    checks = _checks(recorded_at)
    flagged = (
        _with_policy(_normalised(frame, schema), policies)
        .with_columns(
            check.flag.fill_null(False).alias(f"_check_{n}") for n, check in enumerate(checks)
        )
        .collect()
    )
    problems = _problems(flagged, checks, Reasons(policies, recorded_at))
    flags = [pl.col(f"_check_{n}") for n in range(len(checks))]
    good = (
        flagged.filter(~pl.any_horizontal(flags))
        .select(GOOD_SCHEMA.names())
        .sort("subject", "effective_at", "line")
    )
    return CheckedRows(flagged.height, good, tuple(problems), policies.policy_id)


def _header_problems(schema: pl.Schema) -> list[RowProblem]:
    problems = [
        RowProblem(
            HEADER_LINE,
            column,
            f"the header has no '{column}' column, which every row needs; add it, named exactly so",
            "missing-column",
        )
        for column in REQUIRED_COLUMNS
        if column not in schema
    ]
    known = [str(column) for column in IMPORT_COLUMNS]
    for name, dtype in schema.items():
        if name not in known:
            match = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f" (did you mean '{match[0]}'?)" if match else ""
            problems.append(
                RowProblem(
                    HEADER_LINE,
                    name,
                    f"'{name}' is not a column of a consent import{hint}; the columns are "
                    f"{', '.join(known)}. Rename it, or remove it",
                    "unknown-column",
                )
            )
        elif (problem := _type_problem(ImportColumn(name), dtype)) is not None:
            problems.append(problem)
    return problems


def _type_problem(column: ImportColumn, dtype: pl.DataType) -> RowProblem | None:
    if column is ImportColumn.EFFECTIVE_AT and isinstance(dtype, pl.Datetime):
        if dtype.time_zone is not None:
            return None
        return RowProblem(
            HEADER_LINE,
            column,
            "the column holds timestamps without a time zone; write them as UTC timestamps "
            "(timezone-aware), or as ISO 8601 text with a zone (2024-05-01T12:00:00Z)",
            "no-time-zone",
        )
    if column is ImportColumn.CHANNELS and dtype == pl.List(pl.String):
        return None
    if isinstance(dtype, _TEXT_TYPES) or dtype.is_integer():
        return None
    return RowProblem(
        HEADER_LINE,
        column,
        f"the column holds {dtype}, which cannot be read as text without changing it; "
        "give it as text",
        "unreadable-column",
    )


def _text(name: str, schema: pl.Schema) -> pl.Expr:
    """The column as text without surrounding spaces, empty as null; null when absent."""
    if name not in schema:
        return pl.lit(None, dtype=pl.String).alias(name)
    stripped = pl.col(name).cast(pl.String).str.strip_chars()
    return pl.when(stripped.str.len_bytes() > 0).then(stripped).alias(name)


def _channels(schema: pl.Schema) -> pl.Expr:
    """The channels as a sorted list without repeats; empty when none are named."""
    name = ImportColumn.CHANNELS
    if name not in schema:
        return pl.lit([], dtype=pl.List(pl.String)).alias(name)
    column = pl.col(name)
    listed = column if schema[name] == pl.List(pl.String) else column.cast(pl.String).str.split(";")
    each = pl.element().str.strip_chars()
    cleaned = listed.list.eval(each.filter(each.str.len_bytes() > 0)).list.unique().list.sort()
    return cleaned.fill_null(pl.lit([], dtype=pl.List(pl.String))).alias(name)


def _instants(schema: pl.Schema) -> list[pl.Expr]:
    """effective_at parsed to UTC, its text for messages, and whether it lacks only a zone."""
    name = ImportColumn.EFFECTIVE_AT
    if isinstance(schema[name], pl.Datetime):
        parsed = pl.col(name).dt.convert_time_zone("UTC").dt.cast_time_unit("us")
        return [
            parsed.alias("effective_at"),
            parsed.dt.to_string("%Y-%m-%dT%H:%M:%S%.fZ").alias("effective_at_text"),
            pl.lit(False).alias("is_naive"),
        ]
    text = _text(name, schema)
    parsed = text.str.to_datetime(_INSTANT_FORMAT, time_unit="us", time_zone="UTC", strict=False)
    naive = pl.coalesce(
        text.str.to_datetime(form, time_unit="us", strict=False) for form in _NAIVE_FORMATS
    )
    return [
        parsed.alias("effective_at"),
        text.alias("effective_at_text"),
        naive.is_not_null().alias("is_naive"),
    ]


def _normalised(frame: pl.LazyFrame, schema: pl.Schema) -> pl.LazyFrame:
    texts = [
        _text(column, schema)
        for column in IMPORT_COLUMNS
        if column not in {ImportColumn.CHANNELS, ImportColumn.EFFECTIVE_AT}
    ]
    normal = frame.with_row_index("line", offset=FIRST_LINE).select(
        pl.col("line").cast(pl.Int64), *texts, _channels(schema), *_instants(schema)
    )
    # Empty means the subject, as in `LedgerEvent`: filled in before rows are compared, so
    # that a row saying 'subject' and one leaving it empty are the same event.
    normal = normal.with_columns(pl.col("given_by").fill_null(GivenBy.SUBJECT.value))
    key = pl.col("idempotency_key")
    content = pl.struct(
        "subject",
        "event",
        "option_or_purpose",
        "channels",
        "effective_at",
        "collected_via",
        "given_by",
        "actor",
        "evidence",
    ).hash()
    return normal.with_columns(
        pl.col("line").min().over(key).alias("key_first_line"),
        (content != content.sort_by("line").first().over(key)).alias("key_reused"),
    )


def _with_policy(frame: pl.LazyFrame, policies: PolicySet) -> pl.LazyFrame:
    """The version in force at each row's instant, and what it says of the row's id."""
    day = pl.col("effective_at").dt.date()
    version: pl.Expr = pl.lit(None, dtype=pl.String)
    until: pl.Expr = pl.lit(None, dtype=pl.Date)
    for policy in policies.versions:  # oldest first: a later version replaces an earlier
        starts = day >= policy.effective_from
        version = pl.when(starts).then(pl.lit(policy.version)).otherwise(version)
        until = pl.when(starts).then(pl.lit(policy.effective_until, dtype=pl.Date)).otherwise(until)
    in_force = pl.when(until.is_null() | (day <= until)).then(version)
    on = ["policy_version", "option_or_purpose"]
    return (
        frame.with_columns(in_force.alias("policy_version"))
        .join(_options_frame(policies).lazy(), on=on, how="left")
        .join(_purposes_frame(policies).lazy(), on=on, how="left")
    )


def _options_frame(policies: PolicySet) -> pl.DataFrame:
    options = [
        (policy, option) for policy in policies.versions for option in policy.consent_options
    ]
    return pl.DataFrame(
        {
            "policy_version": [policy.version for policy, _ in options],
            "option_or_purpose": [option.id for _, option in options],
            "option_channels": [
                [channel.value for channel in option.channels] for _, option in options
            ],
            "option_any_channel": [not option.channels for _, option in options],
        },
        schema={
            "policy_version": pl.String,
            "option_or_purpose": pl.String,
            "option_channels": pl.List(pl.String),
            "option_any_channel": pl.Boolean,
        },
    )


def _purposes_frame(policies: PolicySet) -> pl.DataFrame:
    purposes = [
        (policy.version, purpose.id) for policy in policies.versions for purpose in policy.purposes
    ]
    return pl.DataFrame(
        {
            "policy_version": [version for version, _ in purposes],
            "option_or_purpose": [purpose for _, purpose in purposes],
            "is_purpose": [True] * len(purposes),
        },
        schema={
            "policy_version": pl.String,
            "option_or_purpose": pl.String,
            "is_purpose": pl.Boolean,
        },
    )


@dataclass(frozen=True, slots=True)
class _Check:
    """One rule a row must pass: the column it is about, its code, when it fails, and the
    value the reason shows (None: the value is not shown, for instance an identifier)."""

    column: ImportColumn
    code: str
    flag: pl.Expr
    value: pl.Expr | None = None


def _checks(recorded_at: datetime) -> list[_Check]:
    col = pl.col
    event, target, channels = col("event"), col("option_or_purpose"), col("channels")
    consent, objection = event.is_in(CONSENT_EVENTS), event.is_in(OBJECTION_EVENTS)
    instant, text = col("effective_at"), col("effective_at_text")
    version = col("policy_version")
    unknown_channels = channels.list.eval(pl.element().filter(~pl.element().is_in(CHANNEL_NAMES)))
    known_channels = channels.list.eval(pl.element().filter(pl.element().is_in(CHANNEL_NAMES)))
    uncovered = known_channels.list.set_difference(col("option_channels"))
    unparsed = text.is_not_null() & instant.is_null()
    # effective_at is null once unparsable: whether it was given is in its text.
    given = {ImportColumn.EFFECTIVE_AT: "effective_at_text"}
    missing = [
        _Check(column, "missing-value", col(given.get(column, column)).is_null())
        for column in REQUIRED_COLUMNS
    ]
    return [
        *missing,
        _Check(ImportColumn.SUBJECT, "bad-subject", col("subject").str.contains(r"\s")),
        _Check(
            ImportColumn.EVENT,
            "unknown-event",
            ~event.is_in(CONSENT_EVENTS + OBJECTION_EVENTS),
            event,
        ),
        _Check(
            ImportColumn.OPTION_OR_PURPOSE,
            "unknown-option",
            consent
            & target.is_not_null()
            & version.is_not_null()
            & col("option_any_channel").is_null(),
            target,
        ),
        _Check(
            ImportColumn.OPTION_OR_PURPOSE,
            "unknown-purpose",
            objection
            & target.is_not_null()
            & version.is_not_null()
            & (target != ALL_DIRECT_MARKETING)
            & col("is_purpose").is_null(),
            target,
        ),
        _Check(
            ImportColumn.CHANNELS,
            "unknown-channel",
            unknown_channels.list.len() > 0,
            unknown_channels.list.join(";"),
        ),
        _Check(
            ImportColumn.CHANNELS,
            "channel-not-covered",
            consent & ~col("option_any_channel") & (uncovered.list.len() > 0),
            uncovered.list.join(";"),
        ),
        _Check(
            ImportColumn.CHANNELS,
            "channels-on-objection",
            objection & (channels.list.len() > 0),
            channels.list.join(";"),
        ),
        _Check(ImportColumn.EFFECTIVE_AT, "bad-instant", unparsed & ~col("is_naive"), text),
        _Check(ImportColumn.EFFECTIVE_AT, "no-time-zone", unparsed & col("is_naive"), text),
        _Check(ImportColumn.EFFECTIVE_AT, "future-instant", instant > recorded_at, text),
        _Check(
            ImportColumn.EFFECTIVE_AT,
            "no-policy-in-force",
            instant.is_not_null() & version.is_null(),
            text,
        ),
        _Check(
            ImportColumn.COLLECTED_VIA,
            "unknown-collection",
            ~col("collected_via").is_in(COLLECTION_NAMES),
            col("collected_via"),
        ),
        _Check(
            ImportColumn.GIVEN_BY,
            "unknown-given-by",
            ~col("given_by").is_in(GIVEN_BY_NAMES),
            col("given_by"),
        ),
        *(
            _Check(
                column,
                "too-long",
                col(column).str.len_chars() > limit,
                col(column).str.len_chars().cast(pl.String),
            )
            for column, limit in (
                (ImportColumn.ACTOR, MAX_TEXT),
                (ImportColumn.EVIDENCE, MAX_TEXT),
                (ImportColumn.IDEMPOTENCY_KEY, MAX_KEY),
            )
        ),
        _Check(
            ImportColumn.IDEMPOTENCY_KEY,
            "key-reused",
            col("idempotency_key").is_not_null() & col("key_reused"),
            col("idempotency_key"),
        ),
    ]


def _problems(
    flagged: pl.DataFrame, checks: Sequence[_Check], reasons: Reasons
) -> list[RowProblem]:
    """Every failed check of every row, by line and then in the order of the columns."""
    column_order = {column: position for position, column in enumerate(IMPORT_COLUMNS)}
    found = [
        flagged.filter(pl.col(f"_check_{n}")).select(
            "line",
            pl.lit(column_order[check.column] * len(checks) + n).alias("order"),
            pl.lit(n).alias("check"),
            (check.value if check.value is not None else pl.lit(None))
            .cast(pl.String)
            .alias("value"),
            "option_or_purpose",
            "policy_version",
            "key_first_line",
        )
        for n, check in enumerate(checks)
    ]
    table = pl.concat(found).sort("line", "order")
    problems: list[RowProblem] = []
    for line, _, n, value, target, version, first_line in table.iter_rows():
        check = checks[n]
        reason = reasons.say(
            check.code,
            check.column,
            value=value,
            target=target,
            version=version,
            first_line=first_line,
        )
        problems.append(RowProblem(line, str(check.column), reason, check.code))
    return problems
