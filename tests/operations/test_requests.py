"""Requests as the CLI and API handle them: opened under the policy in force at receipt,
each step read, taken by the lifecycle and appended, and what is due listed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from placet.dsr import RequestKind, RequestState, StepKind
from placet.errors import RequestError
from placet.ledger import pseudonymise_subject
from placet.operations.requests import (
    ask_request_clarification,
    due_requests,
    extend_request,
    fulfil_request,
    load_request,
    next_request_id,
    open_subject_request,
    record_clarification,
    reject_request,
    start_request_verification,
    start_request_work,
    terms_of,
    verify_request,
)
from placet.policy import Channel, PolicySet, load_policy_set
from placet.stores.sql_requests import SqlRequestBook, open_request_book
from tests.dsr.builders import utc
from tests.operations.conftest import KEY, SUBSCRIBER


@pytest.fixture
def book(sqlite_url: str, ipko: PolicySet) -> Iterator[SqlRequestBook]:
    opened = open_request_book(sqlite_url, terms_of(ipko))
    yield opened
    opened.engine.dispose()


def opened(book: SqlRequestBook, ipko: PolicySet, request_id: str | None = None) -> str:
    request = open_subject_request(
        book,
        ipko,
        KEY,
        SUBSCRIBER,
        RequestKind.ACCESS,
        channel=Channel.SHOP,
        received_at=utc(2025, 3, 15, 9, 30),
        actor="shop-7",
        at=utc(2025, 3, 15, 9, 45),
        request_id=request_id,
    )
    return request.request_id


def test_a_request_is_numbered_by_its_year_and_names_the_subject_by_pseudonym(
    book: SqlRequestBook, ipko: PolicySet
) -> None:
    first = opened(book, ipko)
    second = opened(book, ipko)

    assert (first, second) == ("DSR-2025-000001", "DSR-2025-000002")
    assert load_request(book, first).subject == pseudonymise_subject(SUBSCRIBER, KEY)
    assert book.subscriber(first) == SUBSCRIBER


def test_the_next_id_follows_the_highest_of_the_year(book: SqlRequestBook, ipko: PolicySet) -> None:
    opened(book, ipko, "DSR-2025-000041")

    assert next_request_id(book, 2025) == "DSR-2025-000042"
    assert next_request_id(book, 2026) == "DSR-2026-000001"


def test_each_step_is_appended_and_the_request_reads_back_as_it_stands(
    book: SqlRequestBook, ipko: PolicySet
) -> None:
    request_id = opened(book, ipko)
    start_request_verification(book, request_id, actor="agent-7", at=utc(2025, 3, 17, 10))
    verify_request(book, request_id, actor="agent-7", at=utc(2025, 3, 22, 10), how="ID card")
    ask_request_clarification(
        book, request_id, actor="agent-7", at=utc(2025, 3, 23), question="Which years?"
    )
    record_clarification(book, request_id, actor="agent-7", at=utc(2025, 3, 24))
    start_request_work(book, request_id, actor="agent-9", at=utc(2025, 3, 25))
    extend_request(
        book,
        request_id,
        actor="agent-9",
        at=utc(2025, 4, 2),
        reason="twelve systems to search",
        notified_at=utc(2025, 4, 1),
    )
    fulfil_request(book, request_id, actor="agent-9", at=utc(2025, 5, 2))

    request = load_request(book, request_id)
    assert [step.kind for step in request.steps] == [
        StepKind.OPENED,
        StepKind.VERIFICATION_STARTED,
        StepKind.VERIFIED,
        StepKind.CLARIFICATION_ASKED,
        StepKind.CLARIFIED,
        StepKind.WORK_STARTED,
        StepKind.EXTENDED,
        StepKind.FULFILLED,
    ]
    assert request.state is RequestState.FULFILLED
    assert request.steps[2].reason == "ID card"


def test_a_step_the_lifecycle_refuses_records_nothing(
    book: SqlRequestBook, ipko: PolicySet
) -> None:
    request_id = opened(book, ipko)

    with pytest.raises(RequestError, match="'fulfilled' may follow only in-progress"):
        fulfil_request(book, request_id, actor="agent-9", at=utc(2025, 3, 16))

    assert len(load_request(book, request_id).steps) == 1


def test_an_unknown_request_is_a_request_error(book: SqlRequestBook) -> None:
    with pytest.raises(RequestError, match="There is no request DSR-404"):
        reject_request(book, "DSR-404", actor="dpo", at=utc(2025, 3, 16), reason="spam")


def test_ipnordic_refuses_an_extension(sqlite_url: str) -> None:
    ipnordic = load_policy_set("ipnordic")
    book = open_request_book(sqlite_url, terms_of(ipnordic))
    received = ipnordic.latest.effective_from
    at = utc(received.year, received.month, received.day, 9)
    request = open_subject_request(
        book,
        ipnordic,
        KEY,
        SUBSCRIBER,
        RequestKind.ERASURE,
        channel=Channel.EMAIL,
        received_at=at,
        actor="inbox",
        at=at,
    )

    with pytest.raises(RequestError, match="cannot be extended"):
        extend_request(
            book,
            request.request_id,
            actor="dpo",
            at=at + timedelta(days=3),
            reason="complex",
            notified_at=at + timedelta(days=2),
        )


def test_due_requests_lists_the_overdue_first_then_what_falls_due(
    book: SqlRequestBook, ipko: PolicySet
) -> None:
    late = opened(book, ipko)
    due_soon = open_subject_request(
        book,
        ipko,
        KEY,
        SUBSCRIBER,
        RequestKind.ERASURE,
        channel=Channel.WEB,
        received_at=utc(2025, 4, 10),
        actor="portal",
        at=utc(2025, 4, 10),
    ).request_id
    opened_later = open_subject_request(
        book,
        ipko,
        KEY,
        SUBSCRIBER,
        RequestKind.ERASURE,
        channel=Channel.WEB,
        received_at=utc(2025, 5, 1),
        actor="portal",
        at=utc(2025, 5, 1),
    ).request_id

    due = due_requests(book, utc(2025, 5, 5), timedelta(days=7))

    assert [request.request_id for request in due] == [late, due_soon]
    assert opened_later not in {request.request_id for request in due}


def test_a_request_recorded_under_another_policy_is_not_read_with_this_one(
    book: SqlRequestBook, ipko: PolicySet, sqlite_url: str
) -> None:
    request_id = opened(book, ipko)
    other = open_request_book(sqlite_url, terms_of(load_policy_set("ipnordic")))

    with pytest.raises(RequestError, match="Set PLACET_POLICY"):
        other.get(request_id)
