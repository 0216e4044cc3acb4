"""Builders of the disclosure register for tests on the synthetic IPKO estate: agreements
with IPKO's recipients, and disclosures of a subscriber's data recorded through the one door
they come in by (`record_disclosure`, which checks them against IPKO's policy)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from placet.disclosures import (
    Agreement,
    AgreementKind,
    Confidentiality,
    Disclosure,
    DisclosureKind,
    Override,
    ProposedDisclosure,
    RecipientNotice,
)
from placet.dsr import RequestKind
from placet.errors import DisclosureError
from placet.ledger import ConsentLog
from placet.operations.disclosures import record_disclosure, subject_refs
from placet.operations.requests import open_subject_request, verify_request
from placet.policy import Channel, PolicySet
from placet.stores.sql_disclosures import SqlDisclosureBook
from placet.stores.sql_requests import SqlRequestBook
from tests.operations.conftest import KEY
from tests.operations.estate_fixtures import AT, OpenEstate

SIGNED = datetime(2025, 1, 1, tzinfo=AT.tzinfo)
DISCLOSED = AT - timedelta(days=40)
RECEIVED = AT - timedelta(days=3)

PROCESSOR = "Enreach Kosovo Sh.p.k."
PROCESSOR_CONTACT = "dpo@enreach.example"
BUYER = "Raiffeisen Bank Kosovo"
BUYER_CONTACT = "privacy@raiffeisen-kosovo.example"
POLICE = "Kosovo Police, Directorate of Cybercrime"
ROAMING_NETWORK = "Telekom Srbija"
INVOICES = ("INV-2026-000311", "INV-2026-000342")


def agreements(book: SqlDisclosureBook, *, buyer_contact: str | None = BUYER_CONTACT) -> None:
    """IPKO's processor agreement with its call-centre contractor and its contract assigning
    claims to a bank, each with the address recipients are told at (`buyer_contact`: None
    for a contract that names none)."""
    book.add_agreement(
        Agreement(
            agreement_id="AGR-DPA-1",
            recipient="contractors",
            kind=AgreementKind.PROCESSOR_AGREEMENT,
            party=PROCESSOR,
            reference="DPA-2025-07",
            valid_from=SIGNED,
            countries=("XK",),
            contact=PROCESSOR_CONTACT,
            recorded_by="dpo-1",
            recorded_at=SIGNED,
        )
    )
    book.add_agreement(
        Agreement(
            agreement_id="AGR-ASSIGN-1",
            recipient="claim-assignees",
            kind=AgreementKind.ASSIGNMENT_CONTRACT,
            party=BUYER,
            reference="ASSIGN-2026-02",
            valid_from=SIGNED,
            countries=("XK",),
            contact=buyer_contact,
            recorded_by="dpo-1",
            recorded_at=SIGNED,
        )
    )


@dataclass(frozen=True, slots=True)
class Register:
    """The register in the estate's ledger database, and what records into it."""

    book: SqlDisclosureBook
    ledger: ConsentLog
    policies: PolicySet

    def record(self, proposed: ProposedDisclosure, *subscribers: str) -> Disclosure:
        return record_disclosure(
            self.book,
            self.ledger,
            self.policies,
            proposed,
            subject_refs(subscribers, KEY),
            recorded_by="dpo-1",
            at=proposed.disclosed_at,
        ).disclosure

    def to_processor(
        self,
        *subscribers: str,
        at: datetime = DISCLOSED,
        party: str = PROCESSOR,
        override: Override | None = None,
    ) -> Disclosure:
        """The subscribers' contact data handed to the call-centre contractor (or to another
        `party` of the contractors, which the agreement may not name, with an `override`)."""
        return self.record(
            ProposedDisclosure(
                kind=DisclosureKind.DISCLOSURE,
                recipient="contractors",
                purpose="contract-performance",
                categories=("identity", "contact"),
                disclosed_at=at,
                approved_by="dpo-1",
                party=party,
                country="XK",
                override=override,
            ),
            *subscribers,
        )

    def assigned_debt(self, *subscribers: str, at: datetime = DISCLOSED) -> Disclosure:
        """The subscribers' unpaid invoices assigned to the bank."""
        return self.record(
            ProposedDisclosure(
                kind=DisclosureKind.DEBT_ASSIGNMENT,
                recipient="claim-assignees",
                purpose="claims-and-disputes",
                categories=("identity", "contact", "billing-and-payment"),
                disclosed_at=at,
                approved_by="cfo-1",
                party=BUYER,
                country="XK",
                records=INVOICES,
            ),
            *subscribers,
        )

    def to_police(
        self, *subscribers: str, at: datetime = DISCLOSED, secret_until: datetime | None = None
    ) -> Disclosure:
        """The subscribers' traffic data given to the police on a court order, kept from
        them until `secret_until` when given."""
        return self.record(
            ProposedDisclosure(
                kind=DisclosureKind.LAW_ENFORCEMENT,
                recipient="law-enforcement",
                purpose="law-enforcement-disclosure",
                categories=("mobile-traffic-data",),
                disclosed_at=at,
                approved_by="legal-1",
                party=POLICE,
                country="XK",
                legal_ground="Criminal Procedure Code No. 04/L-123, Art. 88",
                reference="PPRK-2026-0457",
                confidentiality=None
                if secret_until is None
                else Confidentiality("Criminal Procedure Code, Art. 90(3)", secret_until),
            ),
            *subscribers,
        )

    def roamed(self, *subscribers: str, at: datetime = DISCLOSED) -> Disclosure:
        """Calls made while roaming in Serbia, carried by a Serbian network."""
        return self.record(
            ProposedDisclosure(
                kind=DisclosureKind.INHERENT_TRANSFER,
                recipient=None,
                purpose="contract-performance",
                categories=("mobile-traffic-data",),
                disclosed_at=at,
                approved_by="roaming-system",
                party=ROAMING_NETWORK,
                country="RS",
            ),
            *subscribers,
        )


def subscribers_of(estate: OpenEstate, count: int = 2) -> list[str]:
    """Consumer subscribers of the estate whose contract runs, first by id."""
    with sqlite3.connect(estate.database) as connection:
        rows = connection.execute(
            "SELECT subscriber_id FROM contracts WHERE ended_at IS NULL AND subscriber_id IN "
            "(SELECT subscriber_id FROM subscribers WHERE subscriber_type = 'consumer') "
            "ORDER BY subscriber_id LIMIT ?",
            (count,),
        ).fetchall()
    return [row[0] for row in rows]


def verified(book: SqlRequestBook, policies: PolicySet, subscriber: str, kind: RequestKind) -> str:
    """A request of `kind` by `subscriber`, received three days before AT and verified."""
    request = open_subject_request(
        book,
        policies,
        KEY,
        subscriber,
        kind,
        channel=Channel.SHOP,
        received_at=RECEIVED,
        actor="shop-7",
        at=RECEIVED,
    )
    verify_request(book, request.request_id, actor="shop-7", at=RECEIVED, how="ID card seen")
    return request.request_id


@dataclass
class Courier:
    """A recipient channel an operator plugs in (`PLACET_RECIPIENT_NOTIFIER`): keeps what it
    is given, or fails while `is_down`."""

    channel: str = "courier"
    sent: list[RecipientNotice] = field(default_factory=list)
    is_down: bool = False

    def send(self, notice: RecipientNotice) -> str:
        if self.is_down:
            raise DisclosureError("the courier service did not answer")
        self.sent.append(notice)
        return f"courier-{len(self.sent)}"


COURIER = Courier()
"""The notifier `make_courier` returns, for a test to look into."""


def make_courier() -> Courier:
    """The factory `PLACET_RECIPIENT_NOTIFIER` names (`module:make_courier`)."""
    return COURIER
