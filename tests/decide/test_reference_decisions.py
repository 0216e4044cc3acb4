"""The decision engine decides as the reference policies' texts say."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

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


def test_a_campaign_that_names_no_channel_needs_a_consent_for_every_channel() -> None:
    # 000#22: offers "through all the communication channels listed in the consent", and no
    # other: a campaign whose channel is left open may go out by any of them.
    from placet.decide import ConsentGrant

    by_sms = ConsentGrant("current-offers", NOW, frozenset({Channel.SMS}))  # type: ignore[arg-type]
    use = make_use("direct-marketing-current-offers", "contact")

    open_channel = decide_ipko(replace(make_subject(), consents=(by_sms,)), use)
    every_channel = decide_ipko(make_subject(consents=("current-offers",)), use)
    by_sms_named = decide_ipko(replace(make_subject(), consents=(by_sms,)), CURRENT_OFFERS_BY_SMS)

    assert (open_channel.outcome, open_channel.reason) == (Outcome.DENY, "channel-not-named")
    assert (every_channel.outcome, every_channel.reason) == (Outcome.PERMIT, "permitted")
    assert every_channel.rules.count("consent_options.current-offers") == 1
    assert by_sms_named.reason == "permitted"


def test_a_campaign_that_names_no_channel_after_one_channel_was_withdrawn_is_refused() -> None:
    from placet.decide import ConsentGrant

    left = ConsentGrant("current-offers", NOW, frozenset({Channel.EMAIL}))  # type: ignore[arg-type]
    subject = make_subject(withdrawn=frozenset({"current-offers"}), consents=())
    use = make_use("direct-marketing-current-offers", "contact")

    assert decide_ipko(replace(subject, consents=(left,)), use).reason == "channel-not-named"
    assert decide_ipko(subject, use).reason == "consent-withdrawn"


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
    # The authorities receive what the law asks for: no text of IPKO's masks the B-number.
    assert Obligation.MASK_B_NUMBERS not in decision.obligations


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


@pytest.mark.parametrize("operator", ["ipko", "ipnordic"])
def test_use_no_purpose_covers_is_denied_as_no_rule(operator: str) -> None:
    # ipnordic: no purpose of 004#22-#67 sells data; #22 adds others only where the law does.
    use = make_use("selling-data", "identity")
    decision = decide_use(reference(operator), make_subject(), use, NOW)
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
    assert (decision.outcome, decision.reason) == (Outcome.PERMIT, "permitted")
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


# ipnordic: each decision rule on ipnordic's policy (policies/ipnordic), as its Danish text says.

NEWSLETTER_BY_EMAIL = make_use("newsletter", "newsletter-signup", channel=Channel.EMAIL)
COOKIE_MARKETING_ON_WEB = make_use("cookie-marketing", "cookie-data", channel=Channel.WEB)


def cookie_purpose(purpose: str, option: str) -> Any:
    """A cookie purpose asked on the website: a website visitor, the option, the use."""
    use = make_use(purpose, "cookie-data", channel=Channel.WEB)
    return pytest.param("website-visitor", option, use, id=purpose)


IPNORDIC_COOKIE_ANALYTICS = [
    cookie_purpose("website-optimisation", "cookies-website-optimisation"),
    cookie_purpose("customer-analysis", "cookies-analysis"),
    cookie_purpose("statistics", "cookies-statistics"),
]
"""ipnordic's cookie purposes that are not direct marketing (004#57-#59)."""

IPNORDIC_CONSENT_PURPOSES = [
    pytest.param("newsletter-subscriber", "newsletter", NEWSLETTER_BY_EMAIL, id="newsletter"),
    *IPNORDIC_COOKIE_ANALYTICS,
    cookie_purpose("cookie-marketing", "cookies-marketing"),
]
"""ipnordic's consent-based purposes (004#50-#51, #55-#60): subject type, option, use."""


_WITHOUT_CONTRACT = ("newsletter-subscriber", "website-visitor", "meeting-contact")
"""ipnordic's subject types who are not party to a contract with ipnordic."""


def ipnordic_subject(subject_type: str, **fields: Any) -> SubjectState:
    """An ipnordic subject of this type, with a contract in force if the type has one."""
    fields.setdefault("contracts", int(subject_type not in _WITHOUT_CONTRACT))
    return make_subject(subject_type=subject_type, **fields)


@pytest.mark.parametrize(("subject_type", "option", "use"), IPNORDIC_CONSENT_PURPOSES)
def test_ipnordic_consent_purpose_is_permitted_with_a_live_consent_covering_purpose_and_channel(
    subject_type: str, option: str, use: Use
) -> None:
    decision = decide_ipnordic(ipnordic_subject(subject_type, consents=(option,)), use)
    assert (decision.outcome, decision.reason) == (Outcome.PERMIT, "permitted")
    assert f"consent_options.{option}" in decision.rules


@pytest.mark.parametrize(("subject_type", "option", "use"), IPNORDIC_CONSENT_PURPOSES)
def test_ipnordic_consent_purpose_is_denied_without_consent(
    subject_type: str, option: str, use: Use
) -> None:
    # 004#23: marketing only with "forudgående og udtrykkelige samtykke"; #55: cookies on consent.
    decision = decide_ipnordic(ipnordic_subject(subject_type), use)
    assert (decision.outcome, decision.reason) == (Outcome.DENY, "no-consent")


def test_ipnordic_consent_to_one_cookie_purpose_does_not_cover_another() -> None:
    # Reading basis-cookie-purposes: each cookie purpose of 004#57-#60 has its own option.
    subject = ipnordic_subject("website-visitor", consents=("cookies-analysis",))
    decision = decide_ipnordic(subject, COOKIE_MARKETING_ON_WEB)
    assert (decision.outcome, decision.reason) == (Outcome.DENY, "no-consent")


def test_ipnordic_newsletter_consent_does_not_cover_another_channel_than_email() -> None:
    # 004#50-#52: the newsletter goes by e-mail (purposes.newsletter.channels), not by SMS.
    subject = ipnordic_subject("newsletter-subscriber", consents=("newsletter",))
    use = make_use("newsletter", "newsletter-signup", channel=Channel.SMS)
    decision = decide_ipnordic(subject, use)
    assert (decision.outcome, decision.reason) == (Outcome.DENY, "channel-not-covered")


@pytest.mark.parametrize(("subject_type", "option", "use"), IPNORDIC_CONSENT_PURPOSES)
def test_ipnordic_withdrawn_consent_stops_processing_from_the_instant_it_takes_effect(
    subject_type: str, option: str, use: Use
) -> None:
    # 004#70: withdrawal stops the processing; what came before it stays lawful.
    withdrawn_at = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    just_before = withdrawn_at - timedelta(microseconds=1)
    before = ipnordic_subject(subject_type, consents=(option,), as_of=just_before)
    after = ipnordic_subject(subject_type, withdrawn=frozenset({option}), as_of=withdrawn_at)
    assert decide_ipnordic(before, use, just_before).reason == "permitted"
    decision = decide_ipnordic(after, use, withdrawn_at)
    assert (decision.outcome, decision.reason) == (Outcome.DENY, "consent-withdrawn")


def test_ipnordic_consent_processing_lasts_as_long_as_the_consent_not_the_contract() -> None:
    # 004#70, #72 (reading deletion-no-fixed-period): no period after a contract, unlike IPKO.
    ended = datetime(2020, 1, 1, tzinfo=UTC)
    subject = ipnordic_subject(
        "newsletter-subscriber", consents=("newsletter",), last_contract_end=ended
    )
    decision = decide_ipnordic(subject, NEWSLETTER_BY_EMAIL)
    assert (decision.outcome, decision.reason, decision.valid_until) == (
        Outcome.PERMIT,
        "permitted",
        None,
    )


@pytest.mark.parametrize(
    ("subject_type", "use"),
    [
        pytest.param("employee-user", make_use("network-management", "traffic-data"), id="network"),
        pytest.param(
            "business-customer",
            make_use("business-intelligence", "aggregated-statistics"),
            id="business-intelligence",
        ),
        pytest.param("meeting-contact", make_use("meeting-booking", "contact-data"), id="meeting"),
    ],
)
def test_ipnordic_objection_stops_a_legitimate_interest_purpose(
    subject_type: str, use: Use
) -> None:
    # 004#77 and reading objection-scope: an objection stops every legitimate-interest purpose.
    subject = ipnordic_subject(subject_type, objections=frozenset({use.purpose}))
    decision = decide_ipnordic(subject, use)
    assert (decision.outcome, decision.reason) == (Outcome.DENY, "objection")
    assert f"purposes.{use.purpose}.conditions.objection" in decision.rules


def test_ipnordic_legal_claims_prevail_over_an_objection() -> None:
    # 004#79 and reading basis-legal-claims: ipnordic's counterpart of IPKO's fraud prevention.
    subject = ipnordic_subject("business-customer", objections=frozenset({"legal-claims"}))
    decision = decide_ipnordic(subject, make_use("legal-claims", "billing-data"))
    assert (decision.outcome, decision.reason) == (Outcome.PERMIT, "objection-overridden")
    assert "purposes.legal-claims.conditions.objection" in decision.rules


def test_ipnordic_has_no_fraud_prevention_to_prevail_over_an_objection() -> None:
    # 004#22-#67 name no fraud prevention: such a use has no rule in ipnordic's policy.
    subject = ipnordic_subject("business-customer", objections=frozenset({"fraud-prevention"}))
    decision = decide_ipnordic(subject, make_use("fraud-prevention", "traffic-data"))
    assert (decision.outcome, decision.reason) == (Outcome.DENY, "no-rule")


@pytest.mark.parametrize(
    ("subject_type", "option", "use"),
    IPNORDIC_COOKIE_ANALYTICS,
)
def test_ipnordic_objection_stops_a_consent_based_cookie_purpose(
    subject_type: str, option: str, use: Use
) -> None:
    subject = ipnordic_subject(
        subject_type, consents=(option,), objections=frozenset({use.purpose})
    )
    decision = decide_ipnordic(subject, use)
    assert (decision.outcome, decision.reason) == (Outcome.DENY, "objection")


def test_ipnordic_objection_to_direct_marketing_beats_a_consent() -> None:
    # Reading basis-newsletter: an objection ends the newsletter just as a withdrawal does.
    subject = ipnordic_subject(
        "newsletter-subscriber", consents=("newsletter",), objects_to_direct_marketing=True
    )
    decision = decide_ipnordic(subject, NEWSLETTER_BY_EMAIL)
    assert (decision.outcome, decision.reason) == (Outcome.DENY, "objection-direct-marketing")


@pytest.mark.parametrize(
    ("purpose", "category"),
    [("network-management", "traffic-data"), ("legal-claims", "location-data")],
)
def test_ipnordic_legitimate_interest_may_use_traffic_and_location_data_without_consent(
    purpose: str, category: str
) -> None:
    # Reading basis-traffic-data: the text never makes traffic data depend on consent (004#34-#42).
    decision = decide_ipnordic(ipnordic_subject("employee-user"), make_use(purpose, category))
    assert (decision.outcome, decision.reason, decision.obligations) == (
        Outcome.PERMIT,
        "permitted",
        (),
    )


def test_ipnordic_business_intelligence_may_not_use_traffic_data_itself() -> None:
    # 004#44: business intelligence works on aggregated data only, never on the traffic data.
    use = make_use("business-intelligence", "traffic-data")
    decision = decide_ipnordic(ipnordic_subject("business-customer"), use)
    assert (decision.outcome, decision.reason) == (Outcome.DENY, "category-not-covered")


@pytest.mark.parametrize(
    ("subject_type", "use"),
    [
        pytest.param("employee-user", make_use("network-management", "traffic-data"), id="network"),
        pytest.param("meeting-contact", make_use("meeting-booking", "contact-data"), id="meeting"),
    ],
)
def test_ipnordic_says_nothing_of_minors_so_a_minor_is_decided_as_an_adult(
    subject_type: str, use: Use
) -> None:
    # 004 has no paragraph on children and the policy no `minors:`; IPKO denies these uses.
    subject = ipnordic_subject(subject_type, birth_date=minor_birth_date())
    decision = decide_ipnordic(subject, use)
    assert (decision.outcome, decision.reason) == (Outcome.PERMIT, "permitted")
    assert "minors" not in decision.rules


@pytest.mark.parametrize(
    ("subject_type", "option", "use"),
    [
        pytest.param(
            "business-customer",
            None,
            make_use("network-management", "traffic-data"),
            id="legitimate-interest",
        ),
        pytest.param(
            "business-customer", None, make_use("service-delivery", "contact-data"), id="contract"
        ),
        pytest.param("newsletter-subscriber", "newsletter", NEWSLETTER_BY_EMAIL, id="consent"),
    ],
)
def test_ipnordic_restriction_denies_all_but_legal_claims(
    subject_type: str, option: str | None, use: Use
) -> None:
    # 004#77: the right to ask ipnordic to restrict ("begrænse") the processing.
    consents = (option,) if option else ()
    subject = ipnordic_subject(subject_type, restricted=True, consents=consents)
    decision = decide_ipnordic(subject, use)
    assert (decision.outcome, decision.reason) == (Outcome.DENY, "restricted")


def test_ipnordic_restriction_leaves_legal_claims() -> None:
    # 004#63, #79: legal claims are the ground ipnordic reserves to go on processing.
    subject = ipnordic_subject("business-customer", restricted=True)
    decision = decide_ipnordic(subject, make_use("legal-claims", "billing-data"))
    assert (decision.outcome, decision.reason) == (Outcome.PERMIT, "permitted")


def test_ipnordic_sets_no_restriction_period_after_the_contract_ends() -> None:
    # 004#72, readings deletion-no-fixed-period and anonymised-kept: no 24 months as in IPKO.
    ended = datetime(2022, 1, 1, tzinfo=UTC)
    subject = ipnordic_subject(
        "business-customer", contracts=0, last_contract_end=ended, debt_settled_at=ended
    )
    decision = decide_ipnordic(subject, make_use("business-intelligence", "aggregated-statistics"))
    assert (decision.outcome, decision.reason, decision.valid_until) == (
        Outcome.PERMIT,
        "permitted",
        None,
    )
    assert not any(rule.startswith("retention_rules.") for rule in decision.rules)


IPNORDIC_CONTRACT_USES = [
    pytest.param(make_use("service-delivery", "contact-data"), id="service-delivery"),
    pytest.param(make_use("billing", "billing-data"), id="billing"),
    pytest.param(make_use("traffic-data", "traffic-data"), id="traffic-data"),
    pytest.param(make_use("location-pricing", "location-data"), id="location-pricing"),
]
"""ipnordic's contract purposes (readings basis-service-delivery, -billing, -traffic-data…)."""


@pytest.mark.parametrize("use", IPNORDIC_CONTRACT_USES)
def test_ipnordic_contract_purpose_is_permitted_with_a_contract(use: Use) -> None:
    decision = decide_ipnordic(ipnordic_subject("business-customer"), use)
    assert (decision.outcome, decision.reason) == (Outcome.PERMIT, "permitted")


@pytest.mark.parametrize("use", IPNORDIC_CONTRACT_USES)
def test_ipnordic_contract_purpose_is_denied_without_a_contract(use: Use) -> None:
    decision = decide_ipnordic(ipnordic_subject("business-customer", contracts=0), use)
    assert (decision.outcome, decision.reason) == (Outcome.DENY, "no-contract")


def test_ipnordic_order_placement_needs_no_contract_in_force() -> None:
    subject = ipnordic_subject("business-customer", contracts=0)
    decision = decide_ipnordic(subject, make_use("order-placement", "contact-data"))
    assert (decision.outcome, decision.reason) == (Outcome.PERMIT, "permitted")


@pytest.mark.parametrize(
    ("category", "recipient"),
    [("traffic-data", "authorities"), ("contact-data", "directory-databases")],
)
def test_ipnordic_legal_obligations_hold_regardless_of_consent_objection_and_restriction(
    category: str, recipient: str
) -> None:
    # 004#62, #70 ("forpligtede ... på grund af lovgivningen"), reading basis-legal-obligations.
    subject = ipnordic_subject(
        "employee-user",
        contracts=0,
        restricted=True,
        objects_to_direct_marketing=True,
        objections=frozenset({"legal-obligations"}),
        withdrawn=frozenset({"newsletter"}),
    )
    use = make_use("legal-obligations", category, recipient=recipient)
    decision = decide_ipnordic(subject, use)
    assert (decision.outcome, decision.reason) == (Outcome.PERMIT, "legal-obligation")


def test_ipnordic_markets_only_on_prior_consent_and_has_no_opt_out_regime() -> None:
    # 004#23: no marketing without prior consent, so nobody needs to opt out (IPKO: opt-out).
    decision = decide_ipnordic(ipnordic_subject("newsletter-subscriber"), NEWSLETTER_BY_EMAIL)
    assert (decision.outcome, decision.reason) == (Outcome.DENY, "no-consent")


def test_ipnordic_recorded_opt_out_stops_marketing_from_the_instant_recorded() -> None:
    # 004#94: who no longer wants information from ipnordic says so; no delay is promised.
    subject = ipnordic_subject(
        "newsletter-subscriber", consents=("newsletter",), business_opt_out=True
    )
    decision = decide_ipnordic(subject, NEWSLETTER_BY_EMAIL)
    assert (decision.outcome, decision.reason) == (Outcome.DENY, "business-opt-out")


def test_ipnordic_opt_out_decision_cites_only_clauses_of_ipnordic_policy() -> None:
    from placet.policy.coverage import resolve_element

    subject = ipnordic_subject(
        "newsletter-subscriber", consents=("newsletter",), business_opt_out=True
    )
    decision = decide_ipnordic(subject, NEWSLETTER_BY_EMAIL)
    unresolved = [r for r in decision.rules if resolve_element(reference("ipnordic"), r) is None]
    assert unresolved == []


def test_ipnordic_business_customer_who_signed_up_receives_the_newsletter() -> None:
    subject = ipnordic_subject("business-customer", consents=("newsletter",))
    decision = decide_ipnordic(subject, NEWSLETTER_BY_EMAIL)
    assert (decision.outcome, decision.reason) == (Outcome.PERMIT, "permitted")


@pytest.mark.parametrize("subject_type", ["website-visitor", "employee-user", "partner"])
def test_ipnordic_newsletter_goes_to_whoever_signed_up_on_the_website(subject_type: str) -> None:
    # 004#69: "Når du bruger vores hjemmeside ... på baggrund af dit samtykke, fx til
    # fremsendelse af nyhedsbreve" (reading newsletter-for-whoever-signs-up).
    signed_up = decide_ipnordic(
        ipnordic_subject(subject_type, consents=("newsletter",)), NEWSLETTER_BY_EMAIL
    )
    not_signed_up = decide_ipnordic(ipnordic_subject(subject_type), NEWSLETTER_BY_EMAIL)

    assert (signed_up.outcome, signed_up.reason) == (Outcome.PERMIT, "permitted")
    assert not_signed_up.reason == "no-consent"


@pytest.mark.parametrize(
    "use",
    [
        pytest.param(
            make_use("network-management", "traffic-data", recipient="tdc"), id="tdc-network"
        ),
        pytest.param(
            make_use("legal-claims", "billing-data", recipient="enreach"), id="enreach-claims"
        ),
        pytest.param(
            make_use("legal-obligations", "traffic-data", recipient="directory-databases"),
            id="directory-traffic-data",
        ),
    ],
)
def test_ipnordic_recipient_not_named_for_the_purpose_is_denied(use: Use) -> None:
    # 004#62, #64, #65: TDC and 3 deliver telephony, Enreach gets aggregates, directories contacts.
    decision = decide_ipnordic(ipnordic_subject("business-customer"), use)
    assert (decision.outcome, decision.reason) == (Outcome.DENY, "recipient-not-allowed")


def test_ipnordic_unknown_recipient_is_denied() -> None:
    use = make_use("service-delivery", "contact-data", recipient="data-broker")
    decision = decide_ipnordic(ipnordic_subject("business-customer"), use)
    assert (decision.outcome, decision.reason) == (Outcome.DENY, "unknown-recipient")


@pytest.mark.parametrize(
    "use",
    [
        pytest.param(
            make_use("traffic-data", "traffic-data", recipient="three", country="SE"),
            id="operator-abroad",
        ),
        pytest.param(
            make_use("service-delivery", "contact-data", recipient="processors", country="US"),
            id="processor-third-country",
        ),
    ],
)
def test_ipnordic_country_the_policy_does_not_name_is_denied(use: Use) -> None:
    # 004#65 (operators in Denmark) and reading no-third-country-transfers.
    decision = decide_ipnordic(ipnordic_subject("business-customer"), use)
    assert (decision.outcome, decision.reason) == (Outcome.DENY, "country-not-allowed")


@pytest.mark.parametrize("recipient", ["tdc", "three"])
def test_ipnordic_transmits_traffic_data_through_tdc_and_3_to_deliver_telephony(
    recipient: str,
) -> None:
    # 004#65 and reading tdc-and-3.
    use = make_use("traffic-data", "traffic-data", recipient=recipient, country="DK")
    decision = decide_ipnordic(ipnordic_subject("business-customer"), use)
    assert (decision.outcome, decision.reason) == (Outcome.PERMIT, "permitted")


@pytest.mark.parametrize("recipient", ["tdc", "three"])
def test_ipnordic_transmits_the_b_number_to_tdc_and_3_unmasked(recipient: str) -> None:
    use = make_use("traffic-data", "traffic-data", recipient=recipient)
    decision = decide_ipnordic(ipnordic_subject("business-customer"), use)
    assert (decision.outcome, decision.reason, decision.obligations) == (
        Outcome.PERMIT,
        "permitted",
        (),
    )


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


def test_risk_management_needs_the_consent_even_for_traffic_data_anonymised_first() -> None:
    # 000#83: risk management "will not process traffic data ... unless it has obtained the
    # prior consent"; only analysis (000#87) adds "or if such data has been anonymized".
    use = make_use("risk-management", "mobile-traffic-data", "location-data", anonymised=True)

    decision = decide_ipko(make_subject(), use)

    assert (decision.outcome, decision.reason) == (Outcome.DENY, "traffic-location-needs-consent")


def test_internet_data_anonymised_first_still_need_a_consent_to_seek_consents() -> None:
    use = make_use("obtaining-consents", "internet-data", anonymised=True)

    assert decide_ipko(make_subject(), use).reason == "traffic-location-needs-consent"


def test_analysis_of_data_anonymised_already_is_permitted_with_no_obligation() -> None:
    use = make_use("service-development-analysis", "mobile-traffic-data", anonymised=True)

    decision = decide_ipko(make_subject(), use)

    assert (decision.outcome, decision.reason, decision.obligations) == (
        Outcome.PERMIT,
        "permitted",
        (),
    )
    assert "purposes.service-development-analysis.conditions.unless_anonymised" in decision.rules


def test_a_consent_covers_the_data_categories_its_option_indicates_and_no_other() -> None:
    # 000#20: the user agrees to the processing of the data "indicated in the consent";
    # "Offers just for me" (003#22) does not indicate contract data.
    subject = make_subject(consents=("offers-just-for-me",))
    by_sms = {"channel": Channel.SMS}

    usage = decide_ipko(subject, make_use("personalised-offers", "service-usage", **by_sms))
    contract = decide_ipko(
        subject, make_use("personalised-offers", "service-usage", "contract-data", **by_sms)
    )
    nothing = decide_ipko(make_subject(), make_use("personalised-offers", "contract-data"))

    assert (usage.outcome, usage.reason) == (Outcome.PERMIT, "permitted")
    assert (contract.outcome, contract.reason) == (Outcome.DENY, "category-not-consented")
    assert nothing.reason == "no-consent"
