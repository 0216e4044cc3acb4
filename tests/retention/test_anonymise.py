"""Keyed pseudonyms and their rotation, and what anonymising the example estates' datasets
rewrites, column by column."""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from placet.datamap import DataMap, Dataset, load_datamap
from placet.errors import RetentionError, SettingsError
from placet.policy import Policy, load_policy_set
from placet.retention.anonymise import (
    MASKED_OTHER_PARTY_DIGITS,
    PSEUDONYMISATION_KEYS_SETTING,
    Anonymisation,
    PseudonymisationKey,
    PseudonymKeyring,
    anonymisation_rewrites,
)
from placet.retention.rewrites import Constant, MaskTail, Nullify, Remap

ROOT = Path(__file__).resolve().parents[2]
K1 = bytes(range(32))
K2 = bytes(range(100, 132))
K3 = bytes(range(200, 240))
NUMBER = "+38349123456"


def encoded(secret: bytes) -> str:
    return base64.b64encode(secret).decode()


def make_keyring(*keys: tuple[str, bytes]) -> PseudonymKeyring:
    """A keyring from `(key id, secret)` pairs, current first, as the setting lists them."""
    return PseudonymKeyring.from_setting(",".join(f"{kid}:{encoded(key)}" for kid, key in keys))


def step(key_id: str, secret: bytes, message: bytes) -> str:
    """One HMAC step, written out independently of the module."""
    return f"{key_id}:{hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]}"


def strings(*values: str | None) -> pa.Array:
    return pa.array(values, type=pa.string())


# ---------------------------------------------------------------- pseudonyms


def test_pseudonym_is_the_hmac_sha256_of_the_value_under_the_key() -> None:
    keyring = make_keyring(("k1", K1))

    pseudonyms = keyring.pseudonymise(strings(NUMBER))

    assert pseudonyms.to_pylist() == [step("k1", K1, NUMBER.encode())]


def test_pseudonym_format_never_changes() -> None:
    # Stored pseudonyms must stay linkable with new ones: this value is pinned for good.
    keyring = make_keyring(("k1", K1))

    assert keyring.pseudonym(NUMBER) == "k1:4252e271633f2b435d97d2c9935c29a6"


def test_pseudonymise_leaves_nulls_null() -> None:
    keyring = make_keyring(("k1", K1))

    pseudonyms = keyring.pseudonymise(strings(None, NUMBER, None))

    assert pseudonyms.to_pylist() == [None, keyring.pseudonym(NUMBER), None]


def test_pseudonymise_of_only_nulls_and_of_nothing_keeps_the_length() -> None:
    keyring = make_keyring(("k1", K1))

    assert keyring.pseudonymise(strings(None, None)).to_pylist() == [None, None]
    assert keyring.pseudonymise(strings()).to_pylist() == []


def test_same_value_gets_the_same_pseudonym_across_calls_and_rows() -> None:
    keyring = make_keyring(("k1", K1))

    first = keyring.pseudonymise(strings(NUMBER, "+38344000000", NUMBER))
    second = keyring.pseudonymise(strings(NUMBER))

    assert first[0] == first[2] == second[0]
    assert first[0] != first[1]


def test_another_key_gives_another_pseudonym() -> None:
    first = make_keyring(("k1", K1)).pseudonym(NUMBER)
    other = make_keyring(("k1", K2)).pseudonym(NUMBER)

    assert first.split(":")[1] != other.split(":")[1]


def test_pseudonymise_reads_dictionary_chunked_and_integer_columns() -> None:
    keyring = make_keyring(("k1", K1))
    expected = [keyring.pseudonym("42"), None, keyring.pseudonym("42")]

    dictionary = pa.array(["42", None, "42"]).dictionary_encode()
    chunked = pa.chunked_array([["42"], [None, "42"]])
    integers = pa.array([42, None, 42], type=pa.int64())

    for values in (dictionary, chunked, integers):
        assert keyring.pseudonymise(values).to_pylist() == expected


def test_pseudonymise_refuses_a_column_it_cannot_read_as_text() -> None:
    keyring = make_keyring(("k1", K1))

    with pytest.raises(RetentionError, match="cannot be pseudonymised"):
        keyring.pseudonymise(pa.array([1.5, 2.5]))


def test_a_chain_pseudonymises_through_every_key_oldest_first() -> None:
    keyring = make_keyring(("k2", K2), ("k1", K1))

    expected = step("k2", K2, step("k1", K1, NUMBER.encode()).encode())

    assert keyring.pseudonym(NUMBER) == expected


@given(values=st.lists(st.text(max_size=20), unique=True, max_size=40))
def test_pseudonymise_is_deterministic_and_injective(values: list[str]) -> None:
    keyring = make_keyring(("k2", K2), ("k1", K1))
    column = pa.array(values, type=pa.string())

    pseudonyms = keyring.pseudonymise(column).to_pylist()

    assert pseudonyms == keyring.pseudonymise(column).to_pylist()
    assert pseudonyms == [keyring.pseudonym(value) for value in values]
    assert len(set(pseudonyms)) == len(values)


def test_keyring_repr_never_shows_a_secret() -> None:
    keyring = make_keyring(("k2", K2), ("k1", K1))

    assert K1.hex() not in repr(keyring)
    assert encoded(K1) not in repr(keyring)
    assert repr(K1) not in repr(keyring)


# ---------------------------------------------------------------- rotation


def test_rotation_applies_the_new_key_over_the_stored_pseudonym() -> None:
    stored = make_keyring(("k1", K1)).pseudonymise(strings(NUMBER, None))
    rotated_keyring = make_keyring(("k2", K2), ("k1", K1))

    rotated = rotated_keyring.rotate(stored)

    assert rotated.to_pylist() == [step("k2", K2, stored[0].as_py().encode()), None]


def test_rotated_pseudonyms_link_with_new_ones() -> None:
    stored = make_keyring(("k1", K1)).pseudonymise(strings(NUMBER))
    keyring = make_keyring(("k3", K3), ("k2", K2), ("k1", K1))

    assert keyring.rotate(stored).to_pylist() == [keyring.pseudonym(NUMBER)]


def test_rotation_carries_each_pseudonym_from_its_own_key() -> None:
    under_k1 = make_keyring(("k1", K1)).pseudonym(NUMBER)
    under_k2 = make_keyring(("k2", K2), ("k1", K1)).pseudonym(NUMBER)
    keyring = make_keyring(("k3", K3), ("k2", K2), ("k1", K1))

    rotated = keyring.rotate(strings(under_k1, under_k2))

    assert rotated.to_pylist() == [keyring.pseudonym(NUMBER)] * 2


def test_rotation_is_idempotent() -> None:
    keyring = make_keyring(("k2", K2), ("k1", K1))
    stored = make_keyring(("k1", K1)).pseudonymise(strings(NUMBER, "+38344000000"))

    once = keyring.rotate(stored)

    assert keyring.rotate(once).to_pylist() == once.to_pylist()


def test_rotation_names_a_key_id_the_keyring_lacks() -> None:
    stored = make_keyring(("k0", K3)).pseudonymise(strings(NUMBER))
    keyring = make_keyring(("k2", K2), ("k1", K1))

    with pytest.raises(SettingsError, match=f"{PSEUDONYMISATION_KEYS_SETTING} has no key 'k0'"):
        keyring.rotate(stored)


def test_rotation_refuses_a_raw_value_without_showing_it() -> None:
    keyring = make_keyring(("k1", K1))

    with pytest.raises(RetentionError, match="not a pseudonym") as caught:
        keyring.rotate(strings(NUMBER))

    assert NUMBER not in str(caught.value)


def test_remaps_run_the_keyrings_functions() -> None:
    keyring = make_keyring(("k2", K2), ("k1", K1))
    stored = make_keyring(("k1", K1)).pseudonymise(strings(NUMBER))

    pseudonymise, rotate = keyring.remap_pseudonymise(), keyring.remap_rotate()

    assert isinstance(pseudonymise, Remap)
    assert "k2" in pseudonymise.name
    assert pseudonymise.function(strings(NUMBER)) == keyring.pseudonymise(strings(NUMBER))
    assert rotate.function(stored).to_pylist() == [keyring.pseudonym(NUMBER)]


# ---------------------------------------------------------------- configuration


def test_setting_lists_the_current_key_first() -> None:
    keyring = PseudonymKeyring.from_setting(f" k2:{encoded(K2)} , k1:{encoded(K1)} ")

    assert [key.key_id for key in keyring.keys] == ["k2", "k1"]
    assert keyring.current == PseudonymisationKey("k2", K2)


def test_setting_accepts_url_safe_base64() -> None:
    secret = bytes([0xFB, 0xFF] * 16)  # encodes with '-' and '_' in URL-safe base64

    keyring = PseudonymKeyring.from_setting(f"k1:{base64.urlsafe_b64encode(secret).decode()}")

    assert keyring.current.secret == secret


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "is empty"),
        (f"k2:{encoded(K2)},{encoded(K1)}", "no ':' between key id and key in its entry 2 of 2"),
        (f"k 1:{encoded(K1)}", "key id that is not 1 to 32 letters"),
        ("k1:not base64!", r"not base64 in its entry 1 of 1 \('k1'\)"),
        (f"k1:{encoded(K1[:16])}", "the key 'k1' of 16 bytes; a key needs at least 32"),
        (f"k1:{encoded(K1)},k1:{encoded(K2)}", "names the key id 'k1' twice"),
    ],
)
def test_bad_setting_names_the_variable_and_the_entry(text: str, problem: str) -> None:
    with pytest.raises(SettingsError, match=f"{PSEUDONYMISATION_KEYS_SETTING} .*{problem}"):
        PseudonymKeyring.from_setting(text)


def test_bad_setting_never_shows_a_secret() -> None:
    short = encoded(K1[:16])

    with pytest.raises(SettingsError) as caught:
        PseudonymKeyring.from_setting(f"k2:{encoded(K2)},k1:{short}")

    assert short not in str(caught.value)
    assert encoded(K2) not in str(caught.value)


# ---------------------------------------------------------------- anonymisation


@pytest.fixture(scope="module")
def ipko() -> tuple[Policy, DataMap]:
    return load_policy_set("ipko").latest, load_datamap(ROOT / "examples/datamap/ipko.yaml")


@pytest.fixture(scope="module")
def ipnordic() -> tuple[Policy, DataMap]:
    return (
        load_policy_set("ipnordic").latest,
        load_datamap(ROOT / "examples/datamap/ipnordic.yaml"),
    )


def dataset(estate: tuple[Policy, DataMap], dataset_id: str) -> Dataset:
    found = estate[1].dataset(dataset_id)
    assert found is not None
    return found


def anonymise(estate: tuple[Policy, DataMap], dataset_id: str) -> Anonymisation:
    return anonymisation_rewrites(
        estate[0], dataset(estate, dataset_id), keyring=None, pseudonymise=False
    )


def test_anonymising_ipko_cdrs_drops_the_caller_masks_the_callee_and_keeps_the_country(
    ipko: tuple[Policy, DataMap],
) -> None:
    anonymisation = anonymise(ipko, "cdrs")

    assert anonymisation.rewrites == {
        "a_number": Nullify(),
        "b_number": MaskTail(MASKED_OTHER_PARTY_DIGITS),
        "cell_id": Constant("XK"),
    }
    assert anonymisation.is_anonymous


def test_anonymising_ipnordic_cdrs_coarsens_the_country_to_denmark(
    ipnordic: tuple[Policy, DataMap],
) -> None:
    anonymisation = anonymise(ipnordic, "cdrs")

    assert anonymisation.rewrites == {
        "a_number": Nullify(),
        "b_number": MaskTail(MASKED_OTHER_PARTY_DIGITS),
        "country": Constant("DK"),
    }
    assert anonymisation.is_anonymous


def test_masking_keeps_the_country_code_and_network_prefix_of_both_estates() -> None:
    for number, kept in (("+38349123456", "+38349"), ("+4512345678", "+4512")):
        assert number[:-MASKED_OTHER_PARTY_DIGITS] == kept


def test_anonymising_keeps_a_location_typed_time_column(
    ipnordic: tuple[Policy, DataMap],
) -> None:
    anonymisation = anonymise(ipnordic, "location-events")

    assert anonymisation.rewrites == {"msisdn": Nullify(), "country": Constant("DK")}
    assert any(note.startswith("observed_at:") for note in anonymisation.notes)


def test_anonymising_keeps_columns_of_a_mixed_traffic_and_location_category_with_a_doubt(
    ipko: tuple[Policy, DataMap],
) -> None:
    anonymisation = anonymise(ipko, "data-sessions")

    assert anonymisation.rewrites == {
        "msisdn": Nullify(),
        "ip_address": Nullify(),
        "cell_id": Constant("XK"),
    }
    assert not anonymisation.is_anonymous
    assert any(note.startswith("ended_at, bytes_up") for note in anonymisation.notes)


def test_a_kept_address_leaves_subscribers_not_anonymous(ipko: tuple[Policy, DataMap]) -> None:
    anonymisation = anonymise(ipko, "subscribers")

    assert set(anonymisation.rewrites) == {
        "subscriber_id",
        "first_name",
        "last_name",
        "personal_number",
        "email",
    }
    assert not anonymisation.is_anonymous
    assert any("address" in note for note in anonymisation.notes)


def test_pseudonymising_ipko_cdrs_remaps_the_caller_and_is_still_personal_data(
    ipko: tuple[Policy, DataMap],
) -> None:
    keyring = make_keyring(("k1", K1))

    anonymisation = anonymisation_rewrites(
        ipko[0], dataset(ipko, "cdrs"), keyring=keyring, pseudonymise=True
    )

    caller = anonymisation.rewrites["a_number"]
    assert isinstance(caller, Remap)
    assert caller.function(strings(NUMBER)).to_pylist() == [keyring.pseudonym(NUMBER)]
    assert anonymisation.rewrites["b_number"] == MaskTail(MASKED_OTHER_PARTY_DIGITS)
    assert anonymisation.rewrites["cell_id"] == Constant("XK")
    assert not anonymisation.is_anonymous
    assert any("Recital 26" in note for note in anonymisation.notes)


def test_a_keyring_without_asking_to_pseudonymise_still_drops_identifiers(
    ipnordic: tuple[Policy, DataMap],
) -> None:
    anonymisation = anonymisation_rewrites(
        ipnordic[0], dataset(ipnordic, "cdrs"), keyring=make_keyring(("k1", K1)), pseudonymise=False
    )

    assert anonymisation.rewrites["a_number"] == Nullify()
    assert anonymisation.is_anonymous


def test_pseudonymising_without_a_keyring_names_the_setting(
    ipnordic: tuple[Policy, DataMap],
) -> None:
    with pytest.raises(SettingsError, match=PSEUDONYMISATION_KEYS_SETTING):
        anonymisation_rewrites(
            ipnordic[0], dataset(ipnordic, "cdrs"), keyring=None, pseudonymise=True
        )
