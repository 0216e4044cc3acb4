"""Builders of subject requests for the tests: the reference policies and a request opened
under one of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from placet.dsr import RequestKind, SubjectRequest, open_request
from placet.policy import Channel, Policy, load_policy_set

POLICIES: dict[str, Policy] = {name: load_policy_set(name).latest for name in ("ipko", "ipnordic")}
SUBJECT = "a" * 64
"""A pseudonymous subject reference, as the ledger makes them."""


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(policy: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant on the clock of the named reference policy's controller (`Policy.zone`)."""
    return datetime(year, month, day, hour, minute, tzinfo=POLICIES[policy].zone)


def end_of(policy: str, year: int, month: int, day: int) -> datetime:
    """The last instant of a day of the controller's, in UTC: a due date."""
    return (
        local(policy, year, month, day) + timedelta(days=1) - timedelta(microseconds=1)
    ).astimezone(UTC)


def make_request(
    policy: str = "ipko",
    received_at: datetime | None = None,
    kind: RequestKind = RequestKind.ACCESS,
    request_id: str = "DSR-1",
) -> SubjectRequest:
    """A request opened by the portal under the named reference policy."""
    return open_request(
        request_id,
        kind,
        SUBJECT,
        channel=Channel.WEB,
        received_at=received_at or utc(2025, 3, 15, 9, 30),
        policy=POLICIES[policy],
        actor="portal",
    )
