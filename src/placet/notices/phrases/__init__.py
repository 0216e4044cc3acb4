"""The fixed words of published documents in each language Placet writes: en, sq, sr, da.

Headings, labels and sentences (`document`, which also holds the texts of the printed copy
of an access answer), the words for every value of the policy's vocabularies (`vocabulary`)
and country names (`countries`) live in this package and nowhere else, so a translator
reviews three tables. Each entry is written `entry(en, sq, sr, da)`; Serbian is in Latin
script. Texts may hold `{name}` placeholders that `phrase` fills in.
Imports nothing outside the standard library and `placet.policy`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from placet.notices.phrases import countries, document, vocabulary
from placet.notices.phrases.entry import LANGUAGES
from placet.policy.model import (
    Anchor,
    CategoryFlag,
    Channel,
    LegalBasis,
    RecipientKind,
    RetentionAction,
    RightKind,
    TransferSafeguard,
)

__all__ = [
    "LANGUAGES",
    "PHRASES",
    "country_name",
    "enum_key",
    "enum_words",
    "phrase",
    "plural_form",
]

PHRASES: Final[dict[str, dict[str, str]]] = {
    **document.DOCUMENT,
    **document.LANGUAGE_NAMES,
    **document.MONTHS,
    **document.UNITS,
    **document.HEADINGS,
    **document.LABELS,
    **document.SENTENCES,
    **document.CONDITIONS,
    **document.RETENTION,
    **vocabulary.ANCHORS,
    **vocabulary.LEGAL_BASES,
    **vocabulary.CHANNELS,
    **vocabulary.FLAGS,
    **vocabulary.RECIPIENTS,
    **vocabulary.SAFEGUARDS,
    **vocabulary.RIGHTS,
    **vocabulary.ORIGINS,
    **document.ROPA,
    **document.PRINTED_COPY,
    **countries.COUNTRIES,
}
"""Every fixed text, by key, then by language."""

_ENUM_PREFIXES: Final[dict[type[StrEnum], str]] = {
    LegalBasis: "legal-basis",
    Channel: "channel",
    CategoryFlag: "flag",
    RetentionAction: "action",
    RecipientKind: "recipient-kind",
    TransferSafeguard: "safeguard",
    RightKind: "right",
}
"""The key prefix of each policy enum whose values a document shows in words."""


def phrase(key: str, language: str, **values: object) -> str:
    """The text of `key` in `language`, with its `{placeholders}` filled from `values`."""
    return PHRASES[key][language].format(**values)


def enum_key(value: StrEnum) -> str:
    """The phrase key of an enum value: `LegalBasis.CONSENT` is `legal-basis.consent`."""
    if isinstance(value, Anchor):
        return f"anchor-from.{value.value}"
    return f"{_ENUM_PREFIXES[type(value)]}.{value.value}"


def enum_words(value: StrEnum, language: str) -> str:
    """An enum value in words: `enum_words(LegalBasis.CONSENT, "sq")` is `Pëlqimi`."""
    return phrase(enum_key(value), language)


def country_name(code: str, language: str) -> str:
    """The country's name in `language`: `country_name("XK", "sq")` is `Kosova`.

    A code the table lacks comes back unchanged, so a document never shows a blank."""
    texts = PHRASES.get(f"country.{code}")
    return texts[language] if texts else code


def plural_form(language: str, count: int) -> str:
    """Which form a count takes: `one`, `few` or `many` (only Serbian uses `few` apart)."""
    if language == "sr":
        if count % 10 == 1 and count % 100 != 11:
            return "one"
        if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
            return "few"
        return "many"
    return "one" if count == 1 else "many"
