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
    Purpose,
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


def texts(policy: Policy) -> list[tuple[str, str, str]]:
    """Every text of the policy as (path, language, text)."""
    found: list[tuple[str, str, str]] = []
    languages = set(policy.languages)

    def walk(value: object, path: str) -> None:
        if isinstance(value, dict):
            if (
                value
                and set(value) <= languages
                and all(isinstance(v, str) for v in value.values())
            ):
                found.extend((path, language, text) for language, text in value.items())
                return
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{path}[{index}]")

    walk(policy.model_dump(), "")
    return found


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


# Phrases an editor, not the operator, would write, and cross-references to places in the source
# document that the rendered notice does not have.
EDITORS_NOTES = (
    "the policy does not",
    "the policy mentions",
    "politikken nævner",
    "the seed",
    "placet",
)
POSITIONAL_REFERENCES = (
    "afsnit 4 nedenfor",
    "section 4 below",
    "nederst på siden",
    "bottom of the page",
    "øverst i politikken",
    "top of the policy",
    "listed below",
    "as explained above",
    "for the above purpose",
    "siç është shpjeguar më sipër",
    "për qëllimin e mësipërm",
    "kako je gore objašnjeno",
)


@pytest.mark.parametrize("operator", OPERATORS)
def test_reference_policy_texts_speak_to_the_subject_as_the_operator(operator: str) -> None:
    policy = load_policy_set(operator).latest
    found = [
        (path, language, phrase)
        for path, language, text in texts(policy)
        for phrase in EDITORS_NOTES + POSITIONAL_REFERENCES
        if phrase in text.lower()
    ]
    assert found == []


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


def concerns_consumers(policy: Policy, purpose: Purpose) -> bool:
    """Whether a purpose may concern a subject who is not a business (no subject types: all)."""
    business = {t.id for t in policy.subject_types if t.is_business}
    return not purpose.subject_types or not set(purpose.subject_types) <= business


def test_ipko_direct_marketing_needs_consent(ipko: Policy) -> None:
    # 003#16: "IPKO will use your personal information for direct marketing purposes only upon your
    # consent". Every direct-marketing purpose that may concern a consumer runs on consent, or only
    # for subjects holding a consent option that covers it; a consent gate on traffic and location
    # data alone is not enough.
    consumer_marketing = [
        p for p in ipko.purposes if p.is_direct_marketing and concerns_consumers(ipko, p)
    ]
    assert {p.id for p in consumer_marketing} >= {
        "direct-marketing-current-offers",
        "personalised-offers",
        "home-visit-offers",
        "marketing-analysis",
    }
    for purpose in consumer_marketing:
        assert (
            purpose.legal_basis is LegalBasis.CONSENT or purpose.conditions.requires_consent_option
        ), purpose.id
        options = [o for o in ipko.consent_options if purpose.id in o.purposes]
        assert options, purpose.id
        if purpose.subject_types:
            covered = {t for o in options for t in o.subject_types}
            assert set(purpose.subject_types) <= covered, purpose.id


def test_ipko_marketing_analysis_runs_only_for_consumers_holding_offers_just_for_me(
    ipko: Policy,
) -> None:
    purpose = ipko.purpose("marketing-analysis")
    assert purpose.legal_basis is LegalBasis.LEGITIMATE_INTEREST
    assert purpose.conditions.requires_consent_option
    assert str(purpose.conditions.post_contract) == "2 years"
    assert set(purpose.subject_types) == {
        "consumer-subscriber",
        "service-user",
        "buyer-or-other-person",
    }
    assert "marketing-analysis" in ipko.consent_option("offers-just-for-me").purposes


def test_ipko_consent_based_processing_continues_two_years_after_the_contract(
    ipko: Policy,
) -> None:
    # Website visitors hold no contract: their ID-cookie consent has no post-contract window.
    consent_purposes = [
        p
        for p in ipko.purposes
        if p.legal_basis is LegalBasis.CONSENT and p.subject_types != ["website-visitor"]
    ]
    assert consent_purposes
    for purpose in consent_purposes:
        assert str(purpose.conditions.post_contract) == "2 years", purpose.id


def test_ipko_offers_its_four_consent_options_and_asks_for_id_cookies(ipko: Policy) -> None:
    assert [o.id for o in ipko.consent_options] == [
        "current-offers",
        "offers-just-for-me",
        "offer-in-person-at-home",
        "help-us-be-better",
        "id-cookies",
    ]


def test_ipko_cookie_banner_asks_before_setting_id_cookies(ipko: Policy) -> None:
    # Cookies rest on consent (003#15): the banner asks, and only for the ID cookies.
    assert ipko.cookies is not None
    assert ipko.cookies.banner is not None
    assert ipko.cookies.legal_basis is LegalBasis.CONSENT
    id_cookies = next(c for c in ipko.cookies.categories if c.id == "id-cookies")
    assert id_cookies.consent_options == ["id-cookies"]
    option = ipko.consent_option("id-cookies")
    assert option.subject_types == ["website-visitor"]
    assert Channel.COOKIE_BANNER in option.withdrawal_channels
    assert ipko.purpose("website-recognition").legal_basis is LegalBasis.CONSENT


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
    assert restriction.maximum
    assert any(LegalBasis.CONSENT in e.legal_bases for e in restriction.exceptions)


def test_ipko_post_contract_restriction_runs_from_the_end_of_the_last_contract_only(
    ipko: Policy,
) -> None:
    # A subscriber who never owed anything never settles a debt: waiting for that event would
    # never restrict their data. An open debt is recovered as a legal claim, which restriction
    # permits.
    assert rule(ipko, "post-contract-restriction").anchors == [Anchor.END_OF_LAST_CONTRACT]


def test_ipko_post_contract_restriction_covers_every_subscriber_category(ipko: Policy) -> None:
    # 002#77 restricts "data about subscribers/users": every category a purpose on legitimate
    # interest uses for them, so that none of those purposes outlives the contracts.
    restriction = rule(ipko, "post-contract-restriction")
    subscribers = set(restriction.subject_types)
    used = {
        category
        for purpose in ipko.purposes
        if purpose.legal_basis is LegalBasis.LEGITIMATE_INTEREST
        and (not purpose.subject_types or subscribers & set(purpose.subject_types))
        for category in purpose.categories
    }
    assert used
    assert used <= set(restriction.categories), sorted(used - set(restriction.categories))


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
    assert rule(ipko, "prospect-contacts").anchors == [Anchor.OBJECTION]
    assert rule(ipko, "prospect-contacts-public-sources").anchors == [Anchor.END_OF_CAMPAIGN]


def test_ipko_prospect_contacts_are_deleted_on_an_opt_out_not_a_consent_withdrawal(
    ipko: Policy,
) -> None:
    # Prospects are marketed to on legitimate interest, so they never give a consent to withdraw:
    # their revocation is an opt-out or objection.
    marketing = ipko.purpose("business-direct-marketing")
    assert marketing.legal_basis is LegalBasis.LEGITIMATE_INTEREST
    assert "prospective-business-partner" in marketing.subject_types
    assert not any(
        "prospective-business-partner" in option.subject_types for option in ipko.consent_options
    )
    contacts = rule(ipko, "prospect-contacts")
    assert contacts.action is RetentionAction.DELETE
    assert Anchor.CONSENT_WITHDRAWN not in contacts.anchors
    assert Anchor.OBJECTION in contacts.anchors


def test_ipko_obtaining_consents_needs_consent_for_location(ipko: Policy) -> None:
    purpose = ipko.purpose("obtaining-consents")
    assert purpose.legal_basis is LegalBasis.LEGITIMATE_INTEREST
    assert purpose.conditions.traffic_location_needs_consent
    assert not purpose.conditions.unless_anonymised
    # IP addresses and their locations are traffic and location data.
    assert {CategoryFlag.TRAFFIC, CategoryFlag.LOCATION} <= set(
        ipko.category("internet-data").flags
    )
    # No consent option covers it, so it never uses traffic or location data.
    assert not any("obtaining-consents" in o.purposes for o in ipko.consent_options)


def test_ipko_legitimate_interest_uses_traffic_or_location_without_consent_only_for_fraud(
    ipko: Policy,
) -> None:
    ungated = [
        purpose.id
        for purpose in ipko.purposes
        if purpose.legal_basis is LegalBasis.LEGITIMATE_INTEREST
        and {CategoryFlag.TRAFFIC, CategoryFlag.LOCATION} & flags_of(ipko, purpose.categories)
        and not purpose.conditions.traffic_location_needs_consent
    ]
    assert ungated == ["fraud-prevention"]


def test_ipko_co_controllers_are_joint_controllers(ipko: Policy) -> None:
    partners = ipko.recipient("co-controller-partners")
    assert partners.kind is RecipientKind.JOINT_CONTROLLER
    # Their own requests to transfer data to third countries are disclosed with the transfers.
    assert ipko.transfers is not None
    for language in ipko.languages:
        assert "IPKO" in ipko.transfers.description[language]
    assert "third countries" in ipko.transfers.description["en"].split("etc.).")[-1]
    assert "treće zemlje" in ipko.transfers.description["sr"].split("itd.).")[-1]


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


def test_ipko_automated_decisions_right_names_the_fraud_measures(ipko: Policy) -> None:
    # The purposes that take automated decisions include fraud prevention, whose measures may
    # limit access or end a contract; the right must not describe offer decisions only.
    assert ipko.purpose("fraud-prevention").uses_automated_decisions
    right = ipko.right(RightKind.AUTOMATED_DECISIONS)
    assert right is not None
    assert "fraud" in right.description["en"]
    assert "end a contract" in right.description["en"]
    assert "review" in right.description["en"]
    for language in ("sq", "sr"):
        assert f"rights[{ipko.rights.index(right)}].description.{language}" in (
            ipko.translated_paths
        )


def test_ipko_business_marketing_in_serbian_is_the_operators_own_text(ipko: Policy) -> None:
    index = [p.id for p in ipko.purposes].index("business-direct-marketing")
    assert f"purposes[{index}].description.sr" not in ipko.translated_paths
    description = ipko.purpose("business-direct-marketing").description["sr"]
    assert "ne odabere marketing IPKO-ovih usluga ili obrnuto" in description
    assert "U roku od petnaest (15) dana" in description


def test_ipko_notice_sections_hold_only_prose_that_no_element_holds(ipko: Policy) -> None:
    # Legal bases, consent, contact, checking one's data and business entities are rendered from
    # the purposes, consent options, controller, rights and business purpose; only prose no element
    # holds remains a section of its own.
    assert [section.id for section in ipko.sections] == [
        "scope",
        "legitimate-interest-processing",
        "processing-principles",
        "business-secret",
        "disclosure-to-third-parties-by-you",
        "policy-changes",
        "final-provisions",
    ]


def test_ipko_children_text_is_about_children(ipko: Policy) -> None:
    assert ipko.minors is not None
    description = ipko.minors.description["en"]
    assert "child" in description
    # The general balancing of legitimate interests is the legitimate-interest section's.
    assert "automatically prevail" not in description
    body = next(s for s in ipko.sections if s.id == "legitimate-interest-processing").body
    assert "automatically prevail" in body["en"]


def test_ipko_sentences_moved_out_of_removed_sections_are_still_in_the_notice(ipko: Policy) -> None:
    withdraw = ipko.right(RightKind.WITHDRAW_CONSENT)
    rectification = ipko.right(RightKind.RECTIFICATION)
    access = ipko.right(RightKind.ACCESS)
    assert withdraw is not None
    assert rectification is not None
    assert access is not None
    assert "only for the purposes for which the user" in withdraw.description["en"]
    assert "We do not undertake any compensation" in rectification.description["en"]
    assert "You can check the data you have shared with us" in access.description["en"]
    assert ipko.security is not None
    assert "robust safeguards" in ipko.security["en"]
    assert "masa mbrojtëse të fuqishme" in ipko.security["sq"]
    marketing = ipko.purpose("business-direct-marketing").description
    assert "fifteen (15) days" in marketing["en"]


def test_ipko_strings_that_change_the_seeds_words_are_marked_as_translations(
    ipko: Policy,
) -> None:
    def path_of(kind: str, ident: str, rest: str) -> str:
        items = getattr(ipko, kind)
        index = [getattr(item, "id", getattr(item, "kind", None)) for item in items].index(ident)
        return f"{kind}[{index}].{rest}"

    for kind, ident, rest in [
        ("rights", RightKind.ACCESS, "description.sr"),
        ("rights", RightKind.RECTIFICATION, "description.sr"),
        ("rights", RightKind.ERASURE, "description.sr"),
        ("rights", RightKind.RESTRICTION, "description.sr"),
        ("rights", RightKind.PORTABILITY, "description.sr"),
        ("data_categories", "loyalty-programme", "name.sq"),
        ("data_categories", "tv-service-data", "examples.sr"),
        ("subject_types", "buyer-or-other-person", "name.sr"),
    ]:
        assert path_of(kind, ident, rest) in ipko.translated_paths, (ident, rest)
    # Verbatim seed text is not marked as a translation.
    for kind, ident, rest in [
        ("data_categories", "network-device-data", "name.en"),
        ("retention_rules", "traffic-and-location-data", "legal_ground.en"),
        ("retention_rules", "no-longer-necessary", "record_type.sq"),
    ]:
        assert path_of(kind, ident, rest) not in ipko.translated_paths, (ident, rest)


def test_ipko_restores_the_seeds_own_words(ipko: Policy) -> None:
    assert "(not) failing to complete the survey" in ipko.purpose("surveys").description["en"]
    assert (
        "donošenje odluka ako je specifična"
        in ipko.purpose("personalised-offers").description["sr"]
    )
    assert "Kada prerađuje podatke" in ipko.purpose("fraud-prevention").description["sr"]
    assert "Since IPKO offers a wide range" in ipko.purpose("marketing-analysis").description["en"]
    assert "mora važi" in (rule(ipko, "real-estate-documentation").criteria or {})["sr"]


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


def test_ipnordic_objection_right_states_the_legal_claims_limit(ipnordic: Policy) -> None:
    # The engine lets legal-claims processing continue despite an objection, so the notice says so,
    # in the words of the erasure paragraph (004#79).
    assert ipnordic.purpose("legal-claims").conditions.objection is ObjectionEffect.OVERRIDES
    right = ipnordic.right(RightKind.OBJECTION)
    assert right is not None
    assert right.limits is not None
    assert "retskrav" in right.limits["da"]
    index = ipnordic.rights.index(right)
    assert f"rights[{index}].limits.da" not in ipnordic.translated_paths
    assert f"rights[{index}].limits.en" in ipnordic.translated_paths


def test_ipnordic_consent_can_be_withdrawn_by_post_too(ipnordic: Policy) -> None:
    # "ved at kontakte os": the contact block gives a postal address as well as an e-mail address.
    for option in ipnordic.consent_options:
        assert {Channel.EMAIL, Channel.POST} <= set(option.withdrawal_channels), option.id
    right = ipnordic.right(RightKind.WITHDRAW_CONSENT)
    assert right is not None
    assert Channel.POST in right.channels


def test_ipnordic_processors_are_not_declared_newsletter_only(ipnordic: Policy) -> None:
    processors = ipnordic.recipient("processors")
    assert processors.kind is RecipientKind.PROCESSOR
    assert processors.purposes != ["newsletter"]


def test_ipnordic_cookie_categories_say_what_the_cookies_are_used_for(ipnordic: Policy) -> None:
    assert ipnordic.cookies is not None
    for category in ipnordic.cookies.categories:
        assert category.purposes is not None, category.id
        for language in ipnordic.languages:
            assert "samtykke" not in category.purposes[language].lower(), category.id
            assert "consent" not in category.purposes[language].lower(), category.id
            assert category.description[language] != category.name[language], category.id
    statistics = next(c for c in ipnordic.cookies.categories if c.id == "statistics")
    assert "hjemmeside" in statistics.description["da"]


def test_ipnordic_title_names_the_controller(ipnordic: Policy) -> None:
    assert ipnordic.title["da"] == "ipnordic A/S – Privatlivspolitik"
    assert ipnordic.title["en"].startswith("ipnordic A/S")


def test_ipko_notice_tells_subjects_they_may_act_against_each_joint_controller(
    ipko: Policy,
) -> None:
    recipient = ipko.recipient("co-controller-partners")
    assert recipient.legal_ground is not None
    for language in ipko.languages:
        assert "26" in recipient.legal_ground[language]


def test_ipnordic_coverage_states_the_basis_chosen_for_each_purpose(ipnordic: Policy) -> None:
    result = check_policy("ipnordic")
    assert result.coverage is not None
    explained = {
        element.split(".")[1]
        for reading in result.coverage.coverage.readings
        for element in reading.elements
        if element.startswith("purposes.")
    }
    assert explained >= {purpose.id for purpose in ipnordic.purposes}
