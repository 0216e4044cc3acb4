"""The synthetic estate: determinism, recycled numbers, the operators' policies, its data map."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
import yaml

from placet.synth import QUARANTINE_DAYS, EstateReport, OperatorName, write_estate
from placet.synth.tables import sql_tables
from tests.synth.conftest import lake_frame, sql_frame, sql_rows, tiny_plan

ROOT = Path(__file__).resolve().parents[2]


def lake_and_csv_bytes(out: Path) -> dict[str, bytes]:
    files = [*sorted((out / "lake").rglob("*.parquet")), out / "consent-history.csv"]
    return {str(path.relative_to(out)): path.read_bytes() for path in files}


def all_sql_rows(report: EstateReport) -> dict[str, list[tuple[object, ...]]]:
    return {
        spec.name: sql_rows(report.database_url, spec.name)
        for spec in sql_tables(report.plan.operator)
    }


def assignments(report: EstateReport) -> pl.DataFrame:
    now = report.plan.now.replace(tzinfo=None)
    return sql_frame(report.database_url, "msisdn_assignments").with_columns(
        pl.col("valid_to").fill_null(now).alias("held_until")
    )


def test_the_same_seed_writes_the_same_bytes_and_rows(
    estates: dict[OperatorName, EstateReport], tmp_path: Path
) -> None:
    first = estates[OperatorName.IPKO]
    again = write_estate(tiny_plan(OperatorName.IPKO), tmp_path)
    assert lake_and_csv_bytes(again.out) == lake_and_csv_bytes(first.out)
    assert all_sql_rows(again) == all_sql_rows(first)


def test_another_seed_writes_another_estate(
    estates: dict[OperatorName, EstateReport], tmp_path: Path
) -> None:
    first = estates[OperatorName.IPKO]
    other = write_estate(tiny_plan(OperatorName.IPKO, seed=12), tmp_path)
    assert sql_rows(other.database_url, "subscribers") != sql_rows(
        first.database_url, "subscribers"
    )
    assert not lake_frame(other.out, "cdrs").equals(lake_frame(first.out, "cdrs"))


def test_the_chunk_size_does_not_change_the_rows(
    estates: dict[OperatorName, EstateReport], tmp_path: Path
) -> None:
    whole = estates[OperatorName.IPNORDIC]
    chunked = write_estate(tiny_plan(OperatorName.IPNORDIC, chunk_rows=97), tmp_path)
    assert all_sql_rows(chunked) == all_sql_rows(whole)
    for table in ("cdrs", "location_events", "data_sessions"):
        assert lake_frame(chunked.out, table).equals(lake_frame(whole.out, table))
    path = Path("consent-history.csv")
    assert (chunked.out / path).read_bytes() == (whole.out / path).read_bytes()


@pytest.mark.parametrize("operator", list(OperatorName))
def test_some_number_passed_from_one_subscriber_to_another(
    estates: dict[OperatorName, EstateReport], operator: OperatorName
) -> None:
    holders = (
        assignments(estates[operator])
        .group_by("msisdn")
        .agg(pl.col("subscriber_id").n_unique().alias("holders"))
    )
    assert holders["holders"].max() >= 2


@pytest.mark.parametrize("operator", list(OperatorName))
def test_no_number_is_held_by_two_subscribers_at_once(
    estates: dict[OperatorName, EstateReport], operator: OperatorName
) -> None:
    held = assignments(estates[operator]).sort("msisdn", "valid_from")
    overlaps = held.filter(
        (pl.col("msisdn") == pl.col("msisdn").shift(1))
        & (pl.col("valid_from") < pl.col("held_until").shift(1))
    )
    assert overlaps.height == 0


@pytest.mark.parametrize("operator", list(OperatorName))
def test_a_recycled_number_rests_in_quarantine_between_holders(
    estates: dict[OperatorName, EstateReport], operator: OperatorName
) -> None:
    held = assignments(estates[operator]).sort("msisdn", "valid_from")
    rests = held.select(
        (pl.col("valid_from") - pl.col("valid_to").shift(1)).alias("rest"),
        (pl.col("msisdn") == pl.col("msisdn").shift(1)).alias("is_passed"),
    ).filter("is_passed")
    assert rests.height > 0
    assert (rests["rest"] >= timedelta(days=QUARANTINE_DAYS)).all()


@pytest.mark.parametrize("operator", list(OperatorName))
@pytest.mark.parametrize(
    ("table", "number", "instant"),
    [
        ("cdrs", "a_number", "start_time"),
        ("location_events", "msisdn", "observed_at"),
        ("data_sessions", "msisdn", "started_at"),
    ],
)
def test_every_traffic_record_names_the_number_its_subscriber_held_then(
    estates: dict[OperatorName, EstateReport],
    operator: OperatorName,
    table: str,
    number: str,
    instant: str,
) -> None:
    report = estates[operator]
    records = (
        lake_frame(report.out, table)
        .with_row_index("record")
        .select(
            "record", pl.col(number).alias("msisdn"), pl.col(instant).dt.replace_time_zone(None)
        )
    )
    holders = records.join(assignments(report), on="msisdn").filter(
        (pl.col("valid_from") <= pl.col(instant)) & (pl.col(instant) < pl.col("held_until"))
    )
    counts = holders.group_by("record").len()
    assert counts.height == records.height
    assert counts["len"].max() == 1


def test_ipnordic_keeps_only_the_country_in_its_lake(
    estates: dict[OperatorName, EstateReport],
) -> None:
    out = estates[OperatorName.IPNORDIC].out
    for table in ("cdrs", "location_events", "data_sessions"):
        columns = lake_frame(out, table).columns
        assert "cell_id" not in columns
        assert "country" in columns


def test_ipko_records_the_cell_in_its_lake(estates: dict[OperatorName, EstateReport]) -> None:
    out = estates[OperatorName.IPKO].out
    for table in ("cdrs", "location_events", "data_sessions"):
        cells = lake_frame(out, table)["cell_id"]
        assert cells.null_count() == 0
        assert cells.str.starts_with("221-02-").all()


@pytest.mark.parametrize("operator", list(OperatorName))
def test_every_dataset_and_column_of_the_data_map_is_in_the_estate(
    estates: dict[OperatorName, EstateReport], operator: OperatorName
) -> None:
    report = estates[operator]
    datamap = yaml.safe_load((ROOT / "examples" / "datamap" / f"{operator}.yaml").read_text())
    mapped = {
        dataset["location"]: (system["kind"], set(dataset["columns"]))
        for system in datamap["systems"]
        for dataset in system["datasets"]
    }
    engine = sa.create_engine(report.database_url)
    inspector = sa.inspect(engine)
    found = {
        table: (None, {column["name"] for column in inspector.get_columns(table)})
        for table in inspector.get_table_names()
    }
    engine.dispose()
    for folder in (report.out / "lake").iterdir():
        schema = pq.read_schema(next(folder.glob("month=*/part-*.parquet")))
        found[folder.name] = (None, set(schema.names))
    assert {table: columns for table, (_, columns) in found.items()} == {
        table: columns for table, (_, columns) in mapped.items()
    }


def test_minors_are_under_eighteen_at_the_estate_now(
    estates: dict[OperatorName, EstateReport],
) -> None:
    report = estates[OperatorName.IPKO]
    today = report.plan.now.astimezone(UTC).date()
    eighteen_years_ago = date(today.year - 18, today.month, today.day)
    minors = sql_frame(report.database_url, "subscribers").filter(
        pl.col("subscriber_type") == "minor"
    )
    assert minors.height > 0
    assert (minors["birth_date"] > eighteen_years_ago).all()


def test_prospects_have_no_contract(estates: dict[OperatorName, EstateReport]) -> None:
    report = estates[OperatorName.IPKO]
    subscribers = sql_frame(report.database_url, "subscribers")
    prospects = subscribers.filter(pl.col("subscriber_type") == "prospect")["subscriber_id"]
    contracts = sql_frame(report.database_url, "contracts")
    assert prospects.len() > 0
    assert not contracts["subscriber_id"].is_in(prospects.implode()).any()
    others = subscribers.filter(pl.col("subscriber_type") != "prospect")["subscriber_id"]
    assert others.is_in(contracts["subscriber_id"].implode()).all()


def test_some_contracts_ended_and_some_left_unpaid_invoices(
    estates: dict[OperatorName, EstateReport],
) -> None:
    url = estates[OperatorName.IPKO].database_url
    contracts = sql_frame(url, "contracts")
    invoices = sql_frame(url, "invoices")
    paid = sql_frame(url, "payments")["invoice_id"]
    assert contracts["ended_at"].null_count() < contracts.height
    assert contracts["ended_at"].null_count() > 0
    assert (~invoices["invoice_id"].is_in(paid.implode())).sum() > 0


def test_marketing_reaches_only_numbers_held_in_the_traffic_months(
    estates: dict[OperatorName, EstateReport],
) -> None:
    report = estates[OperatorName.IPKO]
    sent = sql_frame(report.database_url, "marketing_contacts").with_row_index("message")
    start = datetime.fromtimestamp(report.plan.traffic_start_us / 1e6, tz=UTC)
    assert sent.height > 0
    assert (sent["sent_at"] >= start.replace(tzinfo=None)).all()
    held = sent.join(assignments(report), on="msisdn").filter(
        (pl.col("valid_from") <= pl.col("sent_at")) & (pl.col("sent_at") < pl.col("held_until"))
    )
    assert held["message"].n_unique() == sent.height


def test_postgresql_holds_the_same_sql_rows_as_sqlite(
    estates: dict[OperatorName, EstateReport], empty_postgres_url: str, tmp_path: Path
) -> None:
    on_sqlite = estates[OperatorName.IPKO]
    on_postgres = write_estate(
        tiny_plan(OperatorName.IPKO), tmp_path, database_url=empty_postgres_url
    )
    assert all_sql_rows(on_postgres) == all_sql_rows(on_sqlite)
