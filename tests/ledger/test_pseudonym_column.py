"""A whole column of identifiers gets the same pseudonyms as one identifier at a time."""

from __future__ import annotations

import random

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placet.ledger import PseudonymKey, pseudonymise_subject
from placet.ledger.pseudonym_column import COLUMNAR_FROM, pseudonymise_column
from tests.ledger.builders import KEY


@settings(max_examples=60)
@given(
    st.binary(min_size=16, max_size=200),
    st.lists(st.text(max_size=40), max_size=20),
    st.sampled_from([0, COLUMNAR_FROM]),
)
def test_a_column_gets_each_identifiers_pseudonym_in_duckdb_and_in_python(
    secret: bytes, identifiers: list[str], columnar_from: int
) -> None:
    # columnar_from=0 hashes even a short column in DuckDB; keys longer than SHA-256's
    # block are hashed first (RFC 2104), and identifiers may hold any character, NUL too.
    key = PseudonymKey(secret)

    column = pseudonymise_column(
        pl.Series(identifiers, dtype=pl.String), key, columnar_from=columnar_from
    )

    assert column.name == "subject"
    assert column.dtype == pl.String
    assert column.to_list() == [pseudonymise_subject(identifier, key) for identifier in identifiers]


def test_a_column_of_many_row_groups_keeps_its_order() -> None:
    # Long enough for DuckDB to split it between threads (row groups of 122,880 rows).
    identifiers = [f"+3834{number:08d}" for number in range(COLUMNAR_FROM + 130_000)]
    random.Random(7).shuffle(identifiers)

    column = pseudonymise_column(pl.Series(identifiers), KEY)

    assert column.to_list() == [pseudonymise_subject(identifier, KEY) for identifier in identifiers]


@pytest.mark.parametrize("columnar_from", [0, COLUMNAR_FROM])
def test_a_missing_identifier_is_refused_naming_its_row(columnar_from: int) -> None:
    with pytest.raises(ValueError, match="row 3 is missing"):
        pseudonymise_column(pl.Series(["a", "b", None]), KEY, columnar_from=columnar_from)


def test_a_column_that_is_not_text_is_refused() -> None:
    with pytest.raises(TypeError, match="String column, not Int64"):
        pseudonymise_column(pl.Series([1, 2]), KEY)
