"""The lake's layouts: clustered (sorted by the subject's number, files of number ranges) and
bucketed (a file a subscriber bucket) hold the same rows, and the clustered one lets a
subscriber's rows be read from a row group a month."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable

from placet.stores.delta_store import DeltaStore
from placet.stores.lake_selection import ArrowSelection
from placet.stores.protocol import Selection, TimePartition, key_windows
from placet.synth import (
    EstatePlan,
    LakeLayout,
    LayoutKind,
    OperatorName,
    draw_population,
    index_traffic,
    write_lake_table,
)
from tests.synth.conftest import lake_frame, tiny_plan

SMALL_FILES = LakeLayout(LayoutKind.CLUSTERED, file_rows=2_000, row_group_rows=500)
"""About seven files a month of the tiny estate, so that files have neighbours."""
SUBJECT_COLUMN = {"cdrs": "a_number", "location_events": "msisdn", "data_sessions": "msisdn"}


def written(plan: EstatePlan, out: Path, table: str, layout: LakeLayout) -> Path:
    write_lake_table(index_traffic(draw_population(plan)), out, table, layout=layout)
    return out


def every_row(out: Path, table: str) -> pl.DataFrame:
    frame = lake_frame(out, table)
    return frame.sort(frame.columns)


def month_files(out: Path, table: str) -> dict[str, list[Path]]:
    months: dict[str, list[Path]] = {}
    for path in sorted((out / "lake" / table).glob("month=*/part-*.parquet")):
        months.setdefault(path.parent.name, []).append(path)
    return months


@pytest.fixture(scope="module")
def clustered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return written(tiny_plan(OperatorName.IPKO), tmp_path_factory.mktemp("c"), "cdrs", SMALL_FILES)


@pytest.fixture(scope="module")
def bucketed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    layout = LakeLayout(LayoutKind.BUCKETED)
    return written(tiny_plan(OperatorName.IPKO), tmp_path_factory.mktemp("b"), "cdrs", layout)


@pytest.mark.parametrize("table", ["cdrs", "location_events", "data_sessions"])
def test_the_clustered_and_the_bucketed_layout_hold_the_same_rows(
    tmp_path: Path, table: str
) -> None:
    plan = tiny_plan(OperatorName.IPNORDIC)
    sorted_out = written(plan, tmp_path / "clustered", table, SMALL_FILES)
    bucketed_out = written(plan, tmp_path / "bucketed", table, LakeLayout(LayoutKind.BUCKETED))

    assert every_row(sorted_out, table).equals(every_row(bucketed_out, table))


@pytest.mark.parametrize("table", ["cdrs", "location_events", "data_sessions"])
def test_a_clustered_month_is_sorted_by_the_subject_number_across_its_files(
    tmp_path: Path, table: str
) -> None:
    out = written(tiny_plan(OperatorName.IPKO), tmp_path, table, SMALL_FILES)

    for files in month_files(out, table).values():
        numbers = pl.concat(
            [pl.read_parquet(path, columns=[SUBJECT_COLUMN[table]]) for path in files]
        )[SUBJECT_COLUMN[table]]
        assert numbers.is_sorted()


def test_no_number_has_rows_in_two_files_of_a_month(clustered: Path) -> None:
    for files in month_files(clustered, "cdrs").values():
        held = [set(pl.read_parquet(path, columns=["a_number"])["a_number"]) for path in files]
        assert len(files) > 1
        assert sum(len(numbers) for numbers in held) == len(set().union(*held))


def test_clustered_files_are_cut_into_row_groups_of_the_layout(clustered: Path) -> None:
    for files in month_files(clustered, "cdrs").values():
        for path in files:
            metadata = pq.ParquetFile(path).metadata
            sizes = [metadata.row_group(at).num_rows for at in range(metadata.num_row_groups)]
            assert max(sizes) <= SMALL_FILES.row_group_rows
            assert sizes[:-1] == [SMALL_FILES.row_group_rows] * (len(sizes) - 1)


def test_a_month_larger_than_the_rows_held_is_drawn_in_ranges_and_keeps_its_rows(
    tmp_path: Path, clustered: Path
) -> None:
    in_ranges = LakeLayout(
        LayoutKind.CLUSTERED, file_rows=2_000, row_group_rows=500, held_rows=3_000
    )
    out = written(tiny_plan(OperatorName.IPKO), tmp_path, "cdrs", in_ranges)

    assert lake_frame(out, "cdrs").equals(lake_frame(clustered, "cdrs"))


def test_the_bucketed_layout_writes_a_file_a_month_and_bucket(bucketed: Path) -> None:
    files = month_files(bucketed, "cdrs")

    assert all([path.name for path in paths] == ["part-000.parquet"] for paths in files.values())


def test_the_default_layout_is_clustered() -> None:
    assert LakeLayout().kind is LayoutKind.CLUSTERED


def test_a_layout_refuses_row_groups_of_no_rows() -> None:
    with pytest.raises(ValueError, match="row_group_rows"):
        LakeLayout(row_group_rows=0)


def _subject_windows(out: Path) -> Selection:
    """The windows of the number with the most CDRs: held by one subscriber at a time
    here, so its rows are the same whichever window a store matches them by."""
    counts = lake_frame(out, "cdrs")["a_number"].value_counts(sort=True)
    number = str(counts["a_number"][0])
    return Selection(time_column="start_time", key_column="a_number", windows=key_windows([number]))


def test_one_number_of_a_clustered_table_is_read_from_a_row_group_a_month(
    clustered: Path,
) -> None:
    selection = _subject_windows(clustered)
    dataset = DeltaTable(str(clustered / "lake" / "cdrs")).to_pyarrow_dataset()
    prepared = ArrowSelection.prepare(selection, dataset.schema, "cdrs")

    candidates = list(prepared.candidates(dataset).get_fragments())

    months = len(month_files(clustered, "cdrs"))
    assert len(candidates) == months
    assert all(len(fragment.row_groups) <= 2 for fragment in candidates)


def test_a_clustered_table_finds_and_erases_the_rows_a_bucketed_one_does(
    tmp_path: Path, clustered: Path, bucketed: Path
) -> None:
    selection = _subject_windows(clustered)
    found = {}
    for name, out in (("clustered", clustered), ("bucketed", bucketed)):
        store = DeltaStore(out / "lake", {"cdrs": TimePartition("month", "start_time")})
        rows = pl.concat(pl.from_arrow(batch) for batch in store.find("cdrs", selection))
        found[name] = rows.sort(rows.columns)
    erased = tmp_path / "lake"
    shutil.copytree(clustered / "lake", erased)
    store = DeltaStore(erased, {"cdrs": TimePartition("month", "start_time")})

    change = store.delete("cdrs", selection)

    assert found["clustered"].equals(found["bucketed"])
    assert change.rows == found["clustered"].height > 0
    assert store.count("cdrs", selection) == 0
