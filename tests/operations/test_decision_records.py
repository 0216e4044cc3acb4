"""Disclosures, erasures and retention runs are recorded with the policy version and ledger
position they were decided from, and `placet decisions show` still names them after later
events; a disclosure is replayed as it was decided (`placet decisions replay`).

Disclosures and erasures are decided here under IPKO's policy with a second version in force
from 1 April 2025, so that a record naming the version in force is not just naming the only
version there is (a retention run is given one version, the shipped one, by its caller).
A disclosure's replay checks the register's proposal again against the agreements its
record holds; an erasure's asks the guard again with the holds and requests the registers
say were in force at its instant. A retention run's record can be shown, not replayed (the
rows it read are gone), so what these tests check of it is the record itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from click.testing import Result
from typer.testing import CliRunner

from placet.cli.main import app
from placet.disclosures import Disclosure, Override
from placet.dsr import RequestKind
from placet.errors import DecisionNotReplayableError
from placet.ledger import ChainHead, DecisionEntry, DecisionKind, DecisionRecord
from placet.operations import fulfilment, give_consent, make_objection, retention_runs
from placet.operations.disclosures import replay_disclosure
from placet.operations.erasure_records import replay_erasure
from placet.operations.fulfilment import carry_out_erasure
from placet.operations.recipient_channels import NoRecipientChannel
from placet.operations.recording import subject_ref
from placet.operations.requests import reject_request, terms_of
from placet.policy import PolicySet, load_policy_set
from placet.retention import HoldReason, HoldScope, LegalHold
from placet.settings import get_settings
from placet.stores.sql_disclosures import SqlDisclosureBook
from placet.stores.sql_ledger import SqlLedger
from placet.stores.sql_requests import SqlRequestBook, open_request_book
from tests.operations.conftest import KEY, SHOP, SUBSCRIBER, consumer, on
from tests.operations.disclosure_fixtures import (
    SIGNED,
    Register,
    agreements,
    subscribers_of,
    verified,
)
from tests.operations.estate_fixtures import AT, OpenEstate
from tests.operations.test_policy_version_replay import (
    SMS_DROPPED_ON,
    write_ipko_without_sms_from_april,
)
from tests.operations.test_retention_runs import run

runner = CliRunner()
HOLD_PLACED = AT - timedelta(days=30)
DISCLOSED = on(3)
"""A disclosure in March 2025, while IPKO's version 1.0 is in force (2.0 starts in April)."""


@pytest.fixture(scope="module")
def ipko_two_versions_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """IPKO's version 1.0, and a version 2.0 in force from 1 April 2025."""
    return write_ipko_without_sms_from_april(tmp_path_factory.mktemp("v") / "ipko")


@pytest.fixture(scope="module")
def ipko_two_versions(ipko_two_versions_folder: Path) -> PolicySet:
    return load_policy_set(ipko_two_versions_folder)


@pytest.fixture
def register(ledger: SqlLedger, ipko_two_versions: PolicySet) -> Register:
    """The disclosure register beside the ledger, with IPKO's agreements."""
    book = SqlDisclosureBook(ledger.engine)
    agreements(book)
    return Register(book, ledger, ipko_two_versions)


@pytest.fixture
def requests(estate: OpenEstate, ipko_two_versions: PolicySet) -> Iterator[SqlRequestBook]:
    """The estate's request book, its deadline terms read from the two versions."""
    opened = open_request_book(
        f"sqlite:///{estate.folder / 'placet.db'}", terms_of(ipko_two_versions)
    )
    yield opened
    opened.engine.dispose()


def later_events(ledger: SqlLedger, policies: PolicySet, subscriber: str) -> None:
    """A consent and an objection recorded after the decision, moving the ledger's head."""
    give_consent(
        ledger, policies, KEY, subscriber, "current-offers", provenance=SHOP, recorded_at=AT
    )
    make_objection(
        ledger, policies, KEY, subscriber, provenance=SHOP, all_direct_marketing=True,
        recorded_at=AT,
    )  # fmt: skip


def names_the_position(ledger: SqlLedger, entry: DecisionEntry, head: ChainHead) -> None:
    """The record, read back now, names `head`, which is still that event's position."""
    assert ledger.head().seq > head.seq
    assert ledger.decision(entry.record.record_id) == entry
    assert (entry.record.ledger_seq, entry.record.ledger_hash) == (head.seq, head.hash)
    assert ledger.hash_at(entry.record.ledger_seq) == head.hash


def decisions_command(
    database_url: str, monkeypatch: pytest.MonkeyPatch, *args: str, policy: str = "ipko"
) -> Result:
    """`placet decisions ARGS` on the database at `database_url`."""
    monkeypatch.setenv("PLACET_DATABASE_URL", database_url)
    monkeypatch.setenv("PLACET_PSEUDONYM_KEY", "11" * 32)  # wiring needs one; these read none
    monkeypatch.setenv("PLACET_POLICY", policy)
    get_settings.cache_clear()
    try:
        return runner.invoke(app, ["decisions", *args])
    finally:
        get_settings.cache_clear()


def shown(database_url: str, record_id: UUID, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What `placet decisions show` prints of the record, read as JSON."""
    result = decisions_command(database_url, monkeypatch, "show", str(record_id))
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.output)
    return document


def as_shown(entry: DecisionEntry) -> dict[str, Any]:
    return {"seq": entry.seq, "hash": entry.hash, **entry.record.model_dump(mode="json")}


# ---------------------------------------------------------------------- disclosures


def disclosed(register: Register, ledger: SqlLedger) -> tuple[DecisionEntry, ChainHead]:
    """A consumer's contact data disclosed to the call-centre contractor in March 2025:
    its decision record, and the ledger's head just before it was decided."""
    consumer(ledger, register.policies)
    head = ledger.head()
    disclosure = register.to_processor(SUBSCRIBER, at=DISCLOSED)
    entry = ledger.decision(UUID(disclosure.decision_id))
    assert entry is not None
    return entry, head


def test_a_disclosure_is_recorded_with_the_policy_version_and_ledger_position_it_was_decided_from(
    ledger: SqlLedger, register: Register, ipko_two_versions: PolicySet
) -> None:
    entry, head = disclosed(register, ledger)
    later_events(ledger, ipko_two_versions, SUBSCRIBER)

    record = entry.record
    in_force = ipko_two_versions.in_force(DISCLOSED)
    assert record.kind is DecisionKind.DISCLOSURE
    assert (record.policy_id, record.policy_version) == (in_force.policy_id, in_force.version)
    assert record.policy_version != ipko_two_versions.in_force(SMS_DROPPED_ON).version
    assert record.as_of == DISCLOSED
    assert record.subject == subject_ref(SUBSCRIBER, KEY)
    names_the_position(ledger, entry, head)


def test_placet_decisions_show_prints_a_disclosure_record_as_decided_after_later_events(
    ledger: SqlLedger,
    register: Register,
    ipko_two_versions: PolicySet,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entry, head = disclosed(register, ledger)
    later_events(ledger, ipko_two_versions, SUBSCRIBER)

    document = shown(database_url, entry.record.record_id, monkeypatch)

    assert document == as_shown(entry)
    assert (document["ledger_seq"], document["ledger_hash"]) == (head.seq, head.hash)
    assert document["policy_version"] == ipko_two_versions.in_force(DISCLOSED).version


def test_a_recorded_disclosure_replays_as_decided_though_its_agreement_was_ended_since(
    ledger: SqlLedger, register: Register, ipko_two_versions: PolicySet
) -> None:
    """The processor agreement is ended afterwards, back to February (before the disclosure):
    checked against the register's agreements as they stand now, the disclosure would be
    refused; the replay checks it against those its record holds."""
    entry, _ = disclosed(register, ledger)
    register.book.end_agreement("AGR-DPA-1", SIGNED.replace(month=2))
    later_events(ledger, ipko_two_versions, SUBSCRIBER)

    replayed = replay_disclosure(ledger, ipko_two_versions, register.book, entry.record.record_id)

    assert replayed.differences == ()
    assert replayed.reproduced
    assert replayed.check is not None
    assert replayed.check.agreement is not None
    assert replayed.check.agreement.agreement_id == "AGR-DPA-1"
    assert replayed.check.refusals == ()


def overridden(register: Register) -> Disclosure:
    """A disclosure to a contractor's party the agreement does not name, overridden by the
    DPO: recorded with the refusals it overrode."""
    return register.to_processor(
        SUBSCRIBER,
        party="Someone Else Sh.p.k.",
        override=Override(justification="the printer was down for a week", by="dpo-1"),
    )


@pytest.mark.parametrize(
    "made",
    [
        lambda register: register.to_police(
            SUBSCRIBER, at=DISCLOSED, secret_until=DISCLOSED + timedelta(days=60)
        ),
        lambda register: register.assigned_debt(SUBSCRIBER, at=DISCLOSED),
        lambda register: register.roamed(SUBSCRIBER, at=DISCLOSED),
        overridden,
    ],
    ids=[
        "law-enforcement-kept-from-the-subject",
        "debt-assignment",
        "inherent-transfer",
        "override",
    ],
)
def test_every_kind_of_disclosure_replays_as_recorded(
    ledger: SqlLedger, register: Register, made: Callable[[Register], Disclosure]
) -> None:
    """The register gives back every field the record holds: a confidentiality order, the
    records assigned, the foreign network, an override and the refusals it overrode."""
    consumer(ledger, register.policies)
    disclosure = made(register)

    replayed = replay_disclosure(
        ledger, register.policies, register.book, UUID(disclosure.decision_id)
    )

    assert replayed.differences == ()


def test_a_disclosure_replay_names_what_was_changed_in_the_register_behind_its_record(
    ledger: SqlLedger, register: Register, ipko_two_versions: PolicySet
) -> None:
    entry, _ = disclosed(register, ledger)
    disclosure_id = entry.record.request["disclosure"]
    with ledger.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE disclosures SET purpose = 'selling-lists' "
            f"WHERE disclosure_id = '{disclosure_id}'"
        )
        connection.exec_driver_sql(
            f"DELETE FROM disclosure_subjects WHERE disclosure_id = '{disclosure_id}'"
        )

    replayed = replay_disclosure(ledger, ipko_two_versions, register.book, entry.record.record_id)

    assert not replayed.reproduced
    changed, subjects, *decided = replayed.differences
    assert changed == (
        f"the register's disclosure {disclosure_id} differs from the recorded one in purpose"
    )
    assert subjects == f"the register's subjects of {disclosure_id} are not those recorded"
    # "selling-lists" is no purpose of IPKO's: refused now.
    (refused,) = decided
    assert refused.startswith("the check now gives another ")
    assert "problems ([['" in refused


def test_a_disclosure_replay_names_another_policy_version_in_force_on_its_day(
    ledger: SqlLedger, register: Register
) -> None:
    """Recorded under version 2.0 (in force from April), replayed with a policy set that
    holds version 1.0 only."""
    consumer(ledger, register.policies)
    disclosure = register.to_processor(SUBSCRIBER, at=SMS_DROPPED_ON)

    replayed = replay_disclosure(
        ledger, load_policy_set("ipko"), register.book, UUID(disclosure.decision_id)
    )

    assert replayed.differences == (
        f"policy version 1.0 is in force at {SMS_DROPPED_ON.isoformat()} now, the check used 2.0",
    )


def test_a_disclosure_recorded_without_its_agreements_is_not_replayable(
    ledger: SqlLedger, register: Register, ipko_two_versions: PolicySet
) -> None:
    entry, _ = disclosed(register, ledger)
    record = entry.record
    request = {name: value for name, value in record.request.items() if name != "agreements"}
    older = ledger.record_decision(
        DecisionRecord(
            kind=DecisionKind.DISCLOSURE,
            recorded_at=record.recorded_at,
            actor=record.actor,
            policy_id=record.policy_id,
            policy_version=record.policy_version,
            ledger_seq=record.ledger_seq,
            ledger_hash=record.ledger_hash,
            as_of=record.as_of,
            request=request,
            outcome=record.outcome,
            selection_digest=record.selection_digest,
        )
    )

    with pytest.raises(DecisionNotReplayableError, match="held the agreements"):
        replay_disclosure(ledger, ipko_two_versions, register.book, older.record.record_id)


def test_placet_decisions_replay_replays_a_disclosure_and_exits_1_once_its_register_changed(
    ledger: SqlLedger,
    register: Register,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    ipko_two_versions_folder: Path,
) -> None:
    entry, _ = disclosed(register, ledger)
    record_id = str(entry.record.record_id)
    policy = str(ipko_two_versions_folder)

    same = decisions_command(database_url, monkeypatch, "replay", record_id, policy=policy)
    with ledger.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE disclosures SET country = 'RS'")
    changed = decisions_command(database_url, monkeypatch, "replay", record_id, policy=policy)

    assert same.exit_code == 0, same.output
    assert "Disclosure DIS-" in same.output
    assert "Replayed: the register holds what was recorded" in same.output
    assert changed.exit_code == 1, changed.output
    assert "differs from the recorded one in country" in changed.output


# ---------------------------------------------------------------------- erasures


def erased(
    estate: OpenEstate, requests: SqlRequestBook, policies: PolicySet, subscriber: str
) -> tuple[DecisionEntry, ChainHead, str]:
    """The subscriber's erasure request carried out at AT, with the legal holds the estate's
    register holds: its decision record, the ledger's head just before, and the request's
    id."""
    request_id = verified(requests, policies, subscriber, RequestKind.ERASURE)
    head = estate.ledger.head()
    carry_out_erasure(
        requests, estate.stores, policies, estate.ledger, KEY,
        journal=estate.book, request_id=request_id, holds=estate.book.holds(),
        disclosures=SqlDisclosureBook(estate.ledger.engine), notifier=NoRecipientChannel(),
        actor="dpo-1", at=AT,
    )  # fmt: skip
    (entry,) = estate.ledger.decisions(DecisionKind.ERASURE)
    return entry, head, request_id


def test_an_erasure_is_recorded_with_the_policy_version_and_ledger_position_it_was_decided_from(
    estate: OpenEstate, requests: SqlRequestBook, ipko_two_versions: PolicySet
) -> None:
    subscriber, other = subscribers_of(estate)
    entry, head, request_id = erased(estate, requests, ipko_two_versions, subscriber)
    later_events(estate.ledger, ipko_two_versions, other)

    record = entry.record
    in_force = ipko_two_versions.in_force(AT)
    assert record.kind is DecisionKind.ERASURE
    assert (record.policy_id, record.policy_version) == (in_force.policy_id, in_force.version)
    assert record.policy_version != ipko_two_versions.versions[0].version
    assert record.as_of == AT
    assert record.subject == subject_ref(subscriber, KEY)
    assert record.request == {
        "request": request_id,
        "kind": RequestKind.ERASURE.value,
        "holds": [],
        "open_requests": [],
    }
    names_the_position(estate.ledger, entry, head)


def test_an_erasure_names_the_position_it_read_even_when_an_event_lands_while_it_runs(
    estate: OpenEstate,
    requests: SqlRequestBook,
    ipko_two_versions: PolicySet,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    subscriber, other = subscribers_of(estate)
    erase = fulfilment.erase_subject

    def erase_while_another_event_lands(*args: Any, **kwargs: Any) -> Any:
        later_events(estate.ledger, ipko_two_versions, other)
        return erase(*args, **kwargs)

    monkeypatch.setattr(fulfilment, "erase_subject", erase_while_another_event_lands)
    entry, head, _ = erased(estate, requests, ipko_two_versions, subscriber)

    assert estate.ledger.head().seq > head.seq
    assert (entry.record.ledger_seq, entry.record.ledger_hash) == (head.seq, head.hash)


def court_hold(subscriber: str, *, placed_at: datetime = HOLD_PLACED) -> LegalHold:
    """A court's preservation order on the subscriber's calls with the call centre."""
    return LegalHold(
        "court-1",
        HoldScope(subject=subscriber, dataset="call-recordings"),
        HoldReason.COURT_ORDER,
        "preservation order",
        "dpo-1",
        placed_at,
    )


def replayed_erasure(estate: OpenEstate, requests: SqlRequestBook, entry: DecisionEntry) -> Any:
    return replay_erasure(estate.ledger, requests, estate.book.holds(), entry.record.record_id)


def guarded(entry: DecisionEntry) -> dict[str, Any]:
    """What the record says the guard answered, by dataset, for those it was asked about."""
    return {
        dataset["dataset"]: dataset["guard"]
        for dataset in entry.record.outcome["datasets"]
        if dataset["guard"] is not None
    }


def test_a_recorded_erasure_replays_with_the_holds_and_requests_in_force_at_its_instant(
    estate: OpenEstate, requests: SqlRequestBook, ipko_two_versions: PolicySet
) -> None:
    """The call-centre recordings are held by a court's order and kept (and what the law
    keeps is kept); the rest is erased. A hold placed after the erasure changes nothing."""
    subscriber, other = subscribers_of(estate)
    estate.book.place(court_hold(subscriber))
    entry, _, _ = erased(estate, requests, ipko_two_versions, subscriber)
    later = court_hold(subscriber, placed_at=AT + timedelta(days=1))
    estate.book.place(replace(later, hold_id="court-2", scope=HoldScope(subject=subscriber)))
    later_events(estate.ledger, ipko_two_versions, other)

    replay = replayed_erasure(estate, requests, entry)

    assert replay.differences == ()
    assert entry.record.request["holds"] == ["court-1"]
    recorded = guarded(entry)
    assert recorded["call-recordings"]["blockers"] == [["legal-hold", "court-1"]]
    assert {dataset for dataset, _ in replay.decisions} == set(recorded)
    allowed = {dataset: decision.allowed for dataset, decision in replay.decisions}
    assert allowed == {dataset: guard["allowed"] for dataset, guard in recorded.items()}
    assert not allowed["call-recordings"]
    assert allowed["subscribers"]


def test_an_erasure_replay_names_a_hold_removed_from_the_register_and_the_dataset_it_kept(
    estate: OpenEstate, requests: SqlRequestBook, ipko_two_versions: PolicySet
) -> None:
    subscriber, _ = subscribers_of(estate)
    estate.book.place(court_hold(subscriber))
    entry, _, _ = erased(estate, requests, ipko_two_versions, subscriber)
    with estate.ledger.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM legal_holds WHERE hold_id = 'court-1'")

    replay = replayed_erasure(estate, requests, entry)

    assert replay.differences == (
        f"holds in force at {AT.isoformat()} by the registers now: none; the erasure "
        "weighed court-1",
        "dataset call-recordings: the guard now answers allowed, the erasure was answered "
        "not now (legal-hold court-1)",
    )


def test_an_erasure_replay_names_a_request_recorded_since_as_open_before_it(
    estate: OpenEstate, requests: SqlRequestBook, ipko_two_versions: PolicySet
) -> None:
    """An access request recorded after the erasure, received (by its steps) three days
    before it: the replay finds it open at the erasure's instant, holding every dataset."""
    subscriber, _ = subscribers_of(estate)
    entry, _, _ = erased(estate, requests, ipko_two_versions, subscriber)
    access = verified(requests, ipko_two_versions, subscriber, RequestKind.ACCESS)

    replay = replayed_erasure(estate, requests, entry)

    first, *datasets = replay.differences
    assert first == (
        f"requests open at {AT.isoformat()} by the registers now: {access}; the erasure "
        "weighed none"
    )
    assert len(datasets) == len(guarded(entry))
    assert all(f"not now (open-request {access}" in difference for difference in datasets)


def test_an_erasure_replay_counts_a_request_closed_since_as_open_at_its_instant(
    estate: OpenEstate, requests: SqlRequestBook, ipko_two_versions: PolicySet
) -> None:
    """An access request open when the erasure ran holds every dataset; refused a day
    later, it still was open at the erasure's instant."""
    subscriber, _ = subscribers_of(estate)
    access = verified(requests, ipko_two_versions, subscriber, RequestKind.ACCESS)
    entry, _, _ = erased(estate, requests, ipko_two_versions, subscriber)
    reject_request(
        requests, access, actor="dpo-1", at=AT + timedelta(days=1), reason="manifestly unfounded"
    )

    replay = replayed_erasure(estate, requests, entry)

    assert entry.record.request["open_requests"] == [access]
    assert replay.differences == ()
    assert replay.decisions
    assert not any(decision.allowed for _, decision in replay.decisions)


def test_an_erasure_recorded_without_what_its_guard_weighed_is_not_replayable(
    estate: OpenEstate, requests: SqlRequestBook, ipko_two_versions: PolicySet
) -> None:
    subscriber, _ = subscribers_of(estate)
    entry, _, request_id = erased(estate, requests, ipko_two_versions, subscriber)
    record = entry.record
    older = estate.ledger.record_decision(
        record.model_copy(
            update={
                "record_id": uuid4(),
                "request": {"request": request_id, "kind": "erasure"},
                "idempotency_key": "erasure-recorded-before",
            }
        )
    )

    with pytest.raises(DecisionNotReplayableError, match="what the guard weighed"):
        replayed_erasure(estate, requests, older)


def test_placet_decisions_replay_replays_an_erasure_and_exits_1_once_its_hold_is_gone(
    estate: OpenEstate,
    requests: SqlRequestBook,
    ipko_two_versions_folder: Path,
    ipko_two_versions: PolicySet,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    subscriber, _ = subscribers_of(estate)
    estate.book.place(court_hold(subscriber))
    entry, _, request_id = erased(estate, requests, ipko_two_versions, subscriber)
    database = f"sqlite:///{estate.folder / 'placet.db'}"
    record_id = str(entry.record.record_id)
    policy = str(ipko_two_versions_folder)

    same = decisions_command(database, monkeypatch, "replay", record_id, policy=policy)
    with estate.ledger.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM legal_holds")
    changed = decisions_command(database, monkeypatch, "replay", record_id, policy=policy)

    assert same.exit_code == 0, same.output
    assert f"Erasure for request {request_id} ({record_id})" in same.output
    assert "Replayed: the holds and requests in force then are those weighed" in same.output
    assert changed.exit_code == 1, changed.output
    assert "dataset call-recordings: the guard now answers allowed" in changed.output


def test_placet_decisions_replay_says_a_retention_run_record_can_be_shown_not_replayed(
    estate: OpenEstate, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = run(estate)
    record_id = str(report.run.decision_id)

    result = decisions_command(
        f"sqlite:///{estate.folder / 'placet.db'}", monkeypatch, "replay", record_id
    )

    assert result.exit_code != 0
    assert f"Decision record {record_id} cannot be replayed: it is of kind retention-run" in (
        result.output
    )


def test_placet_decisions_show_prints_an_erasure_record_as_decided_after_later_events(
    estate: OpenEstate,
    requests: SqlRequestBook,
    ipko_two_versions: PolicySet,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    subscriber, other = subscribers_of(estate)
    entry, head, _ = erased(estate, requests, ipko_two_versions, subscriber)
    later_events(estate.ledger, ipko_two_versions, other)

    document = shown(
        f"sqlite:///{estate.folder / 'placet.db'}", entry.record.record_id, monkeypatch
    )

    assert document == as_shown(entry)
    assert (document["ledger_seq"], document["ledger_hash"]) == (head.seq, head.hash)
    assert document["policy_version"] == ipko_two_versions.in_force(AT).version
    assert document["outcome"]["datasets"]


# ---------------------------------------------------------------------- retention runs


def test_a_retention_run_is_recorded_with_the_policy_version_and_ledger_position_it_ran_from(
    estate: OpenEstate, ipko_two_versions: PolicySet
) -> None:
    head = estate.ledger.head()
    report = run(estate)
    (_, other) = subscribers_of(estate)
    later_events(estate.ledger, ipko_two_versions, other)

    entry = estate.ledger.decision(UUID(report.run.decision_id))
    assert entry is not None
    record = entry.record
    assert record.kind is DecisionKind.RETENTION_RUN
    assert (record.policy_id, record.policy_version) == (
        estate.policy.policy_id,
        estate.policy.version,
    )
    assert record.as_of == AT
    names_the_position(estate.ledger, entry, head)


def test_a_retention_run_names_the_position_it_read_even_when_an_event_lands_while_it_runs(
    estate: OpenEstate, ipko_two_versions: PolicySet, monkeypatch: pytest.MonkeyPatch
) -> None:
    (_, other) = subscribers_of(estate)
    plan = retention_runs.plan_estate

    def plan_while_another_event_lands(*args: Any, **kwargs: Any) -> Any:
        later_events(estate.ledger, ipko_two_versions, other)
        return plan(*args, **kwargs)

    monkeypatch.setattr(retention_runs, "plan_estate", plan_while_another_event_lands)
    head = estate.ledger.head()
    report = run(estate)

    entry = estate.ledger.decision(UUID(report.run.decision_id))
    assert entry is not None
    assert estate.ledger.head().seq > head.seq
    assert (entry.record.ledger_seq, entry.record.ledger_hash) == (head.seq, head.hash)


def test_placet_decisions_list_sums_up_each_kind_of_record_in_one_short_line(
    estate: OpenEstate,
    requests: SqlRequestBook,
    ipko_two_versions: PolicySet,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    subscriber, _ = subscribers_of(estate)
    register = Register(SqlDisclosureBook(estate.ledger.engine), estate.ledger, ipko_two_versions)
    agreements(register.book)
    disclosure = register.to_processor(subscriber, at=DISCLOSED)
    estate.book.place(court_hold(subscriber))
    _, _, request_id = erased(estate, requests, ipko_two_versions, subscriber)
    run(estate)

    listed = decisions_command(f"sqlite:///{estate.folder / 'placet.db'}", monkeypatch, "list")

    assert listed.exit_code == 0, listed.output
    disclosed, erasure, retention = listed.output.splitlines()
    assert (
        f"{disclosure.disclosure_id} to contractors: 1 subject(s), transfer none  by dpo-1"
    ) in disclosed
    assert f"request {request_id}: " in erasure
    assert " dataset(s), " in erasure
    assert " kept  by dpo-1" in erasure
    assert " step(s): " in retention
    assert all(len(line) < 300 for line in (disclosed, erasure, retention))
