"""What an access answer says of the consent ledger: every event recorded about the subject
(their consents and withdrawals, objections, restrictions and opt-outs, contracts, debts and
the facts about them), as JSON values for `answer.json`, as rows for its CSV file and as a
section of the printed copy.

These are the subject's personal data too (GDPR Art. 15(1), 15(3)): IPKO's notice promises
the subject "all your personal data" with the consents they gave or withdrew, and the
choices they made are data they provided (Art. 20(1)). The personal payload an event kept
as evidence (the number or address it came from) is shown where the ledger still holds it;
the chain's hashes and salts are Placet's own and are not. Names come from the policy
version of the answer, in its language; an element that version no longer names is shown by
its id. Imports nothing outside the standard library, `placet.ledger`, `placet.policy` and
the notices' own wording.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from placet.ledger import (
    BusinessOptOutMade,
    ConsentGiven,
    ConsentWithdrawn,
    ContractEnded,
    ContractStarted,
    DebtIncurred,
    DebtSettled,
    EventData,
    LedgerEvent,
    ObjectionMade,
    ObjectionWithdrawn,
    RestrictionSet,
    SubjectFactsRecorded,
)
from placet.notices.structure import Entry, Section, entries_section, fields
from placet.notices.wording import Wording

__all__ = ["RECORDED_COLUMNS", "recorded_facts", "recorded_rows", "recorded_section"]

RECORDED_COLUMNS = (
    "took_effect",
    "recorded_at",
    "event",
    "about",
    "channels",
    "via",
    "given_by",
    "evidence",
    "event_id",
)
"""The columns of the answer's `data/ledger-events.csv`, in order."""

_LABELLED = (
    ("what", "about"),
    ("channels", "channels"),
    ("via", "via"),
    ("given-by", "given_by"),
    ("evidence", "evidence"),
)
"""The printed copy's fields of an event: the label's phrase and the row's column."""


def recorded_facts(wording: Wording, events: Sequence[LedgerEvent]) -> list[dict[str, object]]:
    """The events as JSON values, oldest first; each coded value `{"id": code, "name": words}`."""
    facts: list[dict[str, object]] = []
    for event in _in_order(events):
        row = _row(wording, event)
        facts.append(
            {
                "event_id": row["event_id"],
                "took_effect": row["took_effect"],
                "recorded_at": row["recorded_at"],
                "event": {"id": str(event.data.type), "name": row["event"]},
                "about": row["about"],
                "channels": [
                    {"id": str(channel), "name": wording.phrase(f"channel.{channel}")}
                    for channel in _channels_of(event.data)
                ],
                "via": {"id": str(event.collected_via), "name": row["via"]},
                "given_by": {"id": str(event.given_by), "name": row["given_by"]},
                "evidence": event.evidence,
                "personal": dict(event.personal) if event.personal else None,
            }
        )
    return facts


def recorded_rows(wording: Wording, events: Sequence[LedgerEvent]) -> list[dict[str, str]]:
    """The events as rows of `RECORDED_COLUMNS`, in words, oldest first."""
    return [_row(wording, event) for event in _in_order(events)]


def recorded_section(wording: Wording, events: Sequence[LedgerEvent]) -> Section | None:
    """'Your choices and what we recorded about you': one entry per event, oldest first;
    None when the ledger holds nothing about the subject."""
    entries = []
    for event in _in_order(events):
        row = _row(wording, event)
        entries.append(
            Entry(
                anchor=f"recorded-{event.event_id}",
                title=f"{wording.day_of(event.effective_at)}: {row['event']}",
                fields=fields(
                    (wording.phrase(f"copy.label.{label}"), row[column])
                    for label, column in _LABELLED
                ),
            )
        )
    return entries_section(
        "recorded",
        wording.phrase("copy.heading.recorded"),
        wording.phrase("copy.recorded-intro"),
        entries,
    )


def _row(wording: Wording, event: LedgerEvent) -> dict[str, str]:
    """One event in words, as `RECORDED_COLUMNS`: what the CSV file, the JSON values and
    the printed copy say of it."""
    return {
        "took_effect": _utc(event.effective_at).isoformat(),
        "recorded_at": _utc(event.recorded_at).isoformat(),
        "event": wording.phrase(f"copy.recorded.{event.data.type}"),
        "about": _about(wording, event.data),
        "channels": wording.listing(
            wording.phrase(f"channel.{channel}") for channel in _channels_of(event.data)
        ),
        "via": wording.phrase(f"copy.via.{event.collected_via}"),
        "given_by": wording.phrase(f"copy.by.{event.given_by}"),
        "evidence": event.evidence or "",
        "event_id": str(event.event_id),
    }


def _in_order(events: Sequence[LedgerEvent]) -> list[LedgerEvent]:
    """Oldest first: by when they took effect, then as recorded."""
    return sorted(events, key=lambda event: (event.effective_at, event.recorded_at))


def _about(wording: Wording, data: EventData) -> str:
    """What the event is about, in words: the consent option, the purpose, the contract."""
    policy = wording.policy
    match data:
        case ConsentGiven() | ConsentWithdrawn():
            named = {option.id: option for option in policy.consent_options}
            option = named.get(data.option)
            return wording.text(option.name) if option is not None else str(data.option)
        case ObjectionMade() | ObjectionWithdrawn():
            if data.all_direct_marketing:
                return wording.phrase("copy.recorded.all-direct-marketing")
            purposes = {purpose.id: purpose for purpose in policy.purposes}
            purpose = purposes.get(str(data.purpose))
            return wording.text(purpose.name) if purpose is not None else str(data.purpose)
        case ContractStarted() | ContractEnded():
            return str(data.contract)
        case DebtIncurred() | DebtSettled():
            return str(data.debt)
        case RestrictionSet():
            return str(data.ground) if data.ground is not None else ""
        case BusinessOptOutMade():
            return wording.day_of(data.until) if data.until is not None else ""
        case SubjectFactsRecorded():
            types = {kind.id: kind for kind in policy.subject_types}
            kind = types.get(str(data.subject_type)) if data.subject_type else None
            said = [wording.text(kind.name) if kind is not None else str(data.subject_type or "")]
            if data.birth_date is not None:
                said.append(wording.date(data.birth_date))
            return wording.listing(said)
        case _:
            return ""


def _channels_of(data: EventData) -> list[str]:
    """The channels a consent event names, in order."""
    return sorted(str(channel) for channel in getattr(data, "channels", ()))


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)
