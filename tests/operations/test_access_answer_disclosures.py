"""The access answer lists every disclosure of the subject's data that the register holds
(GDPR Art. 15(1)(c)), less those a confidentiality order still keeps from them, and the
recipients told of a change to it (Art. 19): in `answer.json` and in the printed copy."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from placet.disclosures import Agreement, AgreementKind
from placet.dsr import RequestKind
from placet.dsr.outbox import MemoryOutbox
from placet.operations.disclosures import EmailNotifier
from placet.operations.fulfilment import answer_access, carry_out_rectification
from placet.operations.requests import terms_of
from placet.policy import PolicySet, TransferSafeguard, load_policy_set
from placet.stores.sql_disclosures import SqlDisclosureBook
from placet.stores.sql_requests import SqlRequestBook, open_request_book
from tests.operations.conftest import KEY
from tests.operations.disclosure_fixtures import (
    BUYER,
    INVOICES,
    POLICE,
    PROCESSOR,
    ROAMING_NETWORK,
    Register,
    agreements,
    subscribers_of,
    verified,
)
from tests.operations.estate_fixtures import AT, OpenEstate
from tests.pdf_text import pdf_text

IPKO: PolicySet = load_policy_set("ipko")


@dataclass(frozen=True, slots=True)
class Answer:
    """An access answer as the subscriber gets it."""

    json: dict[str, Any]
    html: str
    pdf: str

    def disclosures(self) -> dict[str, dict[str, Any]]:
        return {entry["id"]: entry for entry in self.json["disclosures"]}


@dataclass(frozen=True, slots=True)
class Desk:
    """The request book and the register on the estate's database, and where answers go."""

    estate: OpenEstate
    requests: SqlRequestBook
    register: Register
    answers: Path

    def answer(self, subscriber: str, *, language: str = "en", at: datetime = AT) -> Answer:
        request_id = verified(self.requests, IPKO, subscriber, RequestKind.ACCESS)
        carried = answer_access(
            self.requests, self.estate.stores, IPKO, request_id, self.answers, key=KEY,
            disclosures=self.register.book, language=language, actor="dpo-1", at=at,
        )  # fmt: skip
        assert carried.answer is not None
        folder = carried.answer.folder
        return Answer(
            orjson.loads((folder / "answer.json").read_bytes()),
            (folder / "printed-copy.html").read_text(encoding="utf-8"),
            pdf_text(folder / "printed-copy.pdf"),
        )


@pytest.fixture
def desk(estate: OpenEstate, tmp_path: Path) -> Iterator[Desk]:
    requests = open_request_book(f"sqlite:///{estate.folder / 'placet.db'}", terms_of(IPKO))
    book = SqlDisclosureBook(estate.ledger.engine)
    agreements(book)
    yield Desk(estate, requests, Register(book, estate.ledger, IPKO), tmp_path / "answers")
    requests.engine.dispose()


def test_the_access_answer_lists_every_disclosure_of_the_subjects_data(desk: Desk) -> None:
    subscriber, other = subscribers_of(desk.estate)
    to_processor = desk.register.to_processor(subscriber, other)
    roamed = desk.register.roamed(subscriber)
    to_police = desk.register.to_police(subscriber)
    desk.register.assigned_debt(other)

    answer = desk.answer(subscriber)

    listed = answer.disclosures()
    assert set(listed) == {
        to_processor.disclosure_id,
        roamed.disclosure_id,
        to_police.disclosure_id,
    }
    processor = listed[to_processor.disclosure_id]
    assert processor["recipient"] == {"id": "contractors", "name": "Contractors working for us"}
    assert processor["party"] == PROCESSOR
    assert processor["purpose"]["id"] == "contract-performance"
    assert [category["id"] for category in processor["categories"]] == ["identity", "contact"]
    assert processor["country"] == {"id": "XK", "name": "Kosovo"}
    assert processor["transfer"]["id"] == "none"
    assert processor["disclosed_at"] == to_processor.proposed.disclosed_at.isoformat()
    assert listed[roamed.disclosure_id]["transfer"]["id"] == "contract-performance-derogation"
    assert listed[roamed.disclosure_id]["country"]["id"] == "RS"
    police = listed[to_police.disclosure_id]
    assert police["legal_ground"] == to_police.proposed.legal_ground
    assert police["reference"] == "PPRK-2026-0457"
    for text in (answer.html, answer.pdf):
        assert "Who received your data" in text
        assert PROCESSOR in text
        assert ROAMING_NETWORK in text
        assert "Contractors working for us" in text
        assert "PPRK-2026-0457" in text
        assert BUYER not in text  # the other subscriber's debt


def test_the_access_answer_names_recipients_in_the_answers_language(desk: Desk) -> None:
    subscriber = subscribers_of(desk.estate, 1)[0]
    desk.register.to_processor(subscriber)

    answer = desk.answer(subscriber, language="sq")

    (listed,) = answer.json["disclosures"]
    assert listed["recipient"]["name"] == "Kontraktorët që punojnë për ne"
    assert "Kush i ka marrë të dhënat tuaja" in answer.html


def test_a_confidential_law_enforcement_disclosure_is_left_out_of_the_access_answer_until_its_end_date(  # noqa: E501
    desk: Desk,
) -> None:
    subscriber = subscribers_of(desk.estate, 1)[0]
    secret_until = AT + timedelta(days=30)
    to_police = desk.register.to_police(subscriber, secret_until=secret_until)
    to_processor = desk.register.to_processor(subscriber)

    during = desk.answer(subscriber)
    after = desk.answer(subscriber, at=secret_until)

    assert set(during.disclosures()) == {to_processor.disclosure_id}
    for text in (orjson.dumps(during.json).decode(), during.html, during.pdf):
        assert POLICE not in text
        assert "PPRK-2026-0457" not in text
        assert to_police.disclosure_id not in text
    assert set(after.disclosures()) == {to_processor.disclosure_id, to_police.disclosure_id}
    assert POLICE in after.html
    assert "PPRK-2026-0457" in after.pdf


def test_the_access_answer_shows_a_debt_assignment_with_its_buyer_and_records(
    desk: Desk,
) -> None:
    subscriber = subscribers_of(desk.estate, 1)[0]
    assigned = desk.register.assigned_debt(subscriber)

    answer = desk.answer(subscriber)

    listed = answer.disclosures()[assigned.disclosure_id]
    assert listed["kind"]["id"] == "debt-assignment"
    assert listed["buyer"] == BUYER
    assert listed["records"] == list(INVOICES)
    assert listed["recipient"]["name"] == "Assignees of IPKO’s claims"
    for text in (answer.html, answer.pdf):
        assert "Buyer of the claim" in text
        assert BUYER in text
        assert all(invoice in text for invoice in INVOICES)


def test_the_access_answer_lists_the_recipients_told_of_a_change(desk: Desk) -> None:
    subscriber = subscribers_of(desk.estate, 1)[0]
    desk.register.to_processor(subscriber)
    outbox = MemoryOutbox()
    rectification = verified(desk.requests, IPKO, subscriber, RequestKind.RECTIFICATION)
    carry_out_rectification(
        desk.requests, desk.estate.stores, IPKO, rectification,
        values={"address": "Rruga B 1, Prishtinë"}, key=KEY, disclosures=desk.register.book,
        notifier=EmailNotifier(outbox, "IPKO"), actor="care-3", at=AT - timedelta(days=1),
    )  # fmt: skip

    answer = desk.answer(subscriber)

    (told,) = answer.json["recipients_notified"]
    assert told["recipient"]["id"] == "contractors"
    assert told["party"] == PROCESSOR
    assert told["change"]["id"] == "rectification"
    assert told["result"]["id"] == "sent"
    assert told["request"] == rectification
    for text in (answer.html, answer.pdf):
        assert "Recipients told of changes to your data" in text
        assert rectification in text


def test_the_access_answer_names_the_companies_behind_the_recipients_and_their_countries(
    desk: Desk,
) -> None:
    desk.register.book.add_agreement(
        Agreement(
            agreement_id="AGR-DPA-TIRANA",
            recipient="contractors",
            kind=AgreementKind.PROCESSOR_AGREEMENT,
            party="CallCo Outsourcing (Tirana)",
            reference="PA-1",
            valid_from=AT - timedelta(days=400),
            countries=("AL",),
            safeguard=TransferSafeguard.STANDARD_CONTRACTUAL_CLAUSES,
            recorded_by="dpo-1",
            recorded_at=AT - timedelta(days=400),
        )
    )
    subscriber, _ = subscribers_of(desk.estate)

    answer = desk.answer(subscriber)

    # GDPR Art. 15(1)(c), 15(2): the actual recipients and a third country's safeguard,
    # which the policy's own recipient ("contractors", Kosovo) does not say.
    parties = {entry["party"]: entry for entry in answer.json["recipient_parties"]}
    tirana = parties["CallCo Outsourcing (Tirana)"]
    assert tirana["recipient"]["id"] == "contractors"
    assert tirana["countries"] == [{"id": "AL", "name": "Albania"}]
    assert tirana["safeguard"]["id"] == "standard-contractual-clauses"
    assert PROCESSOR in parties
    assert BUYER not in parties  # a debt buyer is named only with the subject's own debt
    assert "CallCo Outsourcing (Tirana)" in answer.html
    assert "The companies behind the recipients" in answer.html
