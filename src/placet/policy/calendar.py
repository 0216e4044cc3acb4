"""The controller's calendar: the days and years a policy counts its dates in.

Deadlines end with a day ("by the end of 15 April"), years end on 31 December, and a
version takes effect on a date: each is a day of the controller's own clock, not UTC's.
An instant is a day's only in a zone; `Controller.timezone` names it (IANA, such as
`Europe/Copenhagen`), and a policy without one counts in UTC. Instants keep being stored
and compared in UTC: only where a day or a year begins and ends is read here.

Imports nothing outside the standard library.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

__all__ = ["end_of_day", "local_date", "start_of_year", "zone_named"]


@cache
def zone_named(name: str | None) -> tzinfo:
    """The zone called `name` in the IANA database; UTC for None. Raises ValueError,
    naming the zone, for a name the database does not hold."""
    if name is None:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        near = sorted(zone for zone in available_timezones() if zone.endswith(name.split("/")[-1]))
        hint = f" (did you mean {', '.join(near[:3])}?)" if near else ""
        raise ValueError(
            f"'{name}' is not a time zone of the IANA database{hint}; write it as "
            "'Europe/Copenhagen' or 'Europe/Belgrade'"
        ) from exc


def local_date(instant: datetime, zone: tzinfo) -> date:
    """The date `instant` falls on in `zone`."""
    return instant.astimezone(zone).date()


def end_of_day(day: date, zone: tzinfo) -> datetime:
    """The last instant (a microsecond before midnight) of `day` in `zone`, in UTC."""
    return datetime.combine(day, time.max, tzinfo=zone).astimezone(UTC)


def start_of_year(year: int, zone: tzinfo) -> datetime:
    """The first instant of 1 January of `year` in `zone`, in UTC."""
    return datetime(year, 1, 1, tzinfo=zone).astimezone(UTC)
