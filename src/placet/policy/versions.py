"""The versions of one policy, and which of them is in force at a given instant.

A version is in force from 00:00 of its `effective_from` date in the controller's zone
(`Policy.zone`; UTC where the policy names none) until the next version takes effect, or
until the end of its `effective_until` date when it gives one.
Imports nothing outside the standard library, `placet.policy.calendar` and
`placet.policy.model`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from placet.errors import NoVersionInForceError, PolicyError, PolicyIssue
from placet.policy.calendar import local_date
from placet.policy.model import Policy

__all__ = ["PolicySet", "check_versions"]


@dataclass(frozen=True, slots=True)
class PolicySet:
    """Every version of one policy, oldest first."""

    directory: Path
    versions: tuple[Policy, ...]
    name: str = ""
    """How the user named it (`ipko`, `policies/ipko`), for messages; the folder if empty."""

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.versions, key=lambda policy: policy.effective_from))
        object.__setattr__(self, "versions", ordered)

    @property
    def label(self) -> str:
        return self.name or str(self.directory)

    @property
    def policy_id(self) -> str:
        return self.versions[0].policy_id

    @property
    def latest(self) -> Policy:
        return self.versions[-1]

    def version(self, version: str) -> Policy:
        """The version named `version` (as written in its `version:` field)."""
        for policy in self.versions:
            if policy.version == version:
                return policy
        known = ", ".join(policy.version for policy in self.versions)
        raise PolicyError(
            f"{self.label}: there is no version '{version}' of policy "
            f"'{self.policy_id}'; the versions are {known}."
        )

    def in_force(self, at: datetime) -> Policy:
        """The version in force at `at`, a timezone-aware instant."""
        if at.tzinfo is None:
            raise ValueError("`at` must be timezone-aware (UTC)")
        current: Policy | None = None
        for policy in self.versions:
            if policy.effective_from <= local_date(at, policy.zone):
                current = policy
        if current is None or (
            current.effective_until is not None
            and local_date(at, current.zone) > current.effective_until
        ):
            raise NoVersionInForceError(self.label, at, self.versions[0].effective_from.isoformat())
        return current


def check_versions(loaded: Sequence[tuple[Path, Policy]]) -> list[PolicyIssue]:
    """Versions of one policy must share its id, have distinct names and not overlap."""
    issues: list[PolicyIssue] = []
    ordered = sorted(loaded, key=lambda item: item[1].effective_from)
    first_id = ordered[0][1].policy_id if ordered else ""
    names: dict[str, Path] = {}
    for file, policy in ordered:
        if policy.policy_id != first_id:
            issues.append(
                PolicyIssue(
                    str(file),
                    None,
                    "id",
                    "policy-id-mismatch",
                    f"this version's id is '{policy.policy_id}' but the folder's first "
                    f"version is '{first_id}'; one folder holds one policy",
                )
            )
        if policy.version in names:
            issues.append(
                PolicyIssue(
                    str(file),
                    None,
                    "version",
                    "duplicate-version",
                    f"version '{policy.version}' is also in {names[policy.version]}",
                )
            )
        names.setdefault(policy.version, file)
    for (earlier_file, earlier), (later_file, later) in itertools.pairwise(ordered):
        ends = earlier.effective_until
        if later.effective_from == earlier.effective_from or (
            ends is not None and ends >= later.effective_from
        ):
            issues.append(
                PolicyIssue(
                    str(later_file),
                    None,
                    "effective_from",
                    "overlapping-versions",
                    f"version {later.version} takes effect on {later.effective_from} while "
                    f"version {earlier.version} ({earlier_file.name}) is still in force "
                    f"(until {ends or earlier.effective_from}); end the earlier version "
                    "the day before",
                )
            )
    return issues
