"""Retention: which rule governs a record and what is due when (`retention_action`).

Plans and runs over the estate's stores build on this pure core.
"""

from placet.retention.rules import (
    AnchorDate,
    RetainedRecord,
    RetentionDecision,
    RetentionFacts,
    RuleStatus,
    RuleTerm,
    retention_action,
)

__all__ = [
    "AnchorDate",
    "RetainedRecord",
    "RetentionDecision",
    "RetentionFacts",
    "RuleStatus",
    "RuleTerm",
    "retention_action",
]
