"""Identity over time: a key resolves to whoever held it at the record's instant, or nobody."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from placet.datamap import Identity, assignments_from, records_of_subject, resolve_subjects

NUMBER = "38344111222"
"""A number held by subscriber A from 2019 to 2022, unassigned for 2022, then B's."""


def at(year: int, month: int = 1, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


def assignments(*rows: tuple[str, str, datetime, datetime | None]) -> pl.LazyFrame:
    return pl.LazyFrame(
        rows,
        schema={
            "key": pl.String,
            "subject": pl.String,
            "valid_from": pl.Datetime("us", "UTC"),
            "valid_to": pl.Datetime("us", "UTC"),
        },
        orient="row",
    )


def cdrs(*rows: tuple[str, str, datetime | None]) -> pl.LazyFrame:
    return pl.LazyFrame(
        rows,
        schema={
            "a_number": pl.String,
            "b_number": pl.String,
            "start_time": pl.Datetime("us", "UTC"),
        },
        orient="row",
    )


RECYCLED = assignments(
    (NUMBER, "subscriber-a", at(2019), at(2022)),
    (NUMBER, "subscriber-b", at(2023), None),
)


def holders(frame: pl.LazyFrame) -> dict[datetime | None, str | None]:
    rows = frame.select("start_time", "subject").collect().rows()
    return dict(rows)


def test_recycled_number_resolves_to_its_holder_at_each_instant() -> None:
    records = cdrs(
        (NUMBER, "38349000000", at(2021, 6)),
        (NUMBER, "38349000000", at(2024, 3)),
    )

    resolved = resolve_subjects(records, "a_number", "start_time", RECYCLED)

    assert holders(resolved) == {at(2021, 6): "subscriber-a", at(2024, 3): "subscriber-b"}


def test_record_while_nobody_held_the_number_resolves_to_nobody() -> None:
    records = cdrs(
        (NUMBER, "38349000000", at(2022, 6)),
        (NUMBER, "38349000000", at(2018, 6)),
        (NUMBER, "38349000000", None),
    )

    resolved = resolve_subjects(records, "a_number", "start_time", RECYCLED)

    assert holders(resolved) == {at(2022, 6): None, at(2018, 6): None, None: None}


def test_assignment_starts_at_valid_from_and_ends_before_valid_to() -> None:
    records = cdrs(
        (NUMBER, "38349000000", at(2019)),
        (NUMBER, "38349000000", at(2022) - timedelta(microseconds=1)),
        (NUMBER, "38349000000", at(2022)),
    )

    resolved = resolve_subjects(records, "a_number", "start_time", RECYCLED)

    assert holders(resolved) == {
        at(2019): "subscriber-a",
        at(2022) - timedelta(microseconds=1): "subscriber-a",
        at(2022): None,
    }


def test_previous_holder_keeps_their_records_after_the_number_is_recycled() -> None:
    records = cdrs(
        (NUMBER, "38349000000", at(2021, 6)),
        (NUMBER, "38349000000", at(2024, 3)),
        ("38344999999", "38349000000", at(2021, 6)),
    )

    of_a = records_of_subject(records, "a_number", "start_time", RECYCLED, "subscriber-a")
    of_b = records_of_subject(records, "a_number", "start_time", RECYCLED, "subscriber-b")

    assert of_a.collect().rows() == [(NUMBER, "38349000000", at(2021, 6))]
    assert of_b.collect().rows() == [(NUMBER, "38349000000", at(2024, 3))]


def test_records_where_the_subscriber_is_the_other_party_are_found_by_the_b_number() -> None:
    records = cdrs(
        ("38349000000", NUMBER, at(2021, 6)),
        ("38349000000", NUMBER, at(2024, 3)),
    )

    of_a = records_of_subject(records, "b_number", "start_time", RECYCLED, "subscriber-a")

    assert of_a.collect().rows() == [("38349000000", NUMBER, at(2021, 6))]


def test_assignments_are_read_from_the_columns_the_identity_names() -> None:
    identity = Identity.model_validate(
        {
            "id": "msisdn",
            "dataset": "msisdn-assignments",
            "key": {"column": "msisdn", "kind": "msisdn"},
            "subject_column": "subscriber_id",
            "valid_from": "assigned_at",
            "valid_to": "released_at",
        }
    )
    table = pl.LazyFrame(
        {
            "msisdn": [NUMBER],
            "subscriber_id": ["subscriber-a"],
            "assigned_at": [at(2019)],
            "released_at": [at(2022)],
        }
    )

    frame = assignments_from(table, identity).collect()

    assert frame.rows() == [(NUMBER, "subscriber-a", at(2019), at(2022))]
    assert frame.columns == ["key", "subject", "valid_from", "valid_to"]


def test_date_assignments_resolve_records_timed_to_the_microsecond() -> None:
    by_day = pl.LazyFrame(
        {"key": [NUMBER], "subject": ["subscriber-a"], "valid_from": [at(2019).date()]},
        schema_overrides={"valid_from": pl.Date},
    ).with_columns(valid_to=pl.lit(None, pl.Date))
    records = cdrs((NUMBER, "38349000000", at(2021, 6)))

    resolved = resolve_subjects(
        records.with_columns(pl.col("start_time").dt.replace_time_zone(None)),
        "a_number",
        "start_time",
        by_day,
    )

    assert resolved.select("subject").collect().to_series().to_list() == ["subscriber-a"]


# ------------------------------------------------------------------ property

DAY = timedelta(days=1)
EPOCH = at(2015)


@st.composite
def holdings(
    draw: st.DrawFn,
) -> tuple[pl.LazyFrame, list[tuple[str, str, datetime, datetime | None]]]:
    """Assignments of a few numbers: for each, consecutive holders with gaps between them."""
    rows: list[tuple[str, str, datetime, datetime | None]] = []
    for number in draw(st.lists(st.sampled_from("123"), min_size=1, max_size=3, unique=True)):
        start = EPOCH + draw(st.integers(0, 400)) * DAY
        for index in range(draw(st.integers(1, 4))):
            held = draw(st.integers(1, 900)) * DAY
            is_last = draw(st.booleans())
            end = None if is_last else start + held
            rows.append((number, f"subject-{number}-{index}", start, end))
            if end is None:
                break
            start = end + draw(st.integers(0, 200)) * DAY
    return assignments(*rows), rows


def holder_at(
    rows: list[tuple[str, str, datetime, datetime | None]], number: str, instant: datetime
) -> str | None:
    """Who held `number` at `instant`, read one assignment at a time."""
    for key, subject, valid_from, valid_to in rows:
        if key == number and valid_from <= instant and (valid_to is None or instant < valid_to):
            return subject
    return None


@given(
    holding=holdings(),
    calls=st.lists(
        st.tuples(st.sampled_from("1234"), st.integers(0, 4000)), min_size=1, max_size=40
    ),
)
def test_every_record_resolves_to_the_holder_at_its_instant_or_to_nobody(
    holding: tuple[pl.LazyFrame, list[tuple[str, str, datetime, datetime | None]]],
    calls: list[tuple[str, int]],
) -> None:
    frame, rows = holding
    records = cdrs(*((number, "0", EPOCH + half_days * DAY / 2) for number, half_days in calls))

    resolved = resolve_subjects(records, "a_number", "start_time", frame).collect()

    for number, _, instant, subject in resolved.rows():
        assert subject == holder_at(rows, number, instant)


@given(
    holding=holdings(),
    calls=st.lists(
        st.tuples(st.sampled_from("1234"), st.integers(0, 4000)), min_size=1, max_size=40
    ),
)
def test_records_of_a_subject_are_those_that_resolve_to_them(
    holding: tuple[pl.LazyFrame, list[tuple[str, str, datetime, datetime | None]]],
    calls: list[tuple[str, int]],
) -> None:
    frame, rows = holding
    records = cdrs(*((number, "0", EPOCH + half_days * DAY / 2) for number, half_days in calls))
    resolved = resolve_subjects(records, "a_number", "start_time", frame)

    for subject in {row[1] for row in rows}:
        found = records_of_subject(records, "a_number", "start_time", frame, subject)
        expected = resolved.filter(pl.col("subject") == subject).drop("subject")
        assert sorted(found.collect().rows()) == sorted(expected.collect().rows())
