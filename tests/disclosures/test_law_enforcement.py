"""A law-enforcement request from received to recorded: each step in order, four eyes on
the approval, traffic data extracted only within its retention period, the disclosure
recorded with its confidentiality flag."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from placet.disclosures import (
    Confidentiality,
    DisclosureKind,
    LawEnforcementStage,
    approve,
    check_ground,
    mark_delivered,
    receive,
)
from placet.errors import DisclosureError
from placet.ledger import DecisionKind
from placet.operations.disclosures import subject_disclosures, subject_refs
from placet.operations.law_enforcement import (
    approve_request,
    check_request_ground,
    deliver_request,
    extract_request,
    receive_request,
    record_request,
    retention_cutoff,
)
from placet.policy import load_policy_set
from placet.stores.sql_disclosures import SqlDisclosureBook
from tests.operations.conftest import KEY
from tests.operations.estate_fixtures import AT, OpenEstate, opened_estate

RECEIVED = datetime(2026, 1, 5, 9, tzinfo=UTC)


def received(**changes: object) -> object:
    values: dict[str, object] = {
        "recipient": "law-enforcement",
        "party": "Kosovo Police, Directorate against Cybercrime",
        "reference": "PPN.nr. 411/2026",
        "legal_ground": "Law 05/L-030 on Interception of Electronic Communications, Art. 9",
        "purpose": "law-enforcement-disclosure",
        "subscribers": ("+38344123456",),
        "categories": ("mobile-traffic-data",),
        "actor": "care-arben",
        "at": RECEIVED,
    }
    values.update(changes)
    return receive("LE-1", **values)  # type: ignore[arg-type]


def test_the_steps_go_in_order_and_a_refused_request_goes_no_further() -> None:
    request = received()
    with pytest.raises(DisclosureError, match="received; it is ground-checked next, not approved"):
        approve(request, role="dpo", note="ok", actor="dpo-vjosa", at=RECEIVED)  # type: ignore[arg-type]
    refused = check_ground(
        request,  # type: ignore[arg-type]
        holds=False,
        note="the order is not signed by a judge",
        actor="legal-dren",
        at=RECEIVED,
    )
    assert refused.stage is LawEnforcementStage.REFUSED
    with pytest.raises(DisclosureError, match="refused at its ground check"):
        approve(refused, role="dpo", note="ok", actor="dpo-vjosa", at=RECEIVED)


def test_the_approval_takes_a_named_role_and_four_eyes() -> None:
    request = check_ground(
        received(),  # type: ignore[arg-type]
        holds=True,
        note="signed court order",
        actor="legal-dren",
        at=RECEIVED,
    )
    with pytest.raises(DisclosureError, match="not a 'care-agent'"):
        approve(request, role="care-agent", note="ok", actor="dpo-vjosa", at=RECEIVED)
    with pytest.raises(DisclosureError, match="four eyes"):
        approve(request, role="dpo", note="ok", actor="legal-dren", at=RECEIVED)
    approved = approve(request, role="dpo", note="in scope", actor="dpo-vjosa", at=RECEIVED)
    assert approved.approver is not None
    assert (approved.approver.actor, approved.approver.role) == ("dpo-vjosa", "dpo")
    with pytest.raises(DisclosureError, match="approved; it is extracted next, not delivered"):
        mark_delivered(approved, how="courier", actor="dpo-vjosa", at=RECEIVED)


def test_a_request_names_its_reference_ground_and_subscribers() -> None:
    with pytest.raises(DisclosureError, match="reference"):
        received(reference=" ")
    with pytest.raises(DisclosureError, match="subscribers"):
        received(subscribers=())


@pytest.fixture
def estate(reference_estate: Path, tmp_path: Path) -> Iterator[OpenEstate]:
    with opened_estate(reference_estate, tmp_path / "estate") as opened:
        yield opened


def a_caller(estate: OpenEstate) -> str:
    """A subscriber (their id) with calls older than twelve months at `AT` and calls within
    them, from one number they held all along."""
    frame = pl.read_delta(str(estate.folder / "lake" / "cdrs"), columns=["a_number", "start_time"])
    cutoff = AT - timedelta(days=365)
    both = (
        frame.group_by("a_number")
        .agg(
            (pl.col("start_time") < cutoff).sum().alias("old"),
            (pl.col("start_time") >= cutoff).sum().alias("new"),
        )
        .filter((pl.col("old") > 0) & (pl.col("new") > 0))
        .sort("a_number")
    )
    import sqlite3

    with sqlite3.connect(estate.database) as connection:
        for msisdn in both["a_number"]:
            held = connection.execute(
                "SELECT DISTINCT subscriber_id FROM msisdn_assignments WHERE msisdn = ?", (msisdn,)
            ).fetchall()
            if len(held) == 1:
                return str(held[0][0])
    raise AssertionError("the reference estate has no such caller")


def test_law_enforcement_request_end_to_end_extracts_traffic_within_retention_only(
    estate: OpenEstate, tmp_path: Path
) -> None:
    policies = load_policy_set("ipko")
    book = SqlDisclosureBook(estate.ledger.engine)
    subscriber = a_caller(estate)
    start = AT - timedelta(days=2)
    request = receive_request(
        book,
        policies,
        recipient="law-enforcement",
        party="Kosovo Police",
        reference="PPN.nr. 411/2026",
        legal_ground="Law 05/L-030, Art. 9",
        subscribers=(subscriber,),
        categories=("mobile-traffic-data", "location-data"),
        actor="care-arben",
        at=start,
        confidentiality=Confidentiality("Criminal Procedure Code, Art. 88", AT + timedelta(90)),
    )
    assert request.purpose == "law-enforcement-disclosure"
    check_request_ground(
        book, request.request_id, holds=True, note="signed order", actor="legal-dren", at=start
    )
    approve_request(
        book, request.request_id, role="dpo", note="in scope", actor="dpo-vjosa", at=start
    )
    extracted = extract_request(
        book, estate.stores, policies, request.request_id, tmp_path / "le", actor="dpo-vjosa", at=AT
    )
    extraction = extracted.request.extraction
    assert extraction is not None
    assert extraction.rows > 0
    assert extraction.beyond_retention > 0, "calls older than 12 months are held back"
    with zipfile.ZipFile(extracted.file) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["reference"] == "PPN.nr. 411/2026"
        cdr_files = [name for name in archive.namelist() if name.startswith("data/cdrs/")]
        frame = pl.read_csv(io.BytesIO(archive.read(cdr_files[0])))
    assert "start_time" in frame.columns
    assert "cell_id" in frame.columns
    times = frame["start_time"].str.to_datetime(time_zone="UTC")
    cutoff = retention_cutoff(policies.in_force(AT), estate.datamap.dataset("cdrs"), AT)
    assert cutoff is not None
    assert times.min() >= cutoff  # type: ignore[operator]
    deliver_request(
        book,
        request.request_id,
        how="sealed USB to the police liaison, receipt 77",
        actor="dpo-vjosa",
        at=AT,
    )
    done, recorded = record_request(
        book, estate.ledger, policies, KEY, request.request_id, actor="dpo-vjosa", at=AT
    )
    assert done.stage is LawEnforcementStage.RECORDED
    assert [step.stage.value for step in book.request(request.request_id).steps] == [  # type: ignore[union-attr]
        "received",
        "ground-checked",
        "approved",
        "extracted",
        "delivered",
        "recorded",
    ]
    disclosure = recorded.disclosure
    assert disclosure.kind is DisclosureKind.LAW_ENFORCEMENT
    assert disclosure.proposed.approved_by == "dpo-vjosa (dpo)"
    assert extraction.sha256 in disclosure.proposed.records[0]
    (decision,) = estate.ledger.decisions(DecisionKind.DISCLOSURE)
    assert decision.record.request["reference"] == "PPN.nr. 411/2026"
    (ref,) = subject_refs([subscriber], KEY)
    assert subject_disclosures(book, ref, AT).disclosures == ()
    assert subject_disclosures(book, ref, AT + timedelta(90)).disclosures == (disclosure,)


def test_a_request_from_a_recipient_that_is_not_an_authority_is_refused(
    tmp_path: Path, sqlite_url: str
) -> None:
    from placet.stores.sql_disclosures import open_disclosure_book

    book = open_disclosure_book(sqlite_url)
    with pytest.raises(DisclosureError, match="'contractors' is not an authority"):
        receive_request(
            book,
            load_policy_set("ipko"),
            recipient="contractors",
            party="x",
            reference="r",
            legal_ground="g",
            subscribers=("+38344123456",),
            categories=("identity",),
            actor="care",
            at=RECEIVED,
        )
