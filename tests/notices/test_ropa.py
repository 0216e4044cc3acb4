"""The record of processing activities (GDPR Art. 30(1)) and its CSV, XLSX and JSON exports."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from placet.errors import PolicyError
from placet.notices import RopaFormat, build_ropa, export_ropa
from placet.notices.ropa import RopaEntry
from placet.policy import Policy
from tests.notices.builders import minimal_policy, reference_policies, rich_policy


def entry_for(policy: Policy, purpose_id: str, language: str = "en") -> RopaEntry:
    return next(entry for entry in build_ropa(policy, language) if entry.purpose_id == purpose_id)


def test_ropa_has_one_entry_per_purpose_with_the_controller_and_dpo() -> None:
    policy = rich_policy()

    entries = build_ropa(policy, "en")

    assert [entry.purpose_id for entry in entries] == [purpose.id for purpose in policy.purposes]
    assert all(entry.controller == "Example Telecom LLC" for entry in entries)
    assert all("dpo@example.test" in entry.dpo_contact for entry in entries)


def test_ropa_states_the_legal_basis_and_legitimate_interest_in_words() -> None:
    entry = entry_for(rich_policy(), "fraud-prevention", "sq")

    assert entry.legal_basis == "Interesi legjitim"
    assert entry.legitimate_interest.startswith("Keeping the network")


def test_ropa_recipients_are_those_naming_the_purpose_or_no_purpose() -> None:
    policy = rich_policy()

    assert entry_for(policy, "contract").recipients == (
        "IT provider (processor, XK)",
        "Cloud provider abroad (processor, US)",
    )
    assert entry_for(policy, "marketing").recipients == ("Cloud provider abroad (processor, US)",)


def test_ropa_transfers_name_each_third_country_recipient_and_its_safeguard() -> None:
    transfers = entry_for(rich_policy(), "marketing").transfers

    assert transfers == ("Cloud provider abroad (processor, US): standard contractual clauses",)


def test_ropa_retention_leaves_out_rules_whose_exception_covers_the_legal_basis() -> None:
    policy = rich_policy()

    marketing = entry_for(policy, "marketing").retention
    contract = entry_for(policy, "contract").retention

    assert not any(line.startswith("Invoices") for line in marketing)
    assert any(line.startswith("Invoices: At most 6 years") for line in contract)


def test_ropa_csv_has_one_row_per_purpose() -> None:
    policy = rich_policy()

    rows = list(csv.reader(io.StringIO(export_ropa(policy, RopaFormat.CSV, "en").decode())))

    assert rows[0][:3] == ["Purpose id", "Purpose", "Description"]
    assert [row[0] for row in rows[1:]] == [purpose.id for purpose in policy.purposes]
    assert all(len(row) == len(rows[0]) for row in rows)


def test_ropa_csv_headings_are_in_the_record_language() -> None:
    text = export_ropa(minimal_policy(), RopaFormat.CSV, "sq").decode("utf-8")

    assert text.splitlines()[0].startswith("Id e qëllimit,Qëllimi,Përshkrimi")


def test_ropa_xlsx_opens_with_openpyxl() -> None:
    policy = rich_policy()

    book = load_workbook(io.BytesIO(export_ropa(policy, RopaFormat.XLSX, "en")))

    assert book.sheetnames == ["Processing activities", "Controller"]
    sheet = book["Processing activities"]
    assert sheet.max_row == 1 + len(policy.purposes)
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet["B2"].alignment.wrap_text
    assert 12 <= sheet.column_dimensions["C"].width <= 60
    controller = {row[0].value: row[1].value for row in book["Controller"].iter_rows()}
    assert controller["Controller"] == "Example Telecom LLC"


def test_ropa_json_has_controller_dpo_and_entries() -> None:
    policy = rich_policy()

    document = json.loads(export_ropa(policy, RopaFormat.JSON, "en"))

    assert document["controller"]["name"] == "Example Telecom LLC"
    assert document["dpo"]["email"] == "dpo@example.test"
    assert len(document["entries"]) == len(policy.purposes)
    assert document["entries"][0]["data_categories"] == ["Contact data", "Traffic data"]


def test_ropa_in_an_unknown_language_is_refused() -> None:
    with pytest.raises(PolicyError, match="its languages are en, sq"):
        export_ropa(minimal_policy(), RopaFormat.CSV, "da")


@pytest.mark.parametrize("policy", reference_policies(), ids=lambda policy: policy.policy_id)
def test_reference_policy_exports_a_record_in_each_of_its_languages(policy: Policy) -> None:
    for language in policy.languages:
        entries = build_ropa(policy, language)
        assert len(entries) == len(policy.purposes)
        assert all(entry.legal_basis for entry in entries)
        load_workbook(io.BytesIO(export_ropa(policy, RopaFormat.XLSX, language)))
