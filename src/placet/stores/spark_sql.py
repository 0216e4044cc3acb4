"""The Spark SQL that the Spark store and its Delta maintenance send: quoted names, literals
that Spark's and Sail's parsers read alike, a `Selection` planned for Spark (`SelectionPlan`)
with the terms that bound it, and a rewrite as an expression of its column.

Spark Connect takes conditions, merge sources and new values as SQL text, so that text is
written here, in one place, rather than in each call of the store. Imports no pyspark: it
writes text and Arrow tables only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, cast

import pyarrow as pa
import pyarrow.compute as pc

from placet.errors import StoreError
from placet.retention.rewrites import Constant, MaskTail, Nullify, Rewrite
from placet.retention.spans import WINDOW_SCHEMA
from placet.stores.lake_selection import window_difference
from placet.stores.protocol import Selection, TimePartition

if TYPE_CHECKING:
    from pyspark.sql.types import StructType

__all__ = [
    "EPOCH",
    "SELECTED",
    "WINDOW_BEFORE",
    "WINDOW_HELD",
    "WINDOW_KEY",
    "WINDOW_SINCE",
    "SelectionPlan",
    "bound_terms",
    "changing_rows",
    "column_ref",
    "column_types",
    "conjunction",
    "delta_table",
    "in_partitions",
    "instant_literal",
    "merge_source",
    "partition_label",
    "plan_selection",
    "quote_name",
    "rewritten_sql",
    "text_literal",
]

SELECTED = "placet_selected"
WINDOW_KEY, WINDOW_SINCE, WINDOW_BEFORE, WINDOW_HELD = (
    "placet_window_key",
    "placet_window_since",
    "placet_window_before",
    "placet_window_held",
)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"


# --- Spark SQL text ---------------------------------------------------------------------


def quote_name(identifier: str) -> str:
    """A name quoted for Spark SQL (a backtick doubled)."""
    return "`" + identifier.replace("`", "``") + "`"


def column_ref(alias: str, column: str) -> str:
    """A column of the table aliased `alias` (no alias: of the only table)."""
    return f"{alias}.{quote_name(column)}" if alias else quote_name(column)


def text_literal(value: str) -> str:
    """A string literal as Spark's (and Sail's) parser reads it: backslash escapes."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def instant_literal(moment: datetime) -> str:
    """A timestamp literal that does not depend on the session's time zone."""
    span = moment.astimezone(UTC) - EPOCH
    micros = (span.days * 86_400 + span.seconds) * 1_000_000 + span.microseconds
    return f"timestamp_micros({micros})"


def conjunction(terms: Sequence[str]) -> str:
    """All the terms at once (`true` without any)."""
    return " AND ".join(f"({term})" for term in terms) if terms else "true"


def delta_table(location: str) -> str:
    """The Delta table at `location`, as Spark SQL names it."""
    return f"delta.{quote_name(location)}"


# --- selections -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SelectionPlan:
    """A selection made ready for Spark. Its windows are made disjoint and the excluded spans
    cut out of them (`window_difference`), so that a row lies in at most one, as a `MERGE`
    needs; `placet_window_held` marks a key with excluded windows, whose rows without a time
    are kept. Without windows, its exclusions are merged spans (`holds`) and the excluded keys
    (`held_keys`). Columns are renamed so as not to meet the table's own."""

    selection: Selection
    key_is_text: bool
    windows: pa.Table | None = None
    holds: pa.Table | None = None
    held_keys: pa.Table | None = None

    @property
    def is_empty(self) -> bool:
        return self.selection.is_empty or (self.windows is not None and len(self.windows) == 0)

    def key(self, alias: str) -> str:
        """The row's key, as text (window keys are text)."""
        assert self.selection.key_column is not None
        key = column_ref(alias, self.selection.key_column)
        return key if self.key_is_text else f"CAST({key} AS STRING)"

    def time(self, alias: str) -> str | None:
        time = self.selection.time_column
        return column_ref(alias, time) if time is not None else None

    def in_span(self, table: str, spans: str) -> list[str]:
        """The terms of a row of `table` lying in a span of `spans` with its key."""
        terms = [f"{self.key(table)} = {spans}.{WINDOW_KEY}"]
        time = self.time(table)
        if time is not None:
            terms.append(f"{spans}.{WINDOW_SINCE} IS NULL OR {time} >= {spans}.{WINDOW_SINCE}")
            terms.append(f"{spans}.{WINDOW_BEFORE} IS NULL OR {time} < {spans}.{WINDOW_BEFORE}")
        return terms

    def in_window(self, table: str, windows: str) -> str:
        """The join condition of a row of `table` to the window of `windows` selecting it."""
        terms = self.in_span(table, windows)
        time = self.time(table)
        if time is not None:
            terms.append(f"NOT ({windows}.{WINDOW_HELD} AND {time} IS NULL)")
        return conjunction(terms)


def plan_selection(selection: Selection, schema: StructType, table: str) -> SelectionPlan:
    """`selection` for a table of Spark `schema`; `StoreError` for columns it does not have."""
    if missing := [name for name in selection.columns() if name not in schema.names]:
        raise StoreError(
            f"table '{table}' has no columns {missing}, which the selection reads. "
            "Check the data map's key and time columns for this dataset."
        )
    key = selection.key_column
    key_is_text = key is None or schema[key].dataType.simpleString().startswith("string")
    exclude = (
        selection.exclude if selection.exclude is not None and len(selection.exclude) else None
    )
    if exclude is not None:
        _check_exclusions(selection, exclude)
    if selection.windows is not None:
        windows = window_difference(selection.windows, exclude)
        held = (
            pc.is_in(windows["key"], value_set=exclude["key"])
            if exclude is not None
            else pa.repeat(False, len(windows))
        )
        columns = [windows["key"], windows["since"], windows["before"], held]
        renamed = pa.table(columns, names=[WINDOW_KEY, WINDOW_SINCE, WINDOW_BEFORE, WINDOW_HELD])
        return SelectionPlan(selection, key_is_text, windows=renamed)
    if exclude is None:
        return SelectionPlan(selection, key_is_text)
    holds = window_difference(exclude).rename_columns([WINDOW_KEY, WINDOW_SINCE, WINDOW_BEFORE])
    keys = pa.table({WINDOW_KEY: pc.unique(exclude["key"])})
    return SelectionPlan(selection, key_is_text, holds=holds, held_keys=keys)


def _check_exclusions(selection: Selection, exclude: pa.Table) -> None:
    if selection.key_column is None:
        raise StoreError("a selection that excludes key windows must name its key column")
    if not exclude.schema.equals(WINDOW_SCHEMA):
        raise StoreError(
            f"excluded key windows must have the schema {WINDOW_SCHEMA}, not {exclude.schema}"
        )
    open_since = exclude["since"].null_count == len(exclude)
    open_before = exclude["before"].null_count == len(exclude)
    if not (open_since and open_before) and selection.time_column is None:
        raise StoreError("a selection bounded in time must name its time column")


def _span(selection: Selection) -> tuple[datetime | None, datetime | None]:
    """The earliest and latest instant the selection can reach, for partition pruning."""
    low, high = selection.since, selection.before
    windows = selection.windows
    if windows is not None and len(windows) > 0:
        if windows["since"].null_count == 0:
            earliest = cast(datetime, pc.min(windows["since"]).as_py())
            low = max(low, earliest) if low is not None else earliest
        if windows["before"].null_count == 0:
            latest = cast(datetime, pc.max(windows["before"]).as_py())
            high = min(high, latest) if high is not None else latest
    return low, high


def bound_terms(selection: Selection, partition: TimePartition | None, alias: str) -> list[str]:
    """The selection's time bounds over the table aliased `alias`, with the partitions they
    prune to when the table is partitioned by the selection's time column."""
    terms: list[str] = []
    if selection.time_column is not None:
        time = column_ref(alias, selection.time_column)
        if selection.since is not None:
            terms.append(f"{time} >= {instant_literal(selection.since)}")
        if selection.before is not None:
            terms.append(f"{time} < {instant_literal(selection.before)}")
    if partition is not None and partition.time_column == selection.time_column:
        low, high = _span(selection)
        label = column_ref(alias, partition.column)
        if low is not None:
            terms.append(f"{label} >= {text_literal(partition.label(low))}")
        if high is not None:
            terms.append(
                f"{label} <= {text_literal(partition.label(high - timedelta(microseconds=1)))}"
            )
    return terms


def rewritten_sql(column: str, rewrite: Rewrite, data_type: str, value: str, mapped: str) -> str:
    """The SQL of a column's new value: `value` is its current value, `mapped` a Remap's."""
    if isinstance(rewrite, Nullify):
        return f"CAST(NULL AS {data_type})"
    if isinstance(rewrite, Constant):
        return f"CAST({text_literal(rewrite.value)} AS {data_type})"
    if isinstance(rewrite, MaskTail):
        if not data_type.startswith(("string", "varchar", "char")):
            raise StoreError(f"a tail can only be masked in text, not in {column} ({data_type})")
        length, digits = f"char_length({value})", rewrite.digits
        return (
            f"concat(substring({value}, 1, greatest({length} - {digits}, 0)), "
            f"repeat({text_literal(rewrite.mask)}, least({length}, {digits})))"
        )
    return mapped


def column_types(schema: StructType, rewrites: Mapping[str, Rewrite], table: str) -> dict[str, str]:
    """The Spark SQL type of each rewritten column; `StoreError` for a column not there."""
    if missing := [name for name in rewrites if name not in schema.names]:
        raise StoreError(f"table '{table}' has no columns {missing} to rewrite")
    return {name: schema[name].dataType.simpleString() for name in rewrites}


# --- merges and rewritten partitions ----------------------------------------------------


def changing_rows(alias: str, mark: str | None) -> str:
    """Which flagged rows change: the selected ones (not yet marked, when the mark exists)."""
    selected = column_ref(alias, SELECTED)
    return f"{selected} AND {column_ref(alias, mark)} IS NULL" if mark is not None else selected


def merge_source(
    plan: SelectionPlan,
    location: str,
    bounds: Sequence[str],
    *,
    windows: str | None,
    remapped: Mapping[str, str],
) -> tuple[str, list[str]]:
    """The source of an updating MERGE and its ON terms: the windows (or one row), and for
    each remapped column (to the view of its mapping) its distinct selected values with their
    mapping, so that every target row matches exactly one source row."""
    on = list(bounds)
    if windows is not None:
        on.insert(0, plan.in_window("t", "s"))
    if not remapped:
        return (windows or "(SELECT 1 AS placet_one)"), on
    picked = (
        [f"w.{name}" for name in (WINDOW_KEY, WINDOW_SINCE, WINDOW_BEFORE, WINDOW_HELD)]
        if windows
        else []
    )
    picked += [f"{column_ref('t', name)} AS placet_from_{i}" for i, name in enumerate(remapped)]
    joined = f" JOIN {windows} AS w ON {plan.in_window('t', 'w')}" if windows else ""
    distinct = (
        f"SELECT DISTINCT {', '.join(picked)} FROM {delta_table(location)} AS t{joined} "
        f"WHERE {conjunction(bounds)}"
    )
    maps = " ".join(
        f"LEFT JOIN {view} AS m{i} ON b.placet_from_{i} = m{i}.placet_from"
        for i, view in enumerate(remapped.values())
    )
    mapped = ", ".join(f"m{i}.placet_to AS placet_to_{i}" for i in range(len(remapped)))
    on += [f"{column_ref('t', name)} <=> s.placet_from_{i}" for i, name in enumerate(remapped)]
    return f"(SELECT b.*, {mapped} FROM ({distinct}) AS b {maps})", on


def partition_label(column: str) -> str:
    """A row's partition as its folder names it (Spark's name for a null value)."""
    return f"coalesce(CAST({quote_name(column)} AS STRING), {text_literal(_NULL_PARTITION)})"


def in_partitions(column: str, labels: Sequence[str]) -> str:
    """The rows in the partitions of `labels`, without `coalesce` (which Sail 0.7 cannot
    evaluate in a `replaceWhere`)."""
    values = [label for label in labels if label != _NULL_PARTITION]
    terms = (
        [f"CAST({quote_name(column)} AS STRING) IN ({', '.join(map(text_literal, values))})"]
        if values
        else []
    )
    if _NULL_PARTITION in labels:
        terms.append(f"{quote_name(column)} IS NULL")
    return " OR ".join(f"({term})" for term in terms)
