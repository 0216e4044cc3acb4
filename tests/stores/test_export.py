"""Rows written batch by batch: each batch reaches the sink before the next one is read,
and JSON keeps amounts exact."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from decimal import Decimal

import orjson
import pyarrow as pa
import pytest

from placet.stores.export import ExportFormat, write_batches


@pytest.mark.parametrize("export_format", [ExportFormat.CSV, ExportFormat.JSON, ExportFormat.JSONL])
def test_each_batch_reaches_the_sink_before_the_next_is_read(export_format: ExportFormat) -> None:
    sink = io.BytesIO()
    seen: list[int] = []

    def batches() -> Iterator[pa.RecordBatch]:
        for number in range(4):
            seen.append(len(sink.getvalue()))
            yield pa.record_batch({"n": list(range(number * 3, number * 3 + 3))})

    written = sum(write_batches(sink, batches(), export_format))

    assert written == 12
    assert seen[0] == 0 or export_format is ExportFormat.JSON
    assert all(later > earlier for earlier, later in itertools.pairwise(seen))
    assert seen[1] > 0


def test_json_keeps_decimals_exact_and_an_empty_selection_is_an_empty_array() -> None:
    sink = io.BytesIO()
    amounts = pa.array([Decimal("65.10"), Decimal("0.30")], pa.decimal128(10, 2))

    list(write_batches(sink, iter([pa.record_batch({"amount": amounts})]), ExportFormat.JSON))
    empty = io.BytesIO()
    list(write_batches(empty, iter(()), ExportFormat.JSON))

    assert orjson.loads(sink.getvalue()) == [{"amount": "65.10"}, {"amount": "0.30"}]
    assert orjson.loads(empty.getvalue()) == []
