"""`placet disclosures …` end to end: agreements and the register's flags, disclosures
recorded, refused and overridden, a law-enforcement request from received to recorded,
and the DPO's period report."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from typer.testing import CliRunner

from placet.cli.main import app
from placet.settings import get_settings
from tests.operations.conftest import KEY, reference_estate  # noqa: F401  (a fixture)
from tests.operations.estate_fixtures import MAP, OpenEstate, opened_estate

runner = CliRunner()
SUBSCRIBER = "38344111222"
OTHER = "38344111333"
DISCLOSED = "2025-07-01T10:00:00Z"
TO_CONTRACTORS = [
    "disclosures", "record", "--recipient", "contractors", "--purpose", "contract-performance",
    "--category", "identity", "--category", "contact", "--approved-by", "ops-lead",
    "--actor", "clerk-1", "--at", DISCLOSED,
]  # fmt: skip
TO_CLOUDCO = [
    "disclosures", "record", "--recipient", "third-country-suppliers",
    "--purpose", "contract-performance", "--category", "identity", "--country", "US",
    "--approved-by", "ops-lead", "--actor", "clerk-1", "--at", DISCLOSED, "--subject", SUBSCRIBER,
]  # fmt: skip


def use_database(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLACET_DATABASE_URL", url)
    monkeypatch.setenv("PLACET_PSEUDONYM_KEY", KEY.secret.hex())
    monkeypatch.setenv("PLACET_POLICY", "ipko")
    monkeypatch.setenv("COLUMNS", "200")  # rich tables, one line a row
    get_settings.cache_clear()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'placet.db'}"
    use_database(url, monkeypatch)
    yield url
    get_settings.cache_clear()


def placet(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def add_agreements() -> None:
    """A processor agreement for the contractors; one for the third-country supplier in the
    US, whose transfer safeguard ended on 1 June 2025."""
    placet(
        "disclosures", "agreement", "add", "--recipient", "contractors",
        "--kind", "processor-agreement", "--party", "CallCo L.L.C.", "--reference", "DPA-1",
        "--from", "2025-01-01", "--until", "2027-01-01", "--contact", "dpo@callco.example",
        "--actor", "dpo-1", "--id", "AGR-CALL",
    )  # fmt: skip
    placet(
        "disclosures", "agreement", "add", "--recipient", "third-country-suppliers",
        "--kind", "processor-agreement", "--party", "CloudCo Inc.", "--reference", "DPA-2",
        "--from", "2025-01-01", "--country", "US", "--actor", "dpo-1", "--id", "AGR-CLOUD",
    )  # fmt: skip
    placet(
        "disclosures", "agreement", "add", "--recipient", "third-country-suppliers",
        "--kind", "transfer-safeguard", "--party", "CloudCo Inc.", "--reference", "SCC-2",
        "--from", "2025-01-01", "--until", "2025-06-01", "--country", "US",
        "--safeguard", "standard-contractual-clauses", "--actor", "dpo-1", "--id", "AGR-SCC",
    )  # fmt: skip


def recorded_id(output: str) -> str:
    return output.split("disclosure ", 1)[1].split(maxsplit=1)[0]


def test_recipients_show_each_agreement_and_flag_an_expired_safeguard(database: str) -> None:
    add_agreements()

    table = placet("disclosures", "recipients", "--at", "2025-07-01")
    document = json.loads(placet("disclosures", "recipients", "--at", "2025-07-01", "--json"))

    assert "AGR-CALL CallCo L.L.C." in table
    assert "safeguard-expired: AGR-SCC (CloudCo Inc.) ended 2025-06-01" in table
    entries = {entry["recipient"]: entry for entry in document["recipients"]}
    supplier = entries["third-country-suppliers"]
    assert {flag["flag"] for flag in supplier["flags"]} == {"safeguard-expired", "no-safeguard"}
    assert [a["id"] for a in supplier["agreements"]] == ["AGR-CLOUD", "AGR-SCC"]
    assert entries["contractors"]["flags"] == []
    assert [flag["flag"] for flag in entries["co-controller-partners"]["flags"]] == ["no-agreement"]


def test_ended_agreement_is_flagged_expired_in_the_register(database: str) -> None:
    add_agreements()

    placet("disclosures", "agreement", "end", "AGR-CALL", "--at", "2025-05-01", "--actor", "dpo-1")

    document = json.loads(placet("disclosures", "recipients", "--at", "2025-07-01", "--json"))
    (contractors,) = [e for e in document["recipients"] if e["recipient"] == "contractors"]
    assert {flag["flag"] for flag in contractors["flags"]} == {"agreement-expired", "no-agreement"}


def test_agreement_with_a_recipient_the_policy_does_not_name_is_refused(database: str) -> None:
    result = runner.invoke(
        app,
        [
            "disclosures", "agreement", "add", "--recipient", "acme", "--kind",
            "processor-agreement", "--party", "Acme", "--reference", "X-1", "--actor", "dpo-1",
        ],
    )  # fmt: skip

    assert result.exit_code == 1
    assert "names no recipient 'acme'" in result.output


def test_disclosure_recorded_by_subject_prints_its_id_transfer_basis_and_agreement(
    database: str,
) -> None:
    add_agreements()

    output = placet(*TO_CONTRACTORS, "--subject", SUBSCRIBER, "--subject", OTHER)

    assert "recorded: 2 subjects to contractors (CallCo L.L.C.)" in output
    assert "transfer basis none, agreement AGR-CALL" in output
    shown = json.loads(placet("disclosures", "show", recorded_id(output), "--json"))
    assert shown["subjects"] == 2
    assert shown["approved_by"] == "ops-lead"
    assert shown["decision_record"]


def test_disclosure_recorded_from_a_subjects_file_counts_each_subscriber_once(
    database: str, tmp_path: Path
) -> None:
    add_agreements()
    subscribers = tmp_path / "subscribers.csv"
    subscribers.write_text(f"msisdn\n{SUBSCRIBER}\n{OTHER}\n{SUBSCRIBER}\n", encoding="utf-8")

    output = placet(*TO_CONTRACTORS, "--subjects-file", str(subscribers), "--column", "msisdn")

    assert "recorded: 2 subjects to contractors" in output


def test_disclosure_recorded_from_a_subjects_query(database: str, tmp_path: Path) -> None:
    add_agreements()
    crm = tmp_path / "crm.db"
    with sqlite3.connect(crm) as connection:
        connection.execute("CREATE TABLE lines (msisdn TEXT)")
        connection.executemany("INSERT INTO lines VALUES (?)", [(SUBSCRIBER,), (OTHER,)])

    output = placet(
        *TO_CONTRACTORS, "--subjects-query", "SELECT msisdn FROM lines",
        "--subjects-database", f"sqlite:///{crm}",
    )  # fmt: skip

    assert "recorded: 2 subjects" in output


def test_subjects_named_two_ways_are_refused_with_a_clear_error(
    database: str, tmp_path: Path
) -> None:
    subscribers = tmp_path / "subscribers.csv"
    subscribers.write_text(f"subscriber\n{SUBSCRIBER}\n", encoding="utf-8")

    result = runner.invoke(
        app, [*TO_CONTRACTORS, "--subject", OTHER, "--subjects-file", str(subscribers)]
    )
    unnamed = runner.invoke(app, TO_CONTRACTORS)

    assert result.exit_code == 2
    assert "exactly one way" in result.output
    assert "--subject, --subjects-file were given together" in " ".join(result.output.split())
    assert unnamed.exit_code == 2
    assert "exactly one way" in unnamed.output


def test_refused_disclosure_exits_non_zero_with_each_reason_code_and_records_nothing(
    database: str,
) -> None:
    add_agreements()

    result = runner.invoke(app, TO_CLOUDCO)

    assert result.exit_code == 1
    assert "refused [safeguard-expired]: the safeguard for US" in result.output
    assert "Nothing was recorded" in result.output
    assert json.loads(placet("disclosures", "list", "--json")) == []


def test_dpo_override_records_a_refused_disclosure_with_its_justification(
    database: str,
) -> None:
    add_agreements()

    output = placet(
        *TO_CLOUDCO, "--override", "outage fix; clauses renewed, not yet filed", "--dpo", "dpo-1"
    )

    assert "transfer basis not-covered" in output
    assert "overridden [safeguard-expired]" in output
    shown = json.loads(placet("disclosures", "show", recorded_id(output), "--json"))
    assert shown["override"] == {
        "by": "dpo-1",
        "justification": "outage fix; clauses renewed, not yet filed",
    }
    assert [problem["code"] for problem in shown["problems"]] == ["safeguard-expired"]


def test_override_without_the_dpo_who_makes_it_is_refused(database: str) -> None:
    add_agreements()

    result = runner.invoke(app, [*TO_CLOUDCO, "--override", "urgent"])

    assert result.exit_code == 2
    assert "--dpo" in result.output
    assert json.loads(placet("disclosures", "list", "--json")) == []


def test_debt_assignment_is_recorded_with_its_buyer_and_the_invoices_assigned(
    database: str,
) -> None:
    output = placet(
        "disclosures", "record", "--kind", "debt-assignment", "--recipient", "claim-assignees",
        "--party", "Kosovo Debt Partners", "--purpose", "claims-and-disputes",
        "--category", "identity", "--category", "billing-and-payment",
        "--record", "INV-2025-0001", "--record", "INV-2025-0002", "--reference", "ASG-7",
        "--approved-by", "cfo", "--actor", "clerk-1", "--at", DISCLOSED, "--subject", SUBSCRIBER,
    )  # fmt: skip

    shown = json.loads(placet("disclosures", "show", recorded_id(output), "--json"))
    assert shown["kind"] == "debt-assignment"
    assert shown["party"] == "Kosovo Debt Partners"
    assert shown["records"] == ["INV-2025-0001", "INV-2025-0002"]


def test_list_shows_the_disclosures_of_the_period_asked(database: str) -> None:
    add_agreements()
    july = recorded_id(placet(*TO_CONTRACTORS, "--subject", SUBSCRIBER))
    placet(*TO_CONTRACTORS[:-2], "--at", "2025-08-15", "--subject", SUBSCRIBER)

    listed = json.loads(
        placet("disclosures", "list", "--from", "2025-07-01", "--to", "2025-08-01", "--json")
    )
    table = placet("disclosures", "list")

    assert [item["id"] for item in listed] == [july]
    assert july in table


def test_period_report_lists_each_disclosure_of_the_period_in_csv_and_pdf(
    database: str, tmp_path: Path
) -> None:
    add_agreements()
    ordinary = recorded_id(placet(*TO_CONTRACTORS, "--subject", SUBSCRIBER, "--subject", OTHER))
    overridden = recorded_id(placet(*TO_CLOUDCO, "--override", "outage fix", "--dpo", "dpo-1"))

    output = placet(
        "disclosures", "report", "--from", "2025-07-01", "--to", "2025-08-01",
        "--at", "2025-07-15", "--csv", str(tmp_path / "r.csv"), "--pdf", str(tmp_path / "r.pdf"),
    )  # fmt: skip

    assert "2 disclosures of 3 subjects" in output
    assert "1 overrides" in output
    csv_text = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert csv_text.splitlines()[0].startswith("disclosure_id,kind,disclosed_at")
    assert ordinary in csv_text
    assert overridden in csv_text
    pdf = "".join(page.extract_text() for page in pypdf.PdfReader(tmp_path / "r.pdf").pages)
    assert ordinary in pdf
    assert overridden in pdf
    assert "safeguard-expired" in pdf


# ---------------------------------------------------------------------- law enforcement

RECEIVE = [
    "disclosures", "le", "receive", "--authority", "law-enforcement",
    "--party", "Kosovo Police, Directorate of Cybercrime", "--reference", "PPS-2026-117",
    "--legal-ground", "Criminal Procedure Code, Art. 88", "--category", "identity",
    "--category", "mobile-traffic-data", "--actor", "clerk-1", "--id", "LE-1",
]  # fmt: skip


def test_law_enforcement_approval_by_who_checked_the_ground_is_refused(database: str) -> None:
    placet(*RECEIVE, "--subscriber", SUBSCRIBER, "--at", "2026-11-28T09:00:00Z")
    placet("disclosures", "le", "check", "LE-1", "--holds", "--note", "a judge's order",
           "--actor", "legal-1", "--at", "2026-11-28T10:00:00Z")  # fmt: skip

    result = runner.invoke(
        app,
        ["disclosures", "le", "approve", "LE-1", "--role", "dpo", "--note", "fine",
         "--actor", "legal-1", "--at", "2026-11-28T11:00:00Z"],
    )  # fmt: skip

    assert result.exit_code == 1
    assert "four eyes" in result.output
    assert "ground-checked" in placet("disclosures", "le", "show", "LE-1")


def test_law_enforcement_request_whose_ground_fails_goes_no_further(database: str) -> None:
    placet(*RECEIVE, "--subscriber", SUBSCRIBER, "--at", "2026-11-28T09:00:00Z")

    output = placet("disclosures", "le", "check", "LE-1", "--fails", "--note", "no court order",
                    "--actor", "legal-1", "--at", "2026-11-28T10:00:00Z")  # fmt: skip
    result = runner.invoke(
        app,
        ["disclosures", "le", "approve", "LE-1", "--role", "dpo", "--note", "fine",
         "--actor", "dpo-1", "--at", "2026-11-28T11:00:00Z"],
    )  # fmt: skip

    assert "LE-1 is refused" in output
    assert result.exit_code == 1
    assert "refused at its ground check" in result.output


@pytest.fixture
def estate(
    reference_estate: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[OpenEstate]:
    """A fresh copy of the synthetic IPKO estate, its ledger the one the settings name."""
    with opened_estate(reference_estate, tmp_path / "estate") as opened:
        use_database(f"sqlite:///{opened.folder / 'placet.db'}", monkeypatch)
        monkeypatch.setenv("PLACET_DATAMAP", str(MAP))
        monkeypatch.setenv("PLACET_ANSWERS_DIR", str(opened.folder / "answers"))
        get_settings.cache_clear()
        yield opened
    get_settings.cache_clear()


def a_subscriber(estate: OpenEstate) -> str:
    with sqlite3.connect(estate.database) as connection:
        found: str = connection.execute(
            "SELECT subscriber_id FROM contracts ORDER BY subscriber_id LIMIT 1"
        ).fetchone()[0]
    return found


def test_law_enforcement_request_goes_from_received_to_recorded_as_a_confidential_disclosure(
    estate: OpenEstate,
) -> None:
    placet(
        *RECEIVE, "--subscriber", a_subscriber(estate), "--at", "2026-11-28T09:00:00Z",
        "--confidential-ground", "Criminal Procedure Code, Art. 90",
        "--confidential-until", "2027-06-01",
    )  # fmt: skip
    placet("disclosures", "le", "check", "LE-1", "--holds", "--note", "a judge's order",
           "--actor", "legal-1", "--at", "2026-11-28T10:00:00Z")  # fmt: skip
    placet("disclosures", "le", "approve", "LE-1", "--role", "dpo", "--note", "proportionate",
           "--actor", "dpo-1", "--at", "2026-11-28T11:00:00Z")  # fmt: skip

    extracted = placet("disclosures", "le", "extract", "LE-1", "--estate", str(estate.folder),
                       "--actor", "clerk-1", "--at", "2026-11-28T12:00:00Z")  # fmt: skip
    placet("disclosures", "le", "deliver", "LE-1", "--how", "sealed USB to Officer K.",
           "--actor", "clerk-1", "--at", "2026-11-28T13:00:00Z")  # fmt: skip
    output = placet("disclosures", "le", "record", "LE-1", "--actor", "clerk-1",
                    "--at", "2026-11-28T14:00:00Z")  # fmt: skip

    with zipfile.ZipFile(estate.folder / "answers" / "LE-1" / "extraction.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert any(name.startswith("data/") for name in archive.namelist())
    assert manifest["reference"] == "PPS-2026-117"
    assert "extraction.zip" in extracted
    assert "LE-1 recorded as disclosure" in output
    disclosure_id = recorded_id(output)
    shown = json.loads(placet("disclosures", "show", disclosure_id, "--json"))
    assert shown["kind"] == "law-enforcement"
    assert shown["confidential"]["until"].startswith("2027-06-01")
    assert shown["approved_by"] == "dpo-1 (dpo)"
    request = json.loads(placet("disclosures", "le", "show", "LE-1", "--json"))
    assert [step["stage"] for step in request["steps"]] == [
        "received", "ground-checked", "approved", "extracted", "delivered", "recorded",
    ]  # fmt: skip
    assert request["disclosure"] == disclosure_id
