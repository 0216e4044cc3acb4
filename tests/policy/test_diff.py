"""`diff` shows the DPO what changed between two versions."""

from __future__ import annotations

from placet.policy import load_policy_set
from placet.policy.diff import ChangeKind, diff_policies
from tests.conftest import PolicyWriter, minimal_text, replace_once


def test_diff_of_a_version_with_itself_is_empty() -> None:
    policy = load_policy_set("tests/fixtures/minimal").latest
    assert diff_policies(policy, policy) == []


def test_diff_reports_changed_basis_retention_period_and_added_recipient(
    write_policy: PolicyWriter,
) -> None:
    write_policy()
    text = replace_once(minimal_text(), 'version: "1.0"', 'version: "2.0"')
    text = replace_once(text, "effective_from: 2024-01-01", "effective_from: 2025-01-01")
    text = replace_once(
        text, "    legal_basis: consent\n", "    legal_basis: legitimate-interest\n"
    )
    text = replace_once(text, "period: 12 months", "period: 6 months")
    text = replace_once(
        text,
        "transfers:\n",
        (
            "  - id: debt-buyer\n    name: {en: Debt buyer, sq: !tr Blerësi i borxhit}\n"
            "    kind: debt-buyer\n    description: {en: Buys claims., sq: !tr Blen borxhe.}\n"
            "transfers:\n"
        ),
    )
    folder = write_policy(text, name="policy-2.0.yaml")
    policies = load_policy_set(folder)
    changes = diff_policies(policies.version("1.0"), policies.version("2.0"))
    described = {str(change) for change in changes}
    assert "changed purposes.marketing.legal_basis: consent -> legitimate-interest" in described
    assert "changed retention_rules.traffic.period: 12 months -> 6 months" in described
    assert "added recipients.debt-buyer" in described


def test_diff_reports_removed_purpose(write_policy: PolicyWriter) -> None:
    old = load_policy_set("tests/fixtures/minimal").latest
    new = old.model_copy(update={"purposes": old.purposes[:1]})
    changes = diff_policies(old, new)
    assert [(c.kind, c.element) for c in changes] == [(ChangeKind.REMOVED, "purposes.marketing")]
