"""One-time codes: digests not codes, constant-time comparison, expiry, attempts, masking."""

from __future__ import annotations

import hmac
import re
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from placet.dsr import (
    ChallengeState,
    CodeChallenge,
    CodeChannel,
    CodeOutcome,
    check_code,
    issue_code,
    mask_address,
)
from placet.dsr.outbox import MemoryOutbox, code_message
from placet.errors import RequestError
from tests.dsr.builders import utc

KEY = bytes(range(32))
"""The tests' code key; never a production key."""
ISSUED = utc(2025, 3, 15, 9, 30)
EXPIRES = ISSUED + timedelta(minutes=10)


def issue(code: int = 123456, **options: object) -> tuple[CodeChallenge, str]:
    """A challenge for DSR-1 by e-mail, with a known code."""
    return issue_code(
        "DSR-1",
        CodeChannel.EMAIL,
        "jana@example.com",
        key=KEY,
        at=ISSUED,
        random=lambda: code,
        **options,  # type: ignore[arg-type]
    )


def test_challenge_keeps_a_keyed_digest_not_the_code() -> None:
    challenge, code = issue()
    assert code == "123456"
    assert code not in repr(challenge)
    assert code not in challenge.digest
    expected = hmac.new(KEY, f"{challenge.challenge_id}\x00{code}".encode(), "sha256")
    assert challenge.digest == expected.hexdigest()


def test_codes_come_from_the_injected_source_with_leading_zeros() -> None:
    _, code = issue(code=42)
    assert code == "000042"


def test_default_codes_are_six_random_digits() -> None:
    codes = {issue_code("DSR-1", CodeChannel.SMS, "+38344123456", key=KEY, at=ISSUED)[1]}
    codes |= {issue_code("DSR-1", CodeChannel.SMS, "+38344123456", key=KEY, at=ISSUED)[1]}
    assert all(len(code) == 6 and code.isdigit() for code in codes)


def test_the_right_code_before_expiry_verifies() -> None:
    challenge, code = issue()
    after, outcome = check_code(challenge, code, key=KEY, at=EXPIRES - timedelta(seconds=1))
    assert outcome is CodeOutcome.VERIFIED
    assert after.state is ChallengeState.VERIFIED
    assert after.attempts_used == 1


def test_spaces_in_the_offered_code_are_ignored() -> None:
    challenge, _ = issue()
    _, outcome = check_code(challenge, " 123 456 ", key=KEY, at=ISSUED)
    assert outcome is CodeOutcome.VERIFIED


def test_digests_are_compared_with_compare_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def recording(left: bytes, right: bytes) -> bool:
        calls.append((left, right))
        return real(left, right)

    monkeypatch.setattr(hmac, "compare_digest", recording)
    challenge, _ = issue()
    check_code(challenge, "000000", key=KEY, at=ISSUED)
    assert calls == [(calls[0][0], challenge.digest.encode())]
    assert len(calls[0][0]) == len(challenge.digest)


def test_the_code_expires_at_exactly_expires_at() -> None:
    challenge, code = issue()
    after, outcome = check_code(challenge, code, key=KEY, at=EXPIRES)
    assert outcome is CodeOutcome.WRONG_OR_EXPIRED
    assert after.state is ChallengeState.EXPIRED


def test_a_wrong_code_and_an_expired_one_read_the_same() -> None:
    challenge, code = issue()
    wrong, wrong_outcome = check_code(challenge, "999999", key=KEY, at=ISSUED)
    expired, expired_outcome = check_code(challenge, code, key=KEY, at=EXPIRES)
    assert wrong_outcome is expired_outcome is CodeOutcome.WRONG_OR_EXPIRED
    assert (wrong.state, expired.state) == (ChallengeState.PENDING, ChallengeState.EXPIRED)


def test_every_attempt_counts_and_the_last_wrong_one_locks() -> None:
    challenge, code = issue(max_attempts=3)
    for attempt in range(1, 4):
        challenge, _ = check_code(challenge, "999999", key=KEY, at=ISSUED)
        assert challenge.attempts_used == attempt
    assert challenge.state is ChallengeState.LOCKED
    after, outcome = check_code(challenge, code, key=KEY, at=ISSUED)
    assert outcome is CodeOutcome.WRONG_OR_EXPIRED
    assert after.attempts_used == 4
    assert after.state is ChallengeState.LOCKED


def test_the_right_code_on_the_last_attempt_still_verifies() -> None:
    challenge, code = issue(max_attempts=2)
    challenge, _ = check_code(challenge, "999999", key=KEY, at=ISSUED)
    after, outcome = check_code(challenge, code, key=KEY, at=ISSUED)
    assert outcome is CodeOutcome.VERIFIED
    assert after.attempts_left == 0


def test_a_code_verifies_only_once() -> None:
    challenge, code = issue()
    challenge, _ = check_code(challenge, code, key=KEY, at=ISSUED)
    again, outcome = check_code(challenge, code, key=KEY, at=ISSUED)
    assert outcome is CodeOutcome.WRONG_OR_EXPIRED
    assert again.state is ChallengeState.VERIFIED


def test_a_code_does_not_verify_under_another_key() -> None:
    challenge, code = issue()
    _, outcome = check_code(challenge, code, key=bytes(32), at=ISSUED)
    assert outcome is CodeOutcome.WRONG_OR_EXPIRED


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"key": b"short"}, "at least 16"),
        ({"at": ISSUED.replace(tzinfo=None)}, "no time zone"),
        ({"digits": 3}, "4 to 10 digits"),
        ({"max_attempts": 0}, "at least one attempt"),
        ({"ttl": timedelta()}, "ttl"),
        ({"random": lambda: 10**6}, "outside [0, 1000000)"),
    ],
)
def test_issue_refuses_unusable_settings(options: dict[str, object], says: str) -> None:
    arguments: dict[str, object] = {"key": KEY, "at": ISSUED, **options}
    with pytest.raises(RequestError, match=re.escape(says)):
        issue_code("DSR-1", CodeChannel.EMAIL, "jana@example.com", **arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("channel", "address", "masked"),
    [
        (CodeChannel.EMAIL, "jana@example.com", "j***@example.com"),
        (CodeChannel.EMAIL, "Jana.Krasniqi@Example.COM", "J***@example.com"),
        (CodeChannel.SMS, "+38344123456", "+383 44 *** 456"),
        (CodeChannel.SMS, "+383 44 123 456", "+383 44 *** 456"),
        (CodeChannel.SMS, "+4512345678", "+45 12 *** 678"),
        (CodeChannel.SMS, "+12025550123", "+1 20 *** 123"),
        (CodeChannel.SMS, "+3831234567", "+383 *** 67"),
    ],
)
def test_addresses_are_masked(channel: CodeChannel, address: str, masked: str) -> None:
    assert mask_address(channel, address) == masked


@pytest.mark.parametrize(
    ("channel", "address"),
    [(CodeChannel.EMAIL, "jana"), (CodeChannel.EMAIL, "@example.com"), (CodeChannel.SMS, "044")],
)
def test_unusable_addresses_are_refused(channel: CodeChannel, address: str) -> None:
    with pytest.raises(RequestError, match="Correct it in the subscriber's records"):
        mask_address(channel, address)


def test_the_challenge_says_how_the_request_was_verified() -> None:
    challenge, _ = issue()
    assert challenge.how_verified == "one-time code sent by e-mail to j***@example.com"


def test_the_message_says_what_the_code_is_for_its_life_and_the_phone_warning() -> None:
    message = code_message(CodeChannel.EMAIL, "jana@example.com", "123456", "DSR-1")
    assert "123456" in message.body
    assert "request DSR-1" in message.body
    assert "expires in 10 minutes" in message.body
    assert "never ask you for this code by phone" in message.body


def test_a_message_in_an_unknown_language_is_refused() -> None:
    with pytest.raises(RequestError, match="Use one of: en"):
        code_message(CodeChannel.SMS, "+38344123456", "123456", "DSR-1", "xx")


def test_the_memory_outbox_keeps_messages_in_order() -> None:
    outbox = MemoryOutbox()
    first = code_message(CodeChannel.SMS, "+38344123456", "111111", "DSR-1")
    second = code_message(CodeChannel.EMAIL, "jana@example.com", "222222", "DSR-2")
    outbox.send(first)
    outbox.send(second)
    assert outbox.messages == [first, second]
    assert outbox.sent_to("jana@example.com") == [second]


@given(
    offset=st.integers(min_value=0, max_value=1200),
    wrong_before=st.integers(min_value=0, max_value=7),
    right=st.booleans(),
)
def test_a_code_verifies_only_before_expiry_and_before_lock(
    offset: int, wrong_before: int, right: bool
) -> None:
    challenge, code = issue(max_attempts=5)
    at = ISSUED + timedelta(seconds=offset)
    for _ in range(wrong_before):
        challenge, outcome = check_code(challenge, "999999", key=KEY, at=at)
        assert outcome is CodeOutcome.WRONG_OR_EXPIRED
    after, outcome = check_code(challenge, code if right else "999999", key=KEY, at=at)
    should_verify = right and at < EXPIRES and wrong_before < 5
    assert (outcome is CodeOutcome.VERIFIED) == should_verify
    assert after.attempts_used == wrong_before + 1
    if at >= EXPIRES:
        assert after.state is ChallengeState.EXPIRED
