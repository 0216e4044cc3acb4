"""The evaluation of a `Selection` over Arrow, shared by the lake stores: which rows of a
record batch it selects, how a dataset scan is pruned for it, and what a delete or update
makes of the selected rows, batch by batch.

The Parquet and Delta stores read and rewrite their tables through pyarrow datasets, so
they evaluate a selection the same way here and cannot disagree on which rows it holds.
`window_difference` makes key windows disjoint, less the excluded ones, so that a merge
(in delta-rs or in Spark) matches each row at most once; the Spark store uses it too.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from placet.errors import StoreError
from placet.retention.rewrites import Constant, MaskTail, Nullify, Remap, Rewrite
from placet.stores.protocol import WINDOW_SCHEMA, Selection, TimePartition

if TYPE_CHECKING:
    # Imported where used, not here: pyarrow.dataset loads pandas, half a second that every
    # `placet` command would pay at start.
    import pyarrow.dataset as ds

__all__ = [
    "NAMED_KEYS",
    "ArrowSelection",
    "BatchEdit",
    "Survey",
    "remap_distinct",
    "rewritten_values",
    "window_difference",
]

_ROW = "placet_row"
_OPEN_SINCE, _OPEN_BEFORE = -(2**63), 2**63 - 1
"""An open bound, in the ticks (int64) of a window's instants."""
NAMED_KEYS: Final = 64
"""Up to this many keys, files are pruned by each key; beyond, by the keys' range."""
_PRUNED_KEY_LENGTH: Final = 32
"""Longer text keys prune nothing: a writer may cut a statistic to a prefix (Delta's
data skipping keeps 32 characters), and a cut maximum would hide a longer key."""


@dataclass(frozen=True, slots=True)
class ArrowSelection:
    """A `Selection` made ready for one table's Arrow schema: its bounds and windows in the
    types of the table's time and key columns.

    `prefilter` prunes partitions, files and row groups by time when a dataset is scanned,
    `candidates` files and row groups by the windows' keys; `mask` says which rows of a
    scanned batch are selected, and is what every call relies on. A
    row whose key has an excluding window that bounds time, but which has no time itself,
    counts as excluded: like a bound, an exclusion errs on keeping.
    """

    selection: Selection
    schema: pa.Schema
    windows: pa.Table | None
    """The windows cast to the key's and time's types; None without windows."""
    exclude: pa.Table | None
    """The excluding windows, cast the same way; None without any."""
    _indexes: dict[str, _KeyIndex] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """The windows and the excluding windows grouped by key, made once for every batch."""

    @classmethod
    def prepare(cls, selection: Selection, schema: pa.Schema, where: str) -> ArrowSelection:
        """Check that the table has the columns the selection reads, and cast its windows."""
        missing = [name for name in selection.columns() if name not in schema.names]
        if missing:
            raise StoreError(
                f"{where} has no column {', '.join(missing)}, which the selection reads. "
                "Check the data map's key and time columns for this dataset."
            )
        if selection.time_column is not None:
            _check_instant_type(schema.field(selection.time_column), where)
        exclude = selection.exclude
        if exclude is not None:
            if selection.key_column is None:
                raise StoreError("a selection that excludes key windows must name its key column")
            if not exclude.schema.equals(WINDOW_SCHEMA):
                raise StoreError(
                    f"excluded key windows must have the schema {WINDOW_SCHEMA}, "
                    f"not {exclude.schema}"
                )
            if _bounds_time(exclude) and selection.time_column is None:
                raise StoreError("a selection bounded in time must name its time column")
        return cls(
            selection,
            schema,
            _cast_windows(selection.windows, selection, schema, where),
            _cast_windows(exclude, selection, schema, where) if exclude else None,
        )

    @property
    def is_exact_filter(self) -> bool:
        """Whether `prefilter` alone selects the rows (no windows to match batch by batch)."""
        return self.windows is None and self.exclude is None

    @property
    def has_window_bounds(self) -> bool:
        """Whether some window bounds its key in time (else the keys alone select)."""
        return self.windows is not None and _bounds_time(self.windows)

    def span(self) -> tuple[datetime | None, datetime | None]:
        """The earliest and latest instant any selected row may have (None: open)."""
        since, before = self.selection.since, self.selection.before
        if self.windows is not None and self.windows.num_rows:
            starts, ends = self.windows["since"], self.windows["before"]
            if starts.null_count == 0:
                earliest = _as_utc(pc.min(starts).as_py())
                since = earliest if since is None else max(since, earliest)
            if ends.null_count == 0:
                latest = _as_utc(pc.max(ends).as_py())
                before = latest if before is None else min(before, latest)
        return since, before

    def partition_labels(self, partition: TimePartition | None) -> tuple[str | None, str | None]:
        """The first and last partition that may hold selected rows (None: open); open
        unless `partition` is made of the selection's time column."""
        if partition is None or partition.time_column != self.selection.time_column:
            return None, None
        since, before = self.span()
        return (
            partition.label(since) if since is not None else None,
            partition.label(before) if before is not None else None,
        )

    def prefilter(
        self, partition: TimePartition | None = None, *, unmarked: str | None = None
    ) -> pc.Expression | None:
        """A dataset filter on the time and partition columns that keeps every selected row
        (exact without windows)."""
        terms: list[pc.Expression] = []
        time = self.selection.time_column
        since, before = self.span()
        if time is not None and since is not None:
            terms.append(pc.field(time) >= self._instant(since))
        if time is not None and before is not None:
            terms.append(pc.field(time) < self._instant(before))
        # No filter on the key: delta-rs writes text as `string_view`, which pyarrow cannot
        # compare with a `string` literal in row-group statistics; `mask` matches the keys.
        first, last = self.partition_labels(partition)
        if partition is not None and partition.column in self.schema.names:
            if first is not None:
                terms.append(pc.field(partition.column) >= first)
            if last is not None:
                terms.append(pc.field(partition.column) <= last)
        if unmarked is not None and unmarked in self.schema.names:
            terms.append(pc.field(unmarked).is_null())
        if not terms:
            return None
        combined = terms[0]
        for term in terms[1:]:
            combined = combined & term
        return combined

    def mask(self, batch: pa.RecordBatch, *, unmarked: str | None = None) -> pa.Array:
        """Which rows of `batch` are selected (and, with `unmarked`, not marked yet)."""
        selected = pa.array(np.ones(batch.num_rows, dtype=bool))
        time = self.selection.time_column
        if time is not None and self.selection.since is not None:
            after = pc.greater_equal(batch[time], self._instant(self.selection.since))
            selected = pc.and_(selected, pc.fill_null(after, False))
        if time is not None and self.selection.before is not None:
            earlier = pc.less(batch[time], self._instant(self.selection.before))
            selected = pc.and_(selected, pc.fill_null(earlier, False))
        if self.windows is not None:
            hit = np.zeros(batch.num_rows, dtype=bool)
            hit[self.matches(batch)[_ROW].to_numpy()] = True
            selected = pc.and_(selected, pa.array(hit))
        if self.exclude is not None:
            held = np.zeros(batch.num_rows, dtype=bool)
            held[self._within(batch, "exclude", unknown=True)[_ROW].to_numpy()] = True
            selected = pc.and_(selected, pa.array(~held))
        if unmarked is not None and unmarked in batch.schema.names:
            selected = pc.and_(selected, pc.is_null(batch[unmarked]))
        return selected

    def matches(self, batch: pa.RecordBatch) -> pa.Table:
        """Each row of `batch` whose key has a window holding its time: the row's position
        (`placet_row`), `key`, and the window's `since` and `before`. A vectorized join on
        the key, then a filter on the bounds; a row in overlapping windows appears in each."""
        if self.windows is None:
            raise StoreError("a selection without key windows matches no window")
        return self._within(batch, "windows", unknown=False)

    def may_hold(self, batch: pa.RecordBatch) -> bool:
        """Whether some row of `batch` has a window's key: a batch without one holds no
        selected row, and is passed over without being matched."""
        if self.windows is None or self.selection.key_column is None:
            return True
        present = pc.is_in(batch[self.selection.key_column], value_set=self._index("windows").keys)
        return bool(pc.any(present).as_py())

    def _index(self, which: str) -> _KeyIndex:
        if which not in self._indexes:
            windows = self.windows if which == "windows" else self.exclude
            assert windows is not None
            self._indexes[which] = _KeyIndex.of(windows)
        return self._indexes[which]

    def _within(self, batch: pa.RecordBatch, which: str, *, unknown: bool) -> pa.Table:
        """The rows of `batch` in the windows (`which`: "windows" or "exclude");
        `unknown`: whether a row without a time is in a window that bounds time.

        The join is made in numpy, not by an Arrow hash join: a batch's rows are looked up
        among the windows' distinct keys at once, and only the rows found are paired with
        their key's windows (most rows of most batches have none: no join to plan)."""
        index = self._index(which)
        row_key = pc.index_in(batch[self.selection.key_column], value_set=index.keys)
        rows = np.flatnonzero(pc.is_valid(row_key).to_numpy(zero_copy_only=False))
        found = row_key.take(pa.array(rows)).to_numpy(zero_copy_only=False).astype(np.int64)
        pairs = index.per_key[found]
        row_of_pair = np.repeat(rows, pairs)
        nth = np.arange(len(row_of_pair)) - np.repeat(np.cumsum(pairs) - pairs, pairs)
        chosen = pa.array(index.by_key[np.repeat(index.first_of_key[found], pairs) + nth])
        windows = index.windows
        joined = pa.table(
            {
                _ROW: pa.array(row_of_pair, pa.int64()),
                "key": windows["key"].take(chosen),
                "since": windows["since"].take(chosen),
                "before": windows["before"].take(chosen),
            }
        )
        time = self.selection.time_column
        if time is None or not index.bounds_time:
            return joined
        instants = batch[time].take(pa.array(row_of_pair))
        after = pc.or_kleene(
            pc.is_null(joined["since"]), pc.greater_equal(instants, joined["since"])
        )
        earlier = pc.or_kleene(pc.is_null(joined["before"]), pc.less(instants, joined["before"]))
        within = pc.fill_null(pc.and_kleene(after, earlier), unknown)
        return joined.filter(within)

    def candidates(self, dataset: ds.Dataset) -> ds.Dataset:
        """`dataset` less the files and row groups whose statistics of the key column (its
        minimum and maximum) show none of the windows' keys: a subscriber's rows are read
        from the few files and row groups that may hold their numbers, not from all.

        Files go by the statistics the dataset's fragments carry (a Delta table's log),
        row groups by their Parquet statistics, compared in Python: a file written by
        delta-rs holds text as `string_view`, which pyarrow cannot compare with a `string`
        in a filter on statistics. Without windows, or with keys that cannot be compared
        safely, it is `dataset` itself."""
        import pyarrow.dataset as ds  # where used: see the imports

        keys = self.pruning_keys()
        key = self.selection.key_column
        if keys is None or key is None or not isinstance(dataset, ds.FileSystemDataset):
            return dataset
        key_type = dataset.schema.field(key).type
        if len(keys) <= NAMED_KEYS:
            named = [pc.field(key) == pa.scalar(value, key_type) for value in keys]
            near = named[0]
            for term in named[1:]:
                near = near | term
        else:
            low, high = pa.scalar(keys[0], key_type), pa.scalar(keys[-1], key_type)
            near = (pc.field(key) >= low) & (pc.field(key) <= high)
        kept = []
        for fragment in dataset.get_fragments(filter=near):
            chosen = _row_groups_holding(fragment, key, keys)
            if chosen is None:
                kept.append(fragment)
            elif chosen:
                kept.append(fragment.subset(row_group_ids=chosen))
        return ds.FileSystemDataset(kept, dataset.schema, dataset.format, dataset.filesystem)

    def pruning_keys(self) -> list[Any] | None:
        """The windows' distinct keys, sorted, where statistics can rule files out by them;
        None without windows, or with keys statistics cannot be trusted to compare."""
        if self.windows is None or self.selection.key_column is None:
            return None
        values = self.windows["key"]
        if values.null_count or not (
            pa.types.is_string(values.type)
            or pa.types.is_large_string(values.type)
            or pa.types.is_integer(values.type)
        ):
            return None
        keys = sorted(set(values.to_pylist()))
        if any(isinstance(value, str) and len(value) > _PRUNED_KEY_LENGTH for value in keys):
            return None
        return keys

    def stream(
        self,
        dataset: ds.Dataset,
        columns: Sequence[str],
        *,
        partition: TimePartition | None = None,
        unmarked: str | None = None,
        batch_rows: int = 65_536,
    ) -> Iterator[pa.RecordBatch]:
        """The selected rows of `dataset` (`columns` only), batch by batch, read from the
        files and row groups that may hold them (`candidates`)."""
        read = list(columns) + [
            name
            for name in (*self.selection.columns(), unmarked)
            if name is not None and name in self.schema.names and name not in columns
        ]
        scanner = self.candidates(dataset).scanner(
            columns=read,
            filter=self.prefilter(partition, unmarked=unmarked),
            batch_size=batch_rows,
        )
        for batch in scanner.to_batches():
            if not self.may_hold(batch):
                continue
            chosen = batch.filter(self.mask(batch, unmarked=unmarked))
            if chosen.num_rows:
                yield chosen.select(list(columns))

    def count(
        self,
        dataset: ds.Dataset,
        *,
        partition: TimePartition | None = None,
        unmarked: str | None = None,
    ) -> int:
        """How many rows of `dataset` are selected: from the prefilter alone where it is
        exact (file statistics can answer), else by streaming one column of them."""
        if self.is_exact_filter:
            return int(dataset.count_rows(filter=self.prefilter(partition, unmarked=unmarked)))
        batches = self.stream(
            dataset, self.selection.columns()[:1], partition=partition, unmarked=unmarked
        )
        return sum(batch.num_rows for batch in batches)

    def survey(
        self,
        dataset: ds.Dataset,
        *,
        by: str | None = None,
        remapped: Sequence[str] = (),
        partition: TimePartition | None = None,
        unmarked: str | None = None,
    ) -> Survey:
        """One scan of the columns the selection reads: how many rows it selects per value
        of `by` (a file, a partition; None: all under None) and the distinct selected
        values of each remapped column."""
        rows: dict[str | None, int] = {}
        values: dict[str, list[pa.Array]] = {name: [] for name in remapped}
        columns = list(dict.fromkeys([*([] if by is None else [by]), *remapped]))
        for batch in self.stream(
            dataset, columns or self.schema.names[:1], partition=partition, unmarked=unmarked
        ):
            groups = (
                [{"values": None, "counts": batch.num_rows}]
                if by is None
                else pc.value_counts(batch[by]).to_pylist()
            )
            for counted in groups:
                rows[counted["values"]] = rows.get(counted["values"], 0) + counted["counts"]
            for name in remapped:
                values[name].append(pc.unique(batch[name]))
        distinct = {
            name: pc.unique(
                pa.chunked_array(parts, dataset.schema.field(name).type).combine_chunks()
            )
            for name, parts in values.items()
        }
        return Survey(rows, distinct)

    def _instant(self, instant: datetime) -> pa.Scalar:
        time = self.selection.time_column
        if time is None:
            raise StoreError("a selection bounded in time must name its time column")
        return _instant_scalar(instant, self.schema.field(time).type)


@dataclass(frozen=True, slots=True)
class _KeyIndex:
    """Windows grouped by their key: for each distinct key, where its windows are."""

    windows: pa.Table
    keys: pa.Array
    """The distinct keys."""
    by_key: np.ndarray
    """The windows' positions, ordered by key."""
    per_key: np.ndarray
    """How many windows each distinct key has."""
    first_of_key: np.ndarray
    """Where each distinct key's windows start in `by_key`."""
    bounds_time: bool

    @classmethod
    def of(cls, windows: pa.Table) -> _KeyIndex:
        keys = pc.unique(windows["key"].combine_chunks())
        window_key = pc.index_in(windows["key"], value_set=keys).to_numpy()
        per_key = np.bincount(window_key, minlength=len(keys))
        return cls(
            windows,
            keys,
            np.argsort(window_key, kind="stable"),
            per_key,
            np.cumsum(per_key) - per_key,
            _bounds_time(windows),
        )


def _row_groups_holding(fragment: ds.Fragment, column: str, keys: list[Any]) -> list[int] | None:
    """The row groups of a Parquet fragment whose statistics of `column` allow one of the
    sorted `keys`; None when it keeps them all (or is not Parquet, or has no statistics)."""
    import pyarrow.dataset as ds  # where used: see the imports

    if not isinstance(fragment, ds.ParquetFileFragment):
        return None
    fragment.ensure_complete_metadata()
    metadata = fragment.metadata
    groups = fragment.row_groups
    if metadata.num_row_groups == 0 or not groups:
        return None
    first = metadata.row_group(0)
    position = next(
        (at for at in range(first.num_columns) if first.column(at).path_in_schema == column),
        None,
    )
    if position is None:
        return None
    chosen = []
    for group in groups:
        statistics = metadata.row_group(group.id).column(position).statistics
        if statistics is None or not statistics.has_min_max:
            chosen.append(group.id)
            continue
        low, high = statistics.min, statistics.max
        try:
            at = bisect.bisect_left(keys, low)
            holds = at < len(keys) and keys[at] <= high
        except TypeError:
            holds = True
        if holds:
            chosen.append(group.id)
    return None if len(chosen) == len(groups) else chosen


@dataclass(frozen=True, slots=True)
class Survey:
    """What one scan of a selection found (`ArrowSelection.survey`)."""

    rows: dict[str | None, int]
    """Selected rows per value of the surveyed column."""
    distinct: dict[str, pa.Array]
    """The distinct selected values of each remapped column."""

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _bounds_time(windows: pa.Table) -> bool:
    rows = windows.num_rows
    return bool(windows["since"].null_count < rows or windows["before"].null_count < rows)


def _cast_windows(
    windows: pa.Table | None, selection: Selection, schema: pa.Schema, where: str
) -> pa.Table | None:
    """Windows in the types of the table's key and time columns."""
    if windows is None:
        return None
    key = schema.field(selection.key_column).type
    instant = (
        schema.field(selection.time_column).type
        if selection.time_column is not None
        else pa.timestamp("us", "UTC")
    )
    target = pa.schema([("key", key), ("since", instant), ("before", instant)])
    try:
        return windows.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise StoreError(
            f"{where}: the key windows do not fit the column {selection.key_column} ({key}): {exc}"
        ) from exc


def _check_instant_type(column: pa.Field, where: str) -> None:
    if not pa.types.is_timestamp(column.type):
        raise StoreError(
            f"{where}: the time column {column.name} holds {column.type}, not instants. "
            "Store the rows' time as a timestamp, or name another time column."
        )


def _instant_scalar(instant: datetime, instant_type: pa.DataType) -> pa.Scalar:
    utc = instant.astimezone(UTC)
    return pa.scalar(utc if instant_type.tz is not None else utc.replace(tzinfo=None), instant_type)


def _as_utc(instant: datetime) -> datetime:
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def rewritten_values(
    values: pa.Array, rewrite: Rewrite, mapping: tuple[pa.Array, pa.Array] | None = None
) -> pa.Array | pa.Scalar:
    """The column's new values under `rewrite`, for every row (the caller keeps them only
    for the rows it changes). A `Remap` needs its `mapping`: the distinct values and what
    they map to."""
    if isinstance(rewrite, Nullify):
        return pa.scalar(None, values.type)
    if isinstance(rewrite, Constant):
        return pa.scalar(rewrite.value, pa.string()).cast(values.type)
    if isinstance(rewrite, MaskTail):
        if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
            raise StoreError(f"a tail can only be masked in text, not in {values.type}")
        hidden = pc.min_element_wise(pc.utf8_length(values), rewrite.digits)
        shown = pc.utf8_slice_codeunits(values, 0, -rewrite.digits)
        return pc.binary_join_element_wise(shown, pc.binary_repeat(rewrite.mask, hidden), "")
    if mapping is None:
        raise StoreError(f"the remap '{rewrite.name}' was given no mapping")
    distinct, mapped = mapping
    return pc.take(mapped, pc.index_in(values, value_set=distinct, skip_nulls=False))


def remap_distinct(
    distinct: pa.Array, rewrite: Remap, value_type: pa.DataType, where: str
) -> tuple[pa.Array, pa.Array]:
    """Map a column's distinct selected values in one vectorized call: (values, mapped)."""
    mapped = rewrite.function(distinct)
    if len(mapped) != len(distinct):
        raise StoreError(
            f"{where}: the remap '{rewrite.name}' gave {len(mapped)} values "
            f"for {len(distinct)} distinct values"
        )
    try:
        return distinct, mapped.cast(value_type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise StoreError(
            f"{where}: the remap '{rewrite.name}' gives {mapped.type}, "
            f"which the column's type {value_type} cannot hold"
        ) from exc


@dataclass(frozen=True, slots=True)
class BatchEdit:
    """What a rewrite does to the selected rows of each batch: drop them (delete), or
    rewrite columns and stamp the mark (update)."""

    selection: ArrowSelection
    rewrites: Mapping[str, Rewrite] = field(default_factory=dict)
    mappings: Mapping[str, tuple[pa.Array, pa.Array]] = field(default_factory=dict)
    """Each remapped column's distinct values and what they map to."""
    mark: str | None = None
    at: datetime | None = None

    @property
    def is_delete(self) -> bool:
        """Whether the selected rows are dropped (else rewritten and marked)."""
        return self.mark is None

    def output_schema(self, physical: pa.Schema) -> pa.Schema:
        """The schema the rows are written back with: `physical`, and the mark."""
        if self.mark is None or self.mark in physical.names:
            return physical
        return physical.append(pa.field(self.mark, pa.timestamp("us", "UTC")))

    def apply(self, batch: pa.RecordBatch, schema: pa.Schema) -> tuple[pa.RecordBatch, int]:
        """The batch as it is written back, and how many of its rows changed."""
        if self.mark is not None and self.mark not in batch.schema.names:
            marks = pa.nulls(batch.num_rows, schema.field(self.mark).type)
            batch = batch.append_column(schema.field(self.mark), marks)
        selected = self.selection.mask(batch, unmarked=self.mark)
        changed = pc.sum(selected).as_py() or 0
        if self.is_delete:
            return batch.filter(pc.invert(selected)), changed
        if changed == 0:
            return batch, 0
        columns = []
        for column in batch.schema:
            old = batch[column.name]
            if column.name == self.mark:
                stamp = pa.scalar(self.at, pa.timestamp("us", "UTC")).cast(column.type)
                columns.append(pc.if_else(selected, stamp, old))
            elif column.name in self.rewrites:
                new = rewritten_values(
                    old, self.rewrites[column.name], self.mappings.get(column.name)
                )
                columns.append(pc.if_else(selected, new, old))
            else:
                columns.append(old)
        return pa.RecordBatch.from_arrays(columns, schema=schema), changed


def window_difference(windows: pa.Table, exclude: pa.Table | None = None) -> pa.Table:
    """The spans of `windows` outside every span of `exclude` with the same key, joined
    into the fewest disjoint windows: every row then lies in at most one (a merge matches
    it once). A sweep line over each key's bounds, counting the windows open past each."""
    bounds = [_as_ticks(windows, chosen=1, held=0)]
    if exclude is not None and exclude.num_rows:
        bounds.append(_as_ticks(exclude, chosen=0, held=1))
    events = pl.concat(
        [
            frame.select(
                "key", pl.col(edge).alias("point"), pl.col("chosen") * sign, pl.col("held") * sign
            )
            for frame in bounds
            for edge, sign in (("since", 1), ("before", -1))
        ]
    )
    spans = (
        events.group_by("key", "point")
        .agg(pl.col("chosen").sum(), pl.col("held").sum())
        .sort("key", "point")
        .with_columns(
            pl.col("chosen").cum_sum().over("key"),
            pl.col("held").cum_sum().over("key"),
            pl.col("point").shift(-1).over("key").alias("end"),
        )
        .filter((pl.col("chosen") > 0) & (pl.col("held") == 0) & pl.col("end").is_not_null())
        .with_columns(
            (pl.col("point") != pl.col("end").shift(1).over("key"))
            .fill_null(True)
            .cum_sum()
            .over("key")
            .alias("run")
        )
        .group_by("key", "run", maintain_order=True)
        .agg(pl.col("point").min().alias("since"), pl.col("end").max().alias("before"))
        .select(
            "key",
            pl.when(pl.col("since") != _OPEN_SINCE).then(pl.col("since")).alias("since"),
            pl.when(pl.col("before") != _OPEN_BEFORE).then(pl.col("before")).alias("before"),
        )
        .to_arrow()
    )
    schema = windows.schema
    return pa.table(
        {
            "key": spans["key"].cast(schema.field("key").type),
            "since": spans["since"].cast(pa.int64()).cast(schema.field("since").type),
            "before": spans["before"].cast(pa.int64()).cast(schema.field("before").type),
        }
    )


def _as_ticks(windows: pa.Table, *, chosen: int, held: int) -> pl.DataFrame:
    """Windows with their bounds as integer ticks (open bounds at the extremes), the empty
    ones dropped, and how much each counts as chosen and as held."""
    frame = pl.from_arrow(
        pa.table(
            {
                "key": windows["key"],
                "since": windows["since"].cast(pa.int64()),
                "before": windows["before"].cast(pa.int64()),
            }
        )
    )
    assert isinstance(frame, pl.DataFrame)
    return frame.with_columns(
        pl.col("since").fill_null(_OPEN_SINCE),
        pl.col("before").fill_null(_OPEN_BEFORE),
        pl.lit(chosen, pl.Int64).alias("chosen"),
        pl.lit(held, pl.Int64).alias("held"),
    ).filter(pl.col("since") < pl.col("before"))
