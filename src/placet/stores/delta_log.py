"""What the Delta store reads from a table's log rather than from its rows: which files a
commit rewrote or removed, which removed files are still on disk and since when, how long the
table keeps them, and which partitions a time span holds whole by its files' statistics.

An erasure is complete only once the files that older versions name are gone, and only the
log says which those are; and a sweep deletes whole partitions without reading them where the
statistics the log keeps for their files show every row inside the span.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
from deltalake import DeltaTable

from placet.errors import StoreError
from placet.stores.lake_selection import ArrowSelection
from placet.stores.protocol import TimePartition

__all__ = [
    "DEFAULT_DELETED_FILE_RETENTION",
    "RETENTION_PROPERTY",
    "commit_files",
    "in_words",
    "lingering_files",
    "parse_interval",
    "partitions_in_span",
]

DEFAULT_DELETED_FILE_RETENTION = timedelta(days=7)
"""How long a Delta table keeps removed files when its configuration does not say."""
RETENTION_PROPERTY = "delta.deletedFileRetentionDuration"
_INTERVAL = re.compile(r"interval\s+(\d+)\s+([a-z]+?)s?", re.IGNORECASE)
_UNITS = {
    "nanosecond": timedelta(microseconds=0.001),
    "microsecond": timedelta(microseconds=1),
    "millisecond": timedelta(milliseconds=1),
    "second": timedelta(seconds=1),
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
}
_STATS_SLACK = timedelta(milliseconds=1)
"""Delta statistics may truncate instants to milliseconds: a maximum is trusted to be
below a bound only a millisecond clear of it."""


def _instant_scalar(instant: datetime, instant_type: pa.DataType) -> pa.Scalar:
    utc = instant.astimezone(UTC)
    return pa.scalar(utc if instant_type.tz is not None else utc.replace(tzinfo=None), instant_type)


def partitions_in_span(
    opened: DeltaTable, prepared: ArrowSelection, partition: TimePartition
) -> tuple[list[str], list[str], int]:
    """The partitions a time span selects whole (every file's statistics show all its rows
    inside), the partitions it cuts, and how many rows the whole ones hold."""
    time = prepared.selection.time_column
    first, last = prepared.partition_labels(partition)
    files = pl.from_arrow(pa.table(opened.get_add_actions(flatten=True)))
    assert isinstance(files, pl.DataFrame)
    value = pl.col(f"partition.{partition.column}")
    in_span = value.is_not_null()
    if first is not None:
        in_span &= value >= first
    if last is not None:
        in_span &= value <= last
    files = files.filter(in_span)
    stats = ["num_records", f"null_count.{time}", f"min.{time}", f"max.{time}"]
    if files.is_empty():
        return [], [], 0
    if any(name not in files.columns for name in stats):
        return [], sorted(files[f"partition.{partition.column}"].unique().to_list()), 0
    instant_type = prepared.schema.field(time).type
    since, before = prepared.selection.since, prepared.selection.before
    low, high, nulls = pl.col(f"min.{time}"), pl.col(f"max.{time}"), pl.col(f"null_count.{time}")
    whole = (nulls == 0) & low.is_not_null() & high.is_not_null()
    none = (nulls == pl.col("num_records")).fill_null(False)
    if since is not None:
        bound = _instant_scalar(since, instant_type).as_py()
        whole &= low >= bound
        none |= (high + _STATS_SLACK <= bound).fill_null(False)
    if before is not None:
        bound = _instant_scalar(before, instant_type).as_py()
        whole &= high + _STATS_SLACK <= bound
        none |= (low >= bound).fill_null(False)
    summary = (
        files.with_columns(whole=whole.fill_null(False), none=none)
        .group_by(value.alias("partition"))
        .agg(
            pl.col("whole").all(),
            pl.col("none").all(),
            pl.col("num_records").sum().alias("rows"),
        )
    )
    wholly = summary.filter(pl.col("whole"))
    cut = summary.filter(~pl.col("whole") & ~pl.col("none"))
    return (
        sorted(wholly["partition"].to_list()),
        sorted(cut["partition"].to_list()),
        int(wholly["rows"].sum()),
    )


def commit_files(table_path: Path, version: int) -> tuple[int, int]:
    """How many files a commit rewrote (removed where it added a file to the same
    partition) and removed whole, read from its log entry."""
    added: set[str] = set()
    removed: list[str] = []
    entry = table_path / "_delta_log" / f"{version:020d}.json"
    with entry.open(encoding="utf-8") as lines:
        for line in lines:
            action = json.loads(line)
            if "add" in action:
                added.add(json.dumps(action["add"].get("partitionValues") or {}, sort_keys=True))
            elif "remove" in action:
                removed.append(
                    json.dumps(action["remove"].get("partitionValues") or {}, sort_keys=True)
                )
    rewritten = sum(1 for partition in removed if partition in added)
    return rewritten, len(removed) - rewritten


def lingering_files(table_path: Path, opened: DeltaTable) -> dict[str, datetime]:
    """Files that commits removed and that are still on disk, with when they were removed
    (read from every commit and checkpoint of the log; a file restored since is live)."""
    removed: dict[str, int] = {}
    log_folder = table_path / "_delta_log"
    for entry in sorted(log_folder.glob("*.json")):
        with entry.open(encoding="utf-8") as lines:
            for line in lines:
                action = json.loads(line)
                if "remove" in action:
                    remove = action["remove"]
                    removed[unquote(remove["path"])] = int(remove.get("deletionTimestamp") or 0)
    for checkpoint in sorted(log_folder.glob("*.checkpoint*.parquet")):
        names = pq.read_schema(checkpoint).names
        if "remove" not in names:
            continue
        for remove in pq.read_table(checkpoint, columns=["remove"])["remove"].to_pylist():
            if remove is not None and remove.get("path"):
                removed.setdefault(
                    unquote(remove["path"]), int(remove.get("deletionTimestamp") or 0)
                )
    live = {
        unquote(path)
        for path in pa.table(opened.get_add_actions(flatten=False))["path"].to_pylist()
    }
    return {
        path: datetime.fromtimestamp(stamp / 1000, UTC)
        for path, stamp in removed.items()
        if path not in live and (table_path / path).exists()
    }


def in_words(duration: timedelta) -> str:
    """A retention as an operator writes it: `7 days`, `36 hours`, `90 seconds`."""
    for unit, size in (("day", timedelta(days=1)), ("hour", timedelta(hours=1))):
        if duration >= size and duration % size == timedelta(0):
            count = duration // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    seconds = duration.total_seconds()
    return f"{seconds:g} second{'s' if seconds != 1 else ''}"


def parse_interval(configured: str) -> timedelta:
    """A Delta interval (`interval 7 days`, `interval 1 week`) as a duration."""
    match = _INTERVAL.fullmatch(configured.strip())
    if match is None or match.group(2).lower() not in _UNITS:
        raise StoreError(
            f"the table property {RETENTION_PROPERTY} is '{configured}', not an interval "
            "such as 'interval 7 days'"
        )
    return int(match.group(1)) * _UNITS[match.group(2).lower()]
