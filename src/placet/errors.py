"""Placet errors: one tree, each class building a message that says what happened and what to do.

PlacetError
├── PolicyError            the policy files are wrong (fix the YAML)
│   ├── PolicyValidationError   carries every problem found, not just the first
│   ├── UnknownReferenceError   a rule names a purpose/category that is not declared
│   ├── PolicyNotFoundError     no policy at the path or bundled name given
│   ├── NoVersionInForceError   no version of the policy is in force at the instant asked
│   └── CoverageError           a source paragraph is unmapped or maps to nothing
├── LedgerError
│   └── ChainBrokenError        a stored entry does not match its hash
├── RequestError           a data-subject request cannot proceed as asked
└── StoreError             a store is unreachable or not in the shape the policy says

Imports nothing outside the standard library.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

__all__ = [
    "POLICY_ISSUE_CODES",
    "ChainBrokenError",
    "CoverageError",
    "LedgerError",
    "NoVersionInForceError",
    "PlacetError",
    "PolicyError",
    "PolicyIssue",
    "PolicyNotFoundError",
    "PolicyValidationError",
    "RequestError",
    "StoreError",
    "UnknownReferenceError",
]


class PlacetError(Exception):
    """Root of every error Placet raises on purpose."""


class PolicyError(PlacetError):
    """The policy files are wrong: fix the YAML."""


POLICY_ISSUE_CODES: dict[str, str] = {
    "unreadable-file": "the file cannot be read as UTF-8 text",
    "yaml-syntax": "the file is not valid YAML",
    "empty-file": "the file holds nothing",
    "unknown-tag": "a YAML tag other than !tr",
    "not-a-mapping": "a policy file must be a YAML mapping of fields",
    "duplicate-key": "a key is given twice in the same mapping",
    "no-policy-file": "a policy folder holds no policy*.yaml file",
    "missing-field": "a required field is absent",
    "unknown-field": "a field the policy format does not have (often a misspelling)",
    "invalid-value": "a value is not one of those allowed, or not of the right type",
    "invalid-format": "a value does not have the required form (ids are lowercase kebab case)",
    "invalid-date": "a date is not an ISO date (2024-01-31)",
    "unknown-anchor": "a retention rule runs from an event Placet does not know",
    "missing-legal-basis": "a purpose has no legal basis",
    "duplicate-id": "two elements of the same kind share an id",
    "unknown-category": "a data category is referenced but not declared",
    "unknown-purpose": "a purpose is referenced but not declared",
    "unknown-subject-type": "a subject type is referenced but not declared",
    "unknown-consent-option": "a consent option is referenced but not declared",
    "missing-translation": "a text lacks one of the declared languages",
    "undeclared-language": "a text is given in a language the controller does not declare",
    "empty-text": "a text is empty",
    "empty-consent-option": "a consent option covers no purpose",
    "missing-retention-period": "a retention rule has neither a period nor criteria",
    "objection-on-direct-marketing": "a direct-marketing purpose would survive an objection",
    "policy-id-mismatch": "versions in one folder name different policies",
    "duplicate-version": "two files carry the same version name",
    "overlapping-versions": "two versions would be in force at the same time",
    "bad-paragraph": "a source paragraph is not numbered [N] in order",
    "missing-coverage": "the policy folder has no coverage.yaml",
    "invalid-coverage": "coverage.yaml does not have the coverage format",
}
"""Every code a `PolicyIssue` can carry, with what it means (listed in docs/policy.md)."""


@dataclass(frozen=True, slots=True)
class PolicyIssue:
    """One problem found in a policy file, located by file, line and YAML path."""

    file: str
    line: int | None
    path: str
    code: str
    message: str

    def __post_init__(self) -> None:
        if self.code not in POLICY_ISSUE_CODES:
            raise ValueError(f"unregistered policy issue code '{self.code}'")

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        field = f" [{self.path}]" if self.path else ""
        return f"{where}{field} {self.code}: {self.message}"


class PolicyValidationError(PolicyError):
    """The policy is invalid; `issues` holds every problem found, in file order."""

    def __init__(self, issues: Sequence[PolicyIssue]) -> None:
        self.issues = tuple(issues)
        count = len(self.issues)
        lines = "\n".join(f"  {issue}" for issue in self.issues)
        super().__init__(
            f"The policy has {count} problem{'s' if count != 1 else ''}:\n{lines}\n"
            "Fix each one in the file and line named, then check again with "
            "`placet policy check`."
        )


class UnknownReferenceError(PolicyError):
    """A rule names a purpose, category or other element that is not declared."""

    def __init__(self, kind: str, name: str, where: str) -> None:
        self.kind = kind
        self.name = name
        self.where = where
        super().__init__(
            f"{where}: {kind} '{name}' is not declared. "
            f"Add it under '{kind}s:' in the policy or fix the spelling."
        )


class PolicyNotFoundError(PolicyError):
    """Neither a policy folder nor a bundled operator has the name given."""

    def __init__(self, name: str, bundled: Sequence[str]) -> None:
        self.name = name
        matches = difflib.get_close_matches(name, list(bundled), n=1, cutoff=0.6)
        hint = f" Did you mean '{matches[0]}'?" if matches else ""
        super().__init__(
            f"No policy at '{name}': it is neither a folder holding policy*.yaml files "
            f"nor a bundled operator ({', '.join(bundled) or 'none bundled'}).{hint}"
        )


class NoVersionInForceError(PolicyError):
    """No version of a policy is in force at the instant asked."""

    def __init__(self, policy: Path | str, at: datetime, first_effective: str) -> None:
        super().__init__(
            f"{policy}: no policy version is in force at {at.isoformat()}; "
            f"the earliest takes effect on {first_effective}. Ask for a later instant "
            "or add a version whose 'effective_from' is on or before it."
        )


class CoverageError(PolicyError):
    """The coverage file leaves a source paragraph unmapped or names a missing element."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(
            f"Coverage is incomplete ({len(self.problems)} problems):\n{lines}\n"
            "Map every paragraph to the policy elements that encode it, or mark it "
            "'informative' with a reason."
        )


class LedgerError(PlacetError):
    """The consent ledger cannot do what was asked."""


class ChainBrokenError(LedgerError):
    """A stored ledger entry does not match its hash."""


class RequestError(PlacetError):
    """A data-subject request cannot proceed as asked."""


class StoreError(PlacetError):
    """A store is unreachable or not in the shape the data map says."""
