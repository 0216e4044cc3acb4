"""What an access answer says of the disclosure register: every disclosure of the subject's
data (GDPR Art. 15(1)(c)) and the recipients told of a change to it (Art. 19), as JSON
values for `answer.json` and as sections of the printed copy.

The caller passes only what the subject may be told: a disclosure a confidentiality order
still keeps from them, and the notifications of its recipient, are left out before they
reach this module, and nothing here says that anything was. Names come from the policy
version of the answer, in its language; an element that version no longer names is shown
by its id. Imports nothing outside the standard library, `placet.disclosures`,
`placet.policy` and the notices' own wording.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from placet.disclosures import (
    Agreement,
    Disclosure,
    DisclosureKind,
    NotificationStatus,
    RecipientNotification,
)
from placet.notices.structure import Entry, Section, entries_section, fields
from placet.notices.wording import Wording
from placet.policy import TransferSafeguard

__all__ = [
    "agreement_facts",
    "agreements_section",
    "disclosure_facts",
    "disclosures_section",
    "latest_notifications",
    "notification_facts",
    "notifications_section",
]

_WORDED_TRANSFERS = frozenset({"none", "within-eea", "not-covered"})
"""Transfer grounds the copy words itself; the rest are the policy's safeguards."""


def latest_notifications(
    notifications: Sequence[RecipientNotification],
) -> tuple[RecipientNotification, ...]:
    """Each recipient's latest result for each request, oldest first: a retry that got
    through replaces the failure it retried."""
    latest: dict[tuple[str, str, str], RecipientNotification] = {}
    for notification in sorted(notifications, key=lambda item: item.at):
        key = (notification.request_id, notification.recipient, notification.party)
        earlier = latest.get(key)
        if earlier is None or notification.status is not NotificationStatus.FAILED:
            latest[key] = notification
    return tuple(sorted(latest.values(), key=lambda item: item.at))


def disclosure_facts(
    wording: Wording, disclosures: Sequence[Disclosure]
) -> list[dict[str, object]]:
    """The disclosures as JSON values, each referenced value `{"id": code, "name": words}`."""
    return [_disclosure_facts(wording, disclosure) for disclosure in disclosures]


def notification_facts(
    wording: Wording, notifications: Sequence[RecipientNotification]
) -> list[dict[str, object]]:
    """The recipients told of a change, as JSON values: each recipient's latest result."""
    return [
        {
            "at": _utc(notification.at).isoformat(),
            "request": notification.request_id,
            "change": _coded(wording, "copy.change", notification.change.value),
            "recipient": {
                "id": notification.recipient,
                "name": _recipient_name(wording, notification.recipient),
            },
            "party": notification.party,
            "result": _coded(wording, "copy.notified", notification.status.value),
            "disclosures": list(notification.disclosures),
        }
        for notification in latest_notifications(notifications)
    ]


def agreement_facts(wording: Wording, agreements: Sequence[Agreement]) -> list[dict[str, object]]:
    """The agreements in force, as JSON values: the company behind each recipient, where
    it processes the data and the safeguard a third country rests on."""
    return [
        {
            "recipient": {
                "id": agreement.recipient,
                "name": _recipient_name(wording, agreement.recipient),
            },
            "party": agreement.party,
            "kind": _coded(wording, "agreement-kind", agreement.kind.value),
            "countries": [
                {"id": country, "name": wording.country(country)} for country in agreement.countries
            ],
            "safeguard": {
                "id": agreement.safeguard.value,
                "name": wording.words(agreement.safeguard),
            }
            if agreement.safeguard is not None
            else None,
            "in_force_since": _utc(agreement.valid_from).isoformat(),
        }
        for agreement in agreements
    ]


def agreements_section(wording: Wording, agreements: Sequence[Agreement]) -> Section | None:
    """'The companies behind the recipients': one entry per agreement in force; None for
    none."""
    return entries_section(
        "parties",
        wording.phrase("copy.heading.parties"),
        wording.phrase("copy.parties-intro"),
        (
            Entry(
                anchor=f"party-{agreement.agreement_id}",
                title=f"{agreement.party} ({_recipient_name(wording, agreement.recipient)})",
                fields=fields(
                    [
                        (
                            wording.phrase("label.kind"),
                            wording.phrase(f"agreement-kind.{agreement.kind.value}"),
                        ),
                        (
                            wording.phrase("label.country"),
                            wording.listing(wording.country(code) for code in agreement.countries),
                        ),
                        (
                            wording.phrase("copy.label.transfer"),
                            wording.words(agreement.safeguard) if agreement.safeguard else "",
                        ),
                        (
                            wording.phrase("copy.label.in-force-since"),
                            wording.day_of(agreement.valid_from),
                        ),
                    ]
                ),
            )
            for agreement in agreements
        ),
    )


def disclosures_section(wording: Wording, disclosures: Sequence[Disclosure]) -> Section | None:
    """'Who received your data': one entry per disclosure, oldest first; None for none."""
    return entries_section(
        "disclosures",
        wording.phrase("copy.heading.disclosures"),
        wording.phrase("copy.disclosures-intro"),
        (_disclosure_entry(wording, item) for item in disclosures),
    )


def notifications_section(
    wording: Wording, notifications: Sequence[RecipientNotification]
) -> Section | None:
    """'Recipients told of changes to your data' (Art. 19); None when none was told."""
    return entries_section(
        "recipients-notified",
        wording.phrase("copy.heading.notified"),
        wording.phrase("copy.notified-intro"),
        (
            Entry(
                anchor=f"notified-{notification.notification_id}",
                title=f"{wording.day_of(notification.at)}: "
                f"{_recipient_name(wording, notification.recipient)}",
                fields=fields(
                    [
                        (wording.phrase("copy.label.party"), notification.party),
                        (
                            wording.phrase("copy.label.change"),
                            wording.phrase(f"copy.change.{notification.change.value}"),
                        ),
                        (
                            wording.phrase("copy.label.result"),
                            wording.phrase(f"copy.notified.{notification.status.value}"),
                        ),
                        (wording.phrase("copy.label.request"), notification.request_id),
                    ]
                ),
            )
            for notification in latest_notifications(notifications)
        ),
    )


def _disclosure_facts(wording: Wording, disclosure: Disclosure) -> dict[str, object]:
    proposed = disclosure.proposed
    country = proposed.country
    is_assignment = disclosure.kind is DisclosureKind.DEBT_ASSIGNMENT
    return {
        "id": disclosure.disclosure_id,
        "disclosed_at": _utc(proposed.disclosed_at).isoformat(),
        "kind": _coded(wording, "copy.disclosure-kind", disclosure.kind.value),
        "recipient": {
            "id": proposed.recipient,
            "name": _recipient_name(wording, proposed.recipient),
        },
        "party": proposed.party,
        "purpose": {"id": proposed.purpose, "name": _purpose_name(wording, proposed.purpose)},
        "categories": [
            {"id": ident, "name": _category_name(wording, ident)} for ident in proposed.categories
        ],
        "country": {"id": country, "name": wording.country(country)} if country else None,
        "transfer": {"id": disclosure.transfer, "name": _transfer(wording, disclosure.transfer)},
        "legal_ground": proposed.legal_ground,
        "reference": proposed.reference,
        "buyer": proposed.party if is_assignment else None,
        "records": list(proposed.records),
    }


def _disclosure_entry(wording: Wording, disclosure: Disclosure) -> Entry:
    proposed = disclosure.proposed
    is_assignment = disclosure.kind is DisclosureKind.DEBT_ASSIGNMENT
    party_label = "copy.label.buyer" if is_assignment else "copy.label.party"
    return Entry(
        anchor=f"disclosure-{disclosure.disclosure_id}",
        title=f"{wording.day_of(proposed.disclosed_at)}: "
        f"{_recipient_name(wording, proposed.recipient)}",
        fields=fields(
            [
                (wording.phrase("copy.label.disclosed-on"), wording.day_of(proposed.disclosed_at)),
                (
                    wording.phrase("copy.label.recipient"),
                    _recipient_name(wording, proposed.recipient),
                ),
                (wording.phrase(party_label), proposed.party or ""),
                (
                    wording.phrase("label.kind"),
                    wording.phrase(f"copy.disclosure-kind.{disclosure.kind.value}"),
                ),
                (wording.phrase("copy.label.purpose"), _purpose_name(wording, proposed.purpose)),
                (
                    wording.phrase("label.data-categories"),
                    wording.listing(_category_name(wording, item) for item in proposed.categories),
                ),
                (wording.phrase("label.country"), wording.country(proposed.country)),
                (wording.phrase("copy.label.transfer"), _transfer(wording, disclosure.transfer)),
                (wording.phrase("label.legal-ground"), proposed.legal_ground or ""),
                (wording.phrase("copy.label.reference"), proposed.reference or ""),
                (wording.phrase("copy.label.records"), wording.listing(proposed.records)),
            ]
        ),
    )


def _coded(wording: Wording, prefix: str, value: str) -> dict[str, str]:
    return {"id": value, "name": wording.phrase(f"{prefix}.{value}")}


def _recipient_name(wording: Wording, recipient: str | None) -> str:
    """The policy's name of the recipient in the answer's language; a network abroad for a
    transfer inherent to the service, which names no recipient of the policy."""
    if recipient is None or recipient == DisclosureKind.INHERENT_TRANSFER.value:
        return wording.phrase("copy.recipient.inherent-transfer")
    named = {item.id: item for item in wording.policy.recipients}
    return wording.text(named[recipient].name) if recipient in named else recipient


def _purpose_name(wording: Wording, purpose: str) -> str:
    named = {item.id: item for item in wording.policy.purposes}
    return wording.text(named[purpose].name) if purpose in named else purpose


def _category_name(wording: Wording, category: str) -> str:
    named = {item.id: item for item in wording.policy.data_categories}
    return wording.text(named[category].name) if category in named else category


def _transfer(wording: Wording, transfer: str) -> str:
    if transfer in _WORDED_TRANSFERS:
        return wording.phrase(f"copy.transfer.{transfer}")
    try:
        return wording.words(TransferSafeguard(transfer))
    except ValueError:
        return transfer


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC) if at.tzinfo is not None else at.replace(tzinfo=UTC)
