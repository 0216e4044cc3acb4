"""A synthetic operator estate, deterministic from a seed: subscribers, contracts, number
assignments (recycled numbers included), billing, care, network, marketing and cookie
records in SQL; CDRs, location events and data sessions in a Parquet lake; a consent
history for `placet ledger import`; and the ledger events its tables imply (docs/synth.md).

Nothing imports it but the CLI, the tests and the benchmarks.
"""

from placet.synth.estate import (
    CONSENT_HISTORY_FILE,
    SQLITE_FILE,
    EstateReport,
    LakeLayout,
    LayoutKind,
    ProgressReporter,
    TableReport,
    lake_file,
    traffic_chunks,
    write_estate,
    write_lake_table,
)
from placet.synth.history import (
    HISTORY_ACTOR,
    SUBJECT_TYPES,
    EstateHistory,
    HistoryReport,
    draw_history,
    record_estate_history,
)
from placet.synth.people import QUARANTINE_DAYS, Population, draw_population
from placet.synth.plan import BLOCK, DEFAULT_CHUNK_ROWS, ESTATE_NOW, EstatePlan, OperatorName
from placet.synth.sinks import PARQUET_OPTIONS
from placet.synth.tables import ColumnType, TableSpec, estate_tables, lake_tables, sql_tables
from placet.synth.traffic import TRAFFIC_TABLES, TrafficIndex, index_traffic, lake_schema

__all__ = [
    "BLOCK",
    "CONSENT_HISTORY_FILE",
    "DEFAULT_CHUNK_ROWS",
    "ESTATE_NOW",
    "HISTORY_ACTOR",
    "PARQUET_OPTIONS",
    "QUARANTINE_DAYS",
    "SQLITE_FILE",
    "SUBJECT_TYPES",
    "TRAFFIC_TABLES",
    "ColumnType",
    "EstateHistory",
    "EstatePlan",
    "EstateReport",
    "HistoryReport",
    "LakeLayout",
    "LayoutKind",
    "OperatorName",
    "Population",
    "ProgressReporter",
    "TableReport",
    "TableSpec",
    "TrafficIndex",
    "draw_history",
    "draw_population",
    "estate_tables",
    "index_traffic",
    "lake_file",
    "lake_schema",
    "lake_tables",
    "record_estate_history",
    "sql_tables",
    "traffic_chunks",
    "write_estate",
    "write_lake_table",
]
