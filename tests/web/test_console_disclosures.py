"""The console's disclosure register (issue 8, "disclosure register"): every member of staff
reads the recipients with their agreements and flags, the disclosures and the
law-enforcement requests; a DPO carries a request on (check, approve, deliver, record),
under the four-eyes rule; care agents and auditors are refused. What touches the database
runs on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from placet.disclosures import (
    Agreement,
    AgreementKind,
    Confidentiality,
    DisclosureKind,
    Extraction,
    LawEnforcementStage,
    ProposedDisclosure,
    mark_extracted,
)
from placet.operations.disclosures import record_disclosure, register_agreement, subject_refs
from placet.operations.law_enforcement import (
    approve_request,
    check_request_ground,
    receive_request,
)
from placet.policy import TransferSafeguard
from tests.web.conftest import live_server, screenshot
from tests.web.console_fixtures import (
    PASSWORD,
    STAFF,
    add_staff,
    error_next_to,
    sign_in_staff,
    staff_csrf,
)
from tests.web.privacy_fixtures import SUBSCRIBER, Center, make_center

PAGE = "/console/disclosures"
POLICE = "Kosovo Police, Directorate of Cybercrime"
PROSECUTOR = "Basic Prosecution Office of Prishtina"


@dataclass(frozen=True, slots=True)
class Seeded:
    """The register the console shows: a request waiting for approval, one just received,
    and the disclosure recorded to a processor."""

    checked: str
    received: str
    disclosure: str


def seed(center: Center) -> Seeded:
    services = center.services
    book = services.disclosure_book()
    now = center.clock()
    signed = now - timedelta(days=700)
    for agreement_id, recipient, kind, party, countries, safeguard, until in (
        ("DPA-7", "contractors", AgreementKind.PROCESSOR_AGREEMENT, "Kosova Field Services",
         ("XK",), None, now + timedelta(days=12)),
        ("DPA-9", "third-country-suppliers", AgreementKind.PROCESSOR_AGREEMENT,
         "Nimbus Cloud GmbH", ("DE",), TransferSafeguard.DATA_PROCESSING_AGREEMENT, None),
        ("DPA-3", "third-country-suppliers", AgreementKind.PROCESSOR_AGREEMENT,
         "Helpdesk Cloud Inc.", ("US",), TransferSafeguard.DATA_PROCESSING_AGREEMENT,
         now - timedelta(days=20)),
    ):  # fmt: skip
        register_agreement(
            book,
            services.policies,
            Agreement(
                agreement_id=agreement_id,
                recipient=recipient,
                kind=kind,
                party=party,
                reference=f"REF-{agreement_id}",
                valid_from=signed,
                valid_until=until,
                countries=countries,
                safeguard=safeguard,
                recorded_by="dpo",
                recorded_at=signed,
            ),
        )
    recorded = record_disclosure(
        book,
        services.ledger,
        services.policies,
        ProposedDisclosure(
            kind=DisclosureKind.DISCLOSURE,
            recipient="contractors",
            purpose="contract-performance",
            categories=("identity", "contact"),
            disclosed_at=now - timedelta(days=3),
            approved_by="dpo",
            party="Kosova Field Services",
            country="XK",
        ),
        subject_refs([SUBSCRIBER], services.key()),
        recorded_by="dpo",
        at=now - timedelta(days=3),
    )
    checked = _received(center, POLICE, "PRN-2025-0412", days_ago=2)
    check_request_ground(
        book, checked, holds=True, note="A judge signed the order.", actor="legal-counsel",
        at=now - timedelta(days=2) + timedelta(hours=1),
    )  # fmt: skip
    received = _received(center, PROSECUTOR, "PP-2025-1187", days_ago=1)
    return Seeded(checked, received, recorded.disclosure.disclosure_id)


def _received(center: Center, party: str, reference: str, *, days_ago: int) -> str:
    now = center.clock()
    request = receive_request(
        center.services.disclosure_book(),
        center.services.policies,
        recipient="law-enforcement",
        party=party,
        reference=reference,
        legal_ground="Criminal Procedure Code of Kosovo",
        subscribers=(SUBSCRIBER,),
        categories=("identity", "contact"),
        actor="legal-desk",
        at=now - timedelta(days=days_ago),
        confidentiality=Confidentiality("A secrecy order", now + timedelta(days=90)),
    )
    return request.request_id


@pytest.fixture
def console(database_url: str, tmp_path: Path) -> Iterator[tuple[Center, TestClient, Seeded]]:
    """The site on a fresh ledger (SQLite, PostgreSQL) with staff of each role and a register."""
    made = make_center(database_url, tmp_path)
    with TestClient(made.app, base_url="https://testserver") as client:
        add_staff(made)
        seeded = seed(made)
        yield made, client, seeded
    made.services.ledger.engine.dispose()  # type: ignore[attr-defined]


def text_of(html: str, element_id: str) -> str:
    """The text of the element with `element_id`, in one line."""
    found = re.search(rf'id="{re.escape(element_id)}".*?</(?:tr|article)>', html, re.S)
    assert found is not None, element_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))


def post(client: TestClient, request_id: str, step: str, **fields: str) -> httpx.Response:
    answer: httpx.Response = client.post(
        f"{PAGE}/requests/{request_id}/{step}",
        data={"csrf": staff_csrf(client, PAGE), **fields},
        follow_redirects=True,
    )
    return answer


def test_the_console_lists_recipients_disclosures_and_law_enforcement_requests(
    console: tuple[Center, TestClient, Seeded],
) -> None:
    _, client, seeded = console
    sign_in_staff(client, "dpo")

    page = client.get(PAGE)

    assert page.status_code == 200
    html = page.text
    assert '<a href="/console/disclosures" aria-current="page">Disclosures</a>' in html
    contractors = text_of(html, "recipient-contractors")
    assert "DPA-7" in contractors
    assert "ends soon" in contractors
    assert "agreement-expiring" in contractors
    abroad = text_of(html, "recipient-third-country-suppliers")
    assert "expired DPA-3" in abroad
    assert "safeguard-expired" in abroad
    assert "in force DPA-9" in abroad
    bare = text_of(html, "recipient-co-controller-partners")
    assert "no-agreement" in bare
    disclosure = text_of(html, f"disclosure-{seeded.disclosure}")
    assert "Kosova Field Services" in disclosure
    assert "disclosure" in disclosure
    assert "none" in disclosure  # the transfer ground: it stayed in Kosovo
    waiting = text_of(html, f"request-{seeded.checked}")
    assert "PRN-2025-0412" in waiting
    assert "ground-checked" in waiting
    assert "confidential" in waiting
    assert "Approve" in waiting
    assert "received" in text_of(html, f"request-{seeded.received}")
    assert SUBSCRIBER not in html  # masked


def test_a_dpo_approves_a_law_enforcement_request_from_the_console(
    console: tuple[Center, TestClient, Seeded],
) -> None:
    center, client, seeded = console
    sign_in_staff(client, "dpo")

    page = post(client, seeded.checked, "approve", note="Only the months the order names.")

    assert page.status_code == 200
    assert "The request is approved." in page.text
    request = center.services.disclosure_book().request(seeded.checked)
    assert request is not None
    assert request.stage is LawEnforcementStage.APPROVED
    approval = request.approver
    assert approval is not None
    assert (approval.actor, approval.role) == ("jana.dpo", "dpo")
    assert "extract" in text_of(page.text, f"request-{seeded.checked}").lower()


def test_the_dpo_who_checked_a_request_may_not_approve_it(
    console: tuple[Center, TestClient, Seeded],
) -> None:
    center, client, seeded = console
    sign_in_staff(client, "dpo")
    post(client, seeded.received, "ground", holds="yes", note="The order names the subscriber.")

    page = post(client, seeded.received, "approve", note="Approved.")

    assert page.status_code == 422
    assert "four eyes" in error_next_to(page.text, f"{seeded.received}-step")
    request = center.services.disclosure_book().request(seeded.received)
    assert request is not None
    assert request.stage is LawEnforcementStage.GROUND_CHECKED


def test_a_step_without_its_note_is_answered_next_to_the_field(
    console: tuple[Center, TestClient, Seeded],
) -> None:
    center, client, seeded = console
    sign_in_staff(client, "dpo")

    page = post(client, seeded.received, "ground", holds="yes", note=" ")

    assert page.status_code == 422
    assert "Say why" in error_next_to(page.text, f"{seeded.received}-note")
    request = center.services.disclosure_book().request(seeded.received)
    assert request is not None
    assert request.stage is LawEnforcementStage.RECEIVED


def test_a_dpo_marks_a_request_delivered_and_records_it_as_a_disclosure(
    console: tuple[Center, TestClient, Seeded],
) -> None:
    center, client, seeded = console
    book = center.services.disclosure_book()
    now = center.clock()
    approved = approve_request(
        book, seeded.checked, role="dpo", note="Approved.", actor="arta.dpo", at=now
    )
    book.save_request(
        mark_extracted(approved, Extraction("extraction.zip", "ab" * 32, ()), actor="x", at=now)
    )
    sign_in_staff(client, "dpo")

    delivered = post(client, seeded.checked, "deliver", how="Encrypted archive, signed for.")
    recorded = post(client, seeded.checked, "record")

    assert "The delivery is recorded." in delivered.text
    assert "The request is recorded as a disclosure." in recorded.text
    request = book.request(seeded.checked)
    assert request is not None
    assert request.stage is LawEnforcementStage.RECORDED
    assert request.disclosure_id is not None
    disclosure = text_of(recorded.text, f"disclosure-{request.disclosure_id}")
    assert "law-enforcement" in disclosure
    assert "confidential" in disclosure


def test_extracting_without_a_data_map_says_which_setting_is_missing(
    console: tuple[Center, TestClient, Seeded],
) -> None:
    center, client, seeded = console
    book = center.services.disclosure_book()
    approve_request(
        book, seeded.checked, role="dpo", note="Approved.", actor="arta.dpo", at=center.clock()
    )
    sign_in_staff(client, "dpo")

    page = post(client, seeded.checked, "extract")

    assert page.status_code == 422
    assert "PLACET_DATAMAP" in error_next_to(page.text, f"{seeded.checked}-step")
    request = book.request(seeded.checked)
    assert request is not None
    assert request.stage is LawEnforcementStage.APPROVED


@pytest.mark.parametrize("role", ["care-agent", "auditor"])
def test_care_agents_and_auditors_read_the_register_but_may_not_approve(
    console: tuple[Center, TestClient, Seeded], role: str
) -> None:
    center, client, seeded = console
    sign_in_staff(client, role)

    page = client.get(PAGE)
    refused = post(client, seeded.checked, "approve", note="Approved.")
    checked = post(client, seeded.received, "ground", holds="yes", note="Fine.")

    assert page.status_code == 200
    assert "PRN-2025-0412" in page.text
    assert "DPA-7" in page.text
    assert f"/requests/{seeded.checked}/approve" not in page.text
    assert "<button" not in text_of(page.text, f"request-{seeded.received}")
    assert refused.status_code == 403
    assert checked.status_code == 403
    stages = {r.request_id: r.stage for r in center.services.disclosure_book().requests()}
    assert stages == {
        seeded.checked: LawEnforcementStage.GROUND_CHECKED,
        seeded.received: LawEnforcementStage.RECEIVED,
    }


def test_an_unknown_request_is_not_found(console: tuple[Center, TestClient, Seeded]) -> None:
    _, client, _ = console
    sign_in_staff(client, "dpo")

    page = post(client, "LE-20250101-00000000", "approve", note="Approved.")

    assert page.status_code == 404


NAV_ROWS = """() => new Set([...document.querySelectorAll(".mainnav li")]
  .map((item) => Math.round(item.getBoundingClientRect().top))).size"""
"""How many lines the console's navigation takes."""
SIDEWAYS = """() => document.documentElement.scrollWidth - window.innerWidth"""


def test_the_register_in_the_browser_on_a_desktop_and_a_phone(
    sqlite_url: str, tmp_path: Path, page: Any
) -> None:
    center = make_center(sqlite_url, tmp_path)
    add_staff(center)
    seeded = seed(center)
    with live_server(center.app) as server:
        page.goto(f"{server.url}/console/sign-in")
        page.get_by_label("Staff name").fill(STAFF["dpo"])
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{server.url}/console")
        page.get_by_role("link", name="Disclosures").click()
        page.wait_for_url(f"{server.url}{PAGE}")
        assert page.evaluate(NAV_ROWS) == 1
        card = page.locator(f"#request-{seeded.checked}")
        card.get_by_label("What you approve").fill("Only the months the order names.")
        card.get_by_role("button", name="Approve").click()
        page.get_by_text("The request is approved.").wait_for()
        screenshot(page, "console-disclosures")

        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        assert page.evaluate(SIDEWAYS) <= 1
        screenshot(page, "console-phone-disclosures")
    center.services.ledger.engine.dispose()  # type: ignore[attr-defined]
