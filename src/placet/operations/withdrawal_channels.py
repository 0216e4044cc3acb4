"""Withdrawals that come back the way the marketing went out: an SMS keyword (STOP) sent to
the operator's short code (`placet.operations.sms_keywords`), and the one-click
unsubscribe link (RFC 8058) in every marketing e-mail
(`placet.operations.unsubscribe_links`). Each lands in the ledger at once, as a
`consent-withdrawn` event, built and appended here once for both.

Pure: the ledger, the policy set, the keys, the resolver of numbers to subscribers and the
instant are passed in; nothing here reads the clock, the environment or the settings.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import ValidationError

from placet.errors import IdempotencyConflictError, InvalidEventError
from placet.ledger import (
    CollectedVia,
    ConsentLog,
    ConsentWithdrawn,
    GivenBy,
    LedgerEvent,
    SubjectRef,
)
from placet.operations.recording import Recorded
from placet.policy import ConsentOption, Policy
from placet.policy.terms import Channel

__all__ = ["append_once", "require_aware", "withdrawal_event"]


def withdrawal_event(
    policy: Policy,
    subject: SubjectRef,
    option: ConsentOption,
    channels: frozenset[Channel],
    *,
    effective_at: datetime,
    recorded_at: datetime,
    collected_via: CollectedVia,
    actor: str,
    evidence: str,
    idempotency_key: str,
    personal: dict[str, str] | None,
) -> LedgerEvent:
    try:
        return LedgerEvent(
            subject=subject,
            data=ConsentWithdrawn(option=option.id, channels=channels),
            effective_at=effective_at,
            recorded_at=recorded_at,
            collected_via=collected_via,
            given_by=GivenBy.SUBJECT,
            actor=actor,
            evidence=evidence,
            policy_id=policy.policy_id,
            policy_version=policy.version,
            idempotency_key=idempotency_key,
            personal=personal,
        )
    except ValidationError as exc:
        raise InvalidEventError(
            f"the withdrawal cannot be recorded as given ({exc.errors()[0]['msg']})",
            "Check the actor and the references passed",
        ) from exc


def append_once(
    ledger: ConsentLog, build: Callable[[datetime], list[LedgerEvent]], effective: datetime
) -> tuple[Recorded, ...]:
    """Append the events `build` makes at `effective`, all or none; a re-delivery returns
    the events first recorded under their keys."""
    events = build(effective)
    try:
        entries = ledger.append_many(events)
    except IdempotencyConflictError:
        # Two deliveries at once: the other recorded first, at its own instant. Ask again
        # at that instant, which returns its events (or refuses a truly different one).
        original = ledger.entry_by_key(events[0].idempotency_key)
        if original is None:
            raise
        events = build(original.event.effective_at)
        entries = ledger.append_many(events)
    return tuple(
        Recorded(entry, entry.event.event_id == event.event_id)
        for entry, event in zip(entries, events, strict=True)
    )


def require_aware(instant: datetime, name: str) -> None:
    if instant.tzinfo is None:
        raise InvalidEventError(
            f"`{name}` {instant.isoformat()} has no time zone",
            "Give instants with a time zone, e.g. 2025-03-01T09:30:00Z",
        )
