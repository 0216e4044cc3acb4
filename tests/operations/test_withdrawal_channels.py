"""Withdrawals by SMS keyword and by the one-click unsubscribe link land in the ledger at
once, on SQLite and PostgreSQL, and the decision engine denies from then on."""

from __future__ import annotations

import base64
import string
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from placet.decide import Use
from placet.errors import InvalidEventError, SettingsError
from placet.ledger import CollectedVia, ConsentWithdrawn, GivenBy
from placet.operations import decide_for_subject, give_consent, record_subject_facts, subject_ref
from placet.operations.sms_keywords import MsisdnHolder, SmsAnswer, withdraw_by_sms
from placet.operations.unsubscribe_links import (
    UnsubscribeKey,
    UnsubscribeLinkError,
    list_unsubscribe_headers,
    read_unsubscribe_token,
    unsubscribe,
    unsubscribe_token,
)
from placet.policy import PolicySet, load_policy_set
from placet.policy.loader import resolve_policy_dir
from placet.policy.model import CategoryId, PurposeId
from placet.policy.terms import Channel
from placet.stores.sql_ledger import SqlLedger
from tests.conftest import replace_once
from tests.operations.conftest import KEY, NOW, SHOP, SUBSCRIBER, consumer, on

UNSUBSCRIBE_KEY = UnsubscribeKey(bytes(range(100, 132)))
"""The tests' unsubscribe key; never a production key."""
OTHER = "+38344654321"
UNKNOWN = "+38349000000"
SHORT_CODE = "1234"


def offers(channel: Channel) -> Use:
    """IPKO's consent-based marketing of current offers, on `channel`."""
    return Use(
        purpose=PurposeId("direct-marketing-current-offers"),
        categories=(CategoryId("contact"),),
        channel=channel,
    )


def holds(*numbers: str) -> MsisdnHolder:
    """A resolver for which each number is held by the subscriber of that identifier."""
    return lambda msisdn, at: msisdn if msisdn in numbers else None


def consented(
    ledger: SqlLedger, policies: PolicySet, *channels: Channel, subscriber: str = SUBSCRIBER
) -> None:
    """A consumer who agreed in a shop on 1 March to hear of current offers on `channels`."""
    consumer(ledger, policies, subscriber)
    give_consent(
        ledger,
        policies,
        KEY,
        subscriber,
        "current-offers",
        channels=channels or [Channel.SMS],
        provenance=SHOP,
        recorded_at=on(3),
    )


def sms(
    ledger: SqlLedger,
    policies: PolicySet,
    text: str,
    *,
    message_id: str = "gw-0001",
    sender: str = SUBSCRIBER,
    holder: MsisdnHolder | None = None,
    received_at: datetime = NOW,
    at: datetime = NOW,
) -> SmsAnswer:
    return withdraw_by_sms(
        ledger,
        policies,
        KEY,
        message_id=message_id,
        sender=sender,
        short_code=SHORT_CODE,
        text=text,
        received_at=received_at,
        holder=holder or holds(SUBSCRIBER, OTHER),
        actor="sms-gateway",
        at=at,
    )


def withdrawals(ledger: SqlLedger, subscriber: str = SUBSCRIBER) -> list[ConsentWithdrawn]:
    return [
        entry.event.data
        for entry in ledger.history(subject_ref(subscriber, KEY))
        if isinstance(entry.event.data, ConsentWithdrawn)
    ]


@pytest.fixture(scope="module")
def nordic_by_sms(tmp_path_factory: pytest.TempPathFactory) -> PolicySet:
    """ipnordic's policy with its newsletter also sent by SMS, to try the Danish keywords."""
    text = (resolve_policy_dir("ipnordic") / "policy.yaml").read_text(encoding="utf-8")
    text = replace_once(
        text,
        "    channels: [email]\n    categories: [newsletter-signup]\n",
        "    channels: [email, sms]\n    categories: [newsletter-signup]\n",
    )
    folder = tmp_path_factory.mktemp("nordic") / "policy"
    folder.mkdir()
    (folder / "policy.yaml").write_text(text, encoding="utf-8")
    return load_policy_set(folder)


# ---------------------------------------------------------------- SMS keywords


def test_sms_keyword_withdrawal_lands_in_the_ledger(ledger: SqlLedger, ipko: PolicySet) -> None:
    consented(ledger, ipko)

    answer = sms(ledger, ipko, "STOP")

    (event,) = [
        record.entry.event
        for record in answer.recorded
        if record.entry.event.data
        == ConsentWithdrawn(option="current-offers", channels=frozenset({Channel.SMS}))
    ]
    assert (event.collected_via, event.given_by) == (CollectedVia.SMS, GivenBy.SUBJECT)
    assert "gw-0001" in (event.evidence or "")
    assert event.effective_at == NOW
    assert ConsentWithdrawn(option="current-offers", channels=frozenset({Channel.SMS})) in (
        withdrawals(ledger)
    )
    decided = decide_for_subject(ledger, ipko, KEY, SUBSCRIBER, offers(Channel.SMS), now=NOW)
    assert decided.decision.reason == "consent-withdrawn"


def test_sms_stop_leaves_the_consent_on_other_channels(ledger: SqlLedger, ipko: PolicySet) -> None:
    consented(ledger, ipko, Channel.SMS, Channel.EMAIL)

    sms(ledger, ipko, "STOP")

    by_sms = decide_for_subject(ledger, ipko, KEY, SUBSCRIBER, offers(Channel.SMS), now=NOW)
    by_email = decide_for_subject(ledger, ipko, KEY, SUBSCRIBER, offers(Channel.EMAIL), now=NOW)
    assert (by_sms.decision.outcome, by_email.decision.outcome) == ("deny", "permit")


def test_sms_stop_withdraws_every_option_that_reaches_the_subscriber_by_sms(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    consented(ledger, ipko)

    answer = sms(ledger, ipko, "stop")

    assert {record.entry.event.data for record in answer.recorded} == {
        ConsentWithdrawn(option=option, channels=frozenset({Channel.SMS}))
        for option in ("current-offers", "offers-just-for-me")
    }
    assert answer.understood
    assert answer.reply.startswith("IPKO: you will receive no more marketing messages by SMS")


def test_sms_withdrawal_takes_effect_the_instant_the_message_arrived(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    consented(ledger, ipko)
    arrived = on(4, 20, 10)

    sms(ledger, ipko, "STOP", received_at=arrived)

    before = decide_for_subject(
        ledger, ipko, KEY, SUBSCRIBER, offers(Channel.SMS), now=NOW, at=arrived - timedelta(1)
    )
    after = decide_for_subject(
        ledger, ipko, KEY, SUBSCRIBER, offers(Channel.SMS), now=NOW, at=arrived
    )
    assert (before.decision.reason, after.decision.reason) == ("permitted", "consent-withdrawn")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("STOP", "en"),
        (" Stop! ", "en"),
        ("UNSUBSCRIBE", "en"),
        ("NDAL", "sq"),
        ("ndalo", "sq"),
        ("СТОП", "sr"),
        ("стоп.", "sr"),
    ],
)
def test_ipko_keywords_in_each_of_its_languages_land_in_the_ledger(
    ledger: SqlLedger, ipko: PolicySet, text: str, language: str
) -> None:
    consented(ledger, ipko)

    answer = sms(ledger, ipko, text)

    assert answer.understood
    assert answer.language == language
    assert len(answer.recorded) == 2
    assert all(record.created for record in answer.recorded)


@pytest.mark.parametrize("text", ["AFMELD", "afmeld", "STOP", "Stop"])
def test_danish_keywords_land_in_the_ledger_and_are_answered_in_danish(
    ledger: SqlLedger, nordic_by_sms: PolicySet, text: str
) -> None:
    answer = sms(ledger, nordic_by_sms, text)

    assert answer.language == "da"
    assert [record.entry.event.data for record in answer.recorded] == [
        ConsentWithdrawn(option="newsletter", channels=frozenset({Channel.SMS}))
    ]
    assert answer.reply.startswith("ipnordic: du modtager ikke flere")


def test_a_keyword_of_a_language_the_policy_lacks_is_not_understood(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    consented(ledger, ipko)
    head = ledger.head()

    answer = sms(ledger, ipko, "AFMELD")

    assert not answer.understood
    assert ledger.head() == head
    assert "STOP" in answer.reply


def test_stop_naming_an_option_withdraws_only_that_option_and_answers_in_its_language(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    consented(ledger, ipko)

    answer = sms(ledger, ipko, "stop ofertat aktuale")

    assert [record.entry.event.data for record in answer.recorded] == [
        ConsentWithdrawn(option="current-offers", channels=frozenset({Channel.SMS}))
    ]
    assert answer.language == "sq"
    assert "Ofertat aktuale" in answer.reply


def test_stop_naming_an_option_that_does_not_use_sms_withdraws_it_entirely(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    answer = sms(ledger, ipko, "STOP help-us-be-better")

    assert [record.entry.event.data for record in answer.recorded] == [
        ConsentWithdrawn(option="help-us-be-better")
    ]
    assert "withdrawn" in answer.reply


def test_unknown_text_records_nothing_and_replies_with_the_keywords(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    consented(ledger, ipko)
    head = ledger.head()

    answer = sms(ledger, ipko, "what is my balance?")

    assert (answer.understood, answer.recorded) == (False, ())
    assert ledger.head() == head
    assert "STOP or UNSUBSCRIBE" in answer.reply
    assert "Current offers" in answer.reply


def test_stop_naming_no_consent_option_records_nothing(ledger: SqlLedger, ipko: PolicySet) -> None:
    consented(ledger, ipko)
    head = ledger.head()

    answer = sms(ledger, ipko, "STOP the weather")

    assert not answer.understood
    assert ledger.head() == head
    assert '"the weather" is not one of our consents' in answer.reply


def test_a_number_no_subscriber_holds_records_nothing_and_gets_the_same_answer(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    consented(ledger, ipko)
    known = sms(ledger, ipko, "STOP", message_id="gw-1")
    head = ledger.head()

    unknown = sms(ledger, ipko, "STOP", message_id="gw-2", sender=UNKNOWN)

    assert unknown.recorded == ()
    assert ledger.head() == head
    assert (unknown.reply, unknown.language, unknown.understood) == (
        known.reply,
        known.language,
        known.understood,
    )


def test_the_number_names_the_subscriber_who_held_it_when_the_message_arrived(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    asked: list[tuple[str, datetime]] = []

    def recycled(msisdn: str, at: datetime) -> str:
        asked.append((msisdn, at))
        return SUBSCRIBER if at < on(4) else OTHER

    sms(ledger, ipko, "STOP", sender=SUBSCRIBER, holder=recycled, received_at=on(4, 2))

    assert asked == [(SUBSCRIBER, on(4, 2))]
    assert withdrawals(ledger, SUBSCRIBER) == []
    assert len(withdrawals(ledger, OTHER)) == 2


def test_a_redelivered_message_records_nothing_new(ledger: SqlLedger, ipko: PolicySet) -> None:
    consented(ledger, ipko)
    first = sms(ledger, ipko, "STOP")

    again = sms(ledger, ipko, "STOP", received_at=NOW + timedelta(seconds=5), at=on(5, 2))

    assert [record.created for record in again.recorded] == [False, False]
    assert [r.entry for r in again.recorded] == [r.entry for r in first.recorded]
    assert len(withdrawals(ledger)) == 2
    assert again.reply == first.reply


def test_a_message_id_that_is_not_a_reference_is_refused(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    with pytest.raises(InvalidEventError, match="message id"):
        sms(ledger, ipko, "STOP", message_id="id with spaces")


# ---------------------------------------------------------------- the unsubscribe link


def token_for(
    option: str = "current-offers",
    channel: Channel = Channel.EMAIL,
    key: UnsubscribeKey = UNSUBSCRIBE_KEY,
) -> str:
    return unsubscribe_token(SUBSCRIBER, option, channel, key, on(4, 15), pseudonym_key=KEY)


def test_unsubscribe_link_withdrawal_lands_in_the_ledger(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    consented(ledger, ipko, Channel.EMAIL)

    done = unsubscribe(ledger, ipko, UNSUBSCRIBE_KEY, token_for(), at=NOW)

    event = done.recorded.entry.event
    assert done.recorded.created
    assert event.subject == subject_ref(SUBSCRIBER, KEY)
    assert event.data == ConsentWithdrawn(
        option="current-offers", channels=frozenset({Channel.EMAIL})
    )
    assert event.collected_via is CollectedVia.UNSUBSCRIBE_LINK
    assert event.effective_at == NOW
    assert "2025-04-15" in (event.evidence or "")
    by_email = decide_for_subject(ledger, ipko, KEY, SUBSCRIBER, offers(Channel.EMAIL), now=NOW)
    assert by_email.decision.reason == "consent-withdrawn"


def test_unsubscribing_from_the_newsletter_denies_it_by_email(ledger: SqlLedger) -> None:
    nordic = load_policy_set("ipnordic")
    recorded_at = on(3)
    record_subject_facts(
        ledger,
        nordic,
        KEY,
        SUBSCRIBER,
        subject_type="newsletter-subscriber",
        provenance=SHOP,
        recorded_at=recorded_at,
    )
    give_consent(
        ledger, nordic, KEY, SUBSCRIBER, "newsletter", provenance=SHOP, recorded_at=recorded_at
    )
    newsletter = Use(
        purpose=PurposeId("newsletter"),
        categories=(CategoryId("newsletter-signup"),),
        channel=Channel.EMAIL,
    )
    before = decide_for_subject(ledger, nordic, KEY, SUBSCRIBER, newsletter, now=NOW)

    unsubscribe(ledger, nordic, UNSUBSCRIBE_KEY, token_for("newsletter"), at=NOW)

    after = decide_for_subject(ledger, nordic, KEY, SUBSCRIBER, newsletter, now=NOW)
    assert (before.decision.outcome, after.decision.reason) == ("permit", "consent-withdrawn")


def test_the_token_names_the_subscriber_only_by_pseudonym() -> None:
    token = token_for()

    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert set(token) <= set(string.ascii_letters + string.digits + "-_")
    assert SUBSCRIBER.encode() not in raw
    assert SUBSCRIBER[1:].encode() not in raw
    assert bytes.fromhex(subject_ref(SUBSCRIBER, KEY)) in raw


def test_a_token_says_what_it_was_made_for() -> None:
    link = read_unsubscribe_token(token_for(channel=Channel.SMS), UNSUBSCRIBE_KEY)

    assert (link.subject, link.option, link.channel, link.issued_on) == (
        subject_ref(SUBSCRIBER, KEY),
        "current-offers",
        Channel.SMS,
        on(4, 15).date(),
    )


def _flip(token: str, index: int) -> str:
    replacement = "A" if token[index] != "A" else "B"
    return token[:index] + replacement + token[index + 1 :]


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda t: _flip(t, 5), id="subject altered"),
        pytest.param(lambda t: _flip(t, len(t) // 2), id="option altered"),
        pytest.param(lambda t: _flip(t, len(t) - 1), id="signature altered"),
        pytest.param(lambda t: t[:-4], id="cut short"),
        pytest.param(lambda t: t + "AAAA", id="lengthened"),
        pytest.param(lambda t: t.replace("-", "+").replace("_", "/") + "==", id="not url-safe"),
        pytest.param(lambda t: token_for(key=UnsubscribeKey(b"k" * 32)), id="another key"),
        pytest.param(lambda t: "garbage", id="garbage"),
        pytest.param(lambda t: "", id="empty"),
    ],
)
def test_a_forged_or_altered_token_is_refused_and_records_nothing(
    ledger: SqlLedger, ipko: PolicySet, forge: Callable[[str], str]
) -> None:
    consented(ledger, ipko)
    head = ledger.head()
    forged = forge(token_for())

    with pytest.raises(UnsubscribeLinkError, match="not valid"):
        unsubscribe(ledger, ipko, UNSUBSCRIBE_KEY, forged, at=NOW)

    assert ledger.head() == head


def test_a_token_whose_option_was_swapped_is_refused() -> None:
    token = token_for("current-offers")
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    swapped = raw.replace(b"current-offers", b"current-offerz")
    forged = base64.urlsafe_b64encode(swapped).rstrip(b"=").decode()

    with pytest.raises(UnsubscribeLinkError):
        read_unsubscribe_token(forged, UNSUBSCRIBE_KEY)


@given(data=st.data())
def test_any_change_of_one_character_is_refused(data: st.DataObject) -> None:
    token = token_for()
    index = data.draw(st.integers(0, len(token) - 1))
    alphabet = string.ascii_letters + string.digits + "-_"
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != token[index]]))

    with pytest.raises(UnsubscribeLinkError):
        read_unsubscribe_token(token[:index] + replacement + token[index + 1 :], UNSUBSCRIBE_KEY)


def test_the_same_link_followed_twice_records_one_event(ledger: SqlLedger, ipko: PolicySet) -> None:
    consented(ledger, ipko)
    first = unsubscribe(ledger, ipko, UNSUBSCRIBE_KEY, token_for(), at=NOW)

    again = unsubscribe(ledger, ipko, UNSUBSCRIBE_KEY, token_for(), at=on(5, 3))

    assert not again.recorded.created
    assert again.recorded.entry == first.recorded.entry
    assert len(withdrawals(ledger)) == 1


def test_list_unsubscribe_headers_follow_rfc_8058() -> None:
    headers = list_unsubscribe_headers("https://privacy.ipko.example/v1/unsubscribe/", "tok")

    assert headers == {
        "List-Unsubscribe": "<https://privacy.ipko.example/v1/unsubscribe/tok>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def test_list_unsubscribe_headers_need_an_https_address() -> None:
    with pytest.raises(UnsubscribeLinkError, match="https"):
        list_unsubscribe_headers("http://privacy.ipko.example/v1/unsubscribe", "tok")


def test_a_short_unsubscribe_key_is_refused() -> None:
    with pytest.raises(SettingsError, match="PLACET_UNSUBSCRIBE_KEY"):
        UnsubscribeKey.from_hex("00ff")


def test_a_token_is_made_only_for_a_consent_options_id() -> None:
    with pytest.raises(UnsubscribeLinkError, match="not a consent option's id"):
        token_for("Current offers")
