"""Time the bulk import of consent history against its own parts, on SQLite and PostgreSQL.

    python bench/bench_import.py [--rows N] [--batch-size N] [--postgres URL | --no-postgres]

Generates N rows of IPKO consent history (deterministic, polars-native: about four rows per
subscriber, consents given and withdrawn on some channels, objections to marketing), writes
them as CSV, and measures in the same run:

- read and check only (`check_consent_file`): the floor of an import that checks every row;
- build the events too, appending nothing: as one `LedgerEvent` each
  (`consent_event_batches`), and as columns (`consent_column_batches`, what the import does);
- `append_many` of the events built beforehand, on a fresh ledger (the baseline: what the
  ledger itself costs, one object an event, with nothing read or checked), and
  `append_columns` of the columns built beforehand, on another;
- the whole import (`import_consent_history`) on another fresh ledger, and importing the
  same file again (which adds nothing).

PostgreSQL runs when a server answers at the URL (default: the test database).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy
from benchlib import POSTGRES_URL, databases, fresh_database, machine_line

from placet.ledger import PseudonymKey
from placet.ledger.importing import (
    CheckedRows,
    ImportReport,
    consent_column_batches,
    consent_event_batches,
)
from placet.policy import load_policy_set
from placet.stores.bulk import fewer_collections
from placet.stores.consent_import import BATCH_SIZE, check_consent_file, import_consent_history
from placet.stores.sql_ledger import open_ledger

NOW = datetime(2026, 6, 1, tzinfo=UTC)
KEY = PseudonymKey(bytes(range(32)))
_SECONDS_IN_TWO_YEARS = 2 * 365 * 24 * 3600


def consent_history(rows: int) -> pl.DataFrame:
    """`rows` rows of consent history for IPKO, the same for the same `rows`."""
    index = pl.int_range(rows, dtype=pl.UInt64)
    mix = (index * 2_654_435_761 + 40_503) % 4_294_967_291  # a fixed scramble of the index
    kind = mix % 20
    is_objection = kind >= 17
    option = (
        pl.when(mix % 3 == 0)
        .then(pl.lit("current-offers"))
        .when(mix % 3 == 1)
        .then(pl.lit("offers-just-for-me"))
        .otherwise(pl.lit("help-us-be-better"))  # covers every channel: often none named
    )
    channels = (
        pl.when(is_objection | (mix % 3 == 2))
        .then(pl.lit(None, dtype=pl.String))
        .when(mix % 5 == 0)
        .then(pl.lit("sms;email"))
        .otherwise(pl.lit("sms"))
    )
    event = (
        pl.when(kind < 14)
        .then(pl.lit("consent-given"))
        .when(kind < 17)
        .then(pl.lit("consent-withdrawn"))
        .when(kind < 19)
        .then(pl.lit("objection-made"))
        .otherwise(pl.lit("objection-withdrawn"))
    )
    purpose = (
        pl.when(mix % 2 == 0)
        .then(pl.lit("marketing-analysis"))
        .otherwise(pl.lit("all-direct-marketing"))
    )
    seconds = (mix * 7919) % _SECONDS_IN_TWO_YEARS
    effective_at = pl.lit(datetime(2023, 1, 1, tzinfo=UTC)) + pl.duration(seconds=seconds)
    collected = pl.lit(["web", "app", "shop", "call-centre", "paper"]).list.get(mix % 5)
    return pl.select(
        subject=pl.format("+3834{}", (index // 4 + 10_000_000).cast(pl.String)),
        event=event,
        option_or_purpose=pl.when(is_objection).then(purpose).otherwise(option),
        channels=channels,
        effective_at=effective_at.dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        collected_via=collected,
        given_by=pl.lit(None, dtype=pl.String),
        actor=pl.lit("crm-export"),
        evidence=pl.format("form-{}", index.cast(pl.String)),
        idempotency_key=pl.when(index % 2 == 0).then(pl.format("crm-{}", index.cast(pl.String))),
    )


def appends_only(url: str, checked: CheckedRows, batch_size: int, *, columns: bool) -> float:
    """Seconds spent in `append_many` (or `append_columns`) alone, the events (or columns)
    built outside the clock."""
    ledger = open_ledger(url)
    spent = 0.0
    batches: Iterator[Any] = (
        consent_column_batches(checked, KEY, recorded_at=NOW, batch_size=batch_size)
        if columns
        else consent_event_batches(checked, KEY, recorded_at=NOW, batch_size=batch_size)
    )
    append = ledger.append_columns if columns else ledger.append_many
    for batch in batches:
        started = time.perf_counter()
        append(batch)
        spent += time.perf_counter() - started
    if ledger.head().seq != checked.good.height or not ledger.verify().is_intact:
        raise SystemExit("the ledger does not verify after the appends")
    ledger.engine.dispose()
    return spent


def building(checked: CheckedRows, batch_size: int, *, columns: bool) -> float:
    """Seconds to build every batch, appending nothing."""
    build = consent_column_batches if columns else consent_event_batches
    started = time.perf_counter()
    with fewer_collections():  # as the import builds them
        for _ in build(checked, KEY, recorded_at=NOW, batch_size=batch_size):
            pass
    return time.perf_counter() - started


def whole_import(url: str, source: Path, batch_size: int) -> tuple[ImportReport, ImportReport]:
    """The report of the import, and of importing the same file again."""
    policies = load_policy_set("ipko")
    ledger = open_ledger(url)
    reports = tuple(
        import_consent_history(
            ledger, source, policies=policies, key=KEY, recorded_at=NOW, batch_size=batch_size
        )
        for _ in range(2)
    )
    ledger.engine.dispose()
    return reports[0], reports[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--postgres", default=POSTGRES_URL)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    rows, batch = args.rows, args.batch_size
    print(machine_line(f"polars {pl.__version__}", f"SQLAlchemy {sqlalchemy.__version__}"))
    chosen = databases(args.postgres, no_postgres=args.no_postgres)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        source = folder / "consents.csv"
        consent_history(rows).write_csv(source)
        size = source.stat().st_size / 2**20
        print(f"{rows:,} rows ({size:.0f} MiB of CSV), batches of {batch:,}")
        print()
        policies = load_policy_set("ipko")
        started = time.perf_counter()
        checked = check_consent_file(source, policies=policies, recorded_at=NOW)
        checking = time.perf_counter() - started
        as_objects = building(checked, batch, columns=False)
        as_columns = building(checked, batch, columns=True)
        print("| step | database | seconds | rows/s | ratio to append_many |")
        print("|---|---|---:|---:|---:|")
        print(f"| read and check every row | | {checking:.2f} | {rows / checking:,.0f} | |")
        for step, seconds in (
            ("build the events, one LedgerEvent each", as_objects),
            ("build the events as columns", as_columns),
        ):
            print(f"| {step} | | {seconds:.2f} | {rows / seconds:,.0f} | |")
        for database in chosen:
            with fresh_database(database, folder, args.postgres) as url:
                baseline = appends_only(url, checked, batch, columns=False)
            with fresh_database(database, folder, args.postgres) as url:
                in_columns = appends_only(url, checked, batch, columns=True)
            with fresh_database(database, folder, args.postgres) as url:
                first, again = whole_import(url, source, batch)
            assert first.imported == checked.good.height, first
            assert again.imported == 0, again
            for step, seconds in (
                ("append_many of the events, built beforehand (baseline)", baseline),
                ("append_columns of the columns, built beforehand", in_columns),
                ("import_consent_history (read, check, build, append)", first.seconds),
                ("import the same file again (adds nothing)", again.seconds),
            ):
                print(
                    f"| {step} | {database} | {seconds:.2f} | {rows / seconds:,.0f} | "
                    f"{seconds / baseline:.2f}× |"
                )


if __name__ == "__main__":
    main()
