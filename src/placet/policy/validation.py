"""Checks a policy as a whole: references, duplicate ids, languages, bases; every problem at once.

Imports nothing outside the standard library, pydantic and `placet.policy.model`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from placet.policy.model import LegalBasis, ObjectionEffect, Policy
from placet.policy.yamlsource import closest

__all__ = ["Problem", "find_problems", "walk_texts"]

_Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem at a YAML location, before the loader attaches file and line."""

    loc: _Loc
    code: str
    message: str


def find_problems(policy: Policy) -> list[Problem]:
    """Everything wrong with `policy` that the field types alone cannot see."""
    problems: list[Problem] = []
    problems += _duplicate_ids(policy)
    problems += _unknown_references(policy)
    problems += _unknown_cookie_options(policy)
    problems += _missing_texts(policy)
    if policy.effective_until is not None and policy.effective_until < policy.effective_from:
        problems.append(
            Problem(
                ("effective_until",),
                "invalid-date",
                f"effective_until {policy.effective_until} is before effective_from "
                f"{policy.effective_from}",
            )
        )
    for index, purpose in enumerate(policy.purposes):
        if purpose.legal_basis is None:
            problems.append(
                Problem(
                    ("purposes", index),
                    "missing-legal-basis",
                    f"purpose '{purpose.id}' has no legal_basis; give one of "
                    f"{', '.join(basis.value for basis in LegalBasis)}",
                )
            )
    for index, purpose in enumerate(policy.purposes):
        # Art. 21(3) GDPR: an objection to direct marketing always stops it.
        if (
            purpose.is_direct_marketing
            and purpose.conditions.objection is not ObjectionEffect.STOPS
        ):
            problems.append(
                Problem(
                    ("purposes", index, "conditions", "objection"),
                    "objection-on-direct-marketing",
                    f"purpose '{purpose.id}' is direct marketing, which an objection always "
                    "stops (GDPR Art. 21(3)); set conditions.objection to 'stops'",
                )
            )
    for index, option in enumerate(policy.consent_options):
        if not option.purposes:
            problems.append(
                Problem(
                    ("consent_options", index, "purposes"),
                    "empty-consent-option",
                    f"consent option '{option.id}' covers no purpose; list the purposes "
                    "a subject agrees to by choosing it",
                )
            )
    for index, rule in enumerate(policy.retention_rules):
        if rule.period is None and rule.criteria is None:
            problems.append(
                Problem(
                    ("retention_rules", index),
                    "missing-retention-period",
                    f"retention rule '{rule.id}' has neither a period nor criteria",
                )
            )
    return sorted(problems, key=lambda problem: [str(part) for part in problem.loc])


def _duplicate_ids(policy: Policy) -> Iterator[Problem]:
    collections: dict[str, Sequence[BaseModel]] = {
        "subject_types": policy.subject_types,
        "data_categories": policy.data_categories,
        "data_sources": policy.data_sources,
        "purposes": policy.purposes,
        "consent_options": policy.consent_options,
        "retention_rules": policy.retention_rules,
        "recipients": policy.recipients,
        "sections": policy.sections,
    }
    if policy.cookies is not None:
        collections["cookies.categories"] = policy.cookies.categories
    for name, items in collections.items():
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            item_id = str(getattr(item, "id", ""))
            if item_id in seen:
                yield Problem(
                    (*name.split("."), index, "id"),
                    "duplicate-id",
                    f"{name} id '{item_id}' is already used by item {seen[item_id]}",
                )
            else:
                seen[item_id] = index
    kinds: dict[str, int] = {}
    for index, right in enumerate(policy.rights):
        if right.kind in kinds:
            yield Problem(
                ("rights", index, "kind"),
                "duplicate-id",
                f"right '{right.kind}' is already listed as item {kinds[right.kind]}",
            )
        kinds.setdefault(right.kind, index)


def _unknown_references(policy: Policy) -> Iterator[Problem]:
    known = {
        "category": {category.id for category in policy.data_categories},
        "purpose": {purpose.id for purpose in policy.purposes},
        "subject-type": {subject_type.id for subject_type in policy.subject_types},
    }
    fields = {"categories": "category", "purposes": "purpose", "subject_types": "subject-type"}
    owners: dict[str, Sequence[BaseModel]] = {
        "purposes": policy.purposes,
        "consent_options": policy.consent_options,
        "retention_rules": policy.retention_rules,
        "recipients": policy.recipients,
    }
    for owner_name, owners_list in owners.items():
        for index, owner in enumerate(owners_list):
            for field_name, kind in fields.items():
                for position, name in enumerate(getattr(owner, field_name, ())):
                    if name not in known[kind]:
                        yield Problem(
                            (owner_name, index, field_name, position),
                            f"unknown-{kind}",
                            f"{kind.replace('-', ' ')} '{name}' is not declared"
                            f"{closest(name, known[kind])} Add it under "
                            f"'{_plural(kind)}:' or fix the spelling.",
                        )


def _unknown_cookie_options(policy: Policy) -> Iterator[Problem]:
    if policy.cookies is None:
        return
    options = {option.id for option in policy.consent_options}
    for index, category in enumerate(policy.cookies.categories):
        for position, name in enumerate(category.consent_options):
            if name not in options:
                yield Problem(
                    ("cookies", "categories", index, "consent_options", position),
                    "unknown-consent-option",
                    f"consent option '{name}' is not declared{closest(name, options)} "
                    "Add it under 'consent_options:' or fix the spelling.",
                )


def _plural(kind: str) -> str:
    return {"category": "data_categories", "purpose": "purposes"}.get(kind, "subject_types")


def _missing_texts(policy: Policy) -> Iterator[Problem]:
    languages = set(policy.languages)
    for loc, text in walk_texts(policy):
        for language in sorted(languages - text.keys()):
            yield Problem(
                loc,
                "missing-translation",
                f"no '{language}' text; every text needs each declared language "
                f"({', '.join(policy.languages)})",
            )
        for language in sorted(text.keys() - languages):
            yield Problem(
                (*loc, language),
                "undeclared-language",
                f"language '{language}' is not in controller.languages",
            )
        for language, value in text.items():
            if not value.strip():
                yield Problem((*loc, language), "empty-text", "the text is empty")


def walk_texts(model: BaseModel, loc: _Loc = ()) -> Iterator[tuple[_Loc, dict[str, str]]]:
    """Every multilingual text in `model`, with its location: `(("purposes", 0, "name"), {...})`."""
    yield from _walk(model, loc, lambda value: isinstance(value, dict))


def _walk(
    value: object, loc: _Loc, wanted: Callable[[object], bool]
) -> Iterator[tuple[_Loc, dict[str, str]]]:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _walk(getattr(value, name), (*loc, name), wanted)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*loc, index), wanted)
    elif wanted(value) and isinstance(value, dict):
        yield loc, value
