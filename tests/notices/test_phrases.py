"""The phrase table speaks every language Placet publishes in, for every word a document needs."""

from __future__ import annotations

import string
from enum import StrEnum

import pytest

from placet.notices.phrases import (
    LANGUAGES,
    PHRASES,
    country_name,
    enum_key,
    phrase,
    plural_form,
)
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
from tests.notices.builders import reference_policies

WORDED_ENUMS: list[type[StrEnum]] = [
    LegalBasis,
    Channel,
    CategoryFlag,
    Anchor,
    RetentionAction,
    RecipientKind,
    TransferSafeguard,
    RightKind,
]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_phrase_exists_in_every_language() -> None:
    for key, texts in PHRASES.items():
        assert set(texts) == set(LANGUAGES), key
        for language, text in texts.items():
            assert text.strip(), f"{key} is empty in {language}"


def test_every_phrase_has_the_same_placeholders_in_every_language() -> None:
    for key, texts in PHRASES.items():
        expected = placeholders(texts["en"])
        for language, text in texts.items():
            assert placeholders(text) == expected, f"{key} in {language}"


@pytest.mark.parametrize("enum", WORDED_ENUMS, ids=lambda enum: enum.__name__)
def test_every_enum_value_has_words_in_every_language(enum: type[StrEnum]) -> None:
    for value in enum:
        for language in LANGUAGES:
            assert phrase(enum_key(value), language)


def test_every_anchor_reads_both_from_and_until() -> None:
    for anchor in Anchor:
        assert f"anchor-from.{anchor.value}" in PHRASES
        assert f"anchor-until.{anchor.value}" in PHRASES


def test_every_recipient_kind_has_a_plural_heading() -> None:
    for kind in RecipientKind:
        assert f"recipient-kinds.{kind.value}" in PHRASES


@pytest.mark.parametrize(
    ("count", "form"),
    [
        (1, "one"),
        (2, "few"),
        (4, "few"),
        (5, "many"),
        (11, "many"),
        (12, "many"),
        (21, "one"),
        (24, "few"),
    ],
)
def test_serbian_counts_take_three_forms(count: int, form: str) -> None:
    assert plural_form("sr", count) == form


def test_other_languages_count_one_or_many() -> None:
    assert [plural_form("da", count) for count in (1, 2, 5)] == ["one", "many", "many"]


@pytest.mark.parametrize(
    "code", ["XK", "DK", "SI", "DE", "SE", "NO", "GB", "US", "CH", "RS", "AL", "MK"]
)
def test_country_the_operators_are_likely_to_name_has_a_name(code: str) -> None:
    assert f"country.{code}" in PHRASES


def test_every_country_the_reference_policies_name_has_a_name() -> None:
    codes = {
        code
        for policy in reference_policies()
        for code in (policy.controller.country, *(r.country for r in policy.recipients))
        if code
    }

    assert {code for code in codes if f"country.{code}" not in PHRASES} == set()


def test_country_names_are_said_in_the_document_language() -> None:
    assert [country_name("DK", language) for language in LANGUAGES] == [
        "Denmark",
        "Danimarka",
        "Danska",
        "Danmark",
    ]


def test_unknown_country_code_is_printed_as_the_code() -> None:
    assert country_name("ZZ", "da") == "ZZ"


def test_every_language_has_a_name() -> None:
    for language in LANGUAGES:
        assert f"language.{language}" in PHRASES


def test_no_phrase_key_is_defined_in_two_tables() -> None:
    from placet.notices.phrases import countries, document, vocabulary

    tables = [
        table
        for module in (document, vocabulary, countries)
        for table in (getattr(module, name) for name in module.__all__)
    ]
    assert sum(len(table) for table in tables) == len(PHRASES)
