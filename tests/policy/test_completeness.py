"""Completeness review: each GDPR Art. 13/14 information item left out is a warning."""

from __future__ import annotations

from placet.policy import load_policy_set
from placet.policy.completeness import WARNING_CODES, review_completeness
from placet.policy.model import Policy, RightKind
from tests.conftest import PolicyWriter, minimal_text, replace_once


def minimal() -> Policy:
    return load_policy_set("tests/fixtures/minimal").latest


def keys(policy: Policy) -> set[tuple[str, str]]:
    return {warning.key for warning in review_completeness(policy)}


def test_each_missing_right_is_a_warning() -> None:
    found = keys(minimal())
    assert ("missing-right", "rights.portability") in found
    assert ("missing-right", "rights.access") not in found


def test_legitimate_interest_without_the_interest_pursued_is_a_warning(
    write_policy: PolicyWriter,
) -> None:
    text = replace_once(
        minimal_text(), "    legal_basis: consent\n", "    legal_basis: legitimate-interest\n"
    )
    policy = load_policy_set(write_policy(text)).latest
    assert ("missing-legitimate-interest", "purposes.marketing") in keys(policy)


def test_category_without_retention_rule_is_a_warning() -> None:
    policy = minimal()
    policy = policy.model_copy(update={"retention_rules": policy.retention_rules[:1]})
    assert ("missing-retention", "data_categories.contact") in keys(policy)


def test_consent_option_without_withdrawal_channel_is_a_warning() -> None:
    policy = minimal()
    option = policy.consent_options[0].model_copy(update={"withdrawal_channels": []})
    policy = policy.model_copy(update={"consent_options": [option]})
    assert ("missing-withdrawal-channel", "consent_options.offers") in keys(policy)


def test_third_country_recipient_without_safeguard_is_a_warning() -> None:
    policy = minimal()
    recipient = policy.recipients[0].model_copy(update={"third_country": True, "country": "US"})
    policy = policy.model_copy(update={"recipients": [recipient]})
    assert ("missing-safeguard", "recipients.it-provider") in keys(policy)


def test_missing_dpo_contact_and_complaint_route_are_warnings() -> None:
    policy = minimal()
    controller = policy.controller.model_copy(
        update={"dpo": policy.controller.dpo.model_copy(update={"email": None})}
    )
    policy = policy.model_copy(update={"controller": controller, "complaints": None})
    found = keys(policy)
    assert ("missing-dpo-contact", "controller.dpo") in found
    assert ("missing-complaint-route", "complaints") in found


def test_every_warning_code_has_its_gdpr_item() -> None:
    for code, item in WARNING_CODES.items():
        assert code.startswith(("missing-", "consent-")), code
        assert "Art." in item


def test_complete_rights_silence_the_right_warnings() -> None:
    policy = minimal()
    access = policy.rights[0]
    rights = [access.model_copy(update={"kind": kind}) for kind in RightKind]
    policy = policy.model_copy(update={"rights": rights})
    assert not any(code == "missing-right" for code, _ in keys(policy))


def test_consent_option_asked_of_a_type_none_of_its_purposes_serves_is_a_warning() -> None:
    policy = minimal()
    purpose = next(p for p in policy.purposes if p.id == "marketing")
    served = purpose.model_copy(update={"subject_types": ["consumer"]})
    option = policy.consent_options[0].model_copy(
        update={"subject_types": ["consumer", "business"]}
    )
    policy = policy.model_copy(
        update={
            "purposes": [served if p.id == "marketing" else p for p in policy.purposes],
            "consent_options": [option],
        }
    )

    found = [w for w in review_completeness(policy) if w.code == "consent-option-unusable"]

    assert [w.element for w in found] == ["consent_options.offers.subject_types"]
    assert "a business may give it" in found[0].message


def test_the_reference_policies_ask_no_consent_their_purposes_cannot_use() -> None:
    for name in ("ipko", "ipnordic"):
        for policy in load_policy_set(name).versions:
            assert not [
                w for w in review_completeness(policy) if w.code == "consent-option-unusable"
            ], (name, policy.version)
