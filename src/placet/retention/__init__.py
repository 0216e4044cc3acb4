"""Retention: which rule governs a record and what is due when, for one record
(`retention_action`) or every row of a dataset (`retention_frame`).

Plans and runs over the estate's stores build on this pure core.
"""

from placet.retention.bulk import FACT_COLUMNS, RETENTION_COLUMNS, retention_frame
from placet.retention.guard import (
    Blocker,
    BlockerKind,
    DestructionScope,
    DestructivePath,
    GuardDecision,
    HoldReason,
    HoldScope,
    LegalHold,
    OpenRequest,
    held_rows,
    may_destroy,
)
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
    "FACT_COLUMNS",
    "RETENTION_COLUMNS",
    "AnchorDate",
    "Blocker",
    "BlockerKind",
    "DestructionScope",
    "DestructivePath",
    "GuardDecision",
    "HoldReason",
    "HoldScope",
    "LegalHold",
    "OpenRequest",
    "RetainedRecord",
    "RetentionDecision",
    "RetentionFacts",
    "RuleStatus",
    "RuleTerm",
    "held_rows",
    "may_destroy",
    "retention_action",
    "retention_frame",
]
