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
        "IT provider (processor, Kosovo)",
        "Cloud provider abroad (processor, United States)",
    )
    assert entry_for(policy, "marketing").recipients == (
        "Cloud provider abroad (processor, United States)",
    )


def test_ropa_transfers_name_each_third_country_recipient_and_its_safeguard() -> None:
    transfers = entry_for(rich_policy(), "marketing").transfers

    assert transfers == (
        "Cloud provider abroad (processor, United States): standard contractual clauses",
    )


def test_ropa_retention_leaves_out_rules_whose_exception_covers_the_legal_basis() -> None:
    policy = rich_policy()

    marketing = entry_for(policy, "marketing").retention
    contract = entry_for(policy, "contract").retention

    assert not any(line.startswith("Invoices") for line in marketing)
    assert any(line.startswith("Invoices: At most 6 years") for line in contract)


def csv_rows(policy: Policy, language: str = "en") -> list[list[str]]:
    text = export_ropa(policy, RopaFormat.CSV, language).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_ropa_csv_has_one_row_per_purpose() -> None:
    policy = rich_policy()

    rows = csv_rows(policy)

    assert rows[0][3:6] == ["Purpose id", "Purpose", "Description"]
    assert [row[3] for row in rows[1:]] == [purpose.id for purpose in policy.purposes]
    assert all(len(row) == len(rows[0]) for row in rows)


def test_ropa_csv_headings_are_in_the_record_language() -> None:
    text = export_ropa(minimal_policy(), RopaFormat.CSV, "sq").decode("utf-8-sig")

    assert text.splitlines()[0].startswith(
        "Politika,Versioni i politikës,Në fuqi nga,Id e qëllimit,Qëllimi,Përshkrimi"
    )


def test_ropa_csv_starts_with_a_byte_order_mark_so_excel_reads_utf8() -> None:
    data = export_ropa(minimal_policy(), RopaFormat.CSV, "sq")

    assert data.startswith(b"\xef\xbb\xbf")
    assert "ë" in data.decode("utf-8-sig")


def test_ropa_csv_rows_lead_with_the_policy_id_version_and_effective_date() -> None:
    rows = csv_rows(minimal_policy())

    assert rows[0][:3] == ["Policy", "Policy version", "In force from"]
    assert all(row[:3] == ["example-telecom", "1.0", "2024-01-01"] for row in rows[1:])


def test_ropa_xlsx_controller_sheet_names_the_policy_version_and_effective_date() -> None:
    book = load_workbook(io.BytesIO(export_ropa(minimal_policy(), RopaFormat.XLSX, "en")))

    controller = {row[0].value: row[1].value for row in book["Controller"].iter_rows()}
    assert controller["Policy"] == "example-telecom"
    assert controller["Policy version"] == "1.0"
    assert controller["In force from"] == "2024-01-01"


def test_ropa_json_names_the_policy_version_and_effective_date() -> None:
    document = json.loads(export_ropa(minimal_policy(), RopaFormat.JSON, "sq"))

    assert document["policy"] == {
        "id": "example-telecom",
        "version": "1.0",
        "effective_from": "2024-01-01",
        "language": "sq",
    }


def test_ropa_empty_recipients_and_transfers_say_none_in_the_record_language() -> None:
    policy = minimal_policy()
    headers = csv_rows(policy, "sq")[0]
    marketing = next(row for row in csv_rows(policy, "sq") if "marketing" in row)
    book = load_workbook(io.BytesIO(export_ropa(policy, RopaFormat.XLSX, "sq")))
    sheet_rows = list(book["Processing activities"].iter_rows(values_only=True))

    recipients = headers.index("Kategoritë e marrësve")
    transfers = headers.index("Transferimet në vende të treta dhe masat mbrojtëse")
    assert marketing[recipients] == "Asnjë."
    assert marketing[transfers] == "Asnjë."
    sheet_marketing = next(row for row in sheet_rows if "marketing" in row)
    assert sheet_marketing[recipients - 3] == "Asnjë."
    assert sheet_marketing[transfers - 3] == "Asnjë."


def test_ropa_leaves_other_empty_cells_blank() -> None:
    rows = csv_rows(minimal_policy())
    legitimate_interest = rows[0].index("Legitimate interest pursued")

    assert all(row[legitimate_interest] == "" for row in rows[1:])


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


def test_ropa_json_entries_carry_codes_next_to_their_labels() -> None:
    policy = rich_policy()

    entries = json.loads(export_ropa(policy, RopaFormat.JSON, "sq"))["entries"]

    fraud = next(entry for entry in entries if entry["purpose_id"] == "fraud-prevention")
    assert fraud["legal_basis"] == "legitimate-interest"
    assert fraud["legal_basis_label"] == "Interesi legjitim"
    assert fraud["data_category_ids"] == ["traffic-data", "contact"]
    assert len(fraud["data_categories"]) == 2
    assert fraud["data_subject_ids"] == [kind.id for kind in policy.subject_types]
    assert len(fraud["data_subjects"]) == len(fraud["data_subject_ids"])
    assert fraud["recipient_ids"] == ["cloud-abroad"]
    assert fraud["recipients"][0].startswith("Cloud provider abroad")
    contract = next(entry for entry in entries if entry["purpose_id"] == "contract")
    assert "invoices" in contract["retention_rule_ids"]
    assert len(contract["retention"]) == len(contract["retention_rule_ids"])


def test_ropa_names_the_controller_country_in_the_record_language() -> None:
    book = load_workbook(io.BytesIO(export_ropa(minimal_policy(), RopaFormat.XLSX, "sq")))

    controller = {row[0].value: row[1].value for row in book["Controller"].iter_rows()}
    assert controller["Shteti"] == "Kosova"


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
