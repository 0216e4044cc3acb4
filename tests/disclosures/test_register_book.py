"""The register in the database (SQLite and PostgreSQL): disclosures recorded through the
one door, in the ledger's chain of decisions, refusals and overrides, agreements."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from placet.disclosures import (
    AgreementKind,
    ChangeKind,
    Confidentiality,
    DisclosureKind,
    NotificationStatus,
    Override,
    RecipientNotice,
)
from placet.errors import DisclosureError, DisclosureRefusedError
from placet.ledger import DecisionKind, PseudonymKey
from placet.operations.disclosures import (
    record_disclosure,
    register_agreement,
    register_entries,
    subject_disclosures,
    subject_refs,
)
from placet.policy import PolicySet, load_policy_set
from placet.stores.sql_disclosures import SqlDisclosureBook
from placet.stores.sql_ledger import SqlLedger, open_ledger
from placet.stores.sql_schema import decisions, disclosures
from tests.disclosures.register_fixtures import AT, agreement, days, proposal

KEY = PseudonymKey(bytes(range(32)))
SUBSCRIBER = "+38344123456"


@pytest.fixture(scope="module")
def ipko() -> PolicySet:
    return load_policy_set("ipko")


@pytest.fixture
def ledger(database_url: str) -> Iterator[SqlLedger]:
    opened = open_ledger(database_url)
    yield opened
    opened.engine.dispose()


@pytest.fixture
def book(ledger: SqlLedger, ipko: PolicySet) -> SqlDisclosureBook:
    opened = SqlDisclosureBook(ledger.engine)
    register_agreement(
        opened, ipko, agreement("contractors", party="CallCentre LLC", contact="dpo@cc.example")
    )
    return opened


def test_a_disclosure_is_recorded_with_its_subjects_and_in_the_ledgers_chain_of_decisions(
    book: SqlDisclosureBook, ledger: SqlLedger, ipko: PolicySet
) -> None:
    subscribers = [f"+3834400{n:04d}" for n in range(25_000)]
    recorded = record_disclosure(
        book,
        ledger,
        ipko,
        proposal("contractors", "contract-performance", "identity", "contact"),
        subject_refs(subscribers, KEY),
        recorded_by="dpo-vjosa",
        at=AT,
    )
    disclosure = recorded.disclosure
    assert disclosure.subjects == 25_000
    assert disclosure.proposed.party == "CallCentre LLC"  # the agreement's party
    assert book.disclosure(disclosure.disclosure_id) == disclosure
    (ref,) = subject_refs([subscribers[-1]], KEY)
    assert [found.disclosure_id for found in book.disclosures_of(ref)] == [disclosure.disclosure_id]
    (entry,) = ledger.decisions(DecisionKind.DISCLOSURE)
    assert str(entry.record.record_id) == disclosure.decision_id
    assert entry.record.outcome["subjects"] == 25_000
    assert entry.record.request["recipient"] == "contractors"
    assert entry.record.selection_digest is not None
    assert ledger.verify_decisions().problem is None


def test_a_refused_disclosure_leaves_nothing_behind(
    book: SqlDisclosureBook, ledger: SqlLedger, ipko: PolicySet
) -> None:
    with pytest.raises(DisclosureRefusedError) as refused:
        record_disclosure(
            book,
            ledger,
            ipko,
            proposal("contractors", "fraud-prevention", "mobile-traffic-data", country="US"),
            subject_refs([SUBSCRIBER], KEY),
            recorded_by="crm",
            at=AT,
        )
    assert {code for code, _ in refused.value.problems} == {
        "recipient-not-allowed",
        "no-safeguard",
    }
    assert "override" in str(refused.value)
    with ledger.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(disclosures)).scalar() == 0
        assert connection.execute(select(func.count()).select_from(decisions)).scalar() == 0


def test_a_dpo_override_records_a_refused_disclosure_with_its_justification(
    book: SqlDisclosureBook, ledger: SqlLedger, ipko: PolicySet
) -> None:
    override = Override("court order 55/2026 obliges it; see file 2026-118", "dpo-vjosa")
    recorded = record_disclosure(
        book,
        ledger,
        ipko,
        proposal("contractors", "fraud-prevention", "identity", override=override),
        subject_refs([SUBSCRIBER], KEY),
        recorded_by="dpo-vjosa",
        at=AT,
    )
    stored = book.disclosure(recorded.disclosure.disclosure_id)
    assert stored is not None
    assert stored.overridden
    assert stored.proposed.override == override
    assert [code for code, _ in stored.problems] == ["recipient-not-allowed"]
    (entry,) = ledger.decisions(DecisionKind.DISCLOSURE)
    assert entry.record.outcome["overridden"] is True
    assert entry.record.request["override"]["justification"].startswith("court order")


def test_an_override_of_what_the_policy_allows_is_refused(
    book: SqlDisclosureBook, ledger: SqlLedger, ipko: PolicySet
) -> None:
    with pytest.raises(DisclosureError, match="allows this disclosure"):
        record_disclosure(
            book,
            ledger,
            ipko,
            proposal(
                "contractors",
                "contract-performance",
                "identity",
                override=Override("just in case", "dpo"),
            ),
            subject_refs([SUBSCRIBER], KEY),
            recorded_by="dpo",
            at=AT,
        )


def test_disclosures_are_listed_by_period_and_by_subject(
    book: SqlDisclosureBook, ledger: SqlLedger, ipko: PolicySet
) -> None:
    for offset in (0, 10, 40):
        record_disclosure(
            book,
            ledger,
            ipko,
            proposal(
                "contractors", "contract-performance", "identity", disclosed_at=AT + days(offset)
            ),
            subject_refs([SUBSCRIBER if offset else "+38344999999"], KEY),
            recorded_by="dpo",
            at=AT + days(offset),
        )
    assert len(book.disclosures(since=AT, before=AT + days(30))) == 2
    assert len(book.disclosures()) == 3
    assert book.count_disclosures() == 3
    assert [d.proposed.disclosed_at for d in book.latest_disclosures(2)] == [
        AT + days(40),
        AT + days(10),
    ]
    (ref,) = subject_refs([SUBSCRIBER], KEY)
    assert [d.proposed.disclosed_at for d in book.disclosures_of(ref)] == [
        AT + days(10),
        AT + days(40),
    ]


def test_a_confidential_disclosure_is_kept_from_the_subject_until_its_end_date(
    book: SqlDisclosureBook, ledger: SqlLedger, ipko: PolicySet
) -> None:
    record_disclosure(
        book,
        ledger,
        ipko,
        proposal(
            "law-enforcement",
            "law-enforcement-disclosure",
            "mobile-traffic-data",
            kind=DisclosureKind.LAW_ENFORCEMENT,
            reference="PPN 411/2026",
            legal_ground="Law 05/L-030, Art. 9",
            confidentiality=Confidentiality("Criminal Procedure Code, Art. 88", AT + days(90)),
        ),
        subject_refs([SUBSCRIBER], KEY),
        recorded_by="dpo",
        at=AT,
    )
    (ref,) = subject_refs([SUBSCRIBER], KEY)
    assert subject_disclosures(book, ref, AT + days(89)).disclosures == ()
    (shown,) = subject_disclosures(book, ref, AT + days(90)).disclosures
    assert shown.proposed.reference == "PPN 411/2026"


def test_agreements_are_recorded_ended_and_flagged(
    book: SqlDisclosureBook, ipko: PolicySet
) -> None:
    with pytest.raises(DisclosureError, match="already"):
        register_agreement(book, ipko, agreement("contractors", party="CallCentre LLC"))
    with pytest.raises(DisclosureError, match="names no recipient 'acme'"):
        register_agreement(book, ipko, agreement("acme"))
    register_agreement(
        book, ipko, agreement("co-controller-partners", AgreementKind.JOINT_CONTROLLER_ARRANGEMENT)
    )
    ended = book.end_agreement("contractors-processor-agreement", AT + days(5))
    assert ended.valid_until == AT + days(5)
    entries = {entry.recipient.id: entry for entry in register_entries(book, ipko, AT)}
    assert [flag.value for flag, _ in entries["contractors"].flags] == ["agreement-expiring"]
    later = {entry.recipient.id: entry for entry in register_entries(book, ipko, AT + days(6))}
    assert {flag.value for flag, _ in later["contractors"].flags} == {
        "agreement-expired",
        "no-agreement",
    }
    assert later["co-controller-partners"].flags == ()


class Recorder:
    channel = "test"

    def __init__(self) -> None:
        self.sent: list[RecipientNotice] = []

    def send(self, notice: RecipientNotice) -> str:
        self.sent.append(notice)
        return f"msg-{len(self.sent)}"


def test_recipients_are_told_of_an_erasure_once_per_request(
    book: SqlDisclosureBook, ledger: SqlLedger, ipko: PolicySet
) -> None:
    from placet.operations.disclosures import notify_recipients

    record_disclosure(
        book,
        ledger,
        ipko,
        proposal("contractors", "contract-performance", "identity"),
        subject_refs([SUBSCRIBER], KEY),
        recorded_by="dpo",
        at=AT,
    )
    recorder = Recorder()
    told = notify_recipients(
        book, KEY, recorder, subscriber=SUBSCRIBER, request_id="REQ-1",
        change=ChangeKind.ERASURE, detail="erased from crm", at=AT + days(1),
    )  # fmt: skip
    assert [(n.party, n.contact, n.status) for n in told] == [
        ("CallCentre LLC", "dpo@cc.example", NotificationStatus.SENT)
    ]
    assert recorder.sent[0].subscriber == SUBSCRIBER
    again = notify_recipients(
        book, KEY, recorder, subscriber=SUBSCRIBER, request_id="REQ-1",
        change=ChangeKind.ERASURE, detail="erased from crm", at=AT + days(2),
    )  # fmt: skip
    assert again == ()
    (ref,) = subject_refs([SUBSCRIBER], KEY)
    assert [n.reference for n in book.notifications_of(ref)] == ["msg-1"]
