"""The record of processing (GDPR Art. 30(1)(d)-(e)) with the disclosure register beside it:
each recipient's agreements, the countries and safeguards in force, the register's flags,
and the transfers to third countries, in the CSV, XLSX and JSON exports."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from placet.disclosures import Agreement, AgreementKind, needed_agreement, recipient_register
from placet.errors import DisclosureError
from placet.notices import RopaFormat, RopaRegister, export_ropa
from placet.notices.phrases import PHRASES
from placet.policy import Policy, TransferSafeguard, load_policy_set
from tests.notices.builders import POLICIES

AT = datetime(2026, 6, 1, tzinfo=UTC)
SINCE = AT - timedelta(days=365)


def day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Register:
    """An operator's agreements, and what the record should say of them."""

    agreements: tuple[Agreement, ...]
    processor: str
    """A recipient whose agreement is in force."""
    abroad: str
    """The recipient with a transfer to a third country, whose earlier safeguard lapsed."""
    in_force: str
    """The agreement id of its safeguard in force."""
    expired: str
    """The agreement id of its lapsed safeguard."""
    expired_on: str
    country: str
    ground: str
    """The safeguard in force, as its code."""


def _agreement(
    agreement_id: str, recipient: str, kind: AgreementKind, party: str, **more: object
) -> Agreement:
    return Agreement(
        agreement_id=agreement_id,
        recipient=recipient,
        kind=kind,
        party=party,
        reference=f"C-{agreement_id}",
        valid_from=day("2024-01-01"),
        recorded_by="dpo",
        **more,  # type: ignore[arg-type]
    )


REGISTERS = {
    "ipko": Register(
        agreements=(
            _agreement("DPA-CONTRACTORS", "contractors", AgreementKind.PROCESSOR_AGREEMENT,
                       "Kosova Field Services", countries=("XK",)),
            _agreement("DPA-CLOUD", "third-country-suppliers", AgreementKind.PROCESSOR_AGREEMENT,
                       "Nimbus Cloud GmbH", countries=("DE",),
                       safeguard=TransferSafeguard.DATA_PROCESSING_AGREEMENT),
            _agreement("SCC-2022", "third-country-suppliers", AgreementKind.TRANSFER_SAFEGUARD,
                       "Nimbus Cloud GmbH", countries=("DE",),
                       safeguard=TransferSafeguard.STANDARD_CONTRACTUAL_CLAUSES,
                       valid_until=day("2026-03-31")),
        ),
        processor="contractors",
        abroad="third-country-suppliers",
        in_force="DPA-CLOUD",
        expired="SCC-2022",
        expired_on="2026-03-31",
        country="DE",
        ground="data-processing-agreement",
    ),
    "ipnordic": Register(
        agreements=(
            _agreement("JCA-ENREACH", "enreach", AgreementKind.JOINT_CONTROLLER_ARRANGEMENT,
                       "Enreach A/S", countries=("DK",)),
            _agreement("DPA-SUPPORT", "processors", AgreementKind.PROCESSOR_AGREEMENT,
                       "Fjord Support Inc.", countries=("US",),
                       safeguard=TransferSafeguard.ADEQUACY),
            _agreement("SCC-SUPPORT", "processors", AgreementKind.TRANSFER_SAFEGUARD,
                       "Fjord Support Inc.", countries=("US",),
                       safeguard=TransferSafeguard.STANDARD_CONTRACTUAL_CLAUSES,
                       valid_until=day("2025-12-31")),
        ),
        processor="enreach",
        abroad="processors",
        in_force="DPA-SUPPORT",
        expired="SCC-SUPPORT",
        expired_on="2025-12-31",
        country="US",
        ground="adequacy",
    ),
}  # fmt: skip


def policy_of(operator: str) -> Policy:
    return load_policy_set(POLICIES / operator).in_force(AT)


def register_of(operator: str, policy: Policy) -> RopaRegister:
    entries = recipient_register(policy, REGISTERS[operator].agreements, AT)
    counts = {REGISTERS[operator].abroad: 4, REGISTERS[operator].processor: 2}
    return RopaRegister(entries, AT, disclosures=counts, counted_since=SINCE)


@pytest.mark.parametrize("operator", list(REGISTERS))
def test_the_ropa_lists_recipients_and_transfers_from_the_register(operator: str) -> None:
    policy = policy_of(operator)
    expected = REGISTERS[operator]

    document = json.loads(export_ropa(policy, RopaFormat.JSON, "en", register_of(operator, policy)))

    register = document["register"]
    recipients = {recipient["recipient_id"]: recipient for recipient in register["recipients"]}
    assert list(recipients) == [recipient.id for recipient in policy.recipients]
    abroad = recipients[expected.abroad]
    assert [a["agreement_id"] for a in abroad["agreements"]] == [
        expected.in_force,
        expected.expired,
    ]
    assert [a["status"] for a in abroad["agreements"]] == ["in-force", "expired"]
    assert abroad["agreements"][1]["party"] == abroad["agreements"][0]["party"]
    assert abroad["agreements"][1]["valid_until"].startswith(expected.expired_on)
    assert abroad["countries_in_force"] == [expected.country]
    assert abroad["safeguards_in_force"] == [expected.ground]
    assert [flag["flag"] for flag in abroad["flags"]] == ["safeguard-expired"]
    assert expected.expired in abroad["flags"][0]["detail"]
    assert abroad["disclosures"] == 4
    processor = recipients[expected.processor]
    assert processor["flags"] == []
    assert processor["agreements"][0]["kind"] in {
        "processor-agreement",
        "joint-controller-arrangement",
    }
    assert register["disclosures_since"].startswith(SINCE.date().isoformat())
    # a processor or joint controller with no agreement is flagged too
    bare = {
        recipient.id
        for recipient in policy.recipients
        if needed_agreement(recipient) is not None
        and all(agreement.recipient != recipient.id for agreement in expected.agreements)
    }
    assert bare == {
        ident
        for ident, recipient in recipients.items()
        if any(flag["flag"] == "no-agreement" for flag in recipient["flags"])
    }
    transfers = [
        (t["agreement_id"], t["country"], t["safeguard"], t["status"])
        for t in register["transfers"]
    ]
    assert (expected.in_force, expected.country, expected.ground, "in-force") in transfers
    assert (
        expected.expired,
        expected.country,
        "standard-contractual-clauses",
        "expired",
    ) in transfers
    assert all(t["country"] != policy.controller.country for t in register["transfers"])


@pytest.mark.parametrize("operator", list(REGISTERS))
def test_the_ropa_csv_and_xlsx_carry_the_register_after_the_entries(operator: str) -> None:
    policy = policy_of(operator)
    register = register_of(operator, policy)
    expected = REGISTERS[operator]

    text = export_ropa(policy, RopaFormat.CSV, "en", register).decode("utf-8-sig")
    book = load_workbook(io.BytesIO(export_ropa(policy, RopaFormat.XLSX, "en", register)))

    rows = list(csv.reader(io.StringIO(text)))
    titles = [row[0] for row in rows if len(row) == 1]
    assert titles == [
        "Recipients in the register on 2026-06-01",
        "Transfers to third countries in the register on 2026-06-01",
    ]
    recipients = rows[rows.index([titles[0]]) + 1 :]
    assert recipients[0][-1] == "Disclosures since 2025-06-01"
    abroad = next(row for row in recipients if row[0] == expected.abroad)
    assert "transfer safeguard expired" in abroad[5]
    assert "(expired)" in abroad[2]
    transfers = rows[rows.index([titles[1]]) + 1 :]
    assert transfers[0] == [
        "Recipient",
        "Party",
        "Agreement",
        "Country",
        "Safeguard",
        "Valid",
        "Status",
    ]
    assert any(row[2] == expected.expired and row[-1] == "expired" for row in transfers[1:])
    assert book.sheetnames == ["Processing activities", "Controller", "Recipients", "Transfers"]
    assert book["Recipients"]["A1"].value == titles[0]
    assert book["Transfers"].max_row == len(transfers) + 1


def test_without_a_register_the_ropa_is_the_policy_alone() -> None:
    policy = policy_of("ipko")

    document = json.loads(export_ropa(policy, RopaFormat.JSON, "en"))
    text = export_ropa(policy, RopaFormat.CSV, "en").decode("utf-8-sig")

    assert "register" not in document
    rows = list(csv.reader(io.StringIO(text)))
    assert all(len(row) == len(rows[0]) for row in rows)


def test_the_register_is_said_in_the_record_language() -> None:
    policy = policy_of("ipnordic")

    text = export_ropa(policy, RopaFormat.CSV, "da", register_of("ipnordic", policy))

    assert "Overførsler til tredjelande i registret pr. 2026-06-01" in text.decode("utf-8-sig")
    assert "overførselsgarantien er udløbet" in text.decode("utf-8-sig")


def test_every_agreement_kind_status_and_flag_has_words_in_every_language() -> None:
    from placet.disclosures import AgreementStatus, RegisterFlag

    for prefix, enum in (
        ("agreement-kind", AgreementKind),
        ("agreement-status", AgreementStatus),
        ("register-flag", RegisterFlag),
    ):
        for value in enum:
            assert f"{prefix}.{value.value}" in PHRASES


def test_a_count_of_disclosures_names_when_its_period_starts() -> None:
    with pytest.raises(DisclosureError, match="counted_since"):
        RopaRegister((), AT, disclosures={"contractors": 1})
