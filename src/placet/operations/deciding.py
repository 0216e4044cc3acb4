"""Decide uses of subjects' data from the ledger: the policy version and subject state then.

`decide_for_subject` answers one question now or as of an instant, `decide_many` a batch
(one read of the ledger per instant asked). Each answer carries the decision, the policy
version it was made under and the clauses that decided it in the language asked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from placet.decide import Clause, Decision, SubjectState, Use, cited_clauses, decide_use
from placet.errors import UnknownReferenceError
from placet.ledger import ConsentLog, PseudonymKey, SubjectRef
from placet.operations.recording import subject_ref
from placet.policy import Policy, PolicySet

__all__ = [
    "DecisionAnswer",
    "DecisionRequest",
    "clause_language",
    "decide_for_subject",
    "decide_many",
    "read_state",
]


@dataclass(frozen=True, slots=True)
class DecisionRequest:
    """One question of a batch: may `use` process this subject's data at `at`?

    `subject` is the operator's identifier. `at` None means now; `known_at` replays what
    the ledger knew at that instant (only events recorded by then).
    """

    subject: str
    use: Use
    at: datetime | None = None
    known_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DecisionAnswer:
    """A decision about one subject, with the policy version and clauses that made it."""

    subject: SubjectRef
    """The subject's pseudonym (never the identifier asked with)."""
    at: datetime
    policy_id: str
    policy_version: str
    decision: Decision
    clauses: tuple[Clause, ...]
    """Each of `decision.rules`, said in `language`."""
    language: str


def clause_language(policy: Policy, language: str | None) -> str:
    """`language` if the policy has it; the policy's source language if None."""
    if language is None:
        return policy.source_language
    if language not in policy.languages:
        raise UnknownReferenceError(
            "language",
            language,
            f"policy {policy.policy_id} {policy.version} (languages: "
            f"{', '.join(policy.languages)})",
        )
    return language


def read_state(
    ledger: ConsentLog, subject: SubjectRef, at: datetime, known_at: datetime | None = None
) -> SubjectState:
    """The subject's state at `at` from all recorded, or from what was known by `known_at`."""
    if known_at is None:
        return ledger.state(subject, at)
    return ledger.state_as_of(subject, at, known_at=known_at)


def decide_for_subject(
    ledger: ConsentLog,
    policies: PolicySet,
    key: PseudonymKey,
    subject: str,
    use: Use,
    *,
    now: datetime,
    at: datetime | None = None,
    known_at: datetime | None = None,
    language: str | None = None,
) -> DecisionAnswer:
    """May `use` process the data of `subject` (an identifier) at `at` (default: `now`)?

    The policy version in force at that instant decides, over the subject's state then.
    """
    instant = at or now
    policy = policies.in_force(instant)
    lang = clause_language(policy, language)
    reference = subject_ref(subject, key)
    state = read_state(ledger, reference, instant, known_at)
    return _answer(policy, state, use, instant, lang)


def decide_many(
    ledger: ConsentLog,
    policies: PolicySet,
    key: PseudonymKey,
    requests: Sequence[DecisionRequest],
    *,
    now: datetime,
    language: str | None = None,
) -> list[DecisionAnswer]:
    """The answers to a batch of questions, in the order asked.

    Questions about the same instant share one read of the ledger.
    """
    groups: dict[tuple[datetime, datetime | None], list[int]] = defaultdict(list)
    references = [subject_ref(request.subject, key) for request in requests]
    for index, request in enumerate(requests):
        groups[(request.at or now, request.known_at)].append(index)
    answers: dict[int, DecisionAnswer] = {}
    for (instant, known_at), indexes in groups.items():
        policy = policies.in_force(instant)
        lang = clause_language(policy, language)
        subjects = [references[index] for index in indexes]
        if known_at is None:
            states = ledger.states(subjects, instant)
        else:
            states = ledger.states_as_of(subjects, instant, known_at=known_at)
        for index, state in zip(indexes, states, strict=True):
            answers[index] = _answer(policy, state, requests[index].use, instant, lang)
    return [answers[index] for index in range(len(requests))]


def _answer(
    policy: Policy, state: SubjectState, use: Use, at: datetime, language: str
) -> DecisionAnswer:
    decision = decide_use(policy, state, use, at)
    return DecisionAnswer(
        subject=SubjectRef(state.subject),
        at=at,
        policy_id=policy.policy_id,
        policy_version=policy.version,
        decision=decision,
        clauses=tuple(cited_clauses(policy, decision, language)),
        language=language,
    )
