"""The clauses a decision cites, as text in a language: what a DPO reads beside the reason.

Imports nothing outside the standard library and `placet.policy`.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from placet.decide.decision import Decision
from placet.policy.coverage import resolve_element
from placet.policy.model import Policy

__all__ = ["Clause", "cited_clauses"]


@dataclass(frozen=True, slots=True)
class Clause:
    """One cited element of the policy: its path, and what it says in the language asked."""

    path: str
    text: str


def cited_clauses(policy: Policy, decision: Decision, language: str) -> list[Clause]:
    """Each clause `decision.rules` names, said in `language` (or its value, for a setting).

    cited_clauses(policy, decision, "sq")[0].text  ->  "Parandalimi i mashtrimit: …"
    """
    return [Clause(path, _say(resolve_element(policy, path), language)) for path in decision.rules]


def _say(element: object, language: str) -> str:
    if isinstance(element, BaseModel):
        name = _text(
            getattr(element, "name", None) or getattr(element, "record_type", None), language
        )
        description = _text(getattr(element, "description", None), language)
        return ": ".join(part for part in (name, description) if part)
    if isinstance(element, dict):
        return _text(element, language)
    if isinstance(element, list):
        return ", ".join(str(item) for item in element)
    return "" if element is None else str(element)


def _text(value: object, language: str) -> str:
    if isinstance(value, dict):
        return str(value.get(language, ""))
    return ""
