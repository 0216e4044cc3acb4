"""The DPO's period report of the disclosure register: which disclosures it holds, how it
sums them up, what it shows of overrides, confidentiality and the register's flags, and
its CSV and PDF."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pypdf
import pytest

from placet.disclosures import (
    Agreement,
    AgreementKind,
    Confidentiality,
    DisclosureKind,
    Override,
    ProposedDisclosure,
)
from placet.errors import DisclosureError
from placet.notices.disclosure_report import (
    render_disclosure_report_html,
    write_disclosure_report_pdf,
)
from placet.operations.disclosure_report import (
    CSV_COLUMNS,
    disclosure_report,
    write_report_csv,
)
from placet.operations.disclosures import record_disclosure, register_agreement, subject_refs
from placet.policy import PolicySet, TransferSafeguard
from placet.stores.sql_disclosures import SqlDisclosureBook
from placet.stores.sql_ledger import SqlLedger
from tests.operations.conftest import KEY, on

SUBSCRIBERS = ("+38344100001", "+38344100002", "+38344100003")


def signed(
    agreement_id: str,
    recipient: str,
    kind: AgreementKind,
    party: str,
    *,
    until: datetime | None = None,
    safeguard: TransferSafeguard | None = None,
) -> Agreement:
    """An agreement in force from 1 January 2025, recorded by the DPO that day."""
    return Agreement(
        agreement_id,
        recipient,
        kind,
        party,
        reference=f"REF-{agreement_id}",
        valid_from=on(1),
        valid_until=until,
        countries=("US",) if recipient == "third-country-suppliers" else (),
        safeguard=safeguard,
        recorded_by="dpo-1",
        recorded_at=on(1),
    )


@pytest.fixture
def book(ledger: SqlLedger, ipko: PolicySet) -> SqlDisclosureBook:
    """The register, with a processor agreement for the contractors and a transfer
    safeguard for the third-country suppliers that ends on 1 June 2025."""
    register = SqlDisclosureBook(ledger.engine)
    for agreement in (
        signed("AGR-CALL", "contractors", AgreementKind.PROCESSOR_AGREEMENT, "CallCo L.L.C."),
        signed(
            "AGR-CLOUD",
            "third-country-suppliers",
            AgreementKind.PROCESSOR_AGREEMENT,
            "CloudCo Inc.",
        ),
        signed(
            "AGR-SCC",
            "third-country-suppliers",
            AgreementKind.TRANSFER_SAFEGUARD,
            "CloudCo Inc.",
            until=on(6),
            safeguard=TransferSafeguard.STANDARD_CONTRACTUAL_CLAUSES,
        ),
    ):
        register_agreement(register, ipko, agreement)
    return register


def to_contractors(at: datetime) -> ProposedDisclosure:
    return ProposedDisclosure(
        kind=DisclosureKind.DISCLOSURE,
        recipient="contractors",
        purpose="contract-performance",
        categories=("identity", "contact"),
        disclosed_at=at,
        approved_by="ops-lead",
    )


def to_the_police(at: datetime) -> ProposedDisclosure:
    return ProposedDisclosure(
        kind=DisclosureKind.LAW_ENFORCEMENT,
        recipient="law-enforcement",
        purpose="law-enforcement-disclosure",
        categories=("identity", "mobile-traffic-data"),
        disclosed_at=at,
        approved_by="dpo-1 (dpo)",
        party="Kosovo Police, Directorate of Cybercrime",
        legal_ground="Criminal Procedure Code, Art. 88",
        reference="PPS-2025-117",
        confidentiality=Confidentiality("Criminal Procedure Code, Art. 90", on(12)),
    )


def to_cloudco_overridden(at: datetime) -> ProposedDisclosure:
    return ProposedDisclosure(
        kind=DisclosureKind.DISCLOSURE,
        recipient="third-country-suppliers",
        purpose="contract-performance",
        categories=("identity",),
        disclosed_at=at,
        approved_by="ops-lead",
        country="US",
        override=Override("=the outage could not wait; clauses renewed, not yet filed", "dpo-1"),
    )


def record(
    book: SqlDisclosureBook,
    ledger: SqlLedger,
    policies: PolicySet,
    proposed: ProposedDisclosure,
    subscribers: tuple[str, ...] = SUBSCRIBERS[:1],
) -> str:
    recorded = record_disclosure(
        book,
        ledger,
        policies,
        proposed,
        subject_refs(subscribers, KEY),
        recorded_by="clerk-1",
        at=proposed.disclosed_at,
    )
    return recorded.disclosure.disclosure_id


def test_report_holds_the_disclosures_of_its_period_and_no_other(
    book: SqlDisclosureBook, ledger: SqlLedger, ipko: PolicySet
) -> None:
    before = record(book, ledger, ipko, to_contractors(on(6, 30)))
    first = record(book, ledger, ipko, to_contractors(on(7, 1)))
    last = record(book, ledger, ipko, to_contractors(on(7, 31, 23)))
    after = record(book, ledger, ipko, to_contractors(on(8, 1)))

    report = disclosure_report(book, ipko, since=on(7), before=on(8), at=on(8))

    ids = [row.disclosure_id for row in report.rows]
    assert ids == [first, last]
    assert before not in ids
    assert after not in ids


def test_report_sums_disclosures_and_subjects_by_recipient_kind_and_transfer_basis(
    book: SqlDisclosureBook, ledger: SqlLedger, ipko: PolicySet
) -> None:
    record(book, ledger, ipko, to_contractors(on(7, 2)), SUBSCRIBERS)
    record(book, ledger, ipko, to_contractors(on(7, 3)), SUBSCRIBERS[:2])
    record(book, ledger, ipko, to_the_police(on(7, 4)))

    report = disclosure_report(book, ipko, since=on(7), before=on(8), at=on(8))

    by_recipient = {total.key: (total.disclosures, total.subjects) for total in report.by_recipient}
    assert by_recipient == {
        "contractors (CallCo L.L.C.)": (2, 5),
        "law-enforcement (Kosovo Police, Directorate of Cybercrime)": (1, 1),
    }
    by_kind = {total.key: (total.disclosures, total.subjects) for total in report.by_kind}
    assert by_kind == {"disclosure": (2, 5), "law-enforcement": (1, 1)}
    assert {total.key: total.disclosures for total in report.by_transfer} == {"none": 3}
    assert report.subjects == 6


def test_report_lists_an_override_with_the_dpo_the_justification_and_the_refusal(
    book: SqlDisclosureBook, ledger: SqlLedger, ipko: PolicySet
) -> None:
    record(book, ledger, ipko, to_contractors(on(7, 2)))
    overridden = record(book, ledger, ipko, to_cloudco_overridden(on(7, 3)))

    report = disclosure_report(book, ipko, since=on(7), before=on(8), at=on(8))

    (row,) = report.overrides
    assert row.disclosure_id == overridden
    assert row.override_by == "dpo-1"
    assert row.override_justification.startswith("=the outage could not wait")
    assert [code for code, _ in row.flags] == ["safeguard-expired"]
    assert row.transfer == "not-covered"


def test_report_includes_a_confidential_law_enforcement_disclosure_marked_with_its_end(
    book: SqlDisclosureBook, ledger: SqlLedger, ipko: PolicySet
) -> None:
    hidden = record(book, ledger, ipko, to_the_police(on(7, 4)))

    report = disclosure_report(book, ipko, since=on(7), before=on(8), at=on(8))

    (row,) = report.rows
    assert row.disclosure_id == hidden
    assert row.confidential_until == on(12)
    assert row.reference == "PPS-2025-117"
    assert report.confidential == 1


def test_report_shows_the_register_flags_on_its_day(
    book: SqlDisclosureBook, ipko: PolicySet
) -> None:
    report = disclosure_report(book, ipko, since=on(7), before=on(8), at=on(8))

    flags = {(flag.recipient, flag.flag) for flag in report.register_flags}
    assert ("third-country-suppliers", "safeguard-expired") in flags
    assert ("suppliers-and-business-partners", "no-agreement") in flags
    assert not any(flag.recipient == "contractors" for flag in report.register_flags)


def test_report_refuses_a_period_that_ends_before_it_starts(
    book: SqlDisclosureBook, ipko: PolicySet
) -> None:
    with pytest.raises(DisclosureError, match=r"ends .* before it starts"):
        disclosure_report(book, ipko, since=on(8), before=on(7), at=on(8))


def test_csv_report_has_a_header_row_and_one_row_per_disclosure(
    book: SqlDisclosureBook, ledger: SqlLedger, ipko: PolicySet, tmp_path: Path
) -> None:
    ordinary = record(book, ledger, ipko, to_contractors(on(7, 2)), SUBSCRIBERS)
    hidden = record(book, ledger, ipko, to_the_police(on(7, 4)))
    report = disclosure_report(book, ipko, since=on(7), before=on(8), at=on(8))

    written = write_report_csv(report, tmp_path / "report.csv")

    with (tmp_path / "report.csv").open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert written == 2
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [row["disclosure_id"] for row in rows] == [ordinary, hidden]
    assert rows[0]["subjects"] == "3"
    assert rows[0]["categories"] == "identity; contact"
    assert rows[1]["confidential_until"] == on(12).isoformat()


def test_csv_report_leads_text_that_looks_like_a_formula_with_an_apostrophe(
    book: SqlDisclosureBook, ledger: SqlLedger, ipko: PolicySet, tmp_path: Path
) -> None:
    record(book, ledger, ipko, to_cloudco_overridden(on(7, 3)))
    report = disclosure_report(book, ipko, since=on(7), before=on(8), at=on(8))

    write_report_csv(report, tmp_path / "report.csv")

    with (tmp_path / "report.csv").open(encoding="utf-8-sig", newline="") as file:
        (row,) = csv.DictReader(file)
    assert row["override_justification"].startswith("'=the outage")


def test_pdf_report_lists_each_disclosure_of_the_period(
    book: SqlDisclosureBook, ledger: SqlLedger, ipko: PolicySet, tmp_path: Path
) -> None:
    ids = [
        record(book, ledger, ipko, to_contractors(on(7, 2))),
        record(book, ledger, ipko, to_the_police(on(7, 4))),
    ]
    report = disclosure_report(book, ipko, since=on(7), before=on(8), at=on(8))

    shown = write_disclosure_report_pdf(report, tmp_path / "report.pdf")

    text = "".join(page.extract_text() for page in pypdf.PdfReader(tmp_path / "report.pdf").pages)
    assert shown == 2
    for disclosure_id in ids:
        assert disclosure_id in text
    assert "confidential until 2025-12-01" in " ".join(text.split())


def test_pdf_report_past_its_row_limit_says_how_many_more_the_csv_has(
    book: SqlDisclosureBook, ledger: SqlLedger, ipko: PolicySet, tmp_path: Path
) -> None:
    for day in (2, 3, 4):
        record(book, ledger, ipko, to_contractors(on(7, day)))
    report = disclosure_report(book, ipko, since=on(7), before=on(8), at=on(8))

    shown = write_disclosure_report_pdf(report, tmp_path / "report.pdf", max_rows=1)

    text = "".join(page.extract_text() for page in pypdf.PdfReader(tmp_path / "report.pdf").pages)
    assert shown == 1
    assert "2 more disclosures" in " ".join(text.split())


def test_html_report_escapes_what_the_register_holds(
    book: SqlDisclosureBook, ledger: SqlLedger, ipko: PolicySet
) -> None:
    proposed = replace(to_contractors(on(7, 2)), approved_by="<script>alert(1)</script>")
    record(book, ledger, ipko, proposed)
    report = disclosure_report(book, ipko, since=on(7), before=on(8), at=on(8))

    html = render_disclosure_report_html(report)

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
