"""Subjects are named by a keyed pseudonym; personal payload is bound by a salted commitment."""

from __future__ import annotations

import copy
import hashlib
import hmac
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from placet.errors import PseudonymKeyError
from placet.ledger import (
    PseudonymKey,
    commit_payload,
    pseudonymise_subject,
    pseudonymise_subjects,
    pseudonyms_by_identifier,
)
from tests.ledger.builders import KEY, consent_given, make_event


def test_same_identifier_and_key_give_the_same_pseudonym() -> None:
    assert pseudonymise_subject("+38344123456", KEY) == pseudonymise_subject("+38344123456", KEY)


def test_another_key_gives_another_pseudonym() -> None:
    other = PseudonymKey(b"another key of 32 bytes, not ours")

    assert pseudonymise_subject("+38344123456", KEY) != pseudonymise_subject("+38344123456", other)


def test_pseudonym_is_hmac_sha256_of_the_identifier_under_the_key() -> None:
    expected = hmac.new(KEY.secret, b"+38344123456", hashlib.sha256).hexdigest()

    assert pseudonymise_subject("+38344123456", KEY) == expected


@given(st.binary(min_size=16, max_size=200), st.lists(st.text(max_size=40), max_size=20))
def test_a_column_of_identifiers_gets_each_ones_pseudonym_in_order(
    secret: bytes, identifiers: list[str]
) -> None:
    key = PseudonymKey(secret)
    assert pseudonymise_subjects(identifiers, key) == [
        pseudonymise_subject(identifier, key) for identifier in identifiers
    ]


@given(st.lists(st.sampled_from(["+38344000001", "C-0017", "+38344000002"]), max_size=8))
def test_each_distinct_identifier_is_mapped_to_its_pseudonym(identifiers: list[str]) -> None:
    assert pseudonyms_by_identifier(identifiers, KEY) == {
        identifier: pseudonymise_subject(identifier, KEY) for identifier in identifiers
    }


@given(st.binary(min_size=16, max_size=200), st.text(max_size=40))
def test_pseudonym_is_hmac_sha256_for_any_key_and_identifier(
    secret: bytes, identifier: str
) -> None:
    # Keys longer than SHA-256's 64-byte block are hashed first, as RFC 2104 says.
    expected = hmac.new(secret, identifier.encode("utf-8"), hashlib.sha256).hexdigest()

    assert pseudonymise_subject(identifier, PseudonymKey(secret)) == expected


def test_a_key_copied_or_sent_to_another_process_gives_the_same_pseudonyms() -> None:
    key = PseudonymKey(bytes(range(32)))

    for other in (pickle.loads(pickle.dumps(key)), copy.deepcopy(key)):
        assert other == key
        assert pseudonymise_subject("+38344123456", other) == pseudonymise_subject(
            "+38344123456", key
        )


def test_short_key_is_refused_with_a_message_saying_how_to_generate_one() -> None:
    with pytest.raises(PseudonymKeyError, match=r"secrets\.token_hex\(32\)"):
        PseudonymKey(b"short")


def test_key_written_in_hex_is_read() -> None:
    assert PseudonymKey.from_hex(bytes(range(32)).hex()) == KEY


def test_key_not_in_hex_is_refused() -> None:
    with pytest.raises(PseudonymKeyError, match="hex"):
        PseudonymKey.from_hex("not hex at all, but long enough to be a key")


def test_key_repr_does_not_show_the_secret() -> None:
    assert KEY.secret.hex() not in repr(KEY)
    assert str(KEY.secret) not in repr(KEY)


def test_commitment_changes_with_the_salt_and_the_payload() -> None:
    payload = {"msisdn": "+38344123456"}

    commitment = commit_payload(payload, bytes(32))

    assert commitment != commit_payload(payload, bytes([1]) * 32)
    assert commitment != commit_payload({"msisdn": "+38344123457"}, bytes(32))
    assert commitment == hashlib.sha256(bytes(32) + b'{"msisdn":"+38344123456"}').hexdigest()


def test_event_refuses_a_subject_that_is_not_a_pseudonym() -> None:
    with pytest.raises(ValidationError, match="subject"):
        consent_given(who="+38344123456")


def test_event_keeps_the_personal_payload_apart_from_the_subject() -> None:
    event = make_event(
        consent_given().data, personal={"msisdn": "+38344123456", "note": "signed in shop"}
    )

    assert "+38344123456" not in event.subject
    assert event.personal == {"msisdn": "+38344123456", "note": "signed in shop"}


def test_event_repr_leaves_the_personal_payload_out_of_logs() -> None:
    event = consent_given(personal={"msisdn": "+38344123456"})

    assert "+38344123456" not in repr(event)
