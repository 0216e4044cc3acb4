"""Bulk import of consent history into the ledger on SQLite and PostgreSQL, from CSV and Parquet."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from placet.errors import ImportRejectedError, StoreError
from placet.ledger import pseudonymise_subject
from placet.ledger.importing import ImportReport
from placet.policy.model import ConsentOptionId, PurposeId
from placet.stores.consent_import import import_consent_history
from placet.stores.sql_ledger import SqlLedger
from tests.ledger.builders import KEY
from tests.ledger.import_builders import (
    IMPORTED_AT,
    import_row,
    ipko,
    subscriber_history,
    write_csv,
    write_parquet,
)
from tests.stores.conftest import count_rows

ROOT = Path(__file__).resolve().parents[2]
FileWriter = Callable[..., Path]
BOTH_FORMATS = pytest.mark.parametrize("write", [write_csv, write_parquet], ids=["csv", "parquet"])


def import_file(ledger: SqlLedger, source: Path, **options: Any) -> ImportReport:
    return import_consent_history(
        ledger, source, policies=ipko(), key=KEY, recorded_at=IMPORTED_AT, **options
    )


def subject(identifier: str) -> Any:
    return pseudonymise_subject(identifier, KEY)


@BOTH_FORMATS
def test_good_file_imports_every_row_and_the_projection_shows_the_consents(
    ledger: SqlLedger, tmp_path: Path, write: FileWriter
) -> None:
    source = write(tmp_path, *subscriber_history())

    report = import_file(ledger, source)

    assert (report.rows_read, report.imported, report.skipped) == (4, 4, 0)
    first = ledger.state(subject("+38344000001"), IMPORTED_AT)
    second = ledger.state(subject("+38344000002"), IMPORTED_AT)
    third = ledger.state(subject("+38344000003"), IMPORTED_AT)
    assert [grant.option for grant in first.consents] == [ConsentOptionId("current-offers")]
    assert second.consents == ()
    assert ConsentOptionId("offers-just-for-me") in second.withdrawn
    assert third.objects_to_direct_marketing


def test_imported_history_verifies_as_one_chain(ledger: SqlLedger, tmp_path: Path) -> None:
    import_file(ledger, write_csv(tmp_path, *subscriber_history()))

    report = ledger.verify()

    assert report.is_intact, report.problem
    assert report.verified == 4


@BOTH_FORMATS
def test_file_with_bad_rows_imports_nothing_and_names_each_bad_line(
    ledger: SqlLedger, tmp_path: Path, write: FileWriter
) -> None:
    rows = [
        import_row(),
        import_row(option_or_purpose="curent-offers"),
        import_row(subject="+38344000002"),
        import_row(channels="sms;fax", collected_via="fax"),
    ]

    with pytest.raises(ImportRejectedError) as caught:
        import_file(ledger, write(tmp_path, *rows))

    assert [(p.line, p.column, p.code) for p in caught.value.problems] == [
        (3, "option_or_purpose", "unknown-option"),
        (5, "channels", "unknown-channel"),
        (5, "collected_via", "unknown-collection"),
    ]
    assert "2 of its 4 rows have problems" in str(caught.value)
    assert count_rows(ledger, "ledger_events") == 0
    assert count_rows(ledger, "ledger_subject_states") == 0


def test_skip_mode_imports_the_good_rows_and_reports_the_bad(
    ledger: SqlLedger, tmp_path: Path
) -> None:
    rows = [import_row(), import_row(effective_at="2024-05-01"), import_row(channels="sms")]

    report = import_file(ledger, write_csv(tmp_path, *rows), skip_bad_rows=True)

    assert (report.rows_read, report.imported, report.skipped) == (3, 2, 1)
    assert [(p.line, p.code) for p in report.problems] == [(3, "no-time-zone")]
    assert count_rows(ledger, "ledger_events") == 2


@BOTH_FORMATS
def test_importing_the_same_file_again_adds_nothing(
    ledger: SqlLedger, tmp_path: Path, write: FileWriter
) -> None:
    source = write(tmp_path, *subscriber_history())
    import_file(ledger, source)

    again = import_file(ledger, source)

    assert (again.imported, again.already_recorded) == (0, 4)
    assert count_rows(ledger, "ledger_events") == 4


def test_csv_and_parquet_of_the_same_rows_record_the_same_events(
    ledger: SqlLedger, tmp_path: Path
) -> None:
    import_file(ledger, write_csv(tmp_path, *subscriber_history()))

    from_parquet = import_file(ledger, write_parquet(tmp_path, *subscriber_history()))

    assert from_parquet.imported == 0
    assert from_parquet.already_recorded == 4


def test_repeated_row_is_recorded_once(ledger: SqlLedger, tmp_path: Path) -> None:
    report = import_file(ledger, write_csv(tmp_path, import_row(), import_row()))

    assert (report.imported, report.already_recorded) == (1, 1)


def test_batches_record_the_whole_file(ledger: SqlLedger, tmp_path: Path) -> None:
    rows = [import_row(subject=f"+383440000{n:02d}") for n in range(25)]

    report = import_file(ledger, write_csv(tmp_path, *rows), batch_size=7)

    assert report.imported == 25
    assert ledger.verify().verified == 25


def test_objection_to_a_purpose_is_in_the_projection(ledger: SqlLedger, tmp_path: Path) -> None:
    row = import_row(event="objection-made", option_or_purpose="marketing-analysis", channels=None)

    import_file(ledger, write_csv(tmp_path, row))

    state = ledger.state(subject("+38344000001"), IMPORTED_AT)
    assert state.objections == frozenset({PurposeId("marketing-analysis")})


# ---------------------------------------------------------------- files that cannot be read


def test_bad_header_names_the_missing_column_and_imports_nothing_even_when_skipping(
    ledger: SqlLedger, tmp_path: Path
) -> None:
    source = tmp_path / "consents.csv"
    source.write_text(
        "subject,event,option_or_purpose,effective_at,collected_via\n"
        "+38344000001,consent-given,current-offers,2024-05-01T12:00:00Z,shop\n",
        encoding="utf-8",
    )

    with pytest.raises(ImportRejectedError) as caught:
        import_file(ledger, source, skip_bad_rows=True)

    assert [(p.line, p.column, p.code) for p in caught.value.problems] == [
        (1, "actor", "missing-column")
    ]
    assert "its header has problems" in str(caught.value)
    assert count_rows(ledger, "ledger_events") == 0


def test_row_with_more_fields_than_the_header_is_named(ledger: SqlLedger, tmp_path: Path) -> None:
    source = write_csv(tmp_path, import_row(), import_row())
    lines = source.read_text(encoding="utf-8").splitlines()
    lines[2] += ",surplus"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(StoreError, match="Line 3 has 11 fields but the header has 10"):
        import_file(ledger, source)


def test_file_that_is_neither_csv_nor_parquet_is_refused(ledger: SqlLedger, tmp_path: Path) -> None:
    source = tmp_path / "consents.xlsx"
    source.write_bytes(b"PK")

    with pytest.raises(StoreError, match="neither a CSV"):
        import_file(ledger, source)


def test_missing_file_is_named(ledger: SqlLedger, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="there is no file"):
        import_file(ledger, tmp_path / "nowhere.csv")


# ---------------------------------------------------------------- the benchmark


@pytest.mark.slow
def test_import_benchmark_runs_at_small_scale_against_its_baseline() -> None:
    result = subprocess.run(
        [sys.executable, "bench/bench_import.py", "--rows", "2000", "--batch-size", "500"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )

    assert "| append_many of the events, built beforehand (baseline) | SQLite |" in result.stdout
    assert "| append_columns of the columns, built beforehand | SQLite |" in result.stdout
    assert "| import_consent_history (read, check, build, append) | SQLite |" in result.stdout
