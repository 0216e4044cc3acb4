"""Audiences: the permitted identifiers in the table's order, and the exclusions by reason."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import create_engine, text

from placet.decide import decide_use
from placet.errors import InvalidEventError, StoreError
from placet.operations import (
    audiences,
    give_consent,
    make_objection,
    query_subscriber_ids,
    read_subscriber_ids,
    select_audience,
    subject_ref,
)
from placet.policy import PolicySet
from placet.stores.sql_ledger import SqlLedger
from tests.operations.conftest import KEY, NOW, SHOP, consumer, on
from tests.operations.test_deciding import SMS_OFFERS

TABLE = [f"+383440000{index:02d}" for index in range(30)]


def estate(ledger: SqlLedger, ipko: PolicySet) -> None:
    """Thirty subscribers: the first twenty consumers, every other one consented, every
    fifth objecting to all direct marketing."""
    for index, subscriber in enumerate(TABLE[:20]):
        consumer(ledger, ipko, subscriber)
        if index % 2 == 0:
            give_consent(
                ledger,
                ipko,
                KEY,
                subscriber,
                "current-offers",
                provenance=SHOP,
                recorded_at=on(3),
            )
        if index % 5 == 0:
            make_objection(
                ledger,
                ipko,
                KEY,
                subscriber,
                provenance=SHOP,
                all_direct_marketing=True,
                recorded_at=on(4),
            )


def test_audience_equals_the_single_decision_for_every_subscriber(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    estate(ledger, ipko)
    policy = ipko.in_force(NOW)

    audience = select_audience(ledger, ipko, KEY, TABLE, SMS_OFFERS, at=NOW, chunk_size=7)
    permitted = list(audience.permitted())

    expected = [
        subscriber
        for subscriber in TABLE
        if decide_use(
            policy, ledger.state(subject_ref(subscriber, KEY), NOW), SMS_OFFERS, NOW
        ).is_permitted
    ]
    assert permitted == expected
    assert audience.counts.total == 30
    assert audience.counts.permitted == len(expected) == 8
    assert audience.counts.excluded == {
        "subject-type-not-covered": 10,
        "no-consent": 8,
        "objection-direct-marketing": 4,
    }


@pytest.mark.parametrize("chunk_size", [4, 1_000])
def test_audience_identifiers_are_stripped_as_one_subject_ref_strips_them(
    ledger: SqlLedger, ipko: PolicySet, chunk_size: int
) -> None:
    estate(ledger, ipko)
    padded = [f"\x1c {subscriber}\u3000\t" for subscriber in TABLE]

    audience = select_audience(ledger, ipko, KEY, padded, SMS_OFFERS, at=NOW, chunk_size=chunk_size)

    plain = select_audience(ledger, ipko, KEY, TABLE, SMS_OFFERS, at=NOW)
    assert [one.strip() for one in audience.permitted()] == list(plain.permitted())
    assert audience.digest.hexdigest() == plain.digest.hexdigest()


def test_identifiers_are_stripped_of_what_str_strip_strips() -> None:
    spaces = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
    assert spaces == audiences._SPACES


def test_an_empty_identifier_is_refused_naming_its_row(ledger: SqlLedger, ipko: PolicySet) -> None:
    audience = select_audience(ledger, ipko, KEY, ["+38344000001", " \t"], SMS_OFFERS, at=NOW)
    with pytest.raises(InvalidEventError, match="on row 2 is empty"):
        list(audience.permitted())


def test_audience_as_of_an_instant_uses_the_states_then(ledger: SqlLedger, ipko: PolicySet) -> None:
    estate(ledger, ipko)

    before_objections = select_audience(ledger, ipko, KEY, TABLE, SMS_OFFERS, at=on(3, 15))

    assert len(list(before_objections.permitted())) == 10


def test_audience_batches_are_yielded_chunk_by_chunk(ledger: SqlLedger, ipko: PolicySet) -> None:
    estate(ledger, ipko)

    batches = list(
        select_audience(ledger, ipko, KEY, TABLE, SMS_OFFERS, at=NOW, chunk_size=4).batches()
    )

    assert len(batches) > 1
    assert all(len(batch) <= 4 for batch in batches)


def test_subscriber_ids_are_read_from_csv_parquet_and_arrow(tmp_path: Path) -> None:
    frame = pl.DataFrame({"msisdn": ["+38344000001", " +38344000002 ", None, "0044123"]})
    frame.write_csv(tmp_path / "table.csv")
    frame.write_parquet(tmp_path / "table.parquet")
    frame.write_ipc(tmp_path / "table.arrow")

    from_csv = list(read_subscriber_ids(tmp_path / "table.csv", "msisdn"))
    from_parquet = list(read_subscriber_ids(tmp_path / "table.parquet", "msisdn"))
    from_arrow = list(read_subscriber_ids(tmp_path / "table.arrow", "msisdn"))

    assert from_csv == from_parquet == from_arrow == ["+38344000001", "+38344000002", "0044123"]


def test_subscriber_ids_are_streamed_from_a_sql_query(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    with create_engine(url).begin() as connection:
        connection.execute(text("CREATE TABLE customers (id INTEGER, msisdn TEXT, active INT)"))
        connection.execute(
            text("INSERT INTO customers VALUES (:id, :msisdn, :active)"),
            [
                {"id": index, "msisdn": f"+383440000{index:02d}", "active": index % 3 != 0}
                for index in range(25)
            ],
        )

    found = list(
        query_subscriber_ids(
            url, "SELECT id, msisdn FROM customers WHERE active ORDER BY id", "msisdn", batch_size=4
        )
    )

    assert found == [f"+383440000{index:02d}" for index in range(25) if index % 3 != 0]
    with pytest.raises(InvalidEventError, match="returns no column 'subscriber'"):
        list(query_subscriber_ids(url, "SELECT msisdn FROM customers", "subscriber"))
    with pytest.raises(StoreError, match="cannot run the subscriber query"):
        list(query_subscriber_ids(url, "SELECT msisdn FROM no_such_table"))


def test_a_table_without_the_column_is_refused_naming_its_columns(tmp_path: Path) -> None:
    pl.DataFrame({"msisdn": ["+38344000001"]}).write_csv(tmp_path / "table.csv")

    with pytest.raises(InvalidEventError, match="msisdn"):
        list(read_subscriber_ids(tmp_path / "table.csv", "subscriber"))
