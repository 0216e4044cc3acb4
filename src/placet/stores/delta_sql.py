"""The DataFusion SQL that the Delta store hands to delta-rs: a selection's bounds as the
predicate of a delete or update, a merge's predicate and its source table of key windows, and
a rewrite as an expression of its column.

delta-rs takes predicates and new values as SQL text, so names are quoted and values written
as literals here, in one place, rather than in each call of the store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc

from placet.errors import StoreError
from placet.retention.rewrites import Constant, MaskTail, Nullify, Rewrite
from placet.stores.lake_selection import ArrowSelection
from placet.stores.protocol import TimePartition

__all__ = [
    "SOURCE_ALIAS",
    "TARGET_ALIAS",
    "column_ref",
    "conjunction",
    "instant_sql",
    "merge_terms",
    "partitions_named",
    "quote_name",
    "rewrite_sql",
    "selection_terms",
    "source_ref",
    "string_list",
    "string_literal",
    "target_ref",
    "window_source",
]

SOURCE_ALIAS = "s"
"""The alias of a merge's source table."""
TARGET_ALIAS = "t"
"""The alias of a merge's target, the Delta table."""


def quote_name(name: str) -> str:
    """A column name quoted for DataFusion (a double quote doubled)."""
    return '"' + name.replace('"', '""') + '"'


def column_ref(name: str) -> str:
    """A column of the table a delete or update acts on."""
    return quote_name(name)


def target_ref(name: str) -> str:
    """A column of a merge's target."""
    return f"{TARGET_ALIAS}.{quote_name(name)}"


def source_ref(name: str) -> str:
    """A column of a merge's source."""
    return f"{SOURCE_ALIAS}.{quote_name(name)}"


def string_literal(value: str) -> str:
    """A string literal (a single quote doubled)."""
    return "'" + value.replace("'", "''") + "'"


def string_list(values: Sequence[str]) -> str:
    """String literals separated by commas, for an `IN (…)` list."""
    return ", ".join(string_literal(value) for value in values)


def conjunction(terms: Sequence[str]) -> str:
    """All the terms at once (`TRUE` without any)."""
    return " AND ".join(f"({term})" for term in terms) if terms else "TRUE"


def instant_sql(instant: datetime, instant_type: pa.DataType) -> str:
    """An instant as a literal DataFusion casts to the column's type (UTC)."""
    utc = instant.astimezone(UTC)
    suffix = "Z" if instant_type.tz is not None else ""
    return string_literal(f"{utc:%Y-%m-%dT%H:%M:%S.%f}{suffix}")


def selection_terms(
    prepared: ArrowSelection, partition: TimePartition | None, ref: Callable[[str], str]
) -> list[str]:
    """The selection's time bounds (and the partitions they allow) as SQL terms."""
    selection = prepared.selection
    terms: list[str] = []
    time = selection.time_column
    if time is not None:
        instant_type = prepared.schema.field(time).type
        if selection.since is not None:
            terms.append(f"{ref(time)} >= {instant_sql(selection.since, instant_type)}")
        if selection.before is not None:
            terms.append(f"{ref(time)} < {instant_sql(selection.before, instant_type)}")
    if partition is not None and partition.column in prepared.schema.names:
        first, last = prepared.partition_labels(partition)
        if first is not None:
            terms.append(f"{ref(partition.column)} >= {string_literal(first)}")
        if last is not None:
            terms.append(f"{ref(partition.column)} <= {string_literal(last)}")
    return terms


def merge_terms(
    prepared: ArrowSelection, remapped: Sequence[str], partition: TimePartition | None
) -> list[str]:
    """The merge's predicate: the target row's key and time inside a source window, its
    remapped values equal to the source's (nulls too), and the selection's own bounds."""
    terms = selection_terms(prepared, partition, target_ref)
    selection = prepared.selection
    if prepared.windows is not None and selection.key_column is not None:
        terms.append(f"{target_ref(selection.key_column)} = {source_ref('placet_key')}")
        if selection.time_column is not None and prepared.has_window_bounds:
            time = target_ref(selection.time_column)
            since, before = source_ref("placet_since"), source_ref("placet_before")
            terms.append(f"{since} IS NULL OR {time} >= {since}")
            terms.append(f"{before} IS NULL OR {time} < {before}")
    for index, name in enumerate(remapped):
        terms.append(f"{target_ref(name)} IS NOT DISTINCT FROM {source_ref(f'placet_old_{index}')}")
    return terms


def window_source(prepared: ArrowSelection) -> pa.Table:
    """A merge's source table: the key windows, renamed to meet none of the table's columns."""
    if prepared.windows is None:
        raise StoreError("a merge without key windows needs a remapped column")
    windows = prepared.windows
    return pa.table(
        {
            "placet_key": windows["key"],
            "placet_since": windows["since"],
            "placet_before": windows["before"],
        }
    )


def rewrite_sql(rewrite: Rewrite, column: str, mapped: str | None) -> str:
    """A rewrite as a DataFusion SQL expression of the column (`mapped`: a Remap's value)."""
    if isinstance(rewrite, Nullify):
        return "NULL"
    if isinstance(rewrite, Constant):
        return string_literal(rewrite.value)
    if isinstance(rewrite, MaskTail):
        length = f"character_length({column})"
        return (
            f"left({column}, greatest({length} - {rewrite.digits}, 0)) || "
            f"repeat({string_literal(rewrite.mask)}, least({length}, {rewrite.digits}))"
        )
    if mapped is None:
        raise StoreError(f"the remap '{rewrite.name}' was given no mapping")
    return mapped


def partitions_named(column: str, values: Sequence[str | None]) -> tuple[str, pc.Expression]:
    """A predicate naming these partitions, in SQL and as a dataset filter."""
    named = sorted(value for value in values if value is not None)
    sql = [f"{column_ref(column)} IN ({string_list(named)})"] if named else []
    expression = pc.field(column).isin(named)
    if None in values:
        sql.append(f"{column_ref(column)} IS NULL")
        expression = expression | pc.field(column).is_null()
    return " OR ".join(sql), expression
