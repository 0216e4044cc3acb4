"""Telling recipients of a change (GDPR Art. 19): when a subject's data is rectified, erased
or restricted, each recipient the register shows received it is told, unless that proves
impossible, and the subject may ask who they were.

`addressees` turns a subject's disclosures into whom to tell: one addressee per recipient
and party, with the contact address of their agreement in the register. A recipient with
no contact on record cannot be told by the channel: it stays in the list, marked, so the
DPO sees it. A transfer inherent to the service (a roaming partner's network) carried the
data for the moment of the call and holds no copy the controller could have corrected; it
is listed as not notified, with that reason. `RecipientNotifier` is the channel: e-mail by
default (`placet.operations`), anything else a caller plugs in.

Imports nothing outside the standard library.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from placet.disclosures.model import Disclosure, DisclosureKind
from placet.disclosures.register import Agreement

__all__ = [
    "Addressee",
    "ChangeKind",
    "NotificationStatus",
    "RecipientNotice",
    "RecipientNotification",
    "RecipientNotifier",
    "addressees",
]


class ChangeKind(StrEnum):
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"


class NotificationStatus(StrEnum):
    SENT = "sent"
    NO_CONTACT = "no-contact"
    """The register has no address for the recipient: the DPO tells it another way."""
    NOT_NEEDED = "not-needed"
    """The recipient holds no copy (a transfer inherent to the service)."""
    FAILED = "failed"
    """The channel failed; carrying the request out again tries once more."""


@dataclass(frozen=True, slots=True)
class Addressee:
    """Whom one notification goes to, and which disclosures make them a recipient."""

    recipient: str
    party: str
    contact: str | None
    disclosures: tuple[str, ...]
    not_needed: bool = False


@dataclass(frozen=True, slots=True)
class RecipientNotice:
    """What a notification says: the change, about whom, and for which disclosures."""

    addressee: Addressee
    change: ChangeKind
    subscriber: str
    request_id: str
    detail: str
    at: datetime


@dataclass(frozen=True, slots=True)
class RecipientNotification:
    """A notification as recorded: to whom, by which channel, with what result."""

    notification_id: str
    request_id: str
    subject: str
    """The subject's pseudonym."""
    change: ChangeKind
    recipient: str
    party: str
    contact: str | None
    channel: str
    status: NotificationStatus
    reference: str | None
    """What the channel gave back (the message id)."""
    disclosures: tuple[str, ...]
    at: datetime


class RecipientNotifier(Protocol):
    """A channel that tells a recipient of a change; returns a reference to the message."""

    @property
    def channel(self) -> str: ...

    def send(self, notice: RecipientNotice) -> str: ...


def addressees(
    disclosures: Iterable[Disclosure], agreements: Iterable[Agreement]
) -> tuple[Addressee, ...]:
    """One addressee per (recipient, party) of `disclosures`, with its contact address."""
    contacts: dict[tuple[str, str], str] = {}
    for agreement in agreements:
        if agreement.contact:
            contacts.setdefault(
                (agreement.recipient, agreement.party.casefold()), agreement.contact
            )
    grouped: dict[tuple[str, str], list[Disclosure]] = {}
    for disclosure in disclosures:
        party = disclosure.proposed.party or disclosure.recipient or ""
        key = (disclosure.recipient or disclosure.kind.value, party)
        grouped.setdefault(key, []).append(disclosure)
    return tuple(
        Addressee(
            recipient=recipient,
            party=party,
            contact=contacts.get((recipient, party.casefold())),
            disclosures=tuple(d.disclosure_id for d in found),
            not_needed=all(d.kind is DisclosureKind.INHERENT_TRANSFER for d in found),
        )
        for (recipient, party), found in sorted(grouped.items())
    )
