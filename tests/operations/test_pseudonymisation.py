"""A dataset pseudonymised through its store with keyed HMAC pseudonyms, and re-keyed by a
rotation: stored values become what the new chain makes of the raw ones, once."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import polars as pl

from placet.operations.erasures import ErasureOutcome, pseudonymise_dataset, rotate_pseudonyms
from placet.retention import HoldReason, HoldScope, LegalHold
from placet.retention.anonymise import PseudonymKeyring
from placet.stores.protocol import PSEUDONYMISED_MARK, Selection
from tests.operations.estate_fixtures import (
    AT,
    OpenEstate,
)

K1 = base64.b64encode(bytes(range(32))).decode()
K2 = base64.b64encode(bytes(range(100, 132))).decode()
BEFORE = datetime(2025, 8, 1, tzinfo=UTC)


def calls(estate: OpenEstate) -> pl.DataFrame:
    store = estate.stores.stores["lake"]
    columns = ["a_number", "b_number", "start_time", "cell_id"]
    frames = [pl.from_arrow(batch) for batch in store.find("cdrs", Selection(), columns)]
    frame = pl.concat([frame for frame in frames if isinstance(frame, pl.DataFrame)])
    return frame.sort("start_time", "b_number")


def test_pseudonymising_replaces_identifiers_by_keyed_pseudonyms_once(
    estate: OpenEstate,
) -> None:
    keyring = PseudonymKeyring.from_setting(f"k1:{K1}")
    raw = calls(estate)
    old = raw.filter(pl.col("start_time") < BEFORE)

    result = pseudonymise_dataset(
        estate.stores, estate.policy, keyring, "cdrs", at=AT, before=BEFORE
    )

    assert result.outcome is ErasureOutcome.ERASED
    assert result.rows == old.height
    after = calls(estate)
    changed = after.filter(pl.col("start_time") < BEFORE)
    expected = [keyring.pseudonym(number) for number in old["a_number"].to_list()]
    assert changed["a_number"].to_list() == expected
    assert changed["b_number"].str.ends_with("******").all()
    assert (changed["cell_id"] == "XK").all()
    assert after.filter(pl.col("start_time") >= BEFORE).equals(
        raw.filter(pl.col("start_time") >= BEFORE)
    )
    again = pseudonymise_dataset(
        estate.stores, estate.policy, keyring, "cdrs", at=AT, before=BEFORE
    )
    assert again.rows == 0
    assert (
        estate.stores.stores["lake"].count(
            "cdrs", Selection(time_column="start_time", before=BEFORE), unmarked=PSEUDONYMISED_MARK
        )
        == 0
    )


def test_a_rotation_re_keys_stored_pseudonyms_as_the_new_chain_makes_them(
    estate: OpenEstate,
) -> None:
    first = PseudonymKeyring.from_setting(f"k1:{K1}")
    rotated = PseudonymKeyring.from_setting(f"k2:{K2},k1:{K1}")
    raw = calls(estate)
    pseudonymise_dataset(estate.stores, estate.policy, first, "cdrs", at=AT)

    result = rotate_pseudonyms(estate.stores, estate.policy, rotated, "cdrs", at=AT)

    assert result.rows == raw.height
    after = calls(estate)
    assert after["a_number"].to_list() == [
        rotated.pseudonym(number) for number in raw["a_number"].to_list()
    ]
    assert after["a_number"].str.starts_with("k2:").all()
    assert rotate_pseudonyms(estate.stores, estate.policy, rotated, "cdrs", at=AT).rows == 0


def test_a_hold_stops_pseudonymisation(estate: OpenEstate) -> None:
    keyring = PseudonymKeyring.from_setting(f"k1:{K1}")
    hold = LegalHold(
        "case-9",
        HoldScope(dataset="cdrs", records_until=BEFORE),
        HoldReason.COURT_ORDER,
        "the raw numbers are evidence",
        "dpo",
        AT,
    )
    raw = calls(estate)

    result = pseudonymise_dataset(
        estate.stores, estate.policy, keyring, "cdrs", at=AT, before=BEFORE, holds=[hold]
    )

    assert result.outcome is ErasureOutcome.KEPT
    assert "case-9" in result.explanation
    assert calls(estate).equals(raw)
