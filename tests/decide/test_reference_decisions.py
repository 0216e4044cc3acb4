"""The decision engine decides as the reference policies' texts say."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from placet.decide import Obligation, Outcome, decide_use
from placet.decide.decision import Use
from placet.decide.state import SubjectState
from placet.policy.terms import Channel
from tests.decide.builders import NOW, make_subject, make_use, minor_birth_date, reference


def decide_ipko(subject: SubjectState, use: Use, at: datetime = NOW):  # type: ignore[no-untyped-def]
    return decide_use(reference("ipko"), subject, use, at)


def decide_ipnordic(subject: SubjectState, use: Use, at: datetime = NOW):  # type: ignore[no-untyped-def]
    return decide_use(reference("ipnordic"), subject, use, at)


CURRENT_OFFERS_BY_SMS = make_use("direct-marketing-current-offers", "contact", channel=Channel.SMS)


def test_consent_purpose_is_permitted_with_a_live_consent_covering_purpose_and_channel() -> None:
    decision = decide_ipko(make_subject(consents=("current-offers",)), CURRENT_OFFERS_BY_SMS)
    assert (decision.outcome, decision.reason) == (Outcome.PERMIT, "permitted")
    assert "consent_options.current-offers" in decision.rules


def test_consent_purpose_is_denied_without_consent() -> None:
    decision = decide_ipko(make_subject(), CURRENT_OFFERS_BY_SMS)
    assert (decision.outcome, decision.reason) == (Outcome.DENY, "no-consent")


def test_consent_given_for_other_channels_does_not_cover_this_channel() -> None:
    from placet.decide import ConsentGrant

    subject = make_subject()
    grant = ConsentGrant("current-offers", NOW, frozenset({Channel.EMAIL}))  # type: ignore[arg-type]
    decision = decide_ipko(replace(subject, consents=(grant,)), CURRENT_OFFERS_BY_SMS)
    assert decision.reason == "no-consent"


def test_withdrawn_consent_denies_marketing_with_its_own_reason() -> None:
    subject = make_subject(withdrawn=frozenset({"current-offers"}))
    assert decide_ipko(subject, CURRENT_OFFERS_BY_SMS).reason == "consent-withdrawn"


def test_consent_processing_continues_within_two_years_after_the_contract_ends() -> None:
    ended = datetime(2025, 1, 1, tzinfo=UTC)
    subject = make_subject(consents=("current-offers",), contracts=0, last_contract_end=ended)
    decision = decide_ipko(subject, CURRENT_OFFERS_BY_SMS)
    assert decision.outcome is Outcome.PERMIT
    assert decision.valid_until == datetime(2027, 1, 1, tzinfo=UTC)


def test_consent_processing_stops_two_years_after_the_contract_ends() -> None:
    ended = datetime(2024, 5, 31, tzinfo=UTC)
    subject = make_subject(consents=("current-offers",), contracts=0, last_contract_end=ended)
    assert decide_ipko(subject, CURRENT_OFFERS_BY_SMS).reason == "post-contract-window-ended"


def test_objection_stops_a_legitimate_interest_purpose() -> None:
    subject = make_subject(objections=frozenset({"surveys"}))
    decision = decide_ipko(subject, make_use("surveys", "contact"))
    assert (decision.outcome, decision.reason) == (Outcome.DENY, "objection")


def test_fraud_prevention_prevails_over_an_objection() -> None:
    subject = make_subject(objections=frozenset({"fraud-prevention"}))
    decision = decide_ipko(subject, make_use("fraud-prevention", "mobile-traffic-data"))
    assert (decision.outcome, decision.reason) == (Outcome.PERMIT, "objection-overridden")
    assert "purposes.fraud-prevention.conditions.objection" in decision.rules


def test_legitimate_interest_needs_consent_for_traffic_and_location_data() -> None:
    decision = decide_ipko(make_subject(), make_use("risk-management", "location-data"))
    assert decision.reason == "traffic-location-needs-consent"


def test_analysis_may_use_traffic_data_once_anonymised() -> None:
    use = make_use("service-development-analysis", "mobile-traffic-data")
    decision = decide_ipko(make_subject(), use)
    assert (decision.outcome, decision.reason) == (Outcome.PERMIT, "permitted-if-anonymised")
    assert decision.obligations == (Obligation.ANONYMISE_FIRST,)


def test_analysis_of_traffic_data_with_consent_needs_no_anonymisation() -> None:
    use = make_use("service-development-analysis", "mobile-traffic-data")
    decision = decide_ipko(make_subject(consents=("help-us-be-better",)), use)
    assert (decision.reason, decision.obligations) == ("permitted", ())


def test_minor_without_consent_is_denied_legitimate_interest_purposes() -> None:
    subject = make_subject(birth_date=minor_birth_date())
    assert decide_ipko(subject, make_use("surveys", "contact")).reason == "minor-without-consent"


def test_fraud_prevention_applies_to_minors_too() -> None:
    subject = make_subject(birth_date=minor_birth_date())
    assert decide_ipko(subject, make_use("fraud-prevention", "identity")).is_permitted


def test_restriction_denies_all_but_legal_claims() -> None:
    subject = make_subject(restricted=True, consents=("current-offers",))
    assert decide_ipko(subject, CURRENT_OFFERS_BY_SMS).reason == "restricted"
    assert decide_ipko(subject, make_use("contract-performance", "identity")).reason == (
        "restricted"
    )
    assert decide_ipko(subject, make_use("claims-and-disputes", "billing-and-payment")).is_permitted


def test_data_is_restricted_24_months_after_the_last_contract_except_on_consent() -> None:
    ended = datetime(2024, 1, 1, tzinfo=UTC)
    subject = make_subject(contracts=0, last_contract_end=ended, consents=("current-offers",))
    fraud = decide_ipko(subject, make_use("fraud-prevention", "identity"))
    assert fraud.reason == "restricted-after-contract"
    assert decide_ipko(subject, CURRENT_OFFERS_BY_SMS).reason != "restricted-after-contract"


def test_restriction_runs_from_the_later_of_contract_end_and_debt_settlement() -> None:
    from placet.decide.single import restriction_start
    from placet.policy.model import RetentionRule

    rule = RetentionRule.model_validate(
        {
            "id": "restriction",
            "record_type": {"en": "Subscriber data"},
            "period": "24 months",
            "anchors": ["end-of-last-contract", "debt-settled"],
            "action": "restrict",
        }
    )
    ended = datetime(2024, 1, 1, tzinfo=UTC)
    settled = datetime(2024, 6, 1, tzinfo=UTC)
    base = make_subject(contracts=0, last_contract_end=ended)
    assert restriction_start(rule, replace(base, debt_outstanding=True)) is None
    assert restriction_start(rule, replace(base, debt_settled_at=settled)) == datetime(
        2026, 6, 1, tzinfo=UTC
    )
    assert restriction_start(rule, base) == datetime(2026, 1, 1, tzinfo=UTC)


def test_permit_before_the_restriction_holds_until_it_starts() -> None:
    ended = datetime(2026, 1, 1, tzinfo=UTC)
    subject = make_subject(contracts=0, last_contract_end=ended)
    decision = decide_ipko(subject, make_use("fraud-prevention", "identity"))
    assert decision.is_permitted
    assert decision.valid_until == datetime(2028, 1, 1, tzinfo=UTC)


def test_contract_purpose_needs_a_contract() -> None:
    use = make_use("contract-performance", "identity")
    assert decide_ipko(make_subject(), use).is_permitted
    assert decide_ipko(make_subject(contracts=0), use).reason == "no-contract"


def test_law_enforcement_disclosure_holds_regardless_of_consent_and_objection() -> None:
    subject = make_subject(restricted=True, objects_to_direct_marketing=True, contracts=0)
    use = make_use("law-enforcement-disclosure", "mobile-traffic-data", recipient="law-enforcement")
    decision = decide_ipko(subject, use)
    assert (decision.outcome, decision.reason) == (Outcome.PERMIT, "legal-obligation")
    assert Obligation.MASK_B_NUMBERS in decision.obligations


def test_business_opt_out_denies_direct_marketing_from_the_instant_recorded() -> None:
    subject = make_subject(subject_type="business-entity", business_opt_out=True)
    use = make_use("business-direct-marketing", "contact", channel=Channel.EMAIL)
    assert decide_ipko(subject, use).reason == "business-opt-out"
    assert decide_ipko(make_subject(subject_type="business-entity"), use).is_permitted


def test_temporary_business_opt_out_ends_when_it_says() -> None:
    until = datetime(2026, 3, 1, tzinfo=UTC)
    subject = make_subject(
        subject_type="business-entity", business_opt_out=True, business_opt_out_until=until
    )
    use = make_use("business-direct-marketing", "contact", channel=Channel.EMAIL)
    assert decide_ipko(subject, use).is_permitted


def test_objection_to_direct_marketing_beats_a_consent() -> None:
    subject = make_subject(consents=("current-offers",), objects_to_direct_marketing=True)
    assert decide_ipko(subject, CURRENT_OFFERS_BY_SMS).reason == "objection-direct-marketing"


def test_recipient_not_named_for_the_purpose_is_denied() -> None:
    use = make_use("fraud-prevention", "identity", recipient="claim-assignees")
    assert decide_ipko(make_subject(), use).reason == "recipient-not-allowed"


def test_unknown_recipient_is_denied() -> None:
    use = make_use("contract-performance", "identity", recipient="data-broker")
    assert decide_ipko(make_subject(), use).reason == "unknown-recipient"


def test_country_the_policy_does_not_name_is_denied() -> None:
    use = make_use("contract-performance", "identity", recipient="contractors", country="US")
    assert decide_ipko(make_subject(), use).reason == "country-not-allowed"


def test_third_country_supplier_with_a_safeguard_may_receive_contract_data() -> None:
    use = make_use(
        "contract-performance", "identity", recipient="third-country-suppliers", country="US"
    )
    assert decide_ipko(make_subject(), use).is_permitted


def test_use_no_purpose_covers_is_denied_as_no_rule() -> None:
    decision = decide_ipko(make_subject(), make_use("selling-data", "identity"))
    assert (decision.outcome, decision.reason, decision.rules) == (Outcome.DENY, "no-rule", ())


def test_category_the_purpose_does_not_cover_is_denied() -> None:
    decision = decide_ipko(make_subject(), make_use("surveys", "location-data"))
    assert decision.reason == "category-not-covered"


def test_consumer_marketing_analysis_needs_the_personal_offers_consent() -> None:
    use = make_use("marketing-analysis", "service-usage")
    assert decide_ipko(make_subject(), use).reason == "no-consent"
    assert decide_ipko(make_subject(consents=("offers-just-for-me",)), use).is_permitted


def test_ipnordic_location_pricing_is_coarsened_to_the_country() -> None:
    subject = make_subject(subject_type="business-customer")
    decision = decide_ipnordic(subject, make_use("location-pricing", "location-data"))
    assert decision.is_permitted
    assert Obligation.COARSEN_LOCATION_TO_COUNTRY in decision.obligations


def test_ipnordic_business_intelligence_is_on_aggregated_data_only() -> None:
    subject = make_subject(subject_type="business-customer")
    decision = decide_ipnordic(subject, make_use("business-intelligence", "aggregated-statistics"))
    assert Obligation.AGGREGATE_FIRST in decision.obligations


def test_ipnordic_newsletter_needs_consent_and_stops_on_withdrawal() -> None:
    use = make_use("newsletter", "newsletter-signup", channel=Channel.EMAIL)
    subject = make_subject(subject_type="newsletter-subscriber", contracts=0)
    assert decide_ipnordic(subject, use).reason == "no-consent"
    withdrawn = make_subject(
        subject_type="newsletter-subscriber", contracts=0, withdrawn=frozenset({"newsletter"})
    )
    assert decide_ipnordic(withdrawn, use).reason == "consent-withdrawn"
    given = make_subject(
        subject_type="newsletter-subscriber", contracts=0, consents=("newsletter",)
    )
    assert decide_ipnordic(given, use).is_permitted


def test_decision_names_the_policy_version_it_was_made_under() -> None:
    decision = decide_ipko(make_subject(), make_use("contract-performance", "identity"))
    assert decision.policy_version == reference("ipko").version


@pytest.mark.parametrize("operator", ["ipko", "ipnordic"])
def test_every_decision_cites_clauses_that_exist_in_the_policy(operator: str) -> None:
    from placet.policy.coverage import resolve_element

    policy = reference(operator)
    subject = make_subject(objections=frozenset(p.id for p in policy.purposes))
    for purpose in policy.purposes:
        decision = decide_use(policy, subject, make_use(purpose.id, *purpose.categories[:1]), NOW)
        for rule in decision.rules:
            assert resolve_element(policy, rule) is not None, (purpose.id, rule)


def test_cited_clauses_are_said_in_the_language_asked() -> None:
    from placet.decide import cited_clauses

    subject = make_subject(objections=frozenset({"fraud-prevention"}))
    decision = decide_ipko(subject, make_use("fraud-prevention", "identity"))
    clauses = {
        clause.path: clause.text for clause in cited_clauses(reference("ipko"), decision, "sq")
    }
    policy = reference("ipko")
    assert clauses["purposes.fraud-prevention"].startswith(
        policy.purpose("fraud-prevention").name["sq"]
    )
    assert clauses["purposes.fraud-prevention.conditions.objection"] == "overrides"


def test_every_reason_code_is_documented() -> None:
    from pathlib import Path

    from placet.decide import REASONS

    text = (Path(__file__).resolve().parents[2] / "docs" / "decisions.md").read_text()
    for reason in REASONS:
        assert f"`{reason}`" in text, reason


def test_every_obligation_is_documented() -> None:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "decisions.md").read_text()
    for obligation in Obligation:
        assert f"`{obligation.value}`" in text, obligation


def test_decisions_doc_example_decides_as_it_says() -> None:
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "decisions.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.DOTALL)
    assert code is not None
    namespace: dict[str, object] = {}
    exec(code.group(1), namespace)
    decision = namespace["decision"]
    assert (decision.outcome, decision.reason) == ("permit", "objection-overridden")  # type: ignore[attr-defined]
