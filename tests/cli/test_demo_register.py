"""`placet demo` seeds a disclosure register the console and the RoPA can show: agreements
with the operator's recipients (one ending soon, one lapsed safeguard), disclosures of demo
subscribers' data, a law-enforcement request carried to the end and one ground-checked,
for the DPO to approve."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from placet.cli.demo_site import prepare_demo_site
from placet.disclosures import DisclosureKind, LawEnforcementStage, RegisterFlag
from placet.operations.disclosures import register_entries
from placet.policy import load_policy_set
from placet.stores.sql_disclosures import open_disclosure_book
from placet.synth import OperatorName


@pytest.mark.slow
def test_the_demo_seeds_a_register_with_flags_disclosures_and_law_enforcement_requests(
    tmp_path: Path,
) -> None:
    now = datetime.now(UTC)
    site = prepare_demo_site(tmp_path, OperatorName.IPKO, now=now)
    book = open_disclosure_book(site.settings.database_url, upgrade=False)

    entries = register_entries(book, load_policy_set("ipko"), now)
    disclosures = book.disclosures()
    requests = {request.stage: request for request in book.requests()}
    book.engine.dispose()

    flags = {flag for entry in entries for flag, _ in entry.flags}
    assert {RegisterFlag.AGREEMENT_EXPIRING, RegisterFlag.SAFEGUARD_EXPIRED} <= flags
    kinds = {disclosure.kind for disclosure in disclosures}
    assert kinds == set(DisclosureKind)
    assignment = next(d for d in disclosures if d.kind is DisclosureKind.DEBT_ASSIGNMENT)
    with sqlite3.connect(site.folder / "state" / "estate" / "estate.db") as estate:
        invoices = {row[0] for row in estate.execute("SELECT invoice_id FROM invoices")}
    assert set(assignment.proposed.records) <= invoices
    assert set(requests) == {LawEnforcementStage.RECORDED, LawEnforcementStage.GROUND_CHECKED}
    carried = requests[LawEnforcementStage.RECORDED]
    assert carried.confidentiality is not None
    approval = carried.approver
    assert approval is not None
    assert approval.role == "dpo"
    assert approval.actor not in {carried.steps[0].actor, carried.steps[1].actor}
    assert carried.extraction is not None
    assert carried.extraction.rows > 0
    assert Path(carried.extraction.file).is_file()
