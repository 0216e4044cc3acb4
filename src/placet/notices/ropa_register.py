"""The record of processing's recipients and transfers as the disclosure register shows them.

GDPR Art. 30(1)(d)-(e) asks the record for the recipients and for the transfers to third
countries with their safeguards. The policy says which recipients there may be; the
register (`placet.disclosures`) says with which party an agreement is signed, until when,
in which countries it processes and on which chapter V safeguard. `register_recipients`
and `register_transfers` say that in the record's language, as of the register's instant,
for the CSV, XLSX and JSON exports of `placet.notices.ropa`.

Imports nothing outside the standard library, `placet.policy`, `placet.disclosures` and
`placet.notices`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from placet.disclosures import (
    Agreement,
    AgreementKind,
    AgreementStatus,
    RecipientEntry,
    RegisterFlag,
    is_third_country,
    needed_agreement,
)
from placet.errors import DisclosureError
from placet.notices.wording import Wording
from placet.policy.model import TransferSafeguard

__all__ = [
    "RegisterRecipient",
    "RegisterSection",
    "RegisterTransfer",
    "RopaRegister",
    "register_json",
    "register_recipients",
    "register_sections",
    "register_transfers",
]


@dataclass(frozen=True, slots=True)
class RopaRegister:
    """The register beside the record: each recipient's entry (`recipient_register`) as of
    `at` and, when counted, how many disclosures each recipient received from
    `counted_since` until `at` (by recipient id)."""

    entries: tuple[RecipientEntry, ...]
    at: datetime
    disclosures: Mapping[str, int] | None = None
    counted_since: datetime | None = None

    def __post_init__(self) -> None:
        if self.disclosures is not None and self.counted_since is None:
            raise DisclosureError(
                "a count of disclosures names when its period starts (counted_since)"
            )


@dataclass(frozen=True, slots=True)
class RegisterRecipient:
    """One recipient of the register in words: its agreements, the countries and transfer
    safeguards in force, what the DPO should look at, and its disclosures when counted."""

    entry: RecipientEntry
    recipient: str
    agreements: tuple[str, ...]
    countries: tuple[str, ...]
    safeguards: tuple[str, ...]
    flags: tuple[str, ...]
    disclosures: int | None


@dataclass(frozen=True, slots=True)
class RegisterTransfer:
    """Data a recipient's party processes in a third country, under one agreement."""

    recipient_id: str
    recipient: str
    agreement: Agreement
    country: str | None
    """ISO 3166; None when neither the agreement nor the policy names the country."""
    country_name: str
    safeguard: str
    validity: str
    status: AgreementStatus
    status_words: str


@dataclass(frozen=True, slots=True)
class RegisterSection:
    """A table of the register, as the CSV and XLSX exports lay it out."""

    title: str
    headers: list[str]
    rows: list[list[str]]


def register_recipients(wording: Wording, register: RopaRegister) -> list[RegisterRecipient]:
    """Each recipient of the register, said in `wording`'s language as of `register.at`."""
    at = register.at
    said = []
    for entry in register.entries:
        in_force = entry.in_force(at)
        countries = dict.fromkeys(country for a in in_force for country in a.countries)
        said.append(
            RegisterRecipient(
                entry=entry,
                recipient=wording.recipient(entry.recipient),
                agreements=tuple(_agreement_line(wording, a, at) for a in entry.agreements),
                countries=tuple(wording.country(country) for country in countries),
                safeguards=tuple(
                    f"{wording.words(ground)} ({a.agreement_id}, {_validity(wording, a)})"
                    for a, ground in _grounds(in_force)
                ),
                flags=tuple(
                    _flag_line(wording, entry, flag, detail) for flag, detail in entry.flags
                ),
                disclosures=None
                if register.disclosures is None
                else register.disclosures.get(entry.recipient.id, 0),
            )
        )
    return said


def register_transfers(wording: Wording, register: RopaRegister) -> list[RegisterTransfer]:
    """Every agreement under which a party processes data in a third country, a row per
    country: the countries it names outside the controller's (outside the EEA for an EEA
    controller), or the policy's country for a recipient it places in a third country."""
    policy = wording.policy
    transfers = []
    for entry in register.entries:
        recipient = entry.recipient
        for agreement in entry.agreements:
            countries: list[str | None] = [
                country for country in agreement.countries if is_third_country(policy, country)
            ]
            if not agreement.countries and recipient.third_country:
                countries = [recipient.country]
            status = agreement.status(register.at)
            for country in countries:
                transfers.append(
                    RegisterTransfer(
                        recipient_id=recipient.id,
                        recipient=wording.recipient(recipient),
                        agreement=agreement,
                        country=country,
                        country_name=wording.country(country) or wording.phrase("ropa.no-country"),
                        safeguard=wording.words(agreement.safeguard or TransferSafeguard.NONE),
                        validity=_validity(wording, agreement),
                        status=status,
                        status_words=wording.phrase(f"agreement-status.{status.value}"),
                    )
                )
    return transfers


def register_sections(wording: Wording, register: RopaRegister) -> list[RegisterSection]:
    """The recipients and the transfers as two tables of text, each with its title.

    Art. 30(1)(d)-(e): an empty cell says `None.` in the record's language.
    """
    none = wording.phrase("document.none")
    date = register.at.date().isoformat()
    headers = [
        wording.phrase(key)
        for key in (
            "ropa.recipient-id",
            "ropa.recipient",
            "ropa.agreements",
            "ropa.countries-in-force",
            "ropa.safeguards-in-force",
            "ropa.flags",
        )
    ]
    if register.counted_since is not None and register.disclosures is not None:
        since = register.counted_since.date().isoformat()
        headers.append(wording.phrase("ropa.disclosures-since", date=since))
    recipients = []
    for said in register_recipients(wording, register):
        lists = (said.agreements, said.countries, said.safeguards, said.flags)
        row = [said.entry.recipient.id, said.recipient, *("\n".join(v) or none for v in lists)]
        if said.disclosures is not None:
            row.append(str(said.disclosures))
        recipients.append(row)
    transfers = [
        [
            transfer.recipient,
            transfer.agreement.party,
            transfer.agreement.agreement_id,
            transfer.country_name,
            transfer.safeguard,
            transfer.validity,
            transfer.status_words,
        ]
        for transfer in register_transfers(wording, register)
    ]
    transfer_headers = [
        wording.phrase(key)
        for key in (
            "ropa.recipient",
            "ropa.party",
            "ropa.agreement",
            "ropa.country",
            "ropa.safeguard",
            "ropa.validity",
            "ropa.status",
        )
    ]
    return [
        RegisterSection(wording.phrase("ropa.register-recipients", date=date), headers, recipients),
        RegisterSection(
            wording.phrase("ropa.register-transfers", date=date), transfer_headers, transfers
        ),
    ]


def register_json(wording: Wording, register: RopaRegister) -> dict[str, Any]:
    """The register's part of the JSON export: each code beside its words."""
    at = register.at
    return {
        "at": at.isoformat(),
        "disclosures_since": None
        if register.counted_since is None
        else register.counted_since.isoformat(),
        "recipients": [
            {
                "recipient_id": said.entry.recipient.id,
                "recipient": said.recipient,
                "kind": said.entry.recipient.kind.value,
                "agreements": [_agreement_json(wording, a, at) for a in said.entry.agreements],
                "countries_in_force": list(
                    dict.fromkeys(c for a in said.entry.in_force(at) for c in a.countries)
                ),
                "safeguards_in_force": [
                    ground.value for _, ground in _grounds(said.entry.in_force(at))
                ],
                "flags": [
                    {
                        "flag": flag.value,
                        "label": wording.phrase(f"register-flag.{flag.value}"),
                        "detail": detail,
                    }
                    for flag, detail in said.entry.flags
                ],
                "disclosures": said.disclosures,
            }
            for said in register_recipients(wording, register)
        ],
        "transfers": [
            {
                "recipient_id": transfer.recipient_id,
                "recipient": transfer.recipient,
                "agreement_id": transfer.agreement.agreement_id,
                "party": transfer.agreement.party,
                "country": transfer.country,
                "country_name": transfer.country_name,
                "safeguard": _code(transfer.agreement.safeguard),
                "safeguard_label": transfer.safeguard,
                "valid_from": transfer.agreement.valid_from.isoformat(),
                "valid_until": _iso(transfer.agreement.valid_until),
                "status": transfer.status.value,
            }
            for transfer in register_transfers(wording, register)
        ],
    }


def _agreement_line(wording: Wording, agreement: Agreement, at: datetime) -> str:
    """`DPA-2024-07: data processing agreement, Acme LLC, ref. C-118, 2024-01-01 to
    2026-12-31 (in force)`."""
    status = agreement.status(at)
    details = wording.listing(
        [
            _kind(wording, agreement.kind),
            agreement.party,
            wording.phrase("ropa.reference", reference=agreement.reference),
            _validity(wording, agreement),
        ]
    )
    state = wording.phrase(f"agreement-status.{status.value}")
    return f"{agreement.agreement_id}: {details} ({state})"


def _flag_line(wording: Wording, entry: RecipientEntry, flag: RegisterFlag, detail: str) -> str:
    """`transfer safeguard expired: SCC-2022 (Nimbus Cloud GmbH) ended 2026-03-31`; a
    missing agreement is named by its kind, in the record's language."""
    words = wording.phrase(f"register-flag.{flag.value}")
    if flag is RegisterFlag.NO_SAFEGUARD:
        return words
    if flag is RegisterFlag.NO_AGREEMENT:
        needed = needed_agreement(entry.recipient)
        return words if needed is None else f"{words}: {_kind(wording, needed)}"
    return f"{words}: {detail}"


def _kind(wording: Wording, kind: AgreementKind) -> str:
    return wording.phrase(f"agreement-kind.{kind.value}")


def _agreement_json(wording: Wording, agreement: Agreement, at: datetime) -> dict[str, Any]:
    return {
        "agreement_id": agreement.agreement_id,
        "kind": agreement.kind.value,
        "kind_label": _kind(wording, agreement.kind),
        "party": agreement.party,
        "reference": agreement.reference,
        "valid_from": agreement.valid_from.isoformat(),
        "valid_until": _iso(agreement.valid_until),
        "status": agreement.status(at).value,
        "countries": list(agreement.countries),
        "safeguard": _code(agreement.safeguard),
    }


def _grounds(agreements: Iterable[Agreement]) -> list[tuple[Agreement, TransferSafeguard]]:
    """The agreements that name a ground for a transfer, with it."""
    return [
        (agreement, agreement.safeguard)
        for agreement in agreements
        if agreement.safeguard is not None and agreement.safeguard is not TransferSafeguard.NONE
    ]


def _validity(wording: Wording, agreement: Agreement) -> str:
    start = agreement.valid_from.date().isoformat()
    if agreement.valid_until is None:
        return wording.phrase("ropa.valid-from", start=start)
    end = agreement.valid_until.date().isoformat()
    return wording.phrase("ropa.valid-between", start=start, end=end)


def _code(safeguard: TransferSafeguard | None) -> str | None:
    return None if safeguard is None else safeguard.value


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
