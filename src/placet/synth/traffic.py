"""Traffic and location data: CDRs, location events and data sessions, a block of lines at
a time for one month and one subscriber bucket; and a month of them in the order of the
subject's number, which the clustered lake layout writes.

A record is drawn inside the time its line held its number, so its number (the CDR's
A-number) belongs to whoever held it at the record's instant, recycled numbers included.
ipko records the cell; ipnordic only the country.

The switch also writes a terminating record for each call or message to one of the
operator's own numbers (`cdrs_terminating`): the same event seen from the called side, keyed
by the B-number, without the caller's location. It is drawn from the same blocks as the CDRs
(the same calls), and the clustered layout sorts it by the B-number, so that the calls a
subscriber received are found as cheaply as the calls they made.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from placet.synth.identifiers import (
    fixed_width_pool,
    ipv4_addresses,
    mobile_numbers,
    numbered_ids,
    permuted,
    take_fixed_width,
)
from placet.synth.people import Population
from placet.synth.plan import BLOCK, Month, random_stream
from placet.synth.tables import TableSpec, estate_tables, table_of, timestamps

__all__ = [
    "CDRS_PER_MONTH",
    "CDRS_PER_SUBSCRIBER",
    "DATA_SESSIONS_PER_MONTH",
    "LOCATION_EVENTS_PER_MONTH",
    "ROWS_PER_FILE",
    "TERMINATING_CDRS",
    "TRAFFIC_TABLES",
    "SortedRows",
    "TrafficBlock",
    "TrafficIndex",
    "bucket_count",
    "index_traffic",
    "lake_schema",
    "month_blocks",
    "month_passes",
    "sorted_month",
    "traffic_block",
    "traffic_rows",
]

CDRS_PER_MONTH = 60.0
"""CDRs of a line of average use in a month."""
CDRS_PER_SUBSCRIBER = 0.58 * CDRS_PER_MONTH
"""CDRs of a month divided by all subscribers (prospects, ended and idle lines included)."""
LOCATION_EVENTS_PER_MONTH = 40.0
DATA_SESSIONS_PER_MONTH = 45.0
ROWS_PER_FILE = 4_000_000
"""Aimed-for CDRs in one Parquet file (about 60 MiB): sets the number of buckets."""
MAX_BUCKETS = 256
CELLS = 2400
"""Cells of ipko's network: the cell ids a record can name."""
OFFNET_NUMBERS = 65_536
"""Numbers of other networks that subscribers call."""
CGNAT_ADDRESSES = 65_536
"""Addresses of the carrier-grade NAT pool (100.64.0.0/10) handed to data sessions."""
TERMINATING_CDRS = "cdrs_terminating"
"""The called side's records of the CDRs to the operator's own numbers."""
TRAFFIC_TABLES = ("cdrs", TERMINATING_CDRS, "location_events", "data_sessions")
DICTIONARY_COLUMNS = frozenset({"service", "cell_id", "country", "apn"})
"""Few distinct values: written as Parquet dictionaries, read back as text."""

_SERVICES = ("voice", "sms", "mms", "video-call")
_SERVICE_CUMULATIVE = np.cumsum(np.array([0.62, 0.33, 0.02, 0.03], dtype=np.float32))[:-1]
_MONTH_US = 30.436875 * 86_400_000_000


def bucket_count(subscribers: int) -> int:
    """Files per month partition: a power of two giving about `ROWS_PER_FILE` CDRs a file."""
    wanted = subscribers * CDRS_PER_SUBSCRIBER / ROWS_PER_FILE
    buckets = 1
    while buckets < wanted and buckets < MAX_BUCKETS:
        buckets *= 2
    return buckets


def subscriber_buckets(subscribers: np.ndarray, buckets: int) -> np.ndarray:
    """Each subscriber's bucket: a SplitMix64 hash of its index, modulo the buckets."""
    mixed = subscribers.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    mixed = (mixed ^ (mixed >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    mixed = (mixed ^ (mixed >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    mixed ^= mixed >> np.uint64(31)
    return (mixed % np.uint64(buckets)).astype(np.int64)


def lake_schema(spec: TableSpec) -> pa.Schema:
    """The Arrow schema a lake table is written with: its few-valued columns as
    dictionaries (Parquet stores them as text)."""
    return pa.schema(
        pa.field(field.name, pa.dictionary(pa.int32(), pa.string()))
        if field.name in DICTIONARY_COLUMNS
        else field
        for field in spec.arrow_schema
    )


@dataclass(frozen=True, slots=True, eq=False)
class TrafficIndex:
    """What every traffic block needs: the lines of each bucket, the numbers a line can
    call, the cells or countries a record can name."""

    population: Population
    buckets: int
    bucket_order: np.ndarray
    """Contracts ordered by bucket, then by contract."""
    bucket_starts: np.ndarray
    callable_numbers: np.ndarray
    """The operator's numbers, then other networks' numbers (`fixed_width_pool`)."""
    places: pa.StringArray
    """Cell ids (ipko) or country codes (ipnordic)."""
    home_place: np.ndarray
    """Each line's home cell, where most of its records are; 0 (home country) for ipnordic."""
    nat_addresses: pa.StringArray


def index_traffic(population: Population) -> TrafficIndex:
    """The index the traffic blocks read, built once for an estate."""
    plan, profile = population.plan, population.profile
    buckets = bucket_count(plan.subscribers)
    contract_bucket = subscriber_buckets(population.contract_subscriber, buckets)
    order = np.argsort(contract_bucket, kind="stable")
    starts = np.searchsorted(contract_bucket[order], np.arange(buckets + 1))
    offnet_index = permuted(np.arange(OFFNET_NUMBERS), len(profile.offnet_ranges) * 10**6, 1)
    offnet = mobile_numbers(profile.country_code, profile.offnet_ranges, offnet_index)
    callable_numbers = fixed_width_pool(pa.concat_arrays([population.numbers, offnet]))
    if profile.keeps_cells:
        cells = np.arange(CELLS)
        places = pc.binary_join_element_wise(
            numbered_ids(profile.mcc_mnc + "-", 100 + cells // 40, 5),
            numbered_ids("", 10_000 + cells * 7, 5),
            "-",
        )
        home = permuted(np.arange(population.contracts), CELLS, plan.seed).astype(np.int32)
    else:
        places = pa.array([profile.home_country, *profile.roaming_countries], type=pa.string())
        home = np.zeros(population.contracts, dtype=np.int32)
    nat = (100 << 24) | (64 << 16) | permuted(np.arange(CGNAT_ADDRESSES), 1 << 22, plan.seed)
    return TrafficIndex(
        population=population,
        buckets=buckets,
        bucket_order=order,
        bucket_starts=starts,
        callable_numbers=callable_numbers,
        places=places,
        home_place=home,
        nat_addresses=ipv4_addresses(nat),
    )


def month_blocks(index: TrafficIndex, month: Month, bucket: int) -> list[np.ndarray]:
    """The lines of `bucket` that held their number during `month`, in blocks of `BLOCK`."""
    population = index.population
    lines = index.bucket_order[index.bucket_starts[bucket] : index.bucket_starts[bucket + 1]]
    active = (population.contract_started[lines] < month.end_us) & (
        population.held_until(lines) > month.start_us
    )
    lines = lines[active]
    return [lines[start : start + BLOCK] for start in range(0, len(lines), BLOCK)]


def _month_number(month: Month) -> int:
    year, number = month.label.split("-")
    return int(year) * 12 + int(number) - 1


def _records(
    rng: np.random.Generator, index: TrafficIndex, month: Month, lines: np.ndarray, rate: float
) -> tuple[np.ndarray, np.ndarray]:
    """How many records each line has in the month, drawn in proportion to the time it
    held its number then; and each record's line and instant (inside that time)."""
    population = index.population
    start = np.maximum(population.contract_started[lines], month.start_us)
    end = np.minimum(population.held_until(lines), month.end_us)
    span = end - start
    expected = rate * population.contract_activity[lines] * (span / _MONTH_US)
    counts = rng.poisson(expected)
    line_of = np.repeat(np.arange(len(lines)), counts)
    instants = start[line_of] + (rng.random(len(line_of)) * span[line_of]).astype(np.int64)
    return lines[line_of], instants


def _places(
    rng: np.random.Generator, index: TrafficIndex, lines: np.ndarray, at_home: float
) -> pa.DictionaryArray:
    """A cell (or country) for each record: the line's home most of the time."""
    size = len(lines)
    first_away = 0 if index.population.profile.keeps_cells else 1
    away = rng.integers(first_away, len(index.places), size, dtype=np.int32)
    is_home = rng.random(size, dtype=np.float32) < np.float32(at_home)
    chosen = np.where(is_home, index.home_place[lines], away)
    return pa.DictionaryArray.from_arrays(pa.array(chosen.astype(np.int32)), index.places)


@dataclass(frozen=True, slots=True)
class _Drawn:
    """A block's columns, and for CDRs each row's B-number as its index into
    `TrafficIndex.callable_numbers` (the operator's own numbers come first)."""

    columns: dict[str, pa.Array]
    others: np.ndarray | None = None


def _numbers_of(index: TrafficIndex, lines: np.ndarray) -> pa.Array:
    return take_fixed_width(index.callable_numbers, index.population.contract_number[lines])


def _cdr_columns(
    rng: np.random.Generator, index: TrafficIndex, lines: np.ndarray, instants: np.ndarray
) -> _Drawn:
    size = len(lines)
    service = np.searchsorted(_SERVICE_CUMULATIVE, rng.random(size, dtype=np.float32))
    service = service.astype(np.int32)
    is_call = (service == 0) | (service == 3)
    lasted = rng.standard_exponential(size, dtype=np.float32) * np.float32(100.0)
    duration = np.where(is_call, 1 + lasted.astype(np.int64), 0)
    # Any number: the operator's own (recycled ones too) or another network's.
    callee = rng.integers(0, len(index.callable_numbers), size, dtype=np.int64)
    place_column = "cell_id" if index.population.profile.keeps_cells else "country"
    places = _places(rng, index, lines, at_home=0.6 if place_column == "cell_id" else 0.97)
    columns: dict[str, pa.Array] = {
        "a_number": _numbers_of(index, lines),
        "b_number": take_fixed_width(index.callable_numbers, callee),
        "start_time": timestamps(instants),
        "duration_s": pa.array(duration),
        "service": pa.DictionaryArray.from_arrays(pa.array(service), pa.array(_SERVICES)),
        place_column: places,
    }
    if place_column == "country":
        roaming = places.indices.to_numpy() > 0
        minutes = -(-duration // 60)
        domestic = np.select([is_call, service == 1, service == 2], [0.19 * minutes, 0.0, 0.99])
        abroad = np.select([is_call, service == 1, service == 2], [2.49 * minutes, 1.99, 3.99])
        columns["price"] = pa.array(np.round(np.where(roaming, abroad, domestic), 2))
    return _Drawn(columns, callee)


def _location_columns(
    rng: np.random.Generator, index: TrafficIndex, lines: np.ndarray, instants: np.ndarray
) -> _Drawn:
    place_column = "cell_id" if index.population.profile.keeps_cells else "country"
    at_home = 0.5 if place_column == "cell_id" else 0.97
    columns = {
        "msisdn": _numbers_of(index, lines),
        "observed_at": timestamps(instants),
        place_column: _places(rng, index, lines, at_home),
    }
    return _Drawn(columns)


def _session_columns(
    rng: np.random.Generator, index: TrafficIndex, lines: np.ndarray, instants: np.ndarray
) -> _Drawn:
    size = len(lines)
    population = index.population
    lasted = 1_000_000 + (rng.exponential(1800.0, size) * 1_000_000).astype(np.int64)
    ended = np.minimum(instants + lasted, population.plan.now_us)
    bytes_up = rng.lognormal(12.0, 2.0, size).astype(np.int64)
    bytes_down = bytes_up * rng.integers(2, 12, size)
    apn = rng.choice(3, size=size, p=(0.9, 0.05, 0.05)).astype(np.int32)
    address = rng.integers(0, CGNAT_ADDRESSES, size)
    place_column = "cell_id" if population.profile.keeps_cells else "country"
    at_home = 0.5 if place_column == "cell_id" else 0.97
    columns = {
        "msisdn": _numbers_of(index, lines),
        "ip_address": index.nat_addresses.take(pa.array(address)),
        "started_at": timestamps(instants),
        "ended_at": timestamps(ended),
        "bytes_up": pa.array(bytes_up),
        "bytes_down": pa.array(bytes_down),
        "apn": pa.DictionaryArray.from_arrays(
            pa.array(apn), pa.array(list(population.profile.apns))
        ),
        place_column: _places(rng, index, lines, at_home),
    }
    return _Drawn(columns)


_TRAFFIC = {
    "cdrs": (CDRS_PER_MONTH, _cdr_columns),
    "location_events": (LOCATION_EVENTS_PER_MONTH, _location_columns),
    "data_sessions": (DATA_SESSIONS_PER_MONTH, _session_columns),
}


@dataclass(frozen=True, slots=True)
class TrafficBlock:
    """One block's rows, with what the clustered layout orders them by."""

    rows: pa.Table
    numbers: np.ndarray
    """Each row's number, as its index into `Population.numbers` (whose order is the
    numbers' own: the operator's ranges ascend and every number has the same width)."""


def traffic_block(
    table: str, index: TrafficIndex, month: Month, *, bucket: int, block: int, lines: np.ndarray
) -> TrafficBlock:
    """One block of a traffic table: the records of `lines` in `month`, from the block's
    own stream (seed, table, month, bucket, block). The terminating CDRs are the block's
    CDRs to the operator's own numbers, each row's number being its B-number."""
    population = index.population
    source = "cdrs" if table == TERMINATING_CDRS else table
    rng = random_stream(population.plan.seed, source, _month_number(month), bucket, block)
    rate, columns_of = _TRAFFIC[source]
    record_lines, instants = _records(rng, index, month, lines, rate)
    drawn = columns_of(rng, index, record_lines, instants)
    spec = estate_tables(population.plan.operator)[table]
    if table != TERMINATING_CDRS:
        return TrafficBlock(table_of(spec, drawn.columns), population.contract_number[record_lines])
    assert drawn.others is not None
    onnet = drawn.others < len(population.numbers)
    kept = pa.array(onnet)
    columns = {name: drawn.columns[name].filter(kept) for name in spec.column_names}
    return TrafficBlock(table_of(spec, columns), drawn.others[onnet])


def traffic_rows(
    table: str, index: TrafficIndex, month: Month, *, bucket: int, block: int, lines: np.ndarray
) -> pa.Table:
    """One block of a traffic table (`traffic_block`), its rows only."""
    return traffic_block(table, index, month, bucket=bucket, block=block, lines=lines).rows


@dataclass(frozen=True, slots=True)
class SortedRows:
    """Rows in the order of their subject's number (`sorted_month`)."""

    rows: pa.Table
    numbers: np.ndarray
    """Each row's number index, ascending: where one number's rows end."""


def month_passes(table: str, index: TrafficIndex, held_rows: int) -> int:
    """Into how many ranges of numbers `sorted_month` cuts a month: enough that each holds
    about `held_rows` rows or fewer."""
    rate = _TRAFFIC["cdrs" if table == TERMINATING_CDRS else table][0]
    expected = rate * (CDRS_PER_SUBSCRIBER / CDRS_PER_MONTH) * index.population.subscribers
    return max(1, math.ceil(expected / held_rows))


def sorted_month(
    table: str, index: TrafficIndex, month: Month, *, held_rows: int
) -> Iterator[SortedRows]:
    """A month of a traffic table, the same rows as its buckets' blocks, ordered by the
    subject's number, one range of numbers at a time: ranges of about `held_rows` rows,
    each drawn in one pass over every block (a month larger than that is drawn once per
    range, so that memory holds one range, never the whole month)."""
    passes = month_passes(table, index, held_rows)
    bounds = np.linspace(0, len(index.population.numbers), passes + 1).round().astype(np.int64)
    for low, high in itertools.pairwise(bounds):
        drawn = _blocks_in_range(table, index, month, int(low), int(high), whole=passes == 1)
        if not drawn:
            continue
        numbers = np.concatenate([block.numbers for block in drawn])
        # Stable: each line's rows (contiguous in its block) stay together, in draw order.
        order = np.argsort(numbers, kind="stable")
        rows = pa.concat_tables([block.rows for block in drawn]).take(order)
        del drawn
        yield SortedRows(rows, numbers[order])


def _blocks_in_range(
    table: str, index: TrafficIndex, month: Month, low: int, high: int, *, whole: bool
) -> list[TrafficBlock]:
    """Every block's rows of the numbers in [low, high) (all of them when `whole`)."""
    contract_number = index.population.contract_number
    drawn = []
    for bucket in range(index.buckets):
        for number, lines in enumerate(month_blocks(index, month, bucket)):
            # A block's terminating CDRs can name any number: only its lines' own rows can
            # be told from their lines alone.
            held = contract_number[lines]
            by_line = table != TERMINATING_CDRS
            if by_line and not whole and not ((held >= low) & (held < high)).any():
                continue
            block = traffic_block(table, index, month, bucket=bucket, block=number, lines=lines)
            if not whole:
                keep = (block.numbers >= low) & (block.numbers < high)
                block = TrafficBlock(block.rows.filter(pa.array(keep)), block.numbers[keep])
            if block.rows.num_rows:
                drawn.append(block)
    return drawn
