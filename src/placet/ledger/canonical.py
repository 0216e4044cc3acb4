"""The canonical encoding that ledger hashes and commitments are computed over.

One value has exactly one encoding: JSON with keys sorted, no insignificant whitespace,
UTF-8 (not \\u escapes), instants as RFC 3339 in UTC with microseconds
(`2024-05-01T12:00:00.000000Z`), dates as `2024-05-01`, sets as sorted lists. Floats are
refused: a ledger body holds none, and their text form is not unique.
Imports nothing outside the standard library.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

__all__ = [
    "INSTANT_FORMAT",
    "canonical_bytes",
    "format_instant",
    "parse_instant",
    "to_canonical_value",
]

_INSTANT_LENGTH = len("2024-05-01T12:00:00.000000Z")

INSTANT_FORMAT = "%Y-%m-%dT%H:%M:%S%.6fZ"
"""`format_instant`'s form as a polars (chrono) format, for a column of instants in UTC."""


def format_instant(instant: datetime) -> str:
    """`2024-05-01T12:00:00.000000Z`: the one text form of a timezone-aware instant."""
    text = _FORMATTED.get(instant)
    if text is not None:
        return text
    if instant.tzinfo is not UTC:  # the ledger's own instants are UTC already
        offset = instant.utcoffset()
        if offset is None:
            raise ValueError(f"instant {instant.isoformat()} has no time zone; give it in UTC")
        instant = (instant - offset).replace(tzinfo=UTC)
    text = instant.isoformat(timespec="microseconds")[:26] + "Z"
    if len(_FORMATTED) >= _FORMATTED_KEPT:
        _FORMATTED.clear()
    _FORMATTED[instant] = text
    return text


_FORMATTED: dict[datetime, str] = {}
"""Instants formatted lately: a batch of 10,000 events formats each instant of effect
three or four times (body, row, projection), and they share their recording instant.
Aware datetimes that are the same instant in any zone are
equal and hash alike, and so have the one text form."""
_FORMATTED_KEPT = 65536


def parse_instant(text: str) -> datetime:
    """The instant `format_instant` wrote, timezone-aware in UTC.

    Raises ValueError for any other text form.
    """
    if len(text) != _INSTANT_LENGTH or text[-1] != "Z" or text[10] != "T" or text[19] != ".":
        raise ValueError(f"'{text}' is not an instant written as 2024-05-01T12:00:00.000000Z")
    return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)


def to_canonical_value(value: Any) -> Any:
    """`value` as plain JSON data: dicts with string keys, lists, strings, ints, bools, None."""
    if isinstance(value, Enum):
        return to_canonical_value(value.value)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime):
        return format_instant(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Mapping):
        converted: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"canonical keys are strings, not {type(key).__name__}")
            converted[key] = to_canonical_value(item)
        return converted
    if isinstance(value, frozenset | set):
        return sorted(to_canonical_value(item) for item in value)
    if isinstance(value, list | tuple):
        return [to_canonical_value(item) for item in value]
    raise TypeError(f"{type(value).__name__} has no canonical encoding")


def canonical_bytes(value: Any) -> bytes:
    """The canonical UTF-8 JSON encoding of `value`.

    >>> canonical_bytes({"b": 1, "a": ["é"]})
    b'{"a":["\\xc3\\xa9"],"b":1}'
    """
    return json.dumps(
        to_canonical_value(value),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode("utf-8")
