"""Calendar arithmetic on retention and consent periods: `add_period(instant, period)`.

Months are calendar months, ending on the same day of the month, or on the month's last
day when it is shorter (31 January + 1 month = 28 or 29 February).
Imports nothing outside the standard library and `placet.policy`.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from placet.policy.model import Period

__all__ = ["add_months", "add_period"]


def add_months(instant: datetime, months: int) -> datetime:
    """`instant` moved by whole calendar months, clamped to the end of a shorter month."""
    year, month = divmod(instant.year * 12 + instant.month - 1 + months, 12)
    month += 1
    day = instant.day
    if day > _SHORTEST_MONTH:
        day = min(day, _days_in_month(year, month))
    return instant.replace(year=year, month=month, day=day)


_SHORTEST_MONTH = 28
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    # `calendar.monthrange` also works out the weekday the month starts on: not needed here.
    if month == 2 and calendar.isleap(year):
        return 29
    return _DAYS_IN_MONTH[month - 1]


def add_period(instant: datetime, period: Period) -> datetime:
    """The instant `period` after `instant`: `add_period(end, Period("2 years"))`."""
    months = period.months
    if months is None:
        return instant + timedelta(days=period.amount)
    return add_months(instant, months)
