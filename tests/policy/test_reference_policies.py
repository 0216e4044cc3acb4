"""The two reference policies say in code exactly what the operators' texts promise."""

from __future__ import annotations

from datetime import date

import pytest

from placet.policy import load_policy_set
from placet.policy.check import check_policy
from placet.policy.model import (
    Anchor,
    CategoryFlag,
    Channel,
    LegalBasis,
    MinorRule,
    ObjectionEffect,
    Policy,
    RecipientKind,
    RetentionAction,
    RightKind,
    TransferSafeguard,
)

OPERATORS = ["ipko", "ipnordic"]


@pytest.fixture(scope="module")
def ipko() -> Policy:
    return load_policy_set("ipko").latest


@pytest.fixture(scope="module")
def ipnordic() -> Policy:
    return load_policy_set("ipnordic").latest


def flags_of(policy: Policy, categories: list[str]) -> set[CategoryFlag]:
    return {flag for name in categories for flag in policy.category(name).flags}


def rule(policy: Policy, rule_id: str):  # type: ignore[no-untyped-def]
    return next(r for r in policy.retention_rules if r.id == rule_id)


@pytest.mark.parametrize("operator", OPERATORS)
def test_reference_policy_checks_clean_with_every_warning_acknowledged(operator: str) -> None:
    result = check_policy(operator)
    assert [str(w) for _, w in result.unacknowledged] == []
    assert result.coverage is not None


@pytest.mark.parametrize("operator", OPERATORS)
def test_reference_policy_accounts_for_every_source_paragraph(operator: str) -> None:
    result = check_policy(operator)
    assert result.coverage is not None
    assert list(result.coverage.problems) == []
    assert len(result.coverage.rows) > 20


@pytest.mark.parametrize("operator", OPERATORS)
def test_reference_policy_records_why_it_chose_each_ambiguous_reading(operator: str) -> None:
    result = check_policy(operator)
    assert result.coverage is not None
    assert len(result.coverage.coverage.readings) >= 4


# IPKO


def test_ipko_texts_are_in_english_albanian_and_serbian(ipko: Policy) -> None:
    assert ipko.languages == ["en", "sq", "sr"]


def test_ipko_fraud_prevention_prevails_over_an_objection(ipko: Policy) -> None:
    fraud = ipko.purpose("fraud-prevention")
    assert fraud.legal_basis is LegalBasis.LEGITIMATE_INTEREST
    assert fraud.conditions.objection is ObjectionEffect.OVERRIDES
    assert {CategoryFlag.TRAFFIC, CategoryFlag.LOCATION} <= flags_of(ipko, fraud.categories)


@pytest.mark.parametrize("purpose_id", ["marketing-analysis", "risk-management"])
def test_ipko_legitimate_interest_uses_traffic_and_location_only_with_consent(
    ipko: Policy, purpose_id: str
) -> None:
    purpose = ipko.purpose(purpose_id)
    assert purpose.legal_basis is LegalBasis.LEGITIMATE_INTEREST
    assert purpose.conditions.traffic_location_needs_consent
    assert not purpose.conditions.unless_anonymised
    assert purpose.conditions.objection is ObjectionEffect.STOPS


def test_ipko_analysis_uses_traffic_and_location_with_consent_or_once_anonymised(
    ipko: Policy,
) -> None:
    conditions = ipko.purpose("service-development-analysis").conditions
    assert conditions.traffic_location_needs_consent
    assert conditions.unless_anonymised


def test_ipko_child_interests_prevail_over_legitimate_interest_without_consent(
    ipko: Policy,
) -> None:
    assert ipko.minors is not None
    assert ipko.minors.age_below == 18
    assert ipko.purpose("marketing-analysis").conditions.minors is MinorRule.REQUIRES_CONSENT


def test_ipko_direct_marketing_needs_consent(ipko: Policy) -> None:
    consumer_marketing = [
        p
        for p in ipko.purposes
        if p.is_direct_marketing and "business-entity" not in p.subject_types
    ]
    assert consumer_marketing
    for purpose in consumer_marketing:
        assert purpose.legal_basis is LegalBasis.CONSENT or (
            purpose.conditions.traffic_location_needs_consent
        ), purpose.id


def test_ipko_consent_based_processing_continues_two_years_after_the_contract(
    ipko: Policy,
) -> None:
    consent_purposes = [p for p in ipko.purposes if p.legal_basis is LegalBasis.CONSENT]
    assert consent_purposes
    for purpose in consent_purposes:
        assert str(purpose.conditions.post_contract) == "2 years", purpose.id


def test_ipko_offers_exactly_its_four_consent_options(ipko: Policy) -> None:
    assert [o.id for o in ipko.consent_options] == [
        "current-offers",
        "offers-just-for-me",
        "offer-in-person-at-home",
        "help-us-be-better",
    ]


def test_ipko_personal_offers_use_traffic_and_location(ipko: Policy) -> None:
    option = ipko.consent_option("offers-just-for-me")
    assert {CategoryFlag.TRAFFIC, CategoryFlag.LOCATION} <= flags_of(ipko, option.categories)
    assert Channel.SMS in option.channels


def test_ipko_keeps_traffic_and_location_data_at_most_twelve_months(ipko: Policy) -> None:
    traffic = rule(ipko, "traffic-and-location-data")
    assert str(traffic.period) == "12 months"
    assert traffic.maximum
    assert {CategoryFlag.TRAFFIC, CategoryFlag.LOCATION} <= flags_of(ipko, traffic.categories)


def test_ipko_keeps_invoices_six_years_from_the_later_of_year_end_and_contract_end(
    ipko: Policy,
) -> None:
    invoices = rule(ipko, "invoices")
    assert str(invoices.period) == "6 years"
    assert set(invoices.anchors) == {Anchor.END_OF_YEAR, Anchor.END_OF_LAST_CONTRACT}


def test_ipko_keeps_real_estate_documentation_twenty_years(ipko: Policy) -> None:
    assert str(rule(ipko, "real-estate-documentation").period) == "20 years"


def test_ipko_restricts_within_24_months_after_contracts_end_except_consent(
    ipko: Policy,
) -> None:
    restriction = rule(ipko, "post-contract-restriction")
    assert restriction.action is RetentionAction.RESTRICT
    assert str(restriction.period) == "24 months"
    assert Anchor.END_OF_LAST_CONTRACT in restriction.anchors
    assert Anchor.DEBT_SETTLED in restriction.anchors
    assert any(LegalBasis.CONSENT in e.legal_bases for e in restriction.exceptions)


def test_ipko_keeps_anonymised_data_without_limit(ipko: Policy) -> None:
    anonymised = rule(ipko, "anonymised-data")
    assert anonymised.period is None
    assert anonymised.action is RetentionAction.KEEP


def test_ipko_honours_a_business_opt_out_within_fifteen_days(ipko: Policy) -> None:
    purpose = ipko.purpose("business-direct-marketing")
    assert str(purpose.conditions.business_opt_out) == "15 days"
    assert purpose.is_direct_marketing


def test_ipko_keeps_prospect_contacts_until_revoked_or_the_campaign_ends(
    ipko: Policy,
) -> None:
    anchors = set(rule(ipko, "prospect-contacts").anchors) | set(
        rule(ipko, "prospect-contacts-public-sources").anchors
    )
    assert {Anchor.CONSENT_WITHDRAWN, Anchor.END_OF_CAMPAIGN} <= anchors


def test_ipko_answers_requests_in_one_month_extendable_to_three(ipko: Policy) -> None:
    assert ipko.requests is not None
    assert str(ipko.requests.deadline) == "1 month"
    assert str(ipko.requests.extension_total) == "3 months"


def test_ipko_lists_every_right_including_a_printed_copy(ipko: Policy) -> None:
    for kind in (
        RightKind.ACCESS,
        RightKind.PRINTED_COPY,
        RightKind.RECTIFICATION,
        RightKind.ERASURE,
        RightKind.RESTRICTION,
        RightKind.OBJECTION,
        RightKind.PORTABILITY,
        RightKind.WITHDRAW_CONSENT,
        RightKind.COMPLAINT,
    ):
        assert ipko.right(kind) is not None, kind


def test_ipko_discloses_to_law_enforcement_under_law_05_l_030(ipko: Policy) -> None:
    recipient = ipko.recipient("law-enforcement")
    assert recipient.kind is RecipientKind.AUTHORITY
    assert recipient.legal_ground is not None
    assert "05/L-030" in recipient.legal_ground["en"]


def test_ipko_transfers_to_third_countries_only_with_a_safeguard(ipko: Policy) -> None:
    assert ipko.transfers is not None
    assert ipko.transfers.occurs
    for recipient in ipko.recipients:
        if recipient.third_country:
            assert recipient.safeguard not in (None, TransferSafeguard.NONE), recipient.id


def test_ipko_uses_automated_decisions_and_profiling(ipko: Policy) -> None:
    assert ipko.automated_decisions is not None
    assert ipko.automated_decisions.used
    assert ipko.automated_decisions.profiling
    assert ipko.purpose("personalised-offers").uses_profiling


# ipnordic


def test_ipnordic_is_version_1_1_of_march_2020_in_danish_and_english(ipnordic: Policy) -> None:
    assert ipnordic.version == "1.1"
    assert ipnordic.effective_from == date(2020, 3, 1)
    assert ipnordic.languages == ["da", "en"]


def test_ipnordic_english_texts_are_marked_as_translations(ipnordic: Policy) -> None:
    assert "purposes[0].name.en" in ipnordic.translated_paths
    assert "purposes[0].name.da" not in ipnordic.translated_paths


def test_ipnordic_uses_location_only_at_country_level(ipnordic: Policy) -> None:
    assert ipnordic.purpose("location-pricing").conditions.location_precision == "country"


def test_ipnordic_business_intelligence_is_on_aggregated_data_with_enreach(
    ipnordic: Policy,
) -> None:
    assert ipnordic.purpose("business-intelligence").conditions.aggregated_only
    assert ipnordic.recipient("enreach").kind is RecipientKind.JOINT_CONTROLLER


def test_ipnordic_tdc_and_3_are_independent_controllers(ipnordic: Policy) -> None:
    for recipient_id in ("tdc", "three"):
        recipient = ipnordic.recipient(recipient_id)
        assert recipient.kind is RecipientKind.INDEPENDENT_CONTROLLER
        assert recipient.country == "DK"


def test_ipnordic_names_its_authorities_directories_and_itn_vision(ipnordic: Policy) -> None:
    assert ipnordic.recipient("authorities").kind is RecipientKind.AUTHORITY
    assert ipnordic.recipient("directory-databases").kind is RecipientKind.DIRECTORY_SERVICE
    assert ipnordic.recipient("itn-vision")


def test_ipnordic_markets_only_with_prior_consent(ipnordic: Policy) -> None:
    marketing = [p for p in ipnordic.purposes if p.is_direct_marketing]
    assert marketing
    assert all(p.legal_basis is LegalBasis.CONSENT for p in marketing)


def test_ipnordic_newsletter_is_withdrawn_by_the_unsubscribe_link(ipnordic: Policy) -> None:
    option = ipnordic.consent_option("newsletter")
    assert Channel.UNSUBSCRIBE_LINK in option.withdrawal_channels


def test_ipnordic_answers_within_one_month_without_extension(ipnordic: Policy) -> None:
    assert ipnordic.requests is not None
    assert str(ipnordic.requests.deadline) == "1 month"
    assert ipnordic.requests.extension_total is None


def test_ipnordic_complaints_go_to_datatilsynet(ipnordic: Policy) -> None:
    authority = ipnordic.controller.supervisory_authority
    assert authority.name["da"] == "Datatilsynet"
    assert authority.email == "dt@datatilsynet.dk"


def test_ipnordic_deletes_when_no_longer_needed_and_may_keep_anonymised_data(
    ipnordic: Policy,
) -> None:
    deletion = rule(ipnordic, "no-longer-needed")
    assert deletion.anchors == [Anchor.PURPOSE_FULFILLED]
    assert deletion.action is RetentionAction.DELETE
    assert rule(ipnordic, "anonymised").action is RetentionAction.KEEP


def test_ipnordic_cookie_banner_offers_ok_and_nej_tak(ipnordic: Policy) -> None:
    assert ipnordic.cookies is not None
    assert ipnordic.cookies.banner is not None
    assert ipnordic.cookies.banner.accept_label["da"] == "OK"
    assert ipnordic.cookies.banner.reject_label["da"] == "Nej tak"
    assert ipnordic.cookies.legal_basis is LegalBasis.CONSENT


def test_ipko_dpo_is_reachable_at_every_address_the_texts_give(ipko: Policy) -> None:
    dpo = ipko.controller.dpo
    assert {dpo.email, *dpo.other_emails} == {"arboneta.thaci@ipko.com", "ipkoprivacy@ipko.com"}
    assert ipko.complaints is not None
    assert ipko.complaints.to_controller.email == "dpo@ipko.com"
