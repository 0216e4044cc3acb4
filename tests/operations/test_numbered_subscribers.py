"""A subscriber table numbered once (`number_subscribers`) and decided for many campaigns."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from placet.errors import InvalidEventError
from placet.ledger import PseudonymKey
from placet.operations import (
    number_subscribers,
    read_numbered_subscribers,
    read_subscriber_ids,
    replay_audience,
    select_audience,
    write_numbered_subscribers,
)
from placet.operations.audiences import NUMBERED_STAMP
from placet.policy import PolicySet
from placet.stores.sql_columnar import write_snapshot
from placet.stores.sql_ledger import SqlLedger
from tests.operations.conftest import KEY, NOW
from tests.operations.test_audiences import TABLE, estate
from tests.operations.test_deciding import SMS_OFFERS

OTHER_KEY = PseudonymKey(bytes(range(1, 33)))


def numbered_file(folder: Path, key: PseudonymKey = KEY) -> Path:
    """TABLE, with spaces around one identifier and a blank row, numbered and written."""
    column = pl.Series("subscriber", [f" {TABLE[0]} ", None, *TABLE[1:]])
    path = folder / "numbered.parquet"
    write_numbered_subscribers(number_subscribers(column, key), path)
    return path


@pytest.mark.parametrize("from_snapshot", [True, False], ids=["from-a-snapshot", "from-the-ledger"])
def test_a_numbered_table_selects_the_subscribers_the_plain_table_selects(
    ledger: SqlLedger, ipko: PolicySet, tmp_path: Path, from_snapshot: bool
) -> None:
    estate(ledger, ipko)
    snapshot = tmp_path / "states.parquet"
    write_snapshot(ledger, snapshot)
    numbered = read_numbered_subscribers(numbered_file(tmp_path), KEY)
    assert numbered is not None
    order = numbered.table["identifier"].to_list()
    chosen = snapshot if from_snapshot else None

    audience = select_audience(
        ledger, ipko, KEY, numbered, SMS_OFFERS, at=NOW, chunk_size=7, snapshot=chosen
    )
    permitted = list(audience.permitted())

    plain = select_audience(ledger, ipko, KEY, TABLE, SMS_OFFERS, at=NOW)
    expected = list(plain.permitted())
    assert sorted(order) == sorted(TABLE)
    assert permitted == [subscriber for subscriber in order if subscriber in expected]
    assert len(permitted) == 8
    assert audience.outcome() == plain.outcome()


def test_a_run_from_a_numbered_table_replays_from_the_same_file(
    ledger: SqlLedger, ipko: PolicySet, tmp_path: Path
) -> None:
    estate(ledger, ipko)
    snapshot = tmp_path / "states.parquet"
    write_snapshot(ledger, snapshot)
    path = numbered_file(tmp_path)
    numbered = read_numbered_subscribers(path, KEY)
    assert numbered is not None
    audience = select_audience(ledger, ipko, KEY, numbered, SMS_OFFERS, at=NOW, snapshot=snapshot)
    list(audience.batches())
    recorded = audience.record(actor="crm", recorded_at=NOW)

    replayed = replay_audience(
        ledger, ipko, KEY, recorded.record.record_id, read_subscriber_ids(path)
    )

    assert replayed.reproduced, replayed.differences


def test_a_table_numbered_with_another_key_is_refused(
    ledger: SqlLedger, ipko: PolicySet, tmp_path: Path
) -> None:
    path = numbered_file(tmp_path, OTHER_KEY)

    with pytest.raises(InvalidEventError, match="numbered with another pseudonym key") as raised:
        read_numbered_subscribers(path, KEY)
    assert "placet number-subscribers" in str(raised.value)
    numbered = read_numbered_subscribers(path, OTHER_KEY)
    assert numbered is not None
    with pytest.raises(InvalidEventError, match="numbered with another pseudonym key"):
        select_audience(ledger, ipko, KEY, numbered, SMS_OFFERS, at=NOW)


def test_a_plain_table_is_not_taken_for_a_numbered_one(tmp_path: Path) -> None:
    frame = pl.DataFrame({"subscriber": TABLE})
    frame.write_parquet(tmp_path / "plain.parquet")
    frame.write_csv(tmp_path / "plain.csv")

    assert read_numbered_subscribers(tmp_path / "plain.parquet", KEY) is None
    assert read_numbered_subscribers(tmp_path / "plain.csv", KEY) is None


def test_a_stamped_table_without_a_numbered_tables_columns_is_refused(tmp_path: Path) -> None:
    path = numbered_file(tmp_path)
    stamp = pl.read_parquet_metadata(path)[NUMBERED_STAMP]
    pl.read_parquet(path).drop("subject").write_parquet(path, metadata={NUMBERED_STAMP: stamp})

    with pytest.raises(InvalidEventError, match="stamped as a numbered table but holds"):
        read_numbered_subscribers(path, KEY)


def test_the_numbered_file_holds_the_identifiers_pseudonyms_and_numbers_in_order(
    tmp_path: Path,
) -> None:
    written = pl.read_parquet(numbered_file(tmp_path))

    assert written.columns == ["subscriber", "subject", "subject_key", "subject_check"]
    assert written["subject_key"].is_sorted()
    assert sorted(written["subscriber"].to_list()) == sorted(TABLE)
    assert written["subject"].str.len_bytes().to_list() == [64] * len(TABLE)
