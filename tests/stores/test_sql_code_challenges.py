"""One-time code challenges in the request book, on SQLite and PostgreSQL: the digest kept,
never the code; the last one sent is the one checked; an attempt is stored only over the
attempt it followed, so that racing confirmations are each counted once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select

from placet.dsr import (
    ChallengeState,
    CodeChallenge,
    CodeChannel,
    RequestState,
    check_code,
    issue_code,
    verified,
)
from placet.errors import RequestError
from placet.operations.requests import terms_of
from placet.policy import load_policy_set
from placet.stores.sql_requests import SqlRequestBook, dsr_code_challenges, open_request_book
from tests.dsr.builders import make_request, utc

IPKO = load_policy_set("ipko")
KEY = bytes(range(32))
"""The tests' code key; never a production key."""
SENT = utc(2025, 3, 15, 10)


@pytest.fixture
def book(database_url: str) -> Iterator[SqlRequestBook]:
    opened = open_request_book(database_url, terms_of(IPKO))
    opened.add(make_request(), subscriber="+38344123456")
    yield opened
    opened.engine.dispose()


def sent(book: SqlRequestBook, code: int = 123456, at_minute: int = 0) -> CodeChallenge:
    challenge, _ = issue_code(
        "DSR-1",
        CodeChannel.EMAIL,
        "jana@example.com",
        key=KEY,
        at=SENT + timedelta(minutes=at_minute),
        random=lambda: code,
    )
    book.add_challenge(challenge)
    return challenge


def test_the_upgrade_creates_the_code_challenges_table(book: SqlRequestBook) -> None:
    columns = {column["name"] for column in inspect(book.engine).get_columns("dsr_code_challenges")}

    assert {"challenge_id", "request_id", "digest", "sent_to", "attempts_used"} <= columns
    assert not {"code", "address", "to"} & columns


def test_a_challenge_reads_back_as_sent_and_keeps_no_code_or_address(
    book: SqlRequestBook,
) -> None:
    challenge = sent(book)

    assert book.latest_challenge("DSR-1") == challenge
    with book.engine.connect() as connection:
        row = connection.execute(select(dsr_code_challenges)).one()
    stored = " ".join(str(value) for value in row)
    assert "123456" not in stored
    assert "jana@example.com" not in stored
    assert row.sent_to == "j***@example.com"


def test_the_last_challenge_sent_is_the_latest_even_at_the_same_instant(
    book: SqlRequestBook,
) -> None:
    first = sent(book, code=111111)
    second = sent(book, code=222222)

    assert book.latest_challenge("DSR-1") == second
    assert book.challenges("DSR-1") == [first, second]
    assert book.latest_challenge("DSR-2") is None


def test_a_challenge_for_an_unknown_request_is_refused(book: SqlRequestBook) -> None:
    challenge, _ = issue_code("DSR-9", CodeChannel.SMS, "+38344123456", key=KEY, at=SENT)

    with pytest.raises(RequestError, match="no request DSR-9"):
        book.add_challenge(challenge)


def test_an_attempt_is_stored_over_the_attempt_it_followed(book: SqlRequestBook) -> None:
    before = sent(book)
    request = make_request()
    after, _ = check_code(before, "000000", key=KEY, at=SENT)

    assert book.record_attempt(request, before, after) is True
    assert book.latest_challenge("DSR-1") == after
    assert after.attempts_used == 1


def test_an_attempt_made_on_a_stale_read_is_not_stored(book: SqlRequestBook) -> None:
    read_by_both = sent(book)
    request = make_request()
    first, _ = check_code(read_by_both, "000000", key=KEY, at=SENT)
    second, _ = check_code(read_by_both, "123456", key=KEY, at=SENT)
    book.record_attempt(request, read_by_both, first)

    step = verified(request, actor="one-time-code", at=SENT, reason="code").steps[-1]
    assert book.record_attempt(request, read_by_both, second, step) is False

    assert book.latest_challenge("DSR-1") == first
    assert book.get("DSR-1").state is RequestState.RECEIVED  # type: ignore[union-attr]


def test_a_verifying_attempt_records_the_verified_step_with_it(book: SqlRequestBook) -> None:
    before = sent(book)
    request = make_request()
    after, _ = check_code(before, "123456", key=KEY, at=SENT)
    moved = verified(request, actor="one-time-code", at=SENT, reason=after.how_verified)

    assert book.record_attempt(request, before, after, moved.steps[-1]) is True

    assert book.get("DSR-1") == moved
    assert book.latest_challenge("DSR-1").state is ChallengeState.VERIFIED  # type: ignore[union-attr]


def test_a_verifying_attempt_on_a_request_changed_meanwhile_stores_nothing(
    book: SqlRequestBook,
) -> None:
    before = sent(book)
    request = make_request()
    in_person = verified(request, actor="agent-12", at=SENT, reason="ID card seen")
    book.append(request, in_person.steps[-1])
    after, _ = check_code(before, "123456", key=KEY, at=SENT)
    moved = verified(request, actor="one-time-code", at=SENT, reason=after.how_verified)

    with pytest.raises(RequestError, match="changed meanwhile"):
        book.record_attempt(request, before, after, moved.steps[-1])

    assert book.latest_challenge("DSR-1") == before
    assert book.get("DSR-1") == in_person


def test_an_attempt_must_move_the_challenge_on_by_one(book: SqlRequestBook) -> None:
    before = sent(book)

    with pytest.raises(RequestError, match="by one attempt"):
        book.record_attempt(make_request(), before, replace(before, attempts_used=3))
