"""The record of processing activities of GDPR Art. 30(1), one entry per purpose, and its export.

Exports as CSV (UTF-8 with a byte order mark, one header row), XLSX (openpyxl: a sheet of
entries and a `Controller` sheet) or JSON (an object with `policy`, `controller`, `dpo` and
`entries`). Each format names the policy, its version and the date it took effect.

Given the disclosure register (`RopaRegister`), the record also lists each recipient's
agreements, the countries and transfer safeguards in force and the register's flags, and
every transfer to a third country the register shows: in the CSV as two more tables after
the entries (a blank row, a title row, a header row, the rows), in the XLSX as the sheets
`Recipients` and `Transfers`, in the JSON under `register`.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from placet.notices.ropa_register import RopaRegister, register_json, register_sections
from placet.notices.scope import recipients_for, retention_rules_for
from placet.notices.wording import Wording
from placet.policy.model import (
    LegalBasis,
    Policy,
    Purpose,
    Recipient,
    TransferSafeguard,
)

__all__ = ["RopaEntry", "RopaFormat", "RopaRegister", "build_ropa", "export_ropa"]

REGISTER_SHEETS = ("Recipients", "Transfers")
"""The XLSX sheets of the register's recipients and transfers."""


class RopaFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


@dataclass(frozen=True, slots=True)
class RopaEntry:
    """One processing activity (a purpose) with what Art. 30(1)(a)–(g) asks of it, in words.

    The fields after `security` hold the policy's codes for the same things, for the JSON export.
    """

    purpose_id: str
    purpose: str
    description: str
    controller: str
    controller_contact: str
    dpo_contact: str
    legal_basis: str
    legitimate_interest: str
    legal_ground: str
    data_subjects: tuple[str, ...]
    data_categories: tuple[str, ...]
    recipients: tuple[str, ...]
    transfers: tuple[str, ...]
    retention: tuple[str, ...]
    security: str
    legal_basis_code: str = ""
    """`legitimate-interest`: the `LegalBasis` value; '' when the purpose names none."""
    data_subject_ids: tuple[str, ...] = ()
    data_category_ids: tuple[str, ...] = ()
    recipient_ids: tuple[str, ...] = ()
    retention_rule_ids: tuple[str, ...] = ()


_COLUMN_PHRASES = {
    "purpose_id": "ropa.purpose-id",
    "purpose": "ropa.purpose",
    "description": "ropa.description",
    "controller": "label.controller",
    "controller_contact": "ropa.controller-contact",
    "dpo_contact": "ropa.dpo-contact",
    "legal_basis": "label.legal-basis",
    "legitimate_interest": "label.legitimate-interest",
    "legal_ground": "label.legal-ground",
    "data_subjects": "ropa.subjects",
    "data_categories": "ropa.categories",
    "recipients": "ropa.recipients",
    "transfers": "ropa.transfers",
    "retention": "ropa.retention",
    "security": "ropa.security",
}
"""The phrase heading each column, in column order: the worded fields of `RopaEntry`."""

_SAID_WHEN_EMPTY = frozenset({"recipients", "transfers"})
"""Columns whose empty cell says `None.` in the record's language instead of staying blank."""

_POLICY_COLUMNS = ("ropa.policy", "ropa.policy-version", "ropa.effective-from")
"""The CSV's leading columns: the policy id, its version and the date it took effect."""


def build_ropa(policy: Policy, language: str) -> list[RopaEntry]:
    """The record of processing of `policy` in `language`, one entry per purpose."""
    wording = Wording.of(policy, language)
    return [_entry(wording, purpose) for purpose in policy.purposes]


def _entry(wording: Wording, purpose: Purpose) -> RopaEntry:
    policy = wording.policy
    controller = policy.controller
    subject_types: list[str] = [*purpose.subject_types] or [
        kind.id for kind in policy.subject_types
    ]
    recipients = recipients_for(policy, purpose)
    retention_rules = retention_rules_for(policy, purpose)
    return RopaEntry(
        purpose_id=purpose.id,
        purpose=wording.text(purpose.name),
        description=wording.text(purpose.description),
        controller=controller.legal_name,
        controller_contact=wording.listing(
            [controller.address, controller.email or "", controller.phone or ""]
        ),
        dpo_contact=wording.contact_line(controller.dpo),
        legal_basis=wording.words(purpose.legal_basis) if purpose.legal_basis else "",
        legitimate_interest=wording.text(purpose.legitimate_interest),
        legal_ground=wording.text(purpose.legal_ground),
        data_subjects=tuple(wording.subject_type_names([ident]) for ident in subject_types),
        data_categories=tuple(wording.category_names([ident]) for ident in purpose.categories),
        recipients=tuple(wording.recipient(recipient) for recipient in recipients),
        transfers=tuple(_transfers(wording, purpose, recipients)),
        retention=tuple(wording.retention(rule) for rule in retention_rules),
        security=wording.text(policy.security),
        legal_basis_code=purpose.legal_basis.value if purpose.legal_basis else "",
        data_subject_ids=tuple(subject_types),
        data_category_ids=tuple(purpose.categories),
        recipient_ids=tuple(recipient.id for recipient in recipients),
        retention_rule_ids=tuple(rule.id for rule in retention_rules),
    )


def _transfers(wording: Wording, purpose: Purpose, recipients: list[Recipient]) -> list[str]:
    said = []
    for recipient in recipients:
        if recipient.third_country:
            safeguard = wording.words(recipient.safeguard or TransferSafeguard.NONE)
            said.append(f"{wording.recipient(recipient)}: {safeguard}")
    transfers = wording.policy.transfers
    derogation = TransferSafeguard.CONTRACT_PERFORMANCE_DEROGATION
    # Art. 49(1)(b) GDPR: this derogation covers only transfers needed to perform the contract.
    if (
        transfers is not None
        and transfers.occurs
        and derogation in transfers.safeguards
        and purpose.legal_basis is LegalBasis.CONTRACT
    ):
        said.append(f"{wording.text(transfers.description)} ({wording.words(derogation)})")
    return said


def export_ropa(
    policy: Policy, fmt: RopaFormat, language: str, register: RopaRegister | None = None
) -> bytes:
    """The record of processing as CSV, XLSX or JSON bytes, with the register's recipients
    and transfers when `register` is given.

    export_ropa(policy, RopaFormat.CSV, "en")
    """
    fmt = RopaFormat(fmt)
    entries = build_ropa(policy, language)
    wording = Wording.of(policy, language)
    if fmt is RopaFormat.CSV:
        return _csv(wording, entries, register)
    if fmt is RopaFormat.JSON:
        return _json(wording, entries, register)
    # openpyxl is loaded only for a workbook: not by every `placet` command at start.
    from placet.notices.workbook import TitledSheet, write_workbook

    sections = [] if register is None else register_sections(wording, register)
    return write_workbook(
        headers=column_headers(wording),
        rows=[entry_cells(wording, entry) for entry in entries],
        controller=controller_rows(wording),
        title=wording.phrase("ropa.title"),
        sheets=[
            TitledSheet(name, section.title, section.headers, section.rows)
            for name, section in zip(REGISTER_SHEETS, sections, strict=False)
        ],
    )


def column_headers(wording: Wording) -> list[str]:
    """The column headings, in the record's language."""
    return [wording.phrase(key) for key in _COLUMN_PHRASES.values()]


def entry_cells(wording: Wording, entry: RopaEntry) -> list[str]:
    """The entry as one row of cells; lists become one line per item.

    Art. 30(1)(d)-(e): a record with no recipients or no transfers says so, rather than
    leaving a blank that reads as "not filled in".
    """
    none = wording.phrase("document.none")
    cells = []
    for name in _COLUMN_PHRASES:
        value = getattr(entry, name)
        if isinstance(value, tuple):
            cells.append("\n".join(value) or (none if name in _SAID_WHEN_EMPTY else ""))
        else:
            cells.append(str(value))
    return cells


def controller_rows(wording: Wording) -> list[tuple[str, str]]:
    """The controller, DPO, authority, and the policy id, version and date as label-value rows."""
    policy = wording.policy
    controller = policy.controller
    rows = [
        (wording.phrase("label.controller"), controller.legal_name),
        (wording.phrase("label.owner"), controller.owner or ""),
        (wording.phrase("label.address"), controller.address),
        (wording.phrase("label.registration"), controller.registration or ""),
        (wording.phrase("label.country"), wording.country(controller.country)),
        (wording.phrase("label.email"), controller.email or ""),
        (wording.phrase("label.phone"), controller.phone or ""),
        (wording.phrase("label.web"), controller.web or ""),
        (wording.phrase("heading.dpo"), wording.contact_line(controller.dpo)),
        (wording.phrase("label.authority"), wording.text(controller.supervisory_authority.name)),
        (wording.phrase("heading.law"), wording.text(controller.jurisdiction)),
        (wording.phrase("ropa.policy"), policy.policy_id),
        (wording.phrase("ropa.policy-version"), policy.version),
        (wording.phrase("ropa.effective-from"), policy.effective_from.isoformat()),
    ]
    return [(label, value) for label, value in rows if value]


def _csv(wording: Wording, entries: list[RopaEntry], register: RopaRegister | None) -> bytes:
    """One header row, then one row per entry led by the policy's id, version and date; then
    the register's tables, each after a blank row and a row with its title.

    Written with a byte order mark (`utf-8-sig`): without it Excel reads the file as the
    local code page and shows ë, ç, č and ø garbled.
    """
    policy = wording.policy
    leading = [policy.policy_id, policy.version, policy.effective_from.isoformat()]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([*(wording.phrase(key) for key in _POLICY_COLUMNS), *column_headers(wording)])
    writer.writerows([*leading, *entry_cells(wording, entry)] for entry in entries)
    for section in [] if register is None else register_sections(wording, register):
        writer.writerows([[], [section.title], section.headers, *section.rows])
    return buffer.getvalue().encode("utf-8-sig")


def _json(wording: Wording, entries: list[RopaEntry], register: RopaRegister | None) -> bytes:
    policy = wording.policy
    controller = policy.controller
    document: dict[str, Any] = {
        "policy": {
            "id": policy.policy_id,
            "version": policy.version,
            "effective_from": policy.effective_from.isoformat(),
            "language": wording.language,
        },
        "controller": {
            "name": controller.legal_name,
            "address": controller.address,
            "country": controller.country,
            "registration": controller.registration,
            "email": controller.email,
            "phone": controller.phone,
            "web": controller.web,
            "owner": controller.owner,
            "supervisory_authority": wording.text(controller.supervisory_authority.name),
        },
        "dpo": {
            "name": controller.dpo.name,
            "email": controller.dpo.email,
            "other_emails": controller.dpo.other_emails,
            "phone": controller.dpo.phone,
            "address": controller.dpo.address,
        },
        "entries": [_json_entry(entry) for entry in entries],
    }
    if register is not None:
        document["register"] = register_json(wording, register)
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def _json_entry(entry: RopaEntry) -> dict[str, Any]:
    """The entry with each code next to its words: `legal_basis` is the code, and
    `legal_basis_label` the words; `data_category_ids` sit beside `data_categories`."""
    return {
        "purpose_id": entry.purpose_id,
        "purpose": entry.purpose,
        "description": entry.description,
        "controller": entry.controller,
        "controller_contact": entry.controller_contact,
        "dpo_contact": entry.dpo_contact,
        "legal_basis": entry.legal_basis_code or None,
        "legal_basis_label": entry.legal_basis,
        "legitimate_interest": entry.legitimate_interest,
        "legal_ground": entry.legal_ground,
        "data_subject_ids": list(entry.data_subject_ids),
        "data_subjects": list(entry.data_subjects),
        "data_category_ids": list(entry.data_category_ids),
        "data_categories": list(entry.data_categories),
        "recipient_ids": list(entry.recipient_ids),
        "recipients": list(entry.recipients),
        "transfers": list(entry.transfers),
        "retention_rule_ids": list(entry.retention_rule_ids),
        "retention": list(entry.retention),
        "security": entry.security,
    }
