"""Which recipients and retention rules apply to a purpose, for the RoPA and the DPV export.

Imports nothing outside `placet.policy`.
"""

from __future__ import annotations

from placet.policy.model import Policy, Purpose, Recipient, RetentionRule

__all__ = ["recipients_for", "retention_rules_for"]


def recipients_for(policy: Policy, purpose: Purpose) -> list[Recipient]:
    """Recipients that name the purpose, and those that name no purpose (they receive for all)."""
    return [
        recipient
        for recipient in policy.recipients
        if not recipient.purposes or purpose.id in recipient.purposes
    ]


def retention_rules_for(policy: Policy, purpose: Purpose) -> list[RetentionRule]:
    """The rules covering the purpose's data categories and subjects, less its exceptions.

    A rule that names no categories (or no subject types) covers all of them; a rule whose
    exception lists the purpose's legal basis does not apply to it.
    """
    covered = []
    for rule in policy.retention_rules:
        if rule.categories and not set(rule.categories) & set(purpose.categories):
            continue
        if (
            rule.subject_types
            and purpose.subject_types
            and not set(rule.subject_types) & set(purpose.subject_types)
        ):
            continue
        if any(purpose.legal_basis in exception.legal_bases for exception in rule.exceptions):
            continue
        covered.append(rule)
    return covered
