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
    index = instant.year * 12 + instant.month - 1 + months
    year, month = divmod(index, 12)
    day = min(instant.day, calendar.monthrange(year, month + 1)[1])
    return instant.replace(year=year, month=month + 1, day=day)


def add_period(instant: datetime, period: Period) -> datetime:
    """The instant `period` after `instant`: `add_period(end, Period("2 years"))`."""
    months = period.months
    if months is None:
        return instant + timedelta(days=period.amount)
    return add_months(instant, months)
