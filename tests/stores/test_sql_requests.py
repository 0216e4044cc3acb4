"""Subjects' requests in the ledger's database, on SQLite and PostgreSQL: written once,
steps only appended, read back through the lifecycle so a changed history is refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from placet.dsr import RequestState, SubjectRequest, reject, start_work, verified
from placet.errors import RequestError, StoreError
from placet.operations.requests import terms_of
from placet.policy import load_policy_set
from placet.stores.sql_requests import SqlRequestBook, open_request_book
from tests.dsr.builders import make_request, utc

IPKO = load_policy_set("ipko")


@pytest.fixture
def book(database_url: str) -> Iterator[SqlRequestBook]:
    opened = open_request_book(database_url, terms_of(IPKO))
    yield opened
    opened.engine.dispose()


def verified_request(book: SqlRequestBook, request_id: str = "DSR-1") -> SubjectRequest:
    request = make_request(request_id=request_id)
    book.add(request, subscriber="+38344123456")
    moved = verified(request, actor="shop-7", at=utc(2025, 3, 16), reason="ID card seen")
    book.append(request, moved.steps[-1])
    return moved


def run_sql(book: SqlRequestBook, statement: str) -> None:
    with book.engine.begin() as connection:
        connection.execute(text(statement))


def test_a_request_and_its_steps_read_back_as_recorded(book: SqlRequestBook) -> None:
    request = verified_request(book)

    assert book.get("DSR-1") == request
    assert book.subscriber("DSR-1") == "+38344123456"


def test_an_unknown_request_is_none(book: SqlRequestBook) -> None:
    assert book.get("DSR-404") is None


def test_a_second_request_with_the_same_id_is_refused(book: SqlRequestBook) -> None:
    book.add(make_request(), subscriber="+38344123456")

    with pytest.raises(RequestError, match="exists already"):
        book.add(make_request(), subscriber="+38344999888")


def test_a_second_writer_appending_the_same_step_number_fails_and_nothing_forks(
    book: SqlRequestBook,
) -> None:
    read_by_both = verified_request(book)
    first = start_work(read_by_both, actor="agent-1", at=utc(2025, 3, 17))
    second = start_work(read_by_both, actor="agent-2", at=utc(2025, 3, 18))
    book.append(read_by_both, first.steps[-1])

    with pytest.raises(RequestError, match="changed meanwhile"):
        book.append(read_by_both, second.steps[-1])

    assert book.get("DSR-1") == first


def test_all_lists_by_receipt_and_open_only_leaves_out_answered_ones(
    book: SqlRequestBook,
) -> None:
    verified_request(book, "DSR-2")
    request = make_request(request_id="DSR-1")
    book.add(request, subscriber="+38344123456")
    book.append(
        request,
        reject(request, actor="dpo", at=utc(2025, 3, 16), reason="not a subscriber").steps[-1],
    )

    assert [r.request_id for r in book.all()] == ["DSR-1", "DSR-2"]
    assert [r.request_id for r in book.all(open_only=True)] == ["DSR-2"]


def test_a_step_edited_in_the_database_is_refused_on_load(book: SqlRequestBook) -> None:
    verified_request(book)
    run_sql(book, "UPDATE dsr_steps SET to_state = 'in-progress' WHERE step_no = 2")

    with pytest.raises(StoreError, match=r"DSR-1 .*recorded step 2 \('verified'"):
        book.get("DSR-1")


def test_a_step_deleted_in_the_database_is_refused_on_load(book: SqlRequestBook) -> None:
    request = verified_request(book)
    moved = start_work(request, actor="agent-1", at=utc(2025, 3, 17))
    book.append(request, moved.steps[-1])
    run_sql(book, "DELETE FROM dsr_steps WHERE step_no = 2")

    with pytest.raises(StoreError, match="a step was removed or renumbered"):
        book.all()


def test_request_ids_with_a_prefix_are_listed(book: SqlRequestBook) -> None:
    verified_request(book, "DSR-2025-000007")
    verified_request(book, "DSR-2026-000001")

    assert book.request_ids("DSR-2025-") == ["DSR-2025-000007"]
    assert book.get("DSR-2025-000007").state is RequestState.VERIFIED  # type: ignore[union-attr]


def test_the_database_itself_refuses_a_second_step_with_the_same_number(
    book: SqlRequestBook,
) -> None:
    verified_request(book)

    with pytest.raises(IntegrityError):
        run_sql(
            book,
            "INSERT INTO dsr_steps (request_id, step_no, kind, from_state, to_state, at, actor) "
            "VALUES ('DSR-1', 2, 'rejected', 'received', 'rejected', "
            "'2025-03-16 00:00:00', 'someone')",
        )
