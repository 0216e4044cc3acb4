"""A policy's lookups worked out once, so that a decision does no scanning: `index_of(policy)`.

Imports nothing outside the standard library and `placet.policy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from threading import Lock

from placet.policy.model import ConsentOption, Policy, Purpose, Recipient, RetentionRule
from placet.policy.terms import CategoryFlag, RetentionAction

__all__ = ["PolicyIndex", "index_of"]


@dataclass(frozen=True, slots=True)
class PolicyIndex:
    """Purposes, recipients and category flags by id; options by the purposes they cover."""

    purposes: dict[str, Purpose]
    categories_of: dict[str, frozenset[str]]
    """Each purpose's data categories, as a set."""
    recipients: dict[str, Recipient]
    flags: dict[str, frozenset[CategoryFlag]]
    options_for: dict[str, tuple[ConsentOption, ...]]
    restricting_rules: tuple[tuple[RetentionRule, frozenset[str]], ...]
    """Rules whose action is `restrict`, each with its categories as a set."""


_CACHE: dict[int, tuple[Policy, PolicyIndex]] = {}
_LOCK = Lock()
_CACHE_SIZE = 64


def index_of(policy: Policy) -> PolicyIndex:
    """The index of `policy`, built on first use and kept for the policy object's life."""
    cached = _CACHE.get(id(policy))
    if cached is not None and cached[0] is policy:
        return cached[1]
    index = PolicyIndex(
        purposes={purpose.id: purpose for purpose in policy.purposes},
        categories_of={purpose.id: frozenset(purpose.categories) for purpose in policy.purposes},
        recipients={recipient.id: recipient for recipient in policy.recipients},
        flags={category.id: frozenset(category.flags) for category in policy.data_categories},
        options_for={
            purpose.id: tuple(o for o in policy.consent_options if purpose.id in o.purposes)
            for purpose in policy.purposes
        },
        restricting_rules=tuple(
            (rule, frozenset(rule.categories))
            for rule in policy.retention_rules
            if rule.action is RetentionAction.RESTRICT and rule.period is not None
        ),
    )
    with _LOCK:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        _CACHE[id(policy)] = (policy, index)
    return index
