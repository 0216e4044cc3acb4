"""The tables of each operator's estate and their columns, exactly as its data map lists them
(examples/datamap/ipko.yaml, examples/datamap/ipnordic.yaml).

One definition feeds the SQL tables, the Parquet schemas and the tests that hold the estate
to its data map.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pyarrow as pa

from placet.synth.plan import OperatorName

__all__ = [
    "ColumnType",
    "TableSpec",
    "dates",
    "estate_tables",
    "lake_tables",
    "sql_tables",
    "table_of",
    "timestamps",
]


class ColumnType(StrEnum):
    """The few kinds of value an estate holds."""

    TEXT = "text"
    INTEGER = "integer"
    AMOUNT = "amount"
    """Money, two decimals (SQL NUMERIC(12, 2), Parquet double)."""
    TIMESTAMP = "timestamp"
    """An instant in UTC, microseconds."""
    DATE = "date"


ARROW_TYPES: dict[ColumnType, pa.DataType] = {
    ColumnType.TEXT: pa.string(),
    ColumnType.INTEGER: pa.int64(),
    ColumnType.AMOUNT: pa.float64(),
    ColumnType.TIMESTAMP: pa.timestamp("us", tz="UTC"),
    ColumnType.DATE: pa.date32(),
}


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One table of an estate: its name (the data map's `location`), its columns in order,
    and whether it lives in the lake (Parquet, or a Delta table over the Parquet files) or in
    a SQL database."""

    name: str
    columns: tuple[tuple[str, ColumnType], ...]
    is_lake: bool = False
    is_delta: bool = False
    """A lake table the data map reads as a Delta table (its Parquet files and a log)."""

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([(name, ARROW_TYPES[kind]) for name, kind in self.columns])


T, N, A, S, D = (
    ColumnType.TEXT,
    ColumnType.INTEGER,
    ColumnType.AMOUNT,
    ColumnType.TIMESTAMP,
    ColumnType.DATE,
)

_SHARED: tuple[TableSpec, ...] = (
    TableSpec(
        "contracts",
        (
            ("subscriber_id", T),
            ("contract_id", T),
            ("product", T),
            ("started_at", S),
            ("ended_at", S),
        ),
    ),
    TableSpec(
        "msisdn_assignments",
        (("msisdn", T), ("subscriber_id", T), ("valid_from", S), ("valid_to", S)),
    ),
    TableSpec(
        "marketing_contacts", (("msisdn", T), ("channel", T), ("campaign", T), ("sent_at", S))
    ),
    TableSpec(
        "cookie_consents",
        (
            ("subscriber_id", T),
            ("cookie_id", T),
            ("cookie_categories", T),
            ("consented_at", S),
            ("withdrawn_at", S),
        ),
    ),
    TableSpec(
        "invoices",
        (("subscriber_id", T), ("invoice_id", T), ("issued_at", S), ("due_at", S), ("amount", A)),
    ),
    TableSpec(
        "complaints",
        (("subscriber_id", T), ("received_at", S), ("channel", T), ("text", T), ("resolution", T)),
    ),
    TableSpec(
        "call_recordings",
        (
            ("msisdn", T),
            ("recording_id", T),
            ("started_at", S),
            ("duration_s", N),
            ("storage_uri", T),
        ),
    ),
    TableSpec(
        "network_devices",
        (
            ("subscriber_id", T),
            ("mac_address", T),
            ("serial_number", T),
            ("device_name", T),
            ("model", T),
            ("installed_at", S),
        ),
    ),
    TableSpec(
        "dhcp_reservations",
        (
            ("subscriber_id", T),
            ("ip_address", T),
            ("mac_address", T),
            ("valid_from", S),
            ("valid_to", S),
        ),
    ),
)

_PAYMENT_COLUMNS = (
    ("subscriber_id", T),
    ("payment_id", T),
    ("invoice_id", T),
    ("paid_at", S),
    ("amount", A),
    ("method", T),
)

_TERMINATING = TableSpec(
    "cdrs_terminating",
    (
        ("b_number", T),
        ("a_number", T),
        ("start_time", S),
        ("duration_s", N),
        ("service", T),
    ),
    is_lake=True,
    is_delta=True,
)
"""The called side's record of a call or message to one of the operator's numbers: keyed
by the B-number, without the caller's location (the same for both operators)."""

_IPKO: tuple[TableSpec, ...] = (
    TableSpec(
        "subscribers",
        (
            ("subscriber_id", T),
            ("first_name", T),
            ("last_name", T),
            ("personal_number", T),
            ("birth_date", D),
            ("email", T),
            ("address", T),
            ("subscriber_type", T),
            ("created_at", S),
        ),
    ),
    *_SHARED,
    TableSpec("payments", _PAYMENT_COLUMNS),
    TableSpec(
        "cdrs",
        (
            ("a_number", T),
            ("b_number", T),
            ("start_time", S),
            ("duration_s", N),
            ("service", T),
            ("cell_id", T),
        ),
        is_lake=True,
        is_delta=True,
    ),
    _TERMINATING,
    TableSpec(
        "location_events",
        (("msisdn", T), ("observed_at", S), ("cell_id", T)),
        is_lake=True,
        is_delta=True,
    ),
    TableSpec(
        "data_sessions",
        (
            ("msisdn", T),
            ("ip_address", T),
            ("started_at", S),
            ("ended_at", S),
            ("bytes_up", N),
            ("bytes_down", N),
            ("apn", T),
            ("cell_id", T),
        ),
        is_lake=True,
    ),
)

# ipnordic keeps location only at country level: a `country` column, never a cell id.
_IPNORDIC: tuple[TableSpec, ...] = (
    TableSpec(
        "subscribers",
        (
            ("subscriber_id", T),
            ("cvr_number", T),
            ("name", T),
            ("company_name", T),
            ("email", T),
            ("address", T),
            ("created_at", S),
        ),
    ),
    *_SHARED,
    TableSpec("payments", (_PAYMENT_COLUMNS[0], ("account_number", T), *_PAYMENT_COLUMNS[1:])),
    TableSpec(
        "cdrs",
        (
            ("a_number", T),
            ("b_number", T),
            ("start_time", S),
            ("duration_s", N),
            ("service", T),
            ("price", A),
            ("country", T),
        ),
        is_lake=True,
        is_delta=True,
    ),
    _TERMINATING,
    TableSpec(
        "location_events",
        (("msisdn", T), ("observed_at", S), ("country", T)),
        is_lake=True,
        is_delta=True,
    ),
    TableSpec(
        "data_sessions",
        (
            ("msisdn", T),
            ("ip_address", T),
            ("started_at", S),
            ("ended_at", S),
            ("bytes_up", N),
            ("bytes_down", N),
            ("apn", T),
            ("country", T),
        ),
        is_lake=True,
    ),
)

_TABLES: dict[OperatorName, dict[str, TableSpec]] = {
    OperatorName.IPKO: {spec.name: spec for spec in _IPKO},
    OperatorName.IPNORDIC: {spec.name: spec for spec in _IPNORDIC},
}


def estate_tables(operator: OperatorName) -> dict[str, TableSpec]:
    """Every table of the operator's estate, by name."""
    return _TABLES[operator]


def sql_tables(operator: OperatorName) -> tuple[TableSpec, ...]:
    return tuple(spec for spec in _TABLES[operator].values() if not spec.is_lake)


def lake_tables(operator: OperatorName) -> tuple[TableSpec, ...]:
    return tuple(spec for spec in _TABLES[operator].values() if spec.is_lake)


def timestamps(values: np.ndarray, missing: np.ndarray | None = None) -> pa.TimestampArray:
    """Microseconds since the epoch as a UTC timestamp column; `missing` marks nulls."""
    array: pa.TimestampArray = pa.array(
        values.astype(np.int64), type=ARROW_TYPES[ColumnType.TIMESTAMP], mask=missing
    )
    return array


def dates(days: np.ndarray, missing: np.ndarray | None = None) -> pa.Date32Array:
    """Days since the epoch as a date column; `missing` marks nulls."""
    array: pa.Date32Array = pa.array(days.astype(np.int32), type=pa.date32(), mask=missing)
    return array


def table_of(spec: TableSpec, columns: dict[str, pa.Array]) -> pa.Table:
    """The columns in the table's order, each cast to its declared type (dictionary
    columns of the lake keep their dictionary type)."""
    arrays = []
    for name, kind in spec.columns:
        array = columns[name]
        if not pa.types.is_dictionary(array.type) and array.type != ARROW_TYPES[kind]:
            array = array.cast(ARROW_TYPES[kind])
        arrays.append(array)
    return pa.Table.from_arrays(arrays, names=list(spec.column_names))
