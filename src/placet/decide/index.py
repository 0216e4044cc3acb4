"""A policy's lookups worked out once, so that a decision does no scanning: `index_of(policy)`.

`per_policy(build)` keeps what `build` works out of a policy for the policy object's life:
the index here, each purpose's compiled checks in `placet.decide.single`.
Imports nothing outside the standard library and `placet.policy`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock
from typing import TypeVar

from placet.policy.model import ConsentOption, Policy, Purpose, Recipient, RetentionRule
from placet.policy.terms import CategoryFlag, RetentionAction

__all__ = ["PolicyIndex", "index_of", "per_policy"]


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


_T = TypeVar("_T")

_CACHE_SIZE = 64
"""Policies kept per cache: more than the versions a process holds in force at once."""


def per_policy(build: Callable[[Policy], _T]) -> Callable[[Policy], _T]:
    """`build(policy)`, worked out on first use and kept for the policy object's life.

    A policy is frozen, so what is worked out of it stays true; the cache is keyed by the
    object's identity and checks it, so a new object with a reused id is built afresh.
    """
    cache: dict[int, tuple[Policy, _T]] = {}
    lock = Lock()

    def cached(policy: Policy) -> _T:
        hit = cache.get(id(policy))
        if hit is not None and hit[0] is policy:
            return hit[1]
        built = build(policy)
        with lock:
            if len(cache) >= _CACHE_SIZE:
                cache.clear()
            cache[id(policy)] = (policy, built)
        return built

    cached.__doc__ = build.__doc__
    return cached


def _build_index(policy: Policy) -> PolicyIndex:
    """The index of `policy`, built on first use and kept for the policy object's life."""
    return PolicyIndex(
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


index_of = per_policy(_build_index)
