"""`placet datamap scan` reads a real estate (SQLite or PostgreSQL tables, a Parquet lake)
and finds the personal columns the data map does not map, planted ones included."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from placet.cli.main import app
from placet.datamap.model import SystemKind
from placet.datamap.scan import SystemLocation
from placet.stores.estate_tables import observe_estate
from placet.synth import EstatePlan, OperatorName, write_estate

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("estate")
    write_estate(EstatePlan(OperatorName.IPKO, 150, 1, 5), out)
    return out


def scan(estate: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(
        app,
        [
            "datamap",
            "scan",
            str(ROOT / "examples/datamap/ipko.yaml"),
            "--estate",
            str(estate),
            *extra,
        ],
    )
    return result.exit_code, result.output


def test_the_demo_estate_holds_nothing_personal_its_map_leaves_out(estate: Path) -> None:
    code, output = scan(estate)

    assert code == 0, output
    assert "up to date" in output


def test_a_planted_column_of_phone_numbers_is_found_by_its_values(
    tmp_path: Path, estate: Path
) -> None:
    planted = _copy(estate, tmp_path)
    engine = sa.create_engine(f"sqlite:///{planted / 'estate.db'}")
    with engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE subscribers ADD COLUMN backup_contact TEXT"))
        connection.execute(
            sa.text("UPDATE subscribers SET backup_contact = '+38344' || substr(subscriber_id, 5)")
        )
        connection.execute(
            sa.text("CREATE TABLE loyalty_members (member_email TEXT, points INTEGER)")
        )
    engine.dispose()

    code, output = scan(planted, "--json")

    assert code == 1
    found = {(row["table"], row["column"]): row for row in json.loads(output)}
    assert set(found) == {("subscribers", "backup_contact"), ("loyalty_members", "member_email")}
    assert found[("subscribers", "backup_contact")]["by"] == "values"
    assert found[("subscribers", "backup_contact")]["dataset"] == "subscribers"
    assert found[("loyalty_members", "member_email")]["dataset"] is None


def test_a_planted_lake_table_is_found(tmp_path: Path, estate: Path) -> None:
    planted = _copy(estate, tmp_path)
    folder = planted / "lake" / "roaming_events" / "month=2026-05"
    folder.mkdir(parents=True)
    pl.DataFrame({"imsi": ["221021234567890"], "visited_country": ["DE"]}).write_parquet(
        folder / "part-0.parquet"
    )

    code, output = scan(planted)

    assert code == 1
    assert "roaming_events.imsi looks like a subscriber identity (IMSI)" in output
    assert "stale" in output


def test_tables_are_read_from_postgresql_too(empty_postgres_url: str) -> None:
    engine = sa.create_engine(
        empty_postgres_url.replace("postgresql://", "postgresql+psycopg://", 1)
    )
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE leads (msisdn TEXT, note TEXT)"))
        connection.execute(sa.text("INSERT INTO leads VALUES ('+38344111222', 'called back')"))
    engine.dispose()

    observed = observe_estate([SystemLocation("crm", SystemKind.SQL, empty_postgres_url)])

    assert [(table.location, dict(table.columns)) for table in observed] == [
        ("leads", {"msisdn": ["+38344111222"], "note": ["called back"]})
    ]


def test_a_missing_database_or_lake_is_a_clear_error_and_nothing_is_created(
    tmp_path: Path, estate: Path
) -> None:
    code, output = scan(tmp_path / "nowhere")

    assert code == 1
    assert "there is no SQLite database" in output
    assert not (tmp_path / "nowhere").exists()

    without_lake = _copy(estate, tmp_path)
    shutil.rmtree(without_lake / "lake")
    code, output = scan(without_lake)

    assert code == 1
    assert "there is no lake folder" in output


def _copy(estate: Path, to: Path) -> Path:
    shutil.copytree(estate, to / "estate")
    return to / "estate"
