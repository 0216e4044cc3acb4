"""What anonymising or pseudonymising a dataset does to each of its columns, and the keyed
pseudonyms (HMAC-SHA-256 under a keyring that can be rotated) that pseudonymising writes.

Pure: no I/O, no clock, no environment. The keyring's text is read from the setting by the
caller and handed to `PseudonymKeyring.from_setting`. Imports nothing outside the standard
library, pyarrow, `placet.policy`, `placet.datamap`, `placet.errors` and
`placet.retention.rewrites`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from placet.datamap.model import Dataset
from placet.errors import RetentionError, SettingsError
from placet.policy.model import CategoryFlag, DataCategory, Policy
from placet.retention.rewrites import Constant, MaskTail, Nullify, Remap, Rewrite

__all__ = [
    "MASKED_OTHER_PARTY_DIGITS",
    "MIN_KEY_BYTES",
    "PSEUDONYMISATION_KEYS_SETTING",
    "PSEUDONYM_DIGEST_CHARS",
    "Anonymisation",
    "PseudonymKeyring",
    "PseudonymisationKey",
    "anonymisation_rewrites",
]

PSEUDONYMISATION_KEYS_SETTING = "PLACET_PSEUDONYMISATION_KEYS"
"""The environment variable the keyring is read from: `k2:<base64>,k1:<base64>`, current first."""

MIN_KEY_BYTES = 32
"""A key as long as HMAC-SHA-256's output: nothing is gained by trying keys instead of values."""

PSEUDONYM_DIGEST_CHARS = 32
"""Hex digits kept of the HMAC: 128 bits, so that even a billion distinct values make a
collision less likely than one in 10^20. Hex, as the ledger's pseudonyms, and many times
faster to write than base32."""

MASKED_OTHER_PARTY_DIGITS = 6
"""How many trailing digits of another party's number (a B-number) anonymising masks.

Neither reference policy states a number (their texts never ask for masking, and no purpose
sets `mask_b_numbers`), so Placet takes the most protective count that still keeps what
traffic statistics need: in both estates a mobile number is its country code and eight
national digits (`+38349123456`, `+4512345678`), and masking six leaves only the country code
and the two-digit network prefix (`+38349******`, `+4512******`): each masked number stands
for up to a million numbers. The three or four digits an itemised bill hides leave a
thousand, too few for data kept without a time limit."""

_DOUBTFUL = frozenset(
    {CategoryFlag.IDENTIFIER, CategoryFlag.ONLINE_IDENTIFIER, CategoryFlag.LOCATION}
)
"""Flags of a category whose kept columns leave a result's anonymity in doubt."""

_KEY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
_PSEUDONYM = re.compile(rf"({_KEY_ID.pattern}):([0-9a-f]{{{PSEUDONYM_DIGEST_CHARS}}})")
_KEY_FORMAT = (
    "List the keys as `<key id>:<base64 key>`, the current one first, separated by commas "
    "(`k2:…,k1:…`), and keep every earlier key in its place. Make a key with "
    "`python -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(32))"
    ".decode())'`"
)


@dataclass(frozen=True, slots=True)
class PseudonymisationKey:
    """One key of the keyring, by id; its repr never shows the secret."""

    key_id: str
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not _KEY_ID.fullmatch(self.key_id):
            raise SettingsError(
                PSEUDONYMISATION_KEYS_SETTING,
                "has a key id that is not 1 to 32 letters, digits, '-' or '_'",
                _KEY_FORMAT,
            )
        if len(self.secret) < MIN_KEY_BYTES:
            raise SettingsError(
                PSEUDONYMISATION_KEYS_SETTING,
                f"has the key '{self.key_id}' of {len(self.secret)} bytes; a key needs at "
                f"least {MIN_KEY_BYTES}",
                _KEY_FORMAT,
            )


@dataclass(frozen=True, slots=True)
class PseudonymKeyring:
    """The keys that make pseudonyms, newest (current) first: `"<key id>:<32 hex digits>"`.

    A pseudonym is keyed, never a plain hash: without the keys nobody can recompute it from a
    phone number, however few numbers there are to try. The keys form a chain, oldest to
    newest k_1 … k_n, and a value's pseudonym is the HMAC under each key in turn:

        P_1 = "k1:" + hex(HMAC-SHA-256(k_1, value))[:32]
        P_i = "ki:" + hex(HMAC-SHA-256(k_i, P_(i-1)))[:32]

    Rotating to a new key applies it over the stored pseudonym (`rotate`), so stored data
    is re-keyed without the raw values it no longer holds, and a value pseudonymised today
    (the whole chain, `pseudonymise`) equals one pseudonymised under k_1 years ago and
    rotated since: datasets stay linkable to each other across rotations. Linking a raw
    value to a pseudonym needs every key of the chain, so a leak of any one key alone
    reveals nothing and links no raw value to its pseudonym. A pseudonym already under the
    current key is left as it is (rotating twice changes nothing).

    The order of the setting is the chain: dropping a key starts a new chain whose
    pseudonyms no longer link with those made before, and a pseudonym under a dropped key
    can no longer be rotated. Pseudonymised data is still personal data (GDPR Recital 26):
    whoever holds the keys can find a subscriber's rows.
    """

    keys: tuple[PseudonymisationKey, ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise SettingsError(PSEUDONYMISATION_KEYS_SETTING, "holds no key", _KEY_FORMAT)
        seen: set[str] = set()
        for key in self.keys:
            if key.key_id in seen:
                raise SettingsError(
                    PSEUDONYMISATION_KEYS_SETTING,
                    f"names the key id '{key.key_id}' twice",
                    "Give each key its own id",
                )
            seen.add(key.key_id)

    @classmethod
    def from_setting(cls, text: str) -> PseudonymKeyring:
        """The keyring written as the setting holds it: `"k2:<base64>,k1:<base64>"`.

        A bad entry is named by its position and key id, never by its secret.
        """
        if not text.strip():
            raise SettingsError(PSEUDONYMISATION_KEYS_SETTING, "is empty", _KEY_FORMAT)
        keys: list[PseudonymisationKey] = []
        for position, entry in enumerate(text.split(","), start=1):
            key_id, colon, encoded = (part.strip() for part in entry.partition(":"))
            where = f"entry {position} of {text.count(',') + 1}"
            if not colon:
                raise SettingsError(
                    PSEUDONYMISATION_KEYS_SETTING,
                    f"has no ':' between key id and key in its {where}",
                    _KEY_FORMAT,
                )
            if not _KEY_ID.fullmatch(key_id):
                raise SettingsError(
                    PSEUDONYMISATION_KEYS_SETTING,
                    f"has a key id that is not 1 to 32 letters, digits, '-' or '_' in its {where}",
                    _KEY_FORMAT,
                )
            keys.append(PseudonymisationKey(key_id, _decode_key(encoded, key_id, where)))
        return cls(tuple(keys))

    @property
    def current(self) -> PseudonymisationKey:
        """The key new pseudonyms end under: the first of the setting."""
        return self.keys[0]

    def pseudonym(self, value: str | bytes) -> str:
        """One value's pseudonym under the whole chain (a string is taken as UTF-8)."""
        message = value.encode("utf-8") if isinstance(value, str) else value
        return _chain_from(self._chain, message)

    def pseudonymise(self, values: pa.Array) -> pa.Array:
        """Each value's pseudonym, nulls left null: one HMAC chain per distinct value.

        Takes text, binary or integer arrays (an integer as its decimal digits).
        """
        return _map_distinct(values, self.pseudonym)

    def rotate(self, values: pa.Array) -> pa.Array:
        """Pseudonyms made under an older key, carried to the current one; nulls and
        pseudonyms already under the current key are left as they are."""
        return _map_distinct(values, self._rotated)

    def remap_pseudonymise(self) -> Remap:
        """The rewrite that replaces each value of a column by its pseudonym."""
        return Remap(f"pseudonymise under key {self.current.key_id}", self.pseudonymise)

    def remap_rotate(self) -> Remap:
        """The rewrite that carries a column's pseudonyms to the current key."""
        return Remap(f"rotate pseudonyms to key {self.current.key_id}", self.rotate)

    @property
    def _chain(self) -> tuple[PseudonymisationKey, ...]:
        return self.keys[::-1]

    def _rotated(self, stored: bytes) -> str:
        match = _PSEUDONYM.fullmatch(stored.decode("ascii", errors="replace"))
        if match is None:
            # The value may be a raw identifier: say what is wrong without showing it.
            raise RetentionError(
                "A value to rotate is not a pseudonym ('<key id>:<32 hex digits>'). "
                "Rotate only columns that were pseudonymised, and pseudonymise the others"
            )
        chain = self._chain
        key_id = match.group(1)
        made_under = next((at for at, key in enumerate(chain) if key.key_id == key_id), None)
        if made_under is None:
            raise SettingsError(
                PSEUDONYMISATION_KEYS_SETTING,
                f"has no key '{key_id}', under which pseudonyms to rotate were made",
                f"Put the key '{key_id}' back in its place in the chain; without it these "
                "pseudonyms can no longer be rotated nor linked to new ones",
            )
        if made_under == len(chain) - 1:
            return match.group(0)
        return _chain_from(chain[made_under + 1 :], stored)


def _decode_key(encoded: str, key_id: str, where: str) -> bytes:
    """The key's bytes, from standard or URL-safe base64."""
    altchars = b"-_" if ("-" in encoded or "_" in encoded) else None
    try:
        return base64.b64decode(encoded, altchars=altchars, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SettingsError(
            PSEUDONYMISATION_KEYS_SETTING,
            f"has a key that is not base64 in its {where} ('{key_id}')",
            _KEY_FORMAT,
        ) from exc


def _chain_from(keys: tuple[PseudonymisationKey, ...], message: bytes) -> str:
    """`message` keyed under each of `keys` in turn, each step's pseudonym the next's input."""
    pseudonym = ""
    for key in keys:
        digest = hmac.digest(key.secret, message, hashlib.sha256)
        pseudonym = f"{key.key_id}:{digest.hex()[:PSEUDONYM_DIGEST_CHARS]}"
        message = pseudonym.encode("ascii")
    return pseudonym


def _map_distinct(values: pa.Array, function: Callable[[bytes], str]) -> pa.Array:
    """`function` of each distinct non-null value, taken back to every row: the Python call
    runs once per distinct value, the rest in Arrow."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    if pa.types.is_integer(values.type):
        values = pc.cast(values, pa.string())
    kind = values.type
    if not (
        pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_binary(kind)
        or pa.types.is_large_binary(kind)
    ):
        raise RetentionError(
            f"A column of type {kind} cannot be pseudonymised nor hold pseudonyms: only "
            "text, binary and integer columns can. Drop the identifier instead"
        )
    encoded = pc.dictionary_encode(values)
    distinct = encoded.dictionary.to_pylist()
    output = pa.large_string() if pa.types.is_large_string(kind) else pa.string()
    mapped = pa.array(
        [
            function(value.encode("utf-8") if isinstance(value, str) else value)
            for value in distinct
        ],
        type=output,
    )
    return pc.take(mapped, encoded.indices)


@dataclass(frozen=True, slots=True)
class Anonymisation:
    """What anonymising (or pseudonymising) a dataset rewrites, whether the result is
    anonymous, and why: a note per choice a DPO should know of."""

    rewrites: Mapping[str, Rewrite]
    """The rewrite of each column that changes, by column name; the others are kept."""
    is_anonymous: bool
    """True: no longer personal data (GDPR Recital 26), as far as the data map tells."""
    notes: tuple[str, ...]
    """Each choice made and each doubt left, one sentence each."""


def anonymisation_rewrites(
    policy: Policy,
    dataset: Dataset,
    *,
    keyring: PseudonymKeyring | None,
    pseudonymise: bool,
) -> Anonymisation:
    """What anonymising `dataset` means under `policy`, column by column.

    - the subject key and every column marked `identifier: true` is dropped (`Nullify`), or,
      with `pseudonymise`, replaced by its keyed pseudonym (`Remap`);
    - another party's number (`other_party_keys`, a B-number) keeps all but its last
      `MASKED_OTHER_PARTY_DIGITS` digits (`MaskTail`);
    - a position (a column of a category flagged `location` and not `traffic`) becomes the
      controller's country (`Constant`: `XK`, `DK`), except the dataset's time column;
    - every other column is kept.

    The result is anonymous only when nothing is pseudonymised and no kept column is of a
    category flagged as identifying or as location. Pseudonymised data is still personal
    data (GDPR Recital 26): the keys link it back to a subscriber. A kept column of an
    identifying category (an address, a device name) may single a subscriber out; the notes
    name each, so the data map can mark it `identifier: true` or give it a finer category.
    Exact times and durations are kept: with the subject key gone, no two rows can be told
    to be the same subscriber's.
    """
    if pseudonymise and keyring is None:
        raise SettingsError(
            PSEUDONYMISATION_KEYS_SETTING,
            "is not set, and pseudonymising needs it",
            "Set it to the keyring (`k1:<base64 key>`), or anonymise instead: identifiers "
            "are then dropped and cannot be linked again",
        )
    rewrites: dict[str, Rewrite] = {}
    notes: list[str] = []
    is_pseudonymised = _rewrite_keys(dataset, keyring if pseudonymise else None, rewrites, notes)
    doubts = _rewrite_positions(policy, dataset, rewrites, notes)
    return Anonymisation(rewrites, not is_pseudonymised and not doubts, tuple(notes))


def _rewrite_keys(
    dataset: Dataset,
    keyring: PseudonymKeyring | None,
    rewrites: dict[str, Rewrite],
    notes: list[str],
) -> bool:
    """Mask other parties' numbers, and drop the identifiers, or pseudonymise them with
    `keyring`; whether any column was pseudonymised."""
    other_parties = sorted({key.column for key in dataset.other_party_keys})
    for name in other_parties:
        rewrites[name] = MaskTail(MASKED_OTHER_PARTY_DIGITS)
        notes.append(
            f"{name}: another party's number keeps all but its last "
            f"{MASKED_OTHER_PARTY_DIGITS} digits; the policy states no count, and "
            f"{MASKED_OTHER_PARTY_DIGITS} leave only the country code and network prefix."
        )
    identifiers = {name for name, column in dataset.columns.items() if column.identifier}
    if dataset.subject_key is not None:
        identifiers.add(dataset.subject_key.column)
    identifying = sorted(identifiers.difference(other_parties))
    if keyring is None or not identifying:
        rewrites.update(dict.fromkeys(identifying, Nullify()))
        return False
    rewrites.update(dict.fromkeys(identifying, keyring.remap_pseudonymise()))
    notes.append(
        f"{', '.join(identifying)}: pseudonymised under key {keyring.current.key_id}; still "
        "personal data (GDPR Recital 26), since the keys link them back to a subscriber."
    )
    return True


def _rewrite_positions(
    policy: Policy, dataset: Dataset, rewrites: dict[str, Rewrite], notes: list[str]
) -> list[str]:
    """Coarsen positions to the controller's country; the kept columns whose category
    leaves the result's anonymity in doubt."""
    country = policy.controller.country
    doubtful: dict[str, list[str]] = {}
    for name, column in dataset.columns.items():
        if name in rewrites:
            continue
        category = policy.category(column.category)
        if name == dataset.time_column:
            if CategoryFlag.LOCATION in category.flags:
                notes.append(
                    f"{name}: the dataset's time column, kept although it holds "
                    f"{category.id} (a time is not a position)."
                )
        elif _holds_position(category):
            rewrites[name] = Constant(country)
            notes.append(
                f"{name}: every value becomes {country}, the controller's country; it no "
                f"longer says where a record was made (a roaming call too reads {country})."
            )
        elif _DOUBTFUL.intersection(category.flags):
            doubtful.setdefault(category.id, []).append(name)
    for category_id, names in doubtful.items():
        flags = _DOUBTFUL.intersection(policy.category(category_id).flags)
        notes.append(
            f"{', '.join(names)}: kept, but {category_id} is flagged "
            f"{', '.join(sorted(flag.value for flag in flags))}; mark a column "
            "`identifier: true` in the data map if it can single a subscriber out, or give "
            "it a category that says what it holds."
        )
    return [name for names in doubtful.values() for name in names]


def _holds_position(category: DataCategory) -> bool:
    """A category of positions alone: one that is also traffic data (IPKO's internet data)
    mixes positions with times and volumes, and the data map does not say which is which."""
    return CategoryFlag.LOCATION in category.flags and CategoryFlag.TRAFFIC not in category.flags
