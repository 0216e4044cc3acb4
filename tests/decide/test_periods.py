"""Periods run in calendar months, clamped to the end of a shorter month."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from placet.decide.periods import add_months, add_period
from placet.policy.model import Period


def test_a_month_after_31_january_is_the_last_day_of_february() -> None:
    assert add_months(datetime(2027, 1, 31, 9, tzinfo=UTC), 1) == datetime(
        2027, 2, 28, 9, tzinfo=UTC
    )
    assert add_months(datetime(2028, 1, 31, 9, tzinfo=UTC), 1) == datetime(
        2028, 2, 29, 9, tzinfo=UTC
    )


def test_two_years_after_29_february_is_28_february() -> None:
    assert add_period(datetime(2024, 2, 29, tzinfo=UTC), Period(amount=2, unit="year")) == (
        datetime(2026, 2, 28, tzinfo=UTC)
    )


@given(
    instant=st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
    ),
    months=st.integers(min_value=-600, max_value=600),
)
def test_months_end_on_the_same_day_or_the_last_day_of_a_shorter_month(
    instant: datetime, months: int
) -> None:
    year, month = divmod(instant.year * 12 + instant.month - 1 + months, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    expected = instant.replace(year=year, month=month + 1, day=min(instant.day, last_day))
    assert add_months(instant, months) == expected
