"""Small builders of subjects and uses for the decision tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from placet.decide import ConsentGrant, SubjectState, Use
from placet.policy import Policy, load_policy_set
from placet.policy.model import CategoryId, ConsentOptionId, PurposeId, SubjectTypeId
from placet.policy.terms import Channel

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@cache
def reference(operator: str) -> Policy:
    return load_policy_set(operator).latest


def make_subject(
    *,
    subject_type: str = "consumer-subscriber",
    consents: tuple[str, ...] = (),
    contracts: int = 1,
    **fields: Any,
) -> SubjectState:
    """A subscriber with a contract in force and the consents named, as of NOW."""
    grants = tuple(
        ConsentGrant(option=ConsentOptionId(option), given_at=datetime(2025, 1, 1, tzinfo=UTC))
        for option in consents
    )
    state = SubjectState(
        subject="s-1",
        as_of=NOW,
        subject_type=SubjectTypeId(subject_type),
        consents=grants,
        active_contracts=contracts,
    )
    return replace(state, **fields)


def make_use(purpose: str, *categories: str, channel: Channel | None = None, **fields: Any) -> Use:
    return Use(
        purpose=PurposeId(purpose),
        categories=tuple(CategoryId(category) for category in categories),
        channel=channel,
        **fields,
    )


def minor_birth_date() -> date:
    return date(NOW.year - 15, 1, 1)
