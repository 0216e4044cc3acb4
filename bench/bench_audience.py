"""Time a campaign's audience over the ledger: "now" from the projection snapshot, and as of a
past instant from the event log, against hand-written queries over the same files (DuckDB
and polars; the faster is the baseline).

    python bench/bench_audience.py [--subscribers N] [--folder DIR] [--keep]

A synthetic estate is written first, outside every clock, by polars expressions (no Python
loop over subscribers): `subscribers.parquet` (the operator's table: one MSISDN a row),
`events.parquet` (the ledger's events in `EVENT_SCHEMA`, about 3.3 a subscriber, in the
order recorded), `numbered.parquet` (the table with its pseudonyms' numbers, in their
order) and `snapshot.parquet` (the projection at the head, folded by
`fold_projections`, as the maintained projection holds it; stamped as a snapshot of a ledger
at position 0, so that `select_audience` can read it with an empty SQLite ledger standing for
the ledger at its head). The campaign is IPKO's SMS
marketing of current offers. Every measured step runs in a fresh process, so that its peak
memory (ru_maxrss) is its own. The audiences must be the same subscribers, or the run exits
non-zero. Each question also has a floor, timed the same way: reading the columns it reads
(the table, and the snapshot's or the events' columns) and doing nothing else. Timings are
printed as a markdown table; nothing asserts on them.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any, Final

import duckdb
import polars as pl
from benchlib import in_fresh_process, machine_line

from placet.decide import ConsentGrant, SubjectState, Use, decide_use, select_subjects
from placet.decide.bulk import SUBJECT_NUMBERS, subject_numbers
from placet.ledger import EventType, PseudonymKey, pseudonymise_subject
from placet.ledger.columnar import (
    EVENT_SCHEMA,
    FOLDED_COLUMNS,
    channel_mask,
    fold_projections,
    fold_states,
    snapshot_states,
)
from placet.ledger.pseudonym_column import pseudonymise_column
from placet.operations import (
    NumberedSubscribers,
    number_subscribers,
    read_numbered_subscribers,
    read_subscriber_column,
    select_audience,
    subscribers_csv,
    write_numbered_subscribers,
)
from placet.policy import load_policy_set
from placet.policy.model import CategoryId, ConsentOptionId, PurposeId, SubjectTypeId
from placet.policy.terms import Channel
from placet.stores.sql_columnar import parquet_metadata
from placet.stores.sql_ledger import open_ledger

KEY = bytes(range(32))
PLACET_KEY = PseudonymKey(KEY)
"""The benchmark's pseudonym key; never a production key."""
NOW = datetime(2026, 6, 1, tzinfo=UTC)
AS_OF = datetime(2025, 1, 1, tzinfo=UTC)
EPOCH = datetime(2018, 1, 1, tzinfo=UTC)
USE = Use(
    purpose=PurposeId("direct-marketing-current-offers"),
    categories=(CategoryId("contact"),),
    channel=Channel.SMS,
)
OFFERS = "current-offers"
JUST_FOR_ME = "offers-just-for-me"
DAY = 86_400_000_000
"""Microseconds in a day."""


# ---------------------------------------------------------------- the synthetic estate


def _hash(seed: int) -> pl.Expr:
    return pl.col("n").hash(seed)


def _chance(seed: int, per_mille: int) -> pl.Expr:
    return (_hash(seed) % 1000) < per_mille


def _us(instant: datetime) -> int:
    return int(instant.timestamp() * 1_000_000)


_T = EventType
# kind: (event type, per mille of subscribers, first and last day after signing up)
KINDS: list[tuple[EventType, int, int, int]] = [
    (_T.SUBJECT_FACTS_RECORDED, 1000, 0, 0),
    (_T.CONTRACT_STARTED, 1000, 0, 0),
    (_T.CONTRACT_ENDED, 200, 30, 2500),
    (_T.CONSENT_GIVEN, 600, 0, 30),
    (_T.CONSENT_WITHDRAWN, 100, 60, 2500),
    (_T.CONSENT_GIVEN, 200, 0, 30),
    (_T.OBJECTION_MADE, 50, 100, 2500),
    (_T.OBJECTION_MADE, 20, 50, 1000),
    (_T.OBJECTION_WITHDRAWN, 10, 1000, 2500),
    (_T.RESTRICTION_SET, 10, 100, 1500),
    (_T.RESTRICTION_LIFTED, 5, 1500, 2500),
    (_T.BUSINESS_OPT_OUT_MADE, 300, 10, 1000),
    (_T.DEBT_INCURRED, 30, 100, 2000),
    (_T.DEBT_SETTLED, 20, 2000, 2500),
]
_BUSINESS = _chance(20, 30)
_SMS, _EMAIL = channel_mask([Channel.SMS]), channel_mask([Channel.EMAIL])


def _kind_rows(kind: int, count: int) -> pl.LazyFrame:
    """The subscribers (`n`) that have an event of this kind, and its instants."""
    event_type, per_mille, first, last = KINDS[kind]
    chosen = _chance(100 + kind, per_mille)
    if event_type is _T.BUSINESS_OPT_OUT_MADE:
        chosen = chosen & _BUSINESS
    signup = _us(EPOCH) + (_hash(1) % (_us(NOW) - _us(EPOCH) - 400 * DAY)).cast(pl.Int64)
    offset = (first + _hash(200 + kind) % (last - first + 1)).cast(pl.Int64) * DAY
    effective = pl.min_horizontal(signup + offset, pl.lit(_us(NOW) - 1_000_000))
    late = pl.when(_chance(300 + kind, 50)).then(DAY * (1 + _hash(400 + kind) % 30)).otherwise(0)
    delay = (_hash(500 + kind) % 600_000_000).cast(pl.Int64) + late.cast(pl.Int64)
    return (
        pl.LazyFrame({"n": pl.int_range(count, dtype=pl.UInt32, eager=True)})
        .filter(chosen)
        .select(
            "n",
            kind=pl.lit(kind, dtype=pl.UInt8),
            effective=effective,
            recorded=pl.min_horizontal(effective + delay, pl.lit(_us(NOW))),
        )
    )


def _event_fields() -> dict[str, pl.Expr]:
    """Each event's data, from its subscriber and kind alone."""
    kind = pl.col("kind")
    picked = _hash(600) % 100

    def when_kind(*kinds: int) -> pl.Expr:
        return kind.is_in(list(kinds))

    instant = pl.Datetime("us", "UTC")
    given_channels = (
        pl.when(picked < 50)
        .then(0)
        .when(picked < 75)
        .then(_SMS)
        .when(picked < 90)
        .then(_SMS | _EMAIL)
        .otherwise(_EMAIL)
    )
    subject_type = (
        pl.when(_BUSINESS)
        .then(pl.lit("business-entity"))
        .when(_chance(21, 10))
        .then(pl.lit("service-user"))
        .otherwise(pl.lit("consumer-subscriber"))
    )
    born = pl.lit(date(1945, 1, 1)) + pl.duration(days=(_hash(22) % (65 * 365)).cast(pl.Int64))
    return {
        "type": kind.replace_strict(
            {index: event_type.value for index, (event_type, *_) in enumerate(KINDS)},
            return_dtype=EVENT_SCHEMA["type"],
        ),
        "effective_at": pl.col("effective").cast(instant),
        "recorded_at": pl.col("recorded").cast(instant),
        "option": pl.when(when_kind(3, 4))
        .then(pl.lit(OFFERS))
        .when(when_kind(5))
        .then(pl.lit(JUST_FOR_ME)),
        "channels": pl.when(when_kind(3))
        .then(given_channels)
        .when(when_kind(4))
        .then(pl.when(picked < 50).then(0).otherwise(_SMS))
        .when(when_kind(5))
        .then(0)
        .cast(pl.UInt32),
        "purpose": pl.when(when_kind(7, 8)).then(pl.lit(USE.purpose)),
        "all_direct_marketing": pl.when(when_kind(6)).then(True).when(when_kind(7, 8)).then(False),
        "contract": pl.when(when_kind(1, 2)).then(pl.format("c-{}", pl.col("n"))),
        "debt": pl.when(when_kind(12, 13)).then(pl.format("d-{}", pl.col("n"))),
        "subject_type": pl.when(when_kind(0)).then(subject_type),
        "birth_date": pl.when(when_kind(0) & ~_BUSINESS).then(born),
        "until": pl.when(when_kind(11) & _chance(23, 500)).then(
            (pl.col("effective") + 365 * DAY).cast(instant)
        ),
        "ground": pl.lit(None, dtype=pl.String),
    }


def _duckdb() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute("SET enable_progress_bar = false")
    return connection


def pseudonymise_python(identifiers: list[str], key: bytes) -> list[str]:
    """The same, one identifier at a time, as `pseudonymise_subject` computes it."""
    return [
        hmac.new(key, identifier.encode("utf-8"), hashlib.sha256).hexdigest()
        for identifier in identifiers
    ]


def write_estate(folder: Path, count: int) -> int:
    """Write the subscriber table, their pseudonyms, the event log and the snapshot;
    returns how many events were written."""
    subscribers = pl.select(n=pl.int_range(count, dtype=pl.UInt32)).with_columns(
        subscriber=pl.format("+3834{}", pl.col("n").cast(pl.String).str.zfill(9))
    )
    subscribers.select("subscriber").write_parquet(folder / "subscribers.parquet")
    subjects = subscribers.with_columns(pseudonymise_column(subscribers["subscriber"], PLACET_KEY))
    sample = subjects.head(1000)
    expected = pseudonymise_python(sample["subscriber"].to_list(), KEY)
    if sample["subject"].to_list() != expected:
        sys.exit("pseudonymise_column differs from Python's hmac: the estate is not written")
    subjects.select("subscriber", "subject").write_parquet(folder / "pseudonyms.parquet")
    recorded = (
        pl.concat([_kind_rows(kind, count) for kind in range(len(KINDS))])
        .sort("recorded", "n", "kind")
        .with_row_index("seq", offset=1)
        .collect()
    )
    events = (
        recorded.lazy()
        .join(subjects.lazy().select("n", "subject"), on="n", maintain_order="left")
        .with_columns(seq=pl.col("seq").cast(pl.Int64), **_event_fields())
        .select(pl.col(name).cast(dtype) for name, dtype in EVENT_SCHEMA.items())
    )
    events.sink_parquet(folder / "events.parquet")
    del recorded, subjects
    folded = folder / "folded.parquet"
    fold_projections(pl.scan_parquet(folder / "events.parquet")).sink_parquet(folded)
    sort_snapshot(folded, folder / "snapshot.parquet")
    folded.unlink()
    return pl.scan_parquet(folder / "events.parquet").select(pl.len()).collect().item()


def write_numbered(folder: Path) -> None:
    """`numbered.parquet`: the subscribers with their pseudonyms' numbers
    (`subject_numbers`), in the order of the numbers, as a table kept for many campaigns
    would hold them; and `numbered-subscribers.parquet`, the same with the pseudonyms, as
    `placet number-subscribers` writes it (`number_subscribers`, which pseudonymises the
    table again: outside every clock)."""
    pl.scan_parquet(folder / "pseudonyms.parquet").select(
        "subscriber", *subject_numbers(pl.col("subject"))
    ).sort("subject_key").sink_parquet(folder / "numbered.parquet")
    identifiers = read_subscriber_column(folder / "subscribers.parquet")
    numbered = number_subscribers(identifiers, PLACET_KEY)
    write_numbered_subscribers(numbered, folder / "numbered-subscribers.parquet")


def sort_snapshot(folded: Path, snapshot: Path) -> None:
    """Write the folded projections as a snapshot at position 0, in the order of their
    subjects' numbers, as `write_snapshot` writes the projection table."""
    pl.scan_parquet(folded).sort("subject_key").sink_parquet(
        snapshot, metadata=_as_strings(parquet_metadata(0))
    )


def _as_strings(metadata: dict[bytes, bytes]) -> dict[str, str]:
    return {key.decode(): value.decode() for key, value in metadata.items()}


# ---------------------------------------------------------------- the measured steps


def _audience(
    states: pl.LazyFrame, table: pl.LazyFrame, at: datetime
) -> tuple[pl.Series, dict[str, int]]:
    """The permitted subscribers and the others counted by reason: the states decided,
    then joined to the table (`subscriber`, `subject`) by pseudonym (`select_subjects`, as
    `placet audience` does); a subscriber with no state gets the decision on the empty
    state."""
    policy = load_policy_set("ipko").in_force(at)
    selection = select_subjects(policy, states, table.collect(), USE, at)
    return selection.permitted["subscriber"], selection.excluded


def placet_now(folder: Path) -> tuple[pl.Series, dict[str, int]]:
    """Now: the projection snapshot's rows, turned into states at NOW and decided."""
    snapshot = pl.scan_parquet(folder / "snapshot.parquet")
    table = pl.scan_parquet(folder / "pseudonyms.parquet")
    return _audience(snapshot_states(snapshot, NOW), table, NOW)


def placet_now_numbered(folder: Path) -> tuple[pl.Series, dict[str, int]]:
    """Now, the table carrying its pseudonyms' numbers in their order (`write_numbered`):
    neither parsed nor sorted."""
    snapshot = pl.scan_parquet(folder / "snapshot.parquet")
    table = pl.scan_parquet(folder / "numbered.parquet")
    return _audience(snapshot_states(snapshot, NOW), table, NOW)


def placet_now_with_pseudonyms(folder: Path) -> tuple[pl.Series, dict[str, int]]:
    """Now, pseudonymising the subscriber table inside the clock (`pseudonymise_column`)."""
    subscribers = pl.read_parquet(folder / "subscribers.parquet")
    table = subscribers.with_columns(pseudonymise_column(subscribers["subscriber"], PLACET_KEY))
    states = snapshot_states(pl.scan_parquet(folder / "snapshot.parquet"), NOW)
    return _audience(states, table.lazy(), NOW)


def placet_select_audience_numbered(folder: Path) -> tuple[pl.Series, dict[str, int]]:
    """`placet_select_audience` over the table numbered beforehand (`placet
    number-subscribers`): read and checked against the key, neither pseudonymised nor
    sorted."""
    numbered = read_numbered_subscribers(folder / "numbered-subscribers.parquet", PLACET_KEY)
    assert numbered is not None
    return _selected_audience(folder, numbered)


def placet_select_audience(folder: Path) -> tuple[pl.Series, dict[str, int]]:
    """Now, as `placet audience --subscribers subscribers.parquet --snapshot` runs it: the
    identifiers read as a column and each pseudonymised with the key, the snapshot and the
    events after its watermark (an empty ledger: the snapshot is at the head) decided, the
    selection digested, the permitted written to a CSV file in chunks."""
    return _selected_audience(folder, read_subscriber_column(folder / "subscribers.parquet"))


def _selected_audience(
    folder: Path, subscribers: pl.Series | NumberedSubscribers
) -> tuple[pl.Series, dict[str, int]]:
    with tempfile.TemporaryDirectory() as empty:
        ledger = open_ledger(f"sqlite:///{empty}/ledger.db")
        audience = select_audience(
            ledger,
            load_policy_set("ipko"),
            PseudonymKey(KEY),
            subscribers,
            USE,
            at=NOW,
            snapshot=folder / "snapshot.parquet",
        )
        # As the command writes them: CSV, a chunk at a time.
        chunks = []
        with (Path(empty) / "audience.csv").open("w", encoding="utf-8", newline="") as sink:
            sink.write("subscriber\n")
            for column in audience.columns():
                sink.write(subscribers_csv(column))
                chunks.append(column)
        ledger.engine.dispose()
    permitted = pl.concat(chunks) if chunks else pl.Series("identifier", [], pl.String)
    return permitted.alias("subscriber"), dict(audience.counts.excluded)


SNAPSHOT_READ = (
    *SUBJECT_NUMBERS,
    "subject_type",
    "birth_date",
    "consents",
    "withdrawn",
    "objections",
    "objects_to_direct_marketing",
    "restricted",
    "open_contracts",
    "last_contract_end",
    "open_debts",
    "debt_settled_at",
    "business_opt_out",
    "business_opt_out_until",
)
"""The snapshot's columns that a state at an instant is made of (`snapshot_states`)."""


def reading_floor(folder: Path, source: str, columns: tuple[str, ...]) -> float:
    """The floor under a question: reading what it reads and nothing else (the table's
    subscribers and pseudonyms, and `columns` of `source`, both at once), in seconds."""
    started = time.perf_counter()
    pl.collect_all(
        [
            pl.scan_parquet(folder / "pseudonyms.parquet"),
            pl.scan_parquet(folder / source).select(columns),
        ]
    )
    return time.perf_counter() - started


def placet_as_of(folder: Path) -> tuple[pl.Series, dict[str, int]]:
    """As of AS_OF: every subject's state folded from the event log, and decided."""
    states = fold_states(pl.scan_parquet(folder / "events.parquet"), AS_OF)
    table = pl.scan_parquet(folder / "pseudonyms.parquet")
    return _audience(states, table, AS_OF)


BASELINE_SQL = """
WITH counted AS (
    SELECT subject, type::VARCHAR AS type, effective_at, seq, option, channels, purpose,
           all_direct_marketing, contract, subject_type, until
    FROM read_parquet($events) WHERE effective_at <= $at
),
offers AS (  -- the current-offers consent events, with whether a grant for every channel
             -- was live before each (then any withdrawal empties it)
    SELECT subject, effective_at, seq, type = 'consent-given' AS give, channels,
           last_value(CASE WHEN type = 'consent-given' AND channels = 0 THEN 1
                           WHEN type = 'consent-withdrawn' THEN 0 END IGNORE NULLS)
               OVER (PARTITION BY subject ORDER BY effective_at, seq
                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS every_before
    FROM counted WHERE option = 'current-offers'
),
cleared AS (
    SELECT *, NOT give AND (channels = 0 OR coalesce(every_before, 0) = 1) AS clear
    FROM offers
),
sms AS (  -- is SMS live: the last event after the last clear naming SMS (or every channel)
    SELECT subject,
           arg_max(give, (effective_at, seq))
               FILTER (WHERE clear OR channels = 0 OR channels & 1 = 1) AS live
    FROM cleared GROUP BY subject
),
contracts AS (
    SELECT subject, count(*) FILTER (WHERE open) AS open
    FROM (SELECT subject, contract, arg_max(type = 'contract-started', (effective_at, seq)) AS open
          FROM counted WHERE contract IS NOT NULL GROUP BY subject, contract)
    GROUP BY subject
),
facts AS (
    SELECT subject,
        arg_max(subject_type, (effective_at, seq))
            FILTER (WHERE subject_type IS NOT NULL) AS subject_type,
        arg_max(type = 'restriction-set', (effective_at, seq))
            FILTER (WHERE type IN ('restriction-set', 'restriction-lifted')) AS restricted,
        arg_max(type = 'objection-made', (effective_at, seq))
            FILTER (WHERE type IN ('objection-made', 'objection-withdrawn')
                    AND all_direct_marketing) AS objects_to_direct_marketing,
        arg_max(type = 'objection-made', (effective_at, seq))
            FILTER (WHERE type IN ('objection-made', 'objection-withdrawn')
                    AND purpose = $purpose) AS objects_to_purpose,
        arg_max(CASE WHEN type = 'business-opt-out-made'
                     THEN coalesce(until > $at, true) ELSE false END, (effective_at, seq))
            FILTER (WHERE type IN ('business-opt-out-made', 'business-opt-out-ended'))
            AS opted_out,
        max(effective_at) FILTER (WHERE type = 'contract-ended') AS last_end
    FROM counted GROUP BY subject
)
SELECT p.subscriber
FROM read_parquet($pseudonyms) p
JOIN facts f USING (subject)
JOIN sms s USING (subject)
LEFT JOIN contracts c USING (subject)
WHERE f.subject_type IN ('consumer-subscriber', 'service-user', 'buyer-or-other-person')
  AND NOT coalesce(f.restricted, false)
  AND NOT coalesce(f.objects_to_direct_marketing, false)
  AND NOT coalesce(f.objects_to_purpose, false)
  AND NOT coalesce(f.opted_out, false)
  AND s.live
  AND (coalesce(c.open, 0) > 0 OR f.last_end IS NULL
       OR f.last_end + INTERVAL 24 MONTH > $at)
"""
"""The best plain query for this one campaign: the rules it needs, and no more. Subscribers
with no facts or no consent event cannot be permitted, hence the inner joins."""


def baseline(folder: Path, at: datetime) -> pl.Series:
    """The hand-written DuckDB query: the permitted subscribers only."""
    with _duckdb() as connection:
        result = connection.sql(
            BASELINE_SQL,
            params={
                "events": str(folder / "events.parquet"),
                "pseudonyms": str(folder / "pseudonyms.parquet"),
                "at": at,
                "purpose": USE.purpose,
            },
        ).to_arrow_table()
    return pl.Series("subscriber", result.column("subscriber"), dtype=pl.String)


def baseline_as_of(folder: Path) -> pl.Series:
    return baseline(folder, AS_OF)


_SUBSCRIBER_TYPES = ("consumer-subscriber", "service-user", "buyer-or-other-person")


def _last_where(value: pl.Expr, where: pl.Expr) -> pl.Expr:
    """In a group of events in the order they took effect: `value` at the last one where
    `where` holds (null if none)."""
    return value.filter(where).last()


def polars_baseline_as_of(folder: Path) -> pl.Series:
    """The same rules as `BASELINE_SQL`, hand-written in polars: the events up to AS_OF in
    the order they took effect (one sort), each rule a last-of-a-kind per subject."""
    at = AS_OF
    kind = pl.col("type")
    events = (
        pl.scan_parquet(folder / "events.parquet")
        .select(
            "subject",
            kind.cast(pl.String),
            "effective_at",
            "seq",
            "option",
            "channels",
            "purpose",
            "all_direct_marketing",
            "contract",
            "subject_type",
            "until",
        )
        .filter(pl.col("effective_at") <= at)
        .sort("effective_at", "seq")
    )
    objection = kind.is_in(["objection-made", "objection-withdrawn"])
    opt_out = kind.is_in(["business-opt-out-made", "business-opt-out-ended"])
    facts = events.group_by("subject").agg(
        subject_type=_last_where(pl.col("subject_type"), pl.col("subject_type").is_not_null()),
        restricted=_last_where(
            kind == "restriction-set", kind.is_in(["restriction-set", "restriction-lifted"])
        ),
        objects_to_direct_marketing=_last_where(
            kind == "objection-made", objection & pl.col("all_direct_marketing")
        ),
        objects_to_purpose=_last_where(
            kind == "objection-made", objection & (pl.col("purpose") == USE.purpose)
        ),
        opted_out=_last_where(
            (kind == "business-opt-out-made")
            & (pl.col("until").is_null() | (pl.col("until") > at)),
            opt_out,
        ),
        last_end=pl.col("effective_at").filter(kind == "contract-ended").max(),
    )
    # Is SMS live for current offers: as `BASELINE_SQL`'s offers, cleared and sms.
    give = kind == "consent-given"
    every_channel = pl.col("channels") == 0
    offers = (
        events.filter(pl.col("option") == OFFERS)
        .with_columns(
            every_before=pl.when(give & every_channel)
            .then(1)
            .when(kind == "consent-withdrawn")
            .then(0)
            .forward_fill()
            .shift(1)
            .over("subject")
        )
        .with_columns(clear=~give & (every_channel | (pl.col("every_before").fill_null(0) == 1)))
    )
    sms = offers.group_by("subject").agg(
        live=_last_where(give, pl.col("clear") | every_channel | ((pl.col("channels") & 1) == 1))
    )
    contracts = (
        events.filter(pl.col("contract").is_not_null())
        .group_by("subject", "contract")
        .agg(open=(kind == "contract-started").last())
        .group_by("subject")
        .agg(open=pl.col("open").sum())
    )
    denied = (
        pl.col("restricted")
        | pl.col("objects_to_direct_marketing")
        | pl.col("objects_to_purpose")
        | pl.col("opted_out")
    ).fill_null(False)
    in_contract = (
        (pl.col("open").fill_null(0) > 0)
        | pl.col("last_end").is_null()
        | (pl.col("last_end").dt.offset_by("24mo") > at)
    )
    permitted = (
        facts.join(sms, on="subject")
        .join(contracts, on="subject", how="left")
        .filter(
            pl.col("subject_type").is_in(_SUBSCRIBER_TYPES)
            & ~denied
            & pl.col("live").fill_null(False)
            & in_contract
        )
        .select("subject")
    )
    table = pl.scan_parquet(folder / "pseudonyms.parquet")
    return table.join(permitted, on="subject", how="semi").collect()["subscriber"]


def baseline_now(folder: Path) -> pl.Series:
    return baseline(folder, NOW)


def _state(row: dict[str, Any]) -> SubjectState:
    return SubjectState(
        subject=row["subject"],
        as_of=NOW,
        subject_type=SubjectTypeId(row["subject_type"]) if row["subject_type"] else None,
        birth_date=row["birth_date"],
        consents=tuple(
            ConsentGrant(ConsentOptionId(grant["option"]), NOW, frozenset(grant["channels"]))
            for grant in row["consents"]
        ),
        withdrawn=frozenset(row["withdrawn"]),
        objections=frozenset(row["objections"]),
        objects_to_direct_marketing=row["objects_to_direct_marketing"],
        restricted=row["restricted"],
        active_contracts=row["active_contracts"],
        last_contract_end=row["last_contract_end"],
        debt_outstanding=row["debt_outstanding"],
        debt_settled_at=row["debt_settled_at"],
        business_opt_out=row["business_opt_out"],
        business_opt_out_until=row["business_opt_out_until"],
    )


def looped_seconds(folder: Path, count: int, sample: int) -> float:
    """Looping `decide_use` over a sample of the states now, scaled to every subscriber."""
    states = snapshot_states(pl.scan_parquet(folder / "snapshot.parquet"), NOW)
    rows = [_state(row) for row in states.head(sample).collect().iter_rows(named=True)]
    policy = load_policy_set("ipko").in_force(NOW)
    started = time.perf_counter()
    for state in rows:
        decide_use(policy, state, USE, NOW)
    return (time.perf_counter() - started) * count / max(len(rows), 1)


def python_hmac_seconds(folder: Path, count: int, sample: int, *, prepared: bool) -> float:
    """Pseudonymising the table in Python, one identifier at a time, scaled: with `hmac.new`,
    or with placet's key (`pseudonymise_subject`: the padded keys hashed once)."""
    identifiers = pl.read_parquet(folder / "subscribers.parquet").head(sample)["subscriber"]
    values = identifiers.to_list()
    key = PseudonymKey(KEY)
    started = time.perf_counter()
    if prepared:
        [pseudonymise_subject(value, key) for value in values]
    else:
        pseudonymise_python(values, KEY)
    return (time.perf_counter() - started) * count / max(len(values), 1)


def duckdb_hmac(folder: Path) -> pl.Series:
    subscribers = pl.read_parquet(folder / "subscribers.parquet")
    return pseudonymise_column(subscribers["subscriber"], PLACET_KEY)


# ---------------------------------------------------------------- running them


def _timed(step: Callable[..., Any], args: tuple[Any, ...], out: Path) -> tuple[float, Any]:
    """Run in the step's own process: its seconds and exclusion counts; the subscribers it
    selected go to `out`."""
    started = time.perf_counter()
    result = step(*args)
    seconds = time.perf_counter() - started
    if isinstance(result, tuple):
        permitted, excluded = result
        pl.DataFrame({"subscriber": permitted}).write_parquet(out)
        return seconds, excluded
    if isinstance(result, pl.Series):
        pl.DataFrame({"subscriber": result}).write_parquet(out)
        return seconds, None
    return float(result), None


def measure(
    step: Callable[..., Any], *args: Any, out: Path
) -> tuple[float, int, dict[str, int] | None]:
    """Run one step in a fresh process: its seconds, its peak memory, its exclusion counts.
    Each step is also reported as it ends (on stderr), so that a run cut short keeps what it
    measured."""
    (seconds, excluded), peak = in_fresh_process(_timed, step, args, out)
    name = getattr(step, "func", step).__name__
    print(
        f"measured {name}: {seconds:.2f} s, peak {peak / 2**20:,.0f} MiB",
        file=sys.stderr,
        flush=True,
    )
    return seconds, peak, excluded


def same_subscribers(left: Path, right: Path) -> bool:
    def read(path: Path) -> pl.Series:
        return pl.read_parquet(path)["subscriber"].sort()

    return read(left).equals(read(right))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=10_000_000)
    parser.add_argument("--folder", type=Path, help="where to write the estate (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the estate afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse an estate in --folder")
    parser.add_argument("--sample", type=int, default=20_000, help="subscribers looped over")
    args = parser.parse_args()
    count = args.subscribers
    folder = args.folder or Path(tempfile.mkdtemp(prefix="placet-audience-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(machine_line(f"polars {pl.__version__}", f"duckdb {duckdb.__version__}"))
    try:
        started = time.perf_counter()
        if not (args.reuse and (folder / "snapshot.parquet").exists()):
            write_estate(folder, count)
        if not (folder / "numbered.parquet").exists():
            write_numbered(folder)
        events = pl.scan_parquet(folder / "events.parquet").select(pl.len()).collect().item()
        print(
            f"estate: {count:,} subscribers, {events:,} events "
            f"({(folder / 'events.parquet').stat().st_size / 2**20:,.0f} MiB of Parquet), "
            f"written in {time.perf_counter() - started:.1f} s (outside every clock)"
        )
        run(folder, count, args.sample)
    finally:
        if not args.keep and args.folder is None:
            shutil.rmtree(folder, ignore_errors=True)


def run(folder: Path, count: int, sample: int) -> None:
    def out(name: str) -> Path:
        return folder / f"audience-{name}.parquet"

    rows: list[tuple[str, str, float, int | None, str]] = []

    def timed(
        question: str, name: str, step: Callable[..., Any], *args: Any, key: str = "x"
    ) -> tuple[float, int, dict[str, int] | None]:
        """Measure one step (its selection written to `out(key)`) and add its row."""
        measured = measure(step, *args, out=out(key))
        rows.append((question, name, measured[0], measured[1], "in"))
        return measured

    duckdb_as_of = measure(baseline_as_of, folder, out=out("baseline-as-of"))
    polars_as_of = measure(polars_baseline_as_of, folder, out=out("polars-as-of"))
    # The baseline is the faster of the two hand-written queries.
    as_of = min(duckdb_as_of, polars_as_of, key=lambda measured: measured[0])
    for name, measured in (("DuckDB", duckdb_as_of), ("polars", polars_as_of)):
        chosen = " (baseline)" if measured is as_of else ""
        rows.append(("as of", f"hand-written {name} query{chosen}", *measured[:2], "in"))
    placet = timed(
        "as of", "placet fold_states + select_subjects", placet_as_of, folder, key="as-of"
    )
    floor_as_of = timed(
        "as of",
        "floor: reading the table and the events, nothing else",
        reading_floor,
        folder,
        "events.parquet",
        FOLDED_COLUMNS,
    )
    now_baseline = timed(
        "now", "hand-written DuckDB query over the log", baseline_now, folder, key="baseline-now"
    )
    now = timed("now", "placet snapshot_states + select_subjects", placet_now, folder, key="now")
    timed(
        "now",
        "the same, the table carrying the numbers in order",
        placet_now_numbered,
        folder,
        key="now-numbered",
    )
    floor_now = timed(
        "now",
        "floor: reading the table and the snapshot, nothing else",
        reading_floor,
        folder,
        "snapshot.parquet",
        SNAPSHOT_READ,
    )
    timed(
        "now",
        "the same, pseudonymising the table",
        placet_now_with_pseudonyms,
        folder,
        key="now-hmac",
    )
    timed(
        "now",
        "placet select_audience (placet audience --snapshot)",
        placet_select_audience,
        folder,
        key="select",
    )
    timed(
        "now",
        "the same over a numbered table (placet number-subscribers)",
        placet_select_audience_numbered,
        folder,
        key="select-numbered",
    )
    hmac_duckdb = measure(duckdb_hmac, folder, out=out("hmac"))
    rows.append(("—", "pseudonymise the table: placet pseudonymise_column", *hmac_duckdb[:2], "—"))
    for prepared, name in ((False, "Python hmac.new"), (True, "placet pseudonymise_subject")):
        hmac_python = measure(
            partial(python_hmac_seconds, prepared=prepared),
            folder,
            count,
            min(count, 200_000),
            out=out("x"),
        )
        rows.append(("—", f"pseudonymise the table: {name} (scaled)", hmac_python[0], None, "—"))
    looped = measure(looped_seconds, folder, count, min(count, sample), out=out("x"))
    rows.append(
        ("now", f"looping decide_use (scaled from {min(count, sample):,})", looped[0], None, "out")
    )
    checks = [
        (name, same_subscribers(out(left), out(right)))
        for name, left, right in (
            ("as of: placet = baseline", "as-of", "baseline-as-of"),
            ("as of: polars = DuckDB", "polars-as-of", "baseline-as-of"),
            ("now: snapshot = log query", "now", "baseline-now"),
            ("now: with pseudonymising = without", "now", "now-hmac"),
            ("now: numbered table = pseudonyms", "now", "now-numbered"),
            ("now: select_audience = snapshot_states", "now", "select"),
            ("now: select_audience numbered = not", "select", "select-numbered"),
        )
    ]
    print()
    print(f"Audience of SMS marketing of current offers over {count:,} subscribers")
    print(f"(now = {NOW:%Y-%m-%d}, as of = {AS_OF:%Y-%m-%d}; each step in its own process)")
    print()
    print("| question | query | s | ratio to baseline | peak RSS MiB | pseudonyms |")
    print("|---|---|---:|---:|---:|---|")
    base = {"as of": as_of[0], "now": now_baseline[0]}
    for question, name, seconds, peak, pseudonyms in rows:
        ratio = f"{seconds / base[question]:.2f}×" if question in base else ""
        memory = f"{peak / 2**20:,.0f}" if peak else ""
        print(f"| {question} | {name} | {seconds:.2f} | {ratio} | {memory} | {pseudonyms} |")
    print()
    print(
        f"ratio to the floor (reading, nothing else): as of {placet[0] / floor_as_of[0]:.2f}×, "
        f"now {now[0] / floor_now[0]:.2f}×"
    )
    print_proportion(now[0], as_of[0])
    permitted = pl.read_parquet(out("now")).height
    print(f"now: {permitted:,} permitted; excluded by reason: {_counts(now[2])}")
    print(
        f"as of: {pl.read_parquet(out('as-of')).height:,} permitted; "
        f"excluded by reason: {_counts(placet[2])}"
    )
    for name, passed in checks:
        print(f"check {name}: {'same subscribers' if passed else 'DIFFERENT'}")
    if not all(passed for _, passed in checks):
        sys.exit(1)


ISSUE_NOW_S: Final = 1.0
"""The issue's target for "now" at ten million subscribers, on its machine kind."""
ISSUE_AS_OF_BASELINE_S: Final = (4.0, 6.0)
"""What the hand-written as-of query took on that machine kind, as the issue gives it."""


def print_proportion(now: float, as_of_baseline: float) -> None:
    """The issue's "now" target in proportion to its as-of baseline, measured here in the
    same run, whatever the machine: 1 s where that query took 4 to 6 s, so "now" may take
    a sixth (the strictest reading) to a quarter of it. (At ten million subscribers only:
    the as-of query grows with the events, "now" with the subscribers.)"""
    strictest, loosest = (ISSUE_NOW_S / seconds for seconds in reversed(ISSUE_AS_OF_BASELINE_S))
    ratio = now / as_of_baseline
    verdict = "yes" if ratio <= strictest else ("at the loosest only" if ratio <= loosest else "no")
    print(
        f"the now target in proportion: at most {strictest:.2f}× to {loosest:.2f}× the as-of "
        f"baseline; now is {ratio:.2f}× (met: {verdict})"
    )


def _counts(excluded: dict[str, int] | None) -> str:
    return ", ".join(f"{reason} {n:,}" for reason, n in sorted((excluded or {}).items()))


if __name__ == "__main__":
    main()
