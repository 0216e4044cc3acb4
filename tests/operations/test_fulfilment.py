"""Requests carried out on a synthetic IPKO estate (SQLite tables and a Delta lake) and its
ledger: access answers and printed copies, portability packages, erasure, the ledger's
requests (restriction, objection, withdrawal), complaints and rectification."""

from __future__ import annotations

import hashlib
import sqlite3
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import deltalake
import orjson
import polars as pl
import pytest
from pypdf import PdfReader

from placet.decide import Use
from placet.dsr import RequestKind, RequestState
from placet.errors import RequestError
from placet.ledger import CollectedVia, ConsentGiven, ConsentWithdrawn, pseudonymise_subject
from placet.operations import EstateStores, Provenance, give_consent
from placet.operations.deciding import decide_for_subject
from placet.operations.fulfilment import (
    answer_access,
    answer_portability,
    carry_out_complaint,
    carry_out_erasure,
    carry_out_ledger_request,
    carry_out_rectification,
)
from placet.operations.recipient_channels import NoRecipientChannel
from placet.operations.requests import open_subject_request, terms_of, verify_request
from placet.operations.subject_data import Role, find_subject_data
from placet.policy import Channel, PolicySet, load_policy_set
from placet.policy.model import CategoryId, PurposeId
from placet.stores.sql_disclosures import SqlDisclosureBook
from placet.stores.sql_requests import SqlRequestBook, open_request_book
from tests.ledger.builders import make_event
from tests.operations.conftest import KEY
from tests.operations.estate_fixtures import AT, OpenEstate
from tests.pdf_text import pdf_text

RECEIVED = AT - timedelta(days=3)
SMS_OFFERS = Use(
    purpose=PurposeId("direct-marketing-current-offers"),
    categories=(CategoryId("contact"),),
    channel=Channel.SMS,
)


@pytest.fixture
def book(estate: OpenEstate) -> Iterator[SqlRequestBook]:
    opened = open_request_book(f"sqlite:///{estate.folder / 'placet.db'}", terms_of(IPKO))
    yield opened
    opened.engine.dispose()


IPKO: PolicySet = load_policy_set("ipko")
NO_CHANNEL = NoRecipientChannel()
"""No subscriber of these tests' estate has a disclosure, so no recipient is ever told."""


@pytest.fixture
def register(estate: OpenEstate) -> SqlDisclosureBook:
    return SqlDisclosureBook(estate.ledger.engine)


def verified(book: SqlRequestBook, subscriber: str, kind: RequestKind) -> str:
    request = open_subject_request(
        book,
        IPKO,
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


_CHOSEN: dict[str, tuple[str, str, list[str]]] = {}


def recycled_holder(estate: OpenEstate) -> tuple[str, str, list[str]]:
    """A subscriber with CDRs who held a number another subscriber held before or after
    them: the subscriber, that number and every number they held (the reference estate is
    the same in every test, so it is chosen once)."""
    if "chosen" not in _CHOSEN:
        with sqlite3.connect(estate.database) as connection:
            holders = connection.execute(
                "SELECT msisdn, subscriber_id FROM msisdn_assignments WHERE msisdn IN "
                "(SELECT msisdn FROM msisdn_assignments GROUP BY msisdn "
                "HAVING COUNT(DISTINCT subscriber_id) > 1) ORDER BY msisdn, valid_from"
            ).fetchall()
            number, subscriber = next(
                (number, subscriber)
                for number, subscriber in holders
                if own_cdrs(estate, subscriber, "a_number")
                and own_cdrs(estate, subscriber, "b_number")
            )
            numbers = [
                row[0]
                for row in connection.execute(
                    "SELECT msisdn FROM msisdn_assignments WHERE subscriber_id = ?", (subscriber,)
                )
            ]
        _CHOSEN["chosen"] = (subscriber, number, numbers)
    return _CHOSEN["chosen"]


def own_cdrs(estate: OpenEstate, subscriber: str, column: str) -> int:
    """The subscriber's CDRs by `column` (a_number: theirs; b_number: as the other party),
    counted independently of Placet: each number they held, only while they held it."""
    with sqlite3.connect(estate.database) as connection:
        spans = connection.execute(
            "SELECT msisdn, valid_from, valid_to FROM msisdn_assignments WHERE subscriber_id = ?",
            (subscriber,),
        ).fetchall()
    cdrs = pl.from_arrow(
        deltalake.DeltaTable(str(estate.folder / "lake" / "cdrs")).to_pyarrow_table(
            columns=["a_number", "b_number", "start_time"]
        )
    )
    assert isinstance(cdrs, pl.DataFrame)
    total = 0
    for number, since, until in spans:
        start = datetime.fromisoformat(since).astimezone(UTC)
        rows = cdrs.filter((pl.col(column) == number) & (pl.col("start_time") >= start))
        if until is not None:
            rows = rows.filter(pl.col("start_time") < datetime.fromisoformat(until).astimezone(UTC))
        total += rows.height
    return total


def test_access_answer_holds_every_dataset_with_other_parties_masked(
    estate: OpenEstate, book: SqlRequestBook, register: SqlDisclosureBook, tmp_path: Path
) -> None:
    subscriber, number, _ = recycled_holder(estate)
    request_id = verified(book, subscriber, RequestKind.ACCESS)

    carried = answer_access(
        book, estate.stores, IPKO, request_id, tmp_path / "answers", key=KEY,
        disclosures=register, language="sq", actor="dpo-1", at=AT,
    )  # fmt: skip

    assert carried.done
    assert carried.request.state is RequestState.FULFILLED
    assert carried.answer is not None
    folder = carried.answer.folder
    answer = orjson.loads((folder / "answer.json").read_bytes())
    datasets = {(entry["id"], entry["role"]): entry for entry in answer["datasets"]}
    cdrs = datasets[("cdrs", "own")]
    assert cdrs["row_count"] == own_cdrs(estate, subscriber, "a_number") > 0
    assert {row["a_number"] for row in cdrs["rows"]} <= {number, *recycled_holder(estate)[2]}
    assert all(row["b_number"].endswith("****") for row in cdrs["rows"])
    # The calls they received: the terminating records, keyed and clustered by the callee.
    received = datasets[("cdrs-terminating", "own")]
    assert received["row_count"] == own_cdrs(estate, subscriber, "b_number")
    assert all(row["a_number"].endswith("****") for row in received["rows"])
    assert ("cdrs", "other-party") not in datasets
    assert datasets[("subscribers", "own")]["rows"][0]["subscriber_id"] == subscriber
    assert answer["facts"]["complaint"]
    assert answer["language"] == "sq"
    csv = pl.read_csv(folder / "data" / "cdrs.csv")
    assert csv.height == cdrs["row_count"]
    manifest = orjson.loads((folder / "manifest.json").read_bytes())
    for entry in manifest["files"]:
        assert hashlib.sha256((folder / entry["name"]).read_bytes()).hexdigest() == entry["sha256"]
    with zipfile.ZipFile(carried.answer.deliverable) as package:
        assert {"answer.json", "printed-copy.pdf", "manifest.json"} <= set(package.namelist())
    assert subscriber in pdf_text(folder / "printed-copy.pdf")
    assert carried.answer.sha256 in (carried.request.steps[-1].reason or "")


def test_records_as_the_other_party_are_searched_when_the_map_has_no_terminating_records(
    estate: OpenEstate,
) -> None:
    subscriber, _, _ = recycled_holder(estate)
    systems = [
        system.model_copy(
            update={"datasets": [d for d in system.datasets if d.id != "cdrs-terminating"]}
        )
        for system in estate.datamap.systems
    ]
    datamap = estate.datamap.model_copy(update={"systems": systems})
    stores = EstateStores(datamap, estate.stores.stores)

    found = find_subject_data(stores, estate.policy, subscriber)

    as_other_party = found.of("cdrs", Role.OTHER_PARTY)
    assert as_other_party is not None
    assert as_other_party.count() == own_cdrs(estate, subscriber, "b_number") > 0
    assert as_other_party.masked == ("a_number",)
    assert "cell_id" in as_other_party.left_out
    rows = [row for batch in as_other_party.batches() for row in batch.to_pylist()]
    assert all(row["a_number"].endswith("****") for row in rows)


def test_received_calls_are_found_by_the_callee_s_number_only_while_they_held_it(
    estate: OpenEstate,
) -> None:
    subscriber, _, numbers = recycled_holder(estate)
    found = find_subject_data(estate.stores, estate.policy, subscriber)

    received = found.of("cdrs-terminating")
    assert received is not None
    assert found.of("cdrs", Role.OTHER_PARTY) is None
    assert found.of("cdrs-terminating", Role.OTHER_PARTY) is None
    assert received.count() == own_cdrs(estate, subscriber, "b_number")
    assert received.masked == ("a_number",)
    rows = [row for batch in received.batches() for row in batch.to_pylist()]
    assert {row["b_number"] for row in rows} <= set(numbers)


def test_a_recycled_number_never_answers_for_its_other_holder(estate: OpenEstate) -> None:
    subscriber, number, _ = recycled_holder(estate)
    with sqlite3.connect(estate.database) as connection:
        other = connection.execute(
            "SELECT subscriber_id FROM msisdn_assignments WHERE msisdn = ? AND subscriber_id <> ?",
            (number, subscriber),
        ).fetchone()[0]
    mine = find_subject_data(estate.stores, estate.policy, subscriber).of("cdrs")
    theirs = find_subject_data(estate.stores, estate.policy, other).of("cdrs")
    assert mine is not None
    assert theirs is not None
    mine_times = {row["start_time"] for batch in mine.batches() for row in batch.to_pylist()}
    their_times = {row["start_time"] for batch in theirs.batches() for row in batch.to_pylist()}
    assert mine_times
    assert not (mine_times & their_times)
    assert mine.count() == own_cdrs(estate, subscriber, "a_number")
    assert theirs.count() == own_cdrs(estate, other, "a_number")


def recorded_choices(estate: OpenEstate, subscriber: str) -> None:
    """A consent given in the shop on a signed form, withdrawn by SMS a month later."""
    who = pseudonymise_subject(subscriber, KEY)
    estate.ledger.append_many(
        [
            make_event(
                ConsentGiven(option="current-offers", channels=frozenset({Channel.SMS})),
                who=who,
                effective_at=AT - timedelta(days=60),
                collected_via=CollectedVia.SHOP,
                evidence="form-7731",
            ),
            make_event(
                ConsentWithdrawn(option="current-offers", channels=frozenset({Channel.SMS})),
                who=who,
                effective_at=AT - timedelta(days=30),
                collected_via=CollectedVia.SMS,
            ),
        ]
    )


def test_access_answer_holds_what_the_consent_ledger_records_about_the_subscriber(
    estate: OpenEstate, book: SqlRequestBook, register: SqlDisclosureBook, tmp_path: Path
) -> None:
    subscriber, _, _ = recycled_holder(estate)
    recorded_choices(estate, subscriber)
    request_id = verified(book, subscriber, RequestKind.ACCESS)

    carried = answer_access(
        book, estate.stores, IPKO, request_id, tmp_path, key=KEY, disclosures=register,
        language="en", actor="dpo-1", at=AT, ledger=estate.ledger,
    )  # fmt: skip

    assert carried.answer is not None
    folder = carried.answer.folder
    recorded = orjson.loads((folder / "answer.json").read_bytes())["recorded"]
    history = estate.ledger.history(pseudonymise_subject(subscriber, KEY))
    assert len(recorded) == len(history)
    given, withdrawn = (entry for entry in recorded if entry["about"] == "Current offers")
    assert (given["event"]["id"], given["via"]["name"], given["evidence"]) == (
        "consent-given",
        "shop",
        "form-7731",
    )
    assert given["channels"] == [{"id": "sms", "name": "SMS"}]
    assert (withdrawn["event"]["name"], withdrawn["via"]["id"]) == ("Consent withdrawn", "sms")
    rows = pl.read_csv(folder / "data" / "ledger-events.csv")
    assert rows.height == len(history)
    assert "form-7731" in rows["evidence"].to_list()
    page = (folder / "printed-copy.html").read_text(encoding="utf-8")
    assert "Your choices and what we recorded about you" in page
    assert "form-7731" in page
    manifest = orjson.loads((folder / "manifest.json").read_bytes())
    assert "data/ledger-events.csv" in {entry["name"] for entry in manifest["files"]}


def test_portability_package_holds_the_subscribers_own_choices(
    estate: OpenEstate, book: SqlRequestBook, tmp_path: Path
) -> None:
    subscriber, _, _ = recycled_holder(estate)
    recorded_choices(estate, subscriber)
    request_id = verified(book, subscriber, RequestKind.PORTABILITY)

    carried = answer_portability(
        book, estate.stores, IPKO, request_id, tmp_path, actor="dpo-1", at=AT,
        ledger=estate.ledger, key=KEY,
    )  # fmt: skip

    assert carried.answer is not None
    with zipfile.ZipFile(carried.answer.deliverable) as package:
        choices = orjson.loads(package.read("data/ledger-events.json"))
        manifest = orjson.loads(package.read("manifest.json"))
    # Their consents and withdrawals, not the contracts and facts the operator recorded.
    assert {entry["event"]["id"] for entry in choices} <= {
        "consent-given",
        "consent-withdrawn",
        "objection-made",
        "objection-withdrawn",
        "business-opt-out-made",
        "business-opt-out-ended",
    }
    assert "form-7731" in {entry["evidence"] for entry in choices}
    assert "data/ledger-events.csv" in {entry["name"] for entry in manifest["files"]}


def a_business_with_calls(estate: OpenEstate) -> str:
    """A business subscriber whose lines made calls (the ledger records its type)."""
    with sqlite3.connect(estate.database) as connection:
        businesses = [
            row[0]
            for row in connection.execute(
                "SELECT subscriber_id FROM subscribers WHERE subscriber_type = 'business' "
                "ORDER BY subscriber_id"
            )
        ]
    return next(who for who in businesses if own_cdrs(estate, who, "a_number") > 0)


def test_a_business_is_not_given_the_calls_and_whereabouts_of_its_lines_users(
    estate: OpenEstate, book: SqlRequestBook, register: SqlDisclosureBook, tmp_path: Path
) -> None:
    business = a_business_with_calls(estate)
    assert estate.ledger.state(pseudonymise_subject(business, KEY), AT).subject_type == (
        "business-entity"
    )
    request_id = verified(book, business, RequestKind.ACCESS)

    carried = answer_access(
        book, estate.stores, IPKO, request_id, tmp_path, key=KEY, disclosures=register,
        language="en", actor="dpo-1", at=AT, ledger=estate.ledger,
    )  # fmt: skip

    assert carried.answer is not None
    folder = carried.answer.folder
    answer = orjson.loads((folder / "answer.json").read_bytes())
    given = {entry["id"] for entry in answer["datasets"]}
    withheld = {entry["dataset"] for entry in answer["withheld"]}
    # GDPR Art. 15(4): the lines' users' calls and whereabouts are theirs, not the company's.
    assert "cdrs" in withheld
    assert "cdrs" not in given
    assert not (folder / "data" / "cdrs.csv").exists()
    assert "subscribers" in given
    assert "What this copy leaves out" in (folder / "printed-copy.html").read_text("utf-8")
    # Without the ledger's word that it is a business, the answer holds every dataset.
    consumer_like = answer_access(
        book, estate.stores, IPKO, verified(book, business, RequestKind.ACCESS),
        tmp_path / "without-ledger", key=KEY, disclosures=register, language="en",
        actor="dpo-1", at=AT,
    )  # fmt: skip
    assert consumer_like.answer is not None
    assert (consumer_like.answer.folder / "data" / "cdrs.csv").exists()


def test_printed_copy_request_writes_the_pdf(
    estate: OpenEstate, book: SqlRequestBook, register: SqlDisclosureBook, tmp_path: Path
) -> None:
    subscriber, _, _ = recycled_holder(estate)
    request_id = verified(book, subscriber, RequestKind.PRINTED_COPY)

    carried = answer_access(
        book, estate.stores, IPKO, request_id, tmp_path, key=KEY, disclosures=register,
        language="sr", actor="dpo-1", at=AT,
    )  # fmt: skip

    assert carried.answer is not None
    assert PdfReader(carried.answer.folder / "printed-copy.pdf").pages
    # Asked for on paper: every one of their calls is printed, where an access answer's
    # PDF would print 100 of them and point to the CSV files for the rest.
    assert 100 < own_cdrs(estate, subscriber, "a_number") <= 2_000
    assert "prve redove" not in pdf_text(carried.answer.folder / "printed-copy.pdf")


def test_portability_package_holds_provided_and_observed_data_with_a_manifest(
    estate: OpenEstate, book: SqlRequestBook, tmp_path: Path
) -> None:
    subscriber, _, _ = recycled_holder(estate)
    request_id = verified(book, subscriber, RequestKind.PORTABILITY)

    carried = answer_portability(
        book, estate.stores, IPKO, request_id, tmp_path, actor="dpo-1", at=AT
    )

    assert carried.done
    assert carried.answer is not None
    with zipfile.ZipFile(carried.answer.deliverable) as package:
        names = set(package.namelist())
        manifest = orjson.loads(package.read("manifest.json"))
        cdrs = orjson.loads(package.read("data/cdrs.json"))
        for entry in manifest["files"]:
            assert hashlib.sha256(package.read(entry["name"])).hexdigest() == entry["sha256"]
    assert {"data/cdrs.json", "data/cdrs.csv", "data/subscribers.json"} <= names
    assert not any("other-party" in name for name in names)
    assert {entry["provenance"] for entry in manifest["datasets"]} <= {"provided", "observed"}
    assert len(cdrs) == own_cdrs(estate, subscriber, "a_number")
    assert all(row["b_number"].endswith("****") for row in cdrs)


def test_erasure_erases_everywhere_restricts_what_the_law_keeps_and_the_ledger_verifies(
    estate: OpenEstate, book: SqlRequestBook, register: SqlDisclosureBook
) -> None:
    subscriber, _, _ = recycled_holder(estate)
    request_id = verified(book, subscriber, RequestKind.ERASURE)

    carried = carry_out_erasure(
        book, estate.stores, IPKO, estate.ledger, KEY,
        journal=estate.book, request_id=request_id, disclosures=register, notifier=NO_CHANNEL,
        actor="dpo-1", at=AT,
    )  # fmt: skip
    if not carried.done:  # a lake purge waiting for its retention interval
        carried = carry_out_erasure(
            book, estate.stores, IPKO, estate.ledger, KEY,
            journal=estate.book, request_id=request_id, disclosures=register,
            notifier=NO_CHANNEL, actor="dpo-1", at=AT,
        )  # fmt: skip

    kept = {entry.split(" ")[0] for entry in carried.restricted}
    assert "invoices" in kept
    left = find_subject_data(estate.stores, estate.policy, subscriber)
    for rows in left.found:
        if rows.role is Role.OWN and rows.dataset.id not in kept:
            assert rows.count() == 0, rows.dataset.id
    with sqlite3.connect(estate.database) as connection:
        unrestricted = connection.execute(
            "SELECT COUNT(*) FROM invoices "
            "WHERE subscriber_id = ? AND placet_restricted_at IS NULL",
            (subscriber,),
        ).fetchone()[0]
    assert unrestricted == 0
    assert estate.ledger.verify().is_intact
    assert "invoices" in carried.summary
    assert "restricted" in carried.summary
    assert carried.done, carried.summary
    decisions = estate.ledger.decisions()
    assert decisions[-1].record.subject == pseudonymise_subject(subscriber, KEY)


def test_withdrawal_objection_and_restriction_land_in_the_ledger_at_once(
    estate: OpenEstate, book: SqlRequestBook, register: SqlDisclosureBook
) -> None:
    with sqlite3.connect(estate.database) as connection:
        holder = connection.execute(
            "SELECT subscriber_id FROM contracts WHERE ended_at IS NULL AND subscriber_id IN "
            "(SELECT subscriber_id FROM subscribers WHERE subscriber_type = 'consumer') "
            "ORDER BY subscriber_id LIMIT 1"
        ).fetchone()[0]
    give_consent(
        estate.ledger, IPKO, KEY, holder, "current-offers",
        provenance=Provenance(CollectedVia.SHOP, "shop-7"), recorded_at=RECEIVED,
    )  # fmt: skip
    assert decide_for_subject(
        estate.ledger, IPKO, KEY, holder, SMS_OFFERS, now=AT
    ).decision.is_permitted

    for kind in (RequestKind.WITHDRAW_CONSENT, RequestKind.OBJECTION, RequestKind.RESTRICTION):
        request_id = verified(book, holder, kind)
        carried = carry_out_ledger_request(
            book, IPKO, estate.ledger, KEY, request_id, disclosures=register,
            notifier=NO_CHANNEL, actor="dpo-1", at=AT,
        )  # fmt: skip
        assert carried.done
        assert carried.events
        assert all(event.entry.event.recorded_at == AT for event in carried.events)

    after = decide_for_subject(estate.ledger, IPKO, KEY, holder, SMS_OFFERS, now=AT)
    assert not after.decision.is_permitted
    state = estate.ledger.state(pseudonymise_subject(holder, KEY), AT)
    assert state.restricted
    assert state.objects_to_direct_marketing
    assert not state.consents


def test_complaint_is_routed_to_the_dpo_with_the_authoritys_contact(
    estate: OpenEstate, book: SqlRequestBook
) -> None:
    subscriber, _, _ = recycled_holder(estate)
    request_id = verified(book, subscriber, RequestKind.COMPLAINT)

    carried = carry_out_complaint(book, IPKO, request_id, language="en", actor="care-3", at=AT)

    assert carried.request.state is RequestState.IN_PROGRESS
    assert not carried.done
    authority = estate.policy.controller.supervisory_authority
    assert authority.name["en"] in carried.summary


def test_rectification_sets_the_field_in_sql_with_old_and_new_recorded(
    estate: OpenEstate, book: SqlRequestBook, register: SqlDisclosureBook
) -> None:
    subscriber, _, _ = recycled_holder(estate)
    with sqlite3.connect(estate.database) as connection:
        old = connection.execute(
            "SELECT address FROM subscribers WHERE subscriber_id = ?", (subscriber,)
        ).fetchone()[0]
    request_id = verified(book, subscriber, RequestKind.RECTIFICATION)

    carried = carry_out_rectification(
        book, estate.stores, IPKO, request_id, values={"address": "Rruga B 1, Prishtinë"},
        key=KEY, disclosures=register, notifier=NO_CHANNEL, actor="care-3", at=AT,
    )  # fmt: skip

    with sqlite3.connect(estate.database) as connection:
        now = connection.execute(
            "SELECT address FROM subscribers WHERE subscriber_id = ?", (subscriber,)
        ).fetchone()[0]
    assert now == "Rruga B 1, Prishtinë"
    assert ("subscribers", "address", old, "Rruga B 1, Prishtinë") in carried.rectified
    assert old in (carried.request.steps[-1].reason or "")
    with pytest.raises(RequestError, match="no SQL dataset"):
        carry_out_rectification(
            book, estate.stores, IPKO, verified(book, subscriber, RequestKind.RECTIFICATION),
            values={"start_time": "x"}, key=KEY, disclosures=register, notifier=NO_CHANNEL,
            actor="care-3", at=AT,
        )  # fmt: skip


def test_a_request_not_yet_verified_is_not_carried_out(
    estate: OpenEstate, book: SqlRequestBook, register: SqlDisclosureBook, tmp_path: Path
) -> None:
    request = open_subject_request(
        book, IPKO, KEY, "C000000001", RequestKind.ACCESS, channel=Channel.WEB,
        received_at=RECEIVED, actor="web", at=RECEIVED,
    )  # fmt: skip

    with pytest.raises(RequestError, match="once its requester is verified"):
        answer_access(
            book, estate.stores, IPKO, request.request_id, tmp_path / "answers", key=KEY,
            disclosures=register, language=None, actor="dpo-1", at=AT,
        )  # fmt: skip
    assert not (tmp_path / "answers").exists()


def test_business_opt_out_lands_in_the_ledger_at_once(
    estate: OpenEstate, book: SqlRequestBook, register: SqlDisclosureBook
) -> None:
    with sqlite3.connect(estate.database) as connection:
        business = connection.execute(
            "SELECT subscriber_id FROM subscribers WHERE subscriber_type = 'business' "
            "ORDER BY subscriber_id LIMIT 1"
        ).fetchone()[0]
    request_id = verified(book, business, RequestKind.BUSINESS_OPT_OUT)
    until = AT + timedelta(days=90)

    carried = carry_out_ledger_request(
        book, IPKO, estate.ledger, KEY, request_id, until=until, disclosures=register,
        notifier=NO_CHANNEL, actor="care-3", at=AT,
    )  # fmt: skip

    assert carried.done
    assert "until" in carried.summary
    state = estate.ledger.state(pseudonymise_subject(business, KEY), AT)
    assert state.business_opt_out
    assert state.business_opt_out_until == until
