"""Agreements and proposals the disclosure tests share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from placet.disclosures import Agreement, AgreementKind, DisclosureKind, ProposedDisclosure
from placet.policy import TransferSafeguard

AT = datetime(2026, 3, 2, 10, tzinfo=UTC)
SIGNED = datetime(2024, 1, 1, tzinfo=UTC)


def agreement(
    recipient: str,
    kind: AgreementKind = AgreementKind.PROCESSOR_AGREEMENT,
    *,
    agreement_id: str | None = None,
    party: str = "Party Ltd",
    until: datetime | None = None,
    countries: tuple[str, ...] = (),
    safeguard: TransferSafeguard | None = None,
    contact: str | None = None,
) -> Agreement:
    return Agreement(
        agreement_id=agreement_id or f"{recipient}-{kind.value}",
        recipient=recipient,
        kind=kind,
        party=party,
        reference=f"contract {recipient}",
        valid_from=SIGNED,
        valid_until=until,
        countries=countries,
        safeguard=safeguard,
        contact=contact,
        recorded_by="dpo",
        recorded_at=SIGNED,
    )


def proposal(
    recipient: str | None,
    purpose: str,
    *categories: str,
    kind: DisclosureKind = DisclosureKind.DISCLOSURE,
    **fields: object,
) -> ProposedDisclosure:
    values: dict[str, object] = {
        "kind": kind,
        "recipient": recipient,
        "purpose": purpose,
        "categories": categories,
        "disclosed_at": AT,
        "approved_by": "dpo-vjosa",
    }
    values.update(fields)
    return ProposedDisclosure(**values)  # type: ignore[arg-type]


def days(count: int) -> timedelta:
    return timedelta(days=count)
