"""Everything `placet policy check` says about a policy folder: validity, completeness, coverage.

Imports nothing outside the standard library and `placet.policy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from placet.policy.completeness import CompletenessWarning, review_completeness
from placet.policy.coverage import (
    COVERAGE_FILE,
    Acknowledgement,
    CoverageReport,
    check_coverage,
)
from placet.policy.loader import load_policy_set
from placet.policy.versions import PolicySet

__all__ = ["PolicyCheck", "check_policy"]


@dataclass(frozen=True, slots=True)
class PolicyCheck:
    """A valid policy's review: warnings per version, and what the coverage file acknowledges."""

    policies: PolicySet
    warnings: tuple[tuple[str, CompletenessWarning], ...]
    """(version, warning) for every version, acknowledged or not."""
    unacknowledged: tuple[tuple[str, CompletenessWarning], ...]
    coverage: CoverageReport | None
    stale_acknowledgements: tuple[Acknowledgement, ...] = ()
    """Acknowledgements that match no warning of any version: remove them."""

    @property
    def is_clean(self) -> bool:
        """No open warning nor stale acknowledgement, and full coverage where there is one."""
        return (
            not self.unacknowledged
            and not self.stale_acknowledgements
            and (self.coverage is None or self.coverage.is_complete)
        )


def check_policy(name: str | Path) -> PolicyCheck:
    """Load every version (raising `PolicyValidationError` on any error), then review it."""
    policies = load_policy_set(name)
    coverage = None
    if (policies.directory / COVERAGE_FILE).is_file():
        coverage = check_coverage(policies.directory, policies.latest)
    warnings: list[tuple[str, CompletenessWarning]] = []
    unacknowledged: list[tuple[str, CompletenessWarning]] = []
    for policy in policies.versions:
        found = review_completeness(policy)
        warnings += [(policy.version, warning) for warning in found]
        open_ones = coverage.unacknowledged(found) if coverage else found
        unacknowledged += [(policy.version, warning) for warning in open_ones]
    raised = {warning.key for _, warning in warnings}
    stale = tuple(
        ack
        for ack in (coverage.coverage.acknowledged_warnings if coverage else ())
        if (ack.code, ack.element) not in raised
    )
    return PolicyCheck(policies, tuple(warnings), tuple(unacknowledged), coverage, stale)
