"""Tampering with the ledger's tables directly in SQL is caught by verify, at the right position."""

from __future__ import annotations

import pytest

from placet.ledger import ChainProblem, ProblemKind, seal_event
from placet.stores.sql_ledger import SqlLedger
from tests.ledger.builders import MSISDNS, at, consent_given, subject
from tests.stores.conftest import insert_row, run_sql

EVENTS = 10


@pytest.fixture
def ten_event_ledger(ledger: SqlLedger) -> SqlLedger:
    """Ten events about two subjects; every third carries a personal payload."""
    for day in range(EVENTS):
        msisdn = MSISDNS[day % 2]
        personal = {"msisdn": msisdn} if day % 3 == 0 else None
        ledger.append(consent_given(who=subject(msisdn), effective_at=at(day), personal=personal))
    assert ledger.verify().is_intact
    return ledger


def first_problem(ledger: SqlLedger) -> ChainProblem:
    report = ledger.verify()
    assert report.problem is not None, "the tampering was not caught"
    return report.problem


def test_altered_body_is_reported_at_its_position(ten_event_ledger: SqlLedger) -> None:
    run_sql(
        ten_event_ledger,
        "UPDATE ledger_events SET body = replace(body, 'agent-0042', 'agent-0666') WHERE seq = 5",
    )

    problem = first_problem(ten_event_ledger)

    assert (problem.position, problem.kind) == (5, ProblemKind.ALTERED)


def test_deleted_row_is_reported_as_removed_at_its_position(ten_event_ledger: SqlLedger) -> None:
    run_sql(ten_event_ledger, *_delete(5))

    problem = first_problem(ten_event_ledger)

    assert (problem.position, problem.kind) == (5, ProblemKind.REMOVED)


def test_deleted_row_with_later_rows_renumbered_is_reported_as_removed(
    ten_event_ledger: SqlLedger,
) -> None:
    run_sql(
        ten_event_ledger,
        *_delete(5),
        "UPDATE ledger_events SET seq = -seq WHERE seq > 5",
        "UPDATE ledger_events SET seq = -seq - 1 WHERE seq < 0",
        "UPDATE ledger_head SET seq = 9",
    )

    problem = first_problem(ten_event_ledger)

    assert (problem.position, problem.kind) == (5, ProblemKind.REMOVED)


def test_deleted_last_row_is_reported_as_removed(ten_event_ledger: SqlLedger) -> None:
    run_sql(ten_event_ledger, *_delete(10))

    problem = first_problem(ten_event_ledger)

    assert (problem.position, problem.kind) == (10, ProblemKind.REMOVED)


def test_forged_row_inserted_in_the_middle_is_reported_at_its_position(
    ten_event_ledger: SqlLedger,
) -> None:
    third = ten_event_ledger.history(subject(MSISDNS[0]))[1]
    assert third.seq == 3
    forged = seal_event(consent_given(effective_at=at(2)), 4, third.hash, None)
    run_sql(
        ten_event_ledger,
        "UPDATE ledger_events SET seq = -seq WHERE seq >= 4",
        "UPDATE ledger_events SET seq = -seq + 1 WHERE seq < 0",
        "UPDATE ledger_head SET seq = 11",
    )
    insert_row(ten_event_ledger, forged)

    problem = first_problem(ten_event_ledger)

    assert (problem.position, problem.kind) == (4, ProblemKind.INSERTED)
    assert problem.event_id == forged.event_id


def test_forged_row_appended_at_the_end_is_reported_by_the_recorded_head(
    ten_event_ledger: SqlLedger,
) -> None:
    head = ten_event_ledger.head()
    forged = seal_event(consent_given(effective_at=at(20)), head.seq + 1, head.hash, None)
    insert_row(ten_event_ledger, forged)

    problem = first_problem(ten_event_ledger)

    assert (problem.position, problem.kind) == (11, ProblemKind.INSERTED)


def test_two_rows_swapped_with_sql_are_reported_as_reordered(ten_event_ledger: SqlLedger) -> None:
    run_sql(
        ten_event_ledger,
        "UPDATE ledger_events SET seq = -1 WHERE seq = 3",
        "UPDATE ledger_events SET seq = 3 WHERE seq = 7",
        "UPDATE ledger_events SET seq = 7 WHERE seq = -1",
    )

    problem = first_problem(ten_event_ledger)

    assert (problem.position, problem.kind) == (3, ProblemKind.REORDERED)


def test_altered_personal_payload_is_reported(ten_event_ledger: SqlLedger) -> None:
    run_sql(
        ten_event_ledger,
        'UPDATE ledger_personal_payloads SET payload = \'{"msisdn":"+38344999999"}\' '
        "WHERE event_id = (SELECT event_id FROM ledger_events WHERE seq = 4)",
    )

    problem = first_problem(ten_event_ledger)

    assert (problem.position, problem.kind) == (4, ProblemKind.ALTERED)


def test_event_moved_to_another_subject_is_reported(ten_event_ledger: SqlLedger) -> None:
    run_sql(
        ten_event_ledger,
        f"UPDATE ledger_events SET subject_ref = '{subject(MSISDNS[2])}' WHERE seq = 6",
    )

    problem = first_problem(ten_event_ledger)

    assert (problem.position, problem.kind) == (6, ProblemKind.ALTERED)
    assert "subject_ref" in problem.detail


def _delete(seq: int) -> tuple[str, str]:
    """Delete the event at `seq`, its personal payload first (the foreign key demands it)."""
    return (
        "DELETE FROM ledger_personal_payloads WHERE event_id = "
        f"(SELECT event_id FROM ledger_events WHERE seq = {seq})",
        f"DELETE FROM ledger_events WHERE seq = {seq}",
    )
