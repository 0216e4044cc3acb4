"""The canonical encoding: one value, one byte string, whatever the order or zone it came in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from placet.ledger import canonical_bytes, format_instant, parse_instant


def test_canonical_encoding_sorts_keys_and_has_no_whitespace() -> None:
    encoded = canonical_bytes({"b": [1, 2], "a": {"d": None, "c": True}})

    assert encoded == b'{"a":{"c":true,"d":null},"b":[1,2]}'


def test_text_is_utf8_not_escaped() -> None:
    assert canonical_bytes({"name": "Prishtinë"}) == '{"name":"Prishtinë"}'.encode()


def test_instants_are_encoded_in_utc_with_microseconds() -> None:
    plus_two = timezone(timedelta(hours=2))

    encoded = canonical_bytes({"at": datetime(2024, 5, 1, 14, 0, tzinfo=plus_two)})

    assert encoded == b'{"at":"2024-05-01T12:00:00.000000Z"}'


def test_instant_text_reads_back_as_the_same_instant() -> None:
    instant = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)

    assert parse_instant(format_instant(instant)) == instant


def test_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        canonical_bytes({"at": datetime(2024, 5, 1, 12, 0)})


def test_sets_are_encoded_as_sorted_lists() -> None:
    assert canonical_bytes(frozenset({"sms", "email", "call"})) == b'["call","email","sms"]'


def test_floats_have_no_canonical_encoding() -> None:
    with pytest.raises(TypeError, match="float"):
        canonical_bytes({"amount": 1.5})
