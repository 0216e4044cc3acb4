"""One contract, every connector: the `store` fixture opens each connector on the same
fixture table, loaded by the connector's own factory.

A factory takes a fresh folder, the table's name, its rows (`CALLS`, an Arrow table) and its
`TimePartition` (lake stores write the table partitioned by it; SQL stores ignore it) and
returns the store; it may skip when its engine is absent, except under CI=true.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from placet.stores.protocol import Store, TimePartition
from tests.stores.contract import lake_factories, spark_factories, sql_factories

Factory = Callable[[pytest.FixtureRequest, Path, str, pa.Table, TimePartition], Store]

FACTORIES: dict[str, Factory] = {
    **sql_factories.FACTORIES,
    **lake_factories.FACTORIES,
    **spark_factories.FACTORIES,
}

TABLE = "calls"
PARTITION = TimePartition(column="month", time_column="start_time", unit="month")
START = datetime(2026, 1, 1, tzinfo=UTC)
ROWS = 600
"""Rows of the fixture table: three months, a row every 3.6 hours."""

RECYCLED = "+38344000001"
"""A number held by subscriber s1 until `HANDOVER`, then by s2."""
HANDOVER = datetime(2026, 2, 10, tzinfo=UTC)
NUMBERS = [RECYCLED, "+38344000002", "+38344000003", "+38344000004"]


def calls_table() -> pa.Table:
    """Three months of calls by four numbers; every 50th row has no start time."""
    starts = [START + timedelta(hours=3.6 * index) for index in range(ROWS)]
    return pa.table(
        {
            "call_id": pa.array([f"c{index:04d}" for index in range(ROWS)], pa.string()),
            "a_number": pa.array([NUMBERS[index % 4] for index in range(ROWS)], pa.string()),
            "b_number": pa.array([f"+4520{index:06d}" for index in range(ROWS)], pa.string()),
            "start_time": pa.array(
                [None if index % 50 == 49 else start for index, start in enumerate(starts)],
                pa.timestamp("us", "UTC"),
            ),
            "duration_s": pa.array([index % 300 for index in range(ROWS)], pa.int64()),
            "cell_id": pa.array([f"cell-{index % 17}" for index in range(ROWS)], pa.string()),
            "month": pa.array([f"{start:%Y-%m}" for start in starts], pa.string()),
        }
    )


def _connector(name: str) -> Any:
    """A connector's name as the fixture's parameter; Spark's on one worker (`--dist
    loadgroup`), which then starts one Spark session for them all instead of one a worker."""
    if name in spark_factories.FACTORIES:
        return pytest.param(name, marks=pytest.mark.xdist_group("spark"))
    return name


@pytest.fixture(params=[_connector(name) for name in sorted(FACTORIES)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The fixture table in each connector's store."""
    opened = FACTORIES[request.param](request, tmp_path, TABLE, calls_table(), PARTITION)
    try:
        yield opened
    finally:
        opened.close()
