"""Appends from several processes at once form one linear chain, on SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable

from placet.ledger import ContractStarted
from placet.stores.sql_database import create_ledger_engine
from placet.stores.sql_ledger import SqlLedger
from tests.ledger.builders import MSISDNS, at, consent_given, make_event, subject

PROCESSES = 4
APPENDS = 50
RESENT_KEYS = 20


def append_from_one_process(url: str, worker: int) -> None:
    """One process's appends, one transaction each, interleaving with the other processes'."""
    ledger = SqlLedger(create_ledger_engine(url))
    who = subject(MSISDNS[worker % len(MSISDNS)])
    for number in range(APPENDS):
        key = f"worker-{worker}-append-{number}"
        if number % 10 == 0:
            ledger.append(make_event(ContractStarted(contract=key), who=who, idempotency_key=key))
        else:
            ledger.append(consent_given(who=who, effective_at=at(number), idempotency_key=key))
    ledger.engine.dispose()


def resend_from_one_process(url: str, worker: int) -> None:
    """The same requests every process sends, as a retrying client behind a load balancer."""
    ledger = SqlLedger(create_ledger_engine(url))
    for number in range(RESENT_KEYS):
        key = f"retried-{number}"
        ledger.append(consent_given(effective_at=at(number), idempotency_key=key))
    ledger.engine.dispose()


def run_processes_appending_at_once(ledger: SqlLedger, target: Callable[[str, int], None]) -> None:
    url = ledger.engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=target, args=(url, worker)) for worker in range(PROCESSES)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert [worker.exitcode for worker in workers] == [0] * PROCESSES


def test_four_processes_appending_at_once_keep_one_linear_chain(ledger: SqlLedger) -> None:
    run_processes_appending_at_once(ledger, append_from_one_process)

    report = ledger.verify()
    assert report.is_intact, report.problem
    assert report.verified == PROCESSES * APPENDS == ledger.head().seq
    for worker in range(PROCESSES):
        mine = sorted(
            (
                entry
                for msisdn in MSISDNS
                for entry in ledger.history(subject(msisdn))
                if entry.event.idempotency_key.startswith(f"worker-{worker}-")
            ),
            key=lambda entry: entry.seq,
        )
        numbers = [int(entry.event.idempotency_key.rsplit("-", 1)[1]) for entry in mine]
        assert numbers == list(range(APPENDS)), "each process's appends keep their order"


def test_projection_counts_every_contract_started_concurrently(ledger: SqlLedger) -> None:
    run_processes_appending_at_once(ledger, append_from_one_process)

    # Workers 0 and 3 share the first subscriber: 5 contracts each.
    state = ledger.state(subject(MSISDNS[0]), at(365))

    assert state.active_contracts == 10


def test_the_same_keys_sent_from_four_processes_at_once_are_recorded_once(
    ledger: SqlLedger,
) -> None:
    run_processes_appending_at_once(ledger, resend_from_one_process)

    history = ledger.history(subject())

    assert sorted(entry.event.idempotency_key for entry in history) == sorted(
        f"retried-{number}" for number in range(RESENT_KEYS)
    )
    assert ledger.verify().is_intact
