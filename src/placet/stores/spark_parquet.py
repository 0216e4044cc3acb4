"""The swap of partition folders by which the Spark store changes a Parquet table, which
cannot change in place.

A delete or update writes the partitions it touches anew into
`<root>/_placet_rewrite/<table>/<run>/new/`, writes `_COMMITTED` there, then swaps each
partition folder by two renames (the old folder into the run, the new one into the table) and
removes the run with the old files. A crash before `_COMMITTED` leaves the table as it was; a
crash after it leaves some partitions swapped, and the next delete, update or purge finishes
the swap before anything else; between a folder's two renames a reader misses that partition.
A Parquet table has one writer at a time, and its root must be reachable from this process
(pyarrow's file systems) as well as from Spark: Spark Connect has no file operations.

Imports pyarrow's file systems only inside the calls that need them, and pyspark not at all:
the rewritten rows come in as a DataFrame.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from placet.errors import StoreError
from placet.stores.protocol import Change, TimePartition

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["STAGING_FOLDER", "PartitionFolders", "swap_partitions"]

log = logging.getLogger(__name__)

STAGING_FOLDER = "_placet_rewrite"
"""The folder under the root where Parquet rewrites are staged (hidden from Spark's listing)."""
_COMMITTED = "_COMMITTED"
_FOLDER_VALUE = re.compile(r"[A-Za-z0-9_.\-]+")


class PartitionFolders:
    """A Parquet table's folders, and the swap of its partition folders for rewritten ones
    (see the module's docstring for what a crash leaves)."""

    def __init__(self, root: str, table: str) -> None:
        from pyarrow.fs import FileSystem, LocalFileSystem

        if "://" in root:
            self.filesystem, base = FileSystem.from_uri(root)
        else:
            self.filesystem, base = LocalFileSystem(), root
        self.table = f"{base}/{table}"
        self.staging = f"{base}/{STAGING_FOLDER}/{table}"

    def _exists(self, path: str) -> bool:
        from pyarrow.fs import FileType

        return bool(self.filesystem.get_file_info(path).type != FileType.NotFound)

    def _children(self, path: str) -> list[Any]:
        from pyarrow.fs import FileSelector

        return list(self.filesystem.get_file_info(FileSelector(path, allow_not_found=True)))

    def partition_column(self, declared: TimePartition | None) -> str | None:
        """The column the table's folders are partitioned by (`month=2026-03/`), if any."""
        from pyarrow.fs import FileType

        folders = [
            child.base_name
            for child in self._children(self.table)
            if child.type == FileType.Directory and not child.base_name.startswith(("_", "."))
        ]
        names = {folder.split("=", 1)[0] for folder in folders if "=" in folder}
        if len(names) > 1 or (folders and not names):
            raise StoreError(f"{self.table} is not partitioned by one column in name=value folders")
        column = names.pop() if names else (declared.column if declared else None)
        if declared is not None and column != declared.column:
            raise StoreError(
                f"{self.table} is partitioned by '{column}', not by '{declared.column}' "
                "as its TimePartition says"
            )
        return column

    def begin(self) -> str:
        run = f"{self.staging}/{uuid.uuid4().hex}"
        self.filesystem.create_dir(run, recursive=True)
        return run

    def files(self, path: str) -> int:
        from pyarrow.fs import FileSelector

        selector = FileSelector(path, recursive=True, allow_not_found=True)
        infos = self.filesystem.get_file_info(selector)
        return sum(1 for info in infos if info.base_name.endswith(".parquet"))

    def commit(self, run: str, units: Sequence[str]) -> tuple[int, int]:
        """Mark the run complete, then swap its units; the files (written, removed)."""
        written = self.files(f"{run}/new")
        marker = f"{run}/{_COMMITTED}"
        with self.filesystem.open_output_stream(marker + ".tmp") as stream:
            stream.write(json.dumps({"units": list(units)}).encode())
        self.filesystem.move(marker + ".tmp", marker)
        removed = self._swap(run, units)
        self.filesystem.delete_dir(run)
        return written, removed

    def _swap(self, run: str, units: Sequence[str]) -> int:
        removed = 0
        for unit in units:
            staged = f"{run}/new/{unit}" if unit else f"{run}/new"
            final = f"{self.table}/{unit}" if unit else self.table
            old = f"{run}/old/{unit}" if unit else f"{run}/old"
            if not self._exists(staged):
                continue
            if self._exists(final):
                removed += self.files(final)
                self.filesystem.create_dir(f"{run}/old", recursive=True)
                self.filesystem.move(final, old)
            self.filesystem.move(staged, final)
        return removed

    def recover(self) -> tuple[int, int]:
        """Finish the swaps a crash interrupted after their mark, and drop the runs it
        interrupted before; (runs finished or dropped, old files removed)."""
        runs = self._children(self.staging)
        removed = 0
        for run in runs:
            marker = f"{run.path}/{_COMMITTED}"
            if self._exists(marker):
                with self.filesystem.open_input_stream(marker) as stream:
                    units = json.loads(stream.read().decode())["units"]
                self._swap(run.path, units)
                removed += self.files(f"{run.path}/old")
                log.warning("finished an interrupted parquet rewrite", extra={"run": run.path})
            self.filesystem.delete_dir(run.path)
        return len(runs), removed


def swap_partitions(
    folders: PartitionFolders,
    rows: DataFrame,
    column: str | None,
    values: Sequence[str],
    count: int,
) -> Change:
    """Write `rows` as the new folders of the partitions `values` of `column` (the whole
    table when None), and swap them in for the old ones; `count`: the rows changed."""
    unsafe = [value for value in values if not _FOLDER_VALUE.fullmatch(value)]
    if column is not None and unsafe:
        raise StoreError(f"cannot name the folders of the partitions {column}={unsafe}")
    run = folders.begin()
    units = [f"{column}={value}" for value in values] if column is not None else [""]
    if column is None:
        rows.write.mode("error").parquet(f"{run}/new")
    else:
        rows.write.mode("error").partitionBy(column).parquet(f"{run}/new")
        for unit in units:
            if not folders.files(f"{run}/new/{unit}"):
                # A partition left empty keeps one empty file with the table's schema, so
                # that the table stays readable when every partition is empty.
                empty = rows.limit(0).drop(column)
                empty.write.mode("overwrite").parquet(f"{run}/new/{unit}")
    written, removed = folders.commit(run, units)
    return Change(rows=count, files_rewritten=written, files_removed=removed)
