"""Identity verification with the challenges kept in the request book, on SQLite and
PostgreSQL: codes sent through a real SMTP server, expiry, limited attempts (also when
confirmations race), answers that never tell whether a subscriber exists, and in-person
verification with how it was done."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest

from placet.dsr import (
    ChallengeState,
    CodeChannel,
    CodeOutcome,
    MemoryOutbox,
    Outbox,
    RequestKind,
    RequestState,
    SmtpOutbox,
)
from placet.dsr.outbox import FolderOutbox
from placet.errors import RequestError, SettingsError
from placet.operations.requests import open_subject_request, terms_of, verify_request
from placet.operations.verification import (
    CODE_SENT_ANSWER,
    MAX_CODES_PER_REQUEST,
    NO_ADDRESS,
    AddressOf,
    CodeConfirmed,
    Outboxes,
    code_key_from_hex,
    confirm_request_code,
    given_address,
    open_outboxes,
    send_request_code,
)
from placet.policy import Channel, load_policy_set
from placet.stores.sql_requests import SqlRequestBook, open_request_book
from tests.dsr.builders import utc
from tests.operations.conftest import KEY as PSEUDONYM_KEY
from tests.operations.smtp_server import SmtpServer, code_in, running_smtp_server

IPKO = load_policy_set("ipko")
KEY = bytes(range(32))
"""The tests' code key; never a production key."""
RECEIVED = utc(2025, 3, 15, 9, 30)
ASKED = utc(2025, 3, 15, 10)
KNOWN = "+38344123456"
UNKNOWN = "+38344999000"
RECORDS = {(KNOWN, CodeChannel.EMAIL): "jana@example.com", (KNOWN, CodeChannel.SMS): KNOWN}


def records(subscriber: str, channel: CodeChannel) -> str | None:
    """The operator's records: one subscriber with an e-mail address and a number."""
    return RECORDS.get((subscriber, channel))


@pytest.fixture
def book(database_url: str) -> Iterator[SqlRequestBook]:
    opened = open_request_book(database_url, terms_of(IPKO))
    yield opened
    opened.engine.dispose()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        yield server


def opened(book: SqlRequestBook, subscriber: str = KNOWN, request_id: str = "DSR-1") -> str:
    request = open_subject_request(
        book,
        IPKO,
        PSEUDONYM_KEY,
        subscriber,
        RequestKind.ACCESS,
        channel=Channel.WEB,
        received_at=RECEIVED,
        actor="portal",
        at=RECEIVED,
        request_id=request_id,
    )
    return request.request_id


def send(
    book: SqlRequestBook,
    outbox: Outbox,
    request_id: str = "DSR-1",
    channel: CodeChannel = CodeChannel.EMAIL,
    address_of: AddressOf = records,
    at_minutes: float = 0,
    code: int | None = None,
) -> str:
    asked = send_request_code(
        book,
        request_id,
        channel,
        address_of=address_of,
        outbox=outbox,
        key=KEY,
        at=ASKED + timedelta(minutes=at_minutes),
        random=None if code is None else (lambda: code),
    )
    return asked.answer


def confirm(
    book: SqlRequestBook, code: str, request_id: str = "DSR-1", at_minutes: float = 1
) -> CodeConfirmed:
    return confirm_request_code(
        book, request_id, code, key=KEY, at=ASKED + timedelta(minutes=at_minutes)
    )


def test_code_is_sent_through_a_real_smtp_server(book: SqlRequestBook, smtp: SmtpServer) -> None:
    opened(book)
    outbox = open_outboxes(smtp.url).for_channel(CodeChannel.EMAIL)

    answer = send(book, outbox)
    [message] = smtp.received
    confirmed = confirm(book, code_in(message), at_minutes=3)

    assert answer == CODE_SENT_ANSWER
    assert message["To"] == "jana@example.com"
    assert message["From"] == "privacy@operator.example"
    assert message["Subject"] == "Your code for request DSR-1"
    assert confirmed.outcome is CodeOutcome.VERIFIED
    request = book.get("DSR-1")
    assert request is not None
    assert request.state is RequestState.VERIFIED
    assert request.steps[-1].reason == "one-time code sent by e-mail to j***@example.com"
    assert book.latest_challenge("DSR-1").state is ChallengeState.VERIFIED  # type: ignore[union-attr]


def test_codes_expire(book: SqlRequestBook) -> None:
    opened(book)
    outbox = MemoryOutbox()
    send(book, outbox, code=123456)

    late = confirm(book, "123456", at_minutes=10)
    after = confirm(book, "123456", at_minutes=11)

    assert late.outcome is after.outcome is CodeOutcome.WRONG_OR_EXPIRED
    assert late.answer == "The code is wrong or has expired. Check it, or ask for a new code."
    challenge = book.latest_challenge("DSR-1")
    assert challenge is not None
    assert challenge.state is ChallengeState.EXPIRED
    assert challenge.attempts_used == 2
    assert book.get("DSR-1").state is RequestState.RECEIVED  # type: ignore[union-attr]


def test_a_new_code_replaces_the_one_sent_before(book: SqlRequestBook) -> None:
    opened(book)
    outbox = MemoryOutbox()
    send(book, outbox, code=111111)
    send(book, outbox, code=222222, at_minutes=1)

    old = confirm(book, "111111", at_minutes=2)
    new = confirm(book, "222222", at_minutes=2)

    assert old.outcome is CodeOutcome.WRONG_OR_EXPIRED
    assert new.outcome is CodeOutcome.VERIFIED


def test_attempts_are_limited(book: SqlRequestBook) -> None:
    opened(book)
    send(book, MemoryOutbox(), code=123456)

    wrong = [confirm(book, f"00000{number}") for number in range(5)]
    right_too_late = confirm(book, "123456")

    assert {result.outcome for result in wrong} == {CodeOutcome.WRONG_OR_EXPIRED}
    assert right_too_late.outcome is CodeOutcome.WRONG_OR_EXPIRED
    assert "ask for a new code" in right_too_late.answer
    challenge = book.latest_challenge("DSR-1")
    assert challenge is not None
    assert challenge.state is ChallengeState.LOCKED
    assert challenge.attempts_used == 6
    assert book.get("DSR-1").state is RequestState.RECEIVED  # type: ignore[union-attr]


def test_attempts_are_limited_when_confirmations_race(book: SqlRequestBook) -> None:
    opened(book)
    send(book, MemoryOutbox(), code=123456)
    racers = 8
    start = threading.Barrier(racers)

    def guess(number: int) -> CodeOutcome:
        start.wait()
        return confirm(book, f"99999{number}").outcome

    with ThreadPoolExecutor(racers) as pool:
        outcomes = list(pool.map(guess, range(racers)))
    right_after = confirm(book, "123456")

    assert set(outcomes) == {CodeOutcome.WRONG_OR_EXPIRED}
    challenge = book.latest_challenge("DSR-1")
    assert challenge is not None
    assert challenge.attempts_used == racers + 1
    assert challenge.state is ChallengeState.LOCKED
    assert right_after.outcome is CodeOutcome.WRONG_OR_EXPIRED
    assert book.get("DSR-1").state is RequestState.RECEIVED  # type: ignore[union-attr]


def test_two_right_codes_at_once_verify_the_request_once(book: SqlRequestBook) -> None:
    opened(book)
    send(book, MemoryOutbox(), code=123456)
    start = threading.Barrier(2)

    def offer(_: int) -> CodeOutcome | str:
        start.wait()
        try:
            return confirm(book, "123456").outcome
        except RequestError as refused:
            return str(refused)

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(offer, range(2)))

    assert results.count(CodeOutcome.VERIFIED) == 1
    request = book.get("DSR-1")
    assert request is not None
    assert [step.kind.value for step in request.steps] == ["opened", "verified"]


def test_code_answers_never_reveal_whether_a_subscriber_exists(book: SqlRequestBook) -> None:
    opened(book, KNOWN, "DSR-1")
    opened(book, UNKNOWN, "DSR-2")
    outbox = MemoryOutbox()

    sent_answers = [send(book, outbox, request_id) for request_id in ("DSR-1", "DSR-2")]
    confirmed = [confirm(book, "000000", request_id) for request_id in ("DSR-1", "DSR-2")]

    assert sent_answers[0].encode() == sent_answers[1].encode() == CODE_SENT_ANSWER.encode()
    assert confirmed[0].outcome is confirmed[1].outcome is CodeOutcome.WRONG_OR_EXPIRED
    assert confirmed[0].answer.encode() == confirmed[1].answer.encode()
    assert [message.to for message in outbox.messages] == ["jana@example.com"]
    decoy = book.latest_challenge("DSR-2")
    assert decoy is not None
    assert decoy.sent_to == NO_ADDRESS
    assert decoy.attempts_used == 1, "attempts on a decoy count as on a real code"


def test_codes_per_request_are_capped_alike_for_known_and_unknown_subscribers(
    book: SqlRequestBook,
) -> None:
    opened(book, KNOWN, "DSR-1")
    opened(book, UNKNOWN, "DSR-2")
    outbox = MemoryOutbox()
    for minute in range(MAX_CODES_PER_REQUEST):
        for request_id in ("DSR-1", "DSR-2"):
            send(book, outbox, request_id, at_minutes=minute)

    refusals = []
    for request_id in ("DSR-1", "DSR-2"):
        with pytest.raises(RequestError, match="the most one request may be sent") as refused:
            send(book, outbox, request_id, at_minutes=MAX_CODES_PER_REQUEST)
        refusals.append(str(refused.value).replace(request_id, "DSR-?"))

    assert refusals[0] == refusals[1]
    assert len(outbox.messages) == MAX_CODES_PER_REQUEST


def test_an_unusable_address_on_record_is_answered_as_none(
    book: SqlRequestBook, caplog: pytest.LogCaptureFixture
) -> None:
    opened(book)
    outbox = MemoryOutbox()

    answer = send(book, outbox, address_of=lambda _subscriber, _channel: "not an address")

    assert answer == CODE_SENT_ANSWER
    assert outbox.messages == []
    assert "address on record unusable" in caplog.text
    assert "not an address" not in caplog.text


def test_a_request_that_is_no_longer_verifiable_is_refused_for_everyone(
    book: SqlRequestBook,
) -> None:
    for subscriber, request_id in ((KNOWN, "DSR-1"), (UNKNOWN, "DSR-2")):
        opened(book, subscriber, request_id)
        verify_request(book, request_id, actor="agent-12", at=ASKED, how="in person")

        with pytest.raises(RequestError, match="is verified: identity is verified only"):
            send(book, MemoryOutbox(), request_id)
        with pytest.raises(RequestError, match="is verified: identity is verified only"):
            confirm(book, "123456", request_id)


def test_agent_verifies_in_person_and_records_how(book: SqlRequestBook) -> None:
    opened(book)

    request = verify_request(
        book, "DSR-1", actor="shop-7", at=ASKED, how="passport seen at the Prishtina shop"
    )

    stored = book.get("DSR-1")
    assert stored == request
    assert request.state is RequestState.VERIFIED
    assert request.steps[-1].actor == "shop-7"
    assert request.steps[-1].reason == "passport seen at the Prishtina shop"


def test_a_given_address_is_checked_where_the_agent_can_correct_it() -> None:
    with pytest.raises(RequestError, match="not of the form name@domain"):
        given_address(CodeChannel.EMAIL, "jana.example.com")

    address_of = given_address(CodeChannel.SMS, " +38344123456 ")
    assert address_of("anyone", CodeChannel.SMS) == "+38344123456"
    assert address_of("anyone", CodeChannel.EMAIL) is None


def test_a_folder_outbox_keeps_each_message_in_a_file(book: SqlRequestBook, tmp_path: Path) -> None:
    opened(book)
    outbox = open_outboxes(f"folder:{tmp_path / 'outbox'}").for_channel(CodeChannel.SMS)
    assert isinstance(outbox, FolderOutbox)

    send(book, outbox, channel=CodeChannel.SMS)
    [message] = outbox.messages()
    confirmed = confirm(book, code_in(message.body))

    assert message.to == KNOWN
    assert message.channel is CodeChannel.SMS
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    assert confirmed.outcome is CodeOutcome.VERIFIED


@pytest.mark.parametrize(
    ("url", "email", "sms"),
    [
        ("smtp://mail.example:587?from=privacy@op.example&starttls=true", SmtpOutbox, None),
        ("smtp://mail.example?from=privacy@op.example", SmtpOutbox, None),
        ("folder:placet-demo/outbox", FolderOutbox, FolderOutbox),
        ("memory", MemoryOutbox, MemoryOutbox),
        (None, None, None),
    ],
)
def test_outbox_settings_name_an_outbox_per_channel(
    url: str | None, email: type | None, sms: type | None
) -> None:
    outboxes = open_outboxes(url)

    assert (type(outboxes.email) if outboxes.email else None) is email
    assert (type(outboxes.sms) if outboxes.sms else None) is sms


def test_an_smtp_outbox_setting_keeps_port_tls_and_login() -> None:
    outbox = open_outboxes("smtp://placet:s%40cret@mail.example:587?from=p@op.example&starttls=1")

    assert isinstance(outbox.email, SmtpOutbox)
    assert (outbox.email.host, outbox.email.port, outbox.email.sender) == (
        "mail.example",
        587,
        "p@op.example",
    )
    assert outbox.email.starttls is True
    assert outbox.email.username == "placet"
    assert "s@cret" not in repr(outbox.email)


@pytest.mark.parametrize(
    "url", ["smtp://mail.example", "smtp://?from=p@op.example", "ftp://x", "folder:"]
)
def test_an_unusable_outbox_setting_says_how_to_write_it(url: str) -> None:
    with pytest.raises(SettingsError, match="PLACET_OUTBOX"):
        open_outboxes(url)


def test_a_channel_without_an_outbox_names_the_setting_to_set() -> None:
    with pytest.raises(SettingsError, match="PLACET_SMS_GATEWAY is not set"):
        open_outboxes("smtp://mail.example?from=p@op.example").for_channel(CodeChannel.SMS)
    with pytest.raises(SettingsError, match="PLACET_OUTBOX is not set"):
        Outboxes().for_channel(CodeChannel.EMAIL)


class Gateway:
    """An SMS gateway as an operator plugs one in (`PLACET_SMS_GATEWAY`)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send_sms(self, to: str, text: str) -> None:
        self.sent.append((to, text))


def make_gateway() -> Gateway:
    return Gateway()


def test_the_sms_gateway_is_plugged_in_by_module_and_factory() -> None:
    outboxes = open_outboxes(
        "smtp://mail.example?from=p@op.example",
        sms_gateway=f"{__name__}:make_gateway",
    )

    assert isinstance(outboxes.email, SmtpOutbox)
    assert isinstance(outboxes.sms.sender, Gateway)  # type: ignore[union-attr]


@pytest.mark.parametrize("reference", ["nowhere:make", f"{__name__}:missing", f"{__name__}:KEY"])
def test_an_sms_gateway_that_cannot_be_loaded_is_a_settings_error(reference: str) -> None:
    with pytest.raises(SettingsError, match="PLACET_SMS_GATEWAY"):
        open_outboxes(None, sms_gateway=reference)


@pytest.mark.parametrize(("text", "problem"), [("zz", "hex digits"), ("00" * 8, "has 8 bytes")])
def test_a_code_key_setting_must_be_hex_of_16_bytes_or_more(text: str, problem: str) -> None:
    with pytest.raises(SettingsError, match=problem):
        code_key_from_hex(text)
    assert code_key_from_hex("ab" * 32) == bytes([0xAB] * 32)


def test_a_short_key_is_refused_for_every_subscriber(book: SqlRequestBook) -> None:
    opened(book, UNKNOWN)
    with pytest.raises(RequestError, match="needs at least 16"):
        send_request_code(
            book,
            "DSR-1",
            CodeChannel.EMAIL,
            address_of=records,
            outbox=MemoryOutbox(),
            key=b"short",
            at=ASKED,
        )
