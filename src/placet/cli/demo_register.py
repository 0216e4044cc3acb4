"""The demo's disclosure register: the agreements of the operator's recipients (one ending
soon, one transfer safeguard lapsed, so that the register's flags show), a few disclosures
of demo subscribers' data, and law-enforcement requests, one carried from received to
recorded and one left ground-checked, for the DPO to approve in the console.

Everything is dated before the demo's `now`, so the register reads as a working one; the
parties and references are invented for the demonstration.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Final

from placet.disclosures import (
    Agreement,
    AgreementKind,
    Confidentiality,
    DisclosureBook,
    DisclosureKind,
    ProposedDisclosure,
)
from placet.ledger import ConsentLog, PseudonymKey
from placet.operations.disclosures import record_disclosure, register_agreement, subject_refs
from placet.operations.law_enforcement import (
    approve_request,
    check_request_ground,
    deliver_request,
    extract_request,
    receive_request,
    record_request,
)
from placet.operations.retention_plans import EstateStores
from placet.policy import PolicySet, TransferSafeguard
from placet.synth.estate import SQLITE_FILE

__all__ = ["seed_register"]

_YEAR: Final = timedelta(days=365)
_NAMED: Final = 10
"""The demo subscribers the register names, by their place 0 to 9."""


@dataclass(frozen=True, slots=True)
class _Deal:
    """An agreement of the demo, its dates as days from the demo's now."""

    agreement_id: str
    recipient: str
    kind: AgreementKind
    party: str
    reference: str
    countries: tuple[str, ...]
    safeguard: TransferSafeguard | None = None
    started: int = -730
    ends: int | None = None
    contact: str | None = None


@dataclass(frozen=True, slots=True)
class _Given:
    """A disclosure of the demo: to whom, for what, of which subscribers (by their place in
    the demo's list), how many days before now."""

    kind: DisclosureKind
    recipient: str | None
    purpose: str
    categories: tuple[str, ...]
    party: str
    country: str | None
    subscribers: tuple[int, ...]
    days_ago: int
    invoices_of: int | None = None
    """The subscriber whose invoices a debt assignment hands over."""


@dataclass(frozen=True, slots=True)
class _Order:
    """A law-enforcement request of the demo."""

    recipient: str
    party: str
    reference: str
    legal_ground: str
    categories: tuple[str, ...]
    subscriber: int
    days_ago: int
    confidentiality: str | None = None
    carried_out: bool = True


@dataclass(frozen=True, slots=True)
class _Register:
    deals: tuple[_Deal, ...]
    given: tuple[_Given, ...]
    orders: tuple[_Order, ...]


_IPKO: Final = _Register(
    deals=(
        _Deal("IPKO-DPA-2024-011", "contractors", AgreementKind.PROCESSOR_AGREEMENT,
              "Kosova Field Services L.L.C.", "DPA/2024/011", ("XK",),
              contact="privacy@kfs.example"),
        _Deal("IPKO-DPA-2023-004", "suppliers-and-business-partners",
              AgreementKind.PROCESSOR_AGREEMENT, "Dardania Billing Systems SH.P.K.",
              "DPA/2023/004", ("XK",), started=-900, ends=20,
              contact="dpo@dardania-billing.example"),
        _Deal("IPKO-JCA-2024-002", "co-controller-partners",
              AgreementKind.JOINT_CONTROLLER_ARRANGEMENT, "Artana Media SH.P.K.",
              "JCA/2024/002", ("XK",), contact="privacy@artana.example"),
        _Deal("IPKO-ASG-2025-001", "claim-assignees", AgreementKind.ASSIGNMENT_CONTRACT,
              "Prishtina Debt Recovery L.L.C.", "ASG/2025/001", ("XK",), started=-400,
              contact="legal@pdr.example"),
        _Deal("IPKO-DPA-2023-019", "third-country-suppliers",
              AgreementKind.PROCESSOR_AGREEMENT, "Nimbus Cloud GmbH", "DPA/2023/019",
              ("DE",), TransferSafeguard.DATA_PROCESSING_AGREEMENT,
              contact="dataprotection@nimbus.example"),
        _Deal("IPKO-DPA-2021-007", "third-country-suppliers",
              AgreementKind.PROCESSOR_AGREEMENT, "Helpdesk Cloud Inc.", "DPA/2021/007",
              ("US",), TransferSafeguard.DATA_PROCESSING_AGREEMENT, started=-1200, ends=-45,
              contact="privacy@helpdesk-cloud.example"),
    ),
    given=(
        _Given(DisclosureKind.DISCLOSURE, "contractors", "contract-performance",
               ("identity", "contact", "contract-data"), "Kosova Field Services L.L.C.", "XK",
               (0, 1, 2, 3), 60),
        _Given(DisclosureKind.DISCLOSURE, "suppliers-and-business-partners",
               "contract-performance", ("identity", "contract-data", "service-usage"),
               "Dardania Billing Systems SH.P.K.", "XK", (0, 4, 5), 6),
        _Given(DisclosureKind.DISCLOSURE, "third-country-suppliers", "contract-performance",
               ("identity", "contact"), "Nimbus Cloud GmbH", "DE", (1, 2, 6), 15),
        _Given(DisclosureKind.DEBT_ASSIGNMENT, "claim-assignees", "claims-and-disputes",
               ("identity", "contact", "billing-and-payment"), "Prishtina Debt Recovery L.L.C.",
               "XK", (7,), 35, invoices_of=7),
        _Given(DisclosureKind.INHERENT_TRANSFER, None, "contract-performance",
               ("mobile-traffic-data", "location-data"), "Swisscom (Schweiz) AG", "CH", (0,),
               20),
    ),
    orders=(
        _Order("law-enforcement", "Kosovo Police, Directorate for Investigation of Cybercrime",
               "PRN-2026-0412", "Criminal Procedure Code of Kosovo: a court order for the "
               "subscriber's traffic and location data",
               ("identity", "contact", "mobile-traffic-data", "location-data"), 8, 12,
               confidentiality="The court order forbids telling the subscriber while the "
               "investigation is covert (Criminal Procedure Code of Kosovo)"),
        _Order("law-enforcement", "Basic Prosecution Office of Prishtina", "PP-2026-1187",
               "Criminal Procedure Code of Kosovo: a prosecutor's order for subscriber details",
               ("identity", "contact", "contract-data"), 9, 2, carried_out=False),
    ),
)  # fmt: skip

_IPNORDIC: Final = _Register(
    deals=(
        _Deal("IPN-JCA-2023-001", "enreach", AgreementKind.JOINT_CONTROLLER_ARRANGEMENT,
              "Enreach A/S", "JCA 2023-001", ("DK",), contact="privacy@enreach.example"),
        _Deal("IPN-DSA-2022-003", "tdc", AgreementKind.DATA_SHARING_AGREEMENT, "TDC NET A/S",
              "Interconnect 2022-003", ("DK",), started=-1100, contact="privacy@tdc.example"),
        _Deal("IPN-DPA-2024-006", "processors", AgreementKind.PROCESSOR_AGREEMENT,
              "Nordisk Hosting ApS", "DBA 2024-006", ("DK",), started=-600, ends=20,
              contact="dpo@nordisk-hosting.example"),
        _Deal("IPN-DPA-2022-010", "processors", AgreementKind.PROCESSOR_AGREEMENT,
              "Fakturaservice A/S", "DBA 2022-010", ("DK",), started=-1000,
              contact="privacy@fakturaservice.example"),
        _Deal("IPN-SCC-2021-002", "processors", AgreementKind.TRANSFER_SAFEGUARD,
              "Helpdesk Cloud Inc.", "SCC 2021-002", ("US",),
              TransferSafeguard.STANDARD_CONTRACTUAL_CLAUSES, started=-1200, ends=-45,
              contact="privacy@helpdesk-cloud.example"),
    ),
    given=(
        _Given(DisclosureKind.DISCLOSURE, "processors", "billing",
               ("contact-data", "customer-identifiers", "billing-data"), "Fakturaservice A/S",
               "DK", (0, 1, 2, 3), 40),
        _Given(DisclosureKind.DISCLOSURE, "enreach", "business-intelligence",
               ("aggregated-statistics",), "Enreach A/S", "DK", (0, 1, 2, 3, 4, 5, 6), 25),
        _Given(DisclosureKind.DISCLOSURE, "tdc", "traffic-data", ("traffic-data",),
               "TDC NET A/S", "DK", (0, 4, 5), 10),
    ),
    orders=(
        _Order("authorities", "Københavns Politi, NC3", "NC3-2026-0311",
               "Retsplejeloven: a court's edition order for the subscriber's traffic data",
               ("contact-data", "customer-identifiers", "traffic-data"), 5, 12,
               confidentiality="The court's order forbids telling the subscriber while the "
               "investigation lasts (Retsplejeloven)"),
        _Order("authorities", "Skattestyrelsen", "SKST-2026-0087",
               "Skattekontrolloven: a request for the company's billing details",
               ("contact-data", "customer-identifiers", "billing-data"), 6, 2,
               carried_out=False),
    ),
)  # fmt: skip

_REGISTERS: Final = {"ipko": _IPKO, "ipnordic": _IPNORDIC}


def seed_register(
    book: DisclosureBook,
    ledger: ConsentLog,
    policies: PolicySet,
    key: PseudonymKey,
    estate: EstateStores,
    estate_folder: Path,
    subscribers: list[str],
    *,
    requests_folder: Path,
    now: datetime,
) -> None:
    """Record the demo register of the operator of `policies` (none for another operator).

    `subscribers` are the demo's subscribers, each once; the register names them by their
    place in the list, counted round when the estate has fewer (IPnordic's businesses).
    """
    register = _REGISTERS.get(policies.policy_id)
    if register is None or not subscribers:
        return
    subscribers = [subscribers[index % len(subscribers)] for index in range(_NAMED)]
    # An agreement is signed under a policy that names its recipient: none before the first.
    first = datetime.combine(policies.versions[0].effective_from, time(), tzinfo=UTC)
    for deal in register.deals:
        register_agreement(book, policies, _agreement(deal, now, first))
    for given in register.given:
        at = now - timedelta(days=given.days_ago)
        records: tuple[str, ...] = ()
        if given.invoices_of is not None:
            records = _invoices(estate_folder, subscribers[given.invoices_of])
        record_disclosure(
            book,
            ledger,
            policies,
            ProposedDisclosure(
                kind=given.kind,
                recipient=given.recipient,
                purpose=given.purpose,
                categories=given.categories,
                disclosed_at=at,
                approved_by="dpo",
                party=given.party,
                country=given.country,
                records=records,
            ),
            subject_refs([subscribers[index] for index in given.subscribers], key),
            recorded_by="dpo",
            at=at,
        )
    for order in register.orders:
        _carry(book, ledger, policies, key, estate, order, subscribers, requests_folder, now)


def _agreement(deal: _Deal, now: datetime, first: datetime) -> Agreement:
    started = max(now + timedelta(days=deal.started), first)
    return Agreement(
        agreement_id=deal.agreement_id,
        recipient=deal.recipient,
        kind=deal.kind,
        party=deal.party,
        reference=deal.reference,
        valid_from=started,
        valid_until=None if deal.ends is None else now + timedelta(days=deal.ends),
        countries=deal.countries,
        safeguard=deal.safeguard,
        contact=deal.contact,
        recorded_by="dpo",
        recorded_at=started,
    )


def _invoices(estate_folder: Path, subscriber: str) -> tuple[str, ...]:
    """The subscriber's three latest invoices, the claims a debt assignment hands over."""
    with sqlite3.connect(estate_folder / SQLITE_FILE) as connection:
        rows = connection.execute(
            "SELECT invoice_id FROM invoices WHERE subscriber_id = ? "
            "ORDER BY issued_at DESC LIMIT 3",
            (subscriber,),
        ).fetchall()
    return tuple(str(invoice) for (invoice,) in rows) or (f"claims of {subscriber}",)


def _carry(
    book: DisclosureBook,
    ledger: ConsentLog,
    policies: PolicySet,
    key: PseudonymKey,
    estate: EstateStores,
    order: _Order,
    subscribers: list[str],
    folder: Path,
    now: datetime,
) -> None:
    """Receive the order and have legal counsel check its ground; carried out, also approve
    it (the DPO: four eyes), extract the data, deliver it and record the disclosure."""
    received = now - timedelta(days=order.days_ago)
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    request = receive_request(
        book,
        policies,
        recipient=order.recipient,
        party=order.party,
        reference=order.reference,
        legal_ground=order.legal_ground,
        subscribers=(subscribers[order.subscriber],),
        categories=order.categories,
        actor="legal-desk",
        at=received,
        data_from=month_start - timedelta(days=90),
        data_until=month_start,
        confidentiality=None
        if order.confidentiality is None
        else Confidentiality(order.confidentiality, received + _YEAR / 2),
    )
    request_id = request.request_id
    check_request_ground(
        book,
        request_id,
        holds=True,
        note="The order is signed by a judge, names the subscriber and a span of three "
        "months, and the law obliges us to answer it.",
        actor="legal-counsel",
        at=received + timedelta(hours=2),
    )
    if not order.carried_out:
        return  # left for the console's DPO to approve (four eyes: legal counsel checked it)
    approve_request(
        book,
        request_id,
        role="dpo",
        note="Only the categories and months the order names are handed over.",
        actor="dpo",
        at=received + timedelta(hours=5),
    )
    extract_request(
        book,
        estate,
        policies,
        request_id,
        folder,
        actor="legal-desk",
        at=received + timedelta(days=1),
    )
    deliver_request(
        book,
        request_id,
        how="Encrypted archive handed to the authority's liaison officer, who signed for it",
        actor="legal-desk",
        at=received + timedelta(days=1, hours=3),
    )
    record_request(
        book,
        ledger,
        policies,
        key,
        request_id,
        actor="dpo",
        at=received + timedelta(days=1, hours=4),
    )
