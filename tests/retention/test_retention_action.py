"""`retention_action` on hand-checked fixtures: every retention rule of both reference
policies, their year-end, last-contract and later-of anchors, restriction and exceptions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from placet.errors import UnknownReferenceError
from placet.policy import Policy, load_policy_set
from placet.policy.model import CategoryId, Period, SubjectTypeId
from placet.policy.terms import LegalBasis, RetentionAction
from placet.retention import RetainedRecord, RetentionFacts, RuleStatus, retention_action

DELETE, RESTRICT, KEEP = RetentionAction.DELETE, RetentionAction.RESTRICT, RetentionAction.KEEP
CONSUMER = SubjectTypeId("consumer-subscriber")
PROSPECT = SubjectTypeId("prospective-business-partner")


@pytest.fixture(scope="module")
def ipko() -> Policy:
    return load_policy_set("ipko").latest


@pytest.fixture(scope="module")
def ipnordic() -> Policy:
    return load_policy_set("ipnordic").latest


def day(year: int, month: int, on: int, hour: int = 0) -> datetime:
    return datetime(year, month, on, hour, tzinfo=UTC)


def pristina(year: int, month: int, on: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant on IPKO's clock (`Policy.zone`), where its years end."""
    return datetime(year, month, on, hour, minute, tzinfo=ZoneInfo("Europe/Belgrade"))


def record(
    record_type: str,
    *categories: str,
    collected: datetime | None = None,
    subject_type: SubjectTypeId | None = CONSUMER,
    legal_basis: LegalBasis | None = None,
) -> RetainedRecord:
    return RetainedRecord(
        record_type,
        tuple(CategoryId(category) for category in categories),
        subject_type,
        collected,
        legal_basis,
    )


# ---------------------------------------------------------------- calendar periods


@pytest.mark.parametrize(
    ("start", "period", "end"),
    [
        (day(2025, 3, 31, 10), "12 months", day(2026, 3, 31, 10)),
        (day(2024, 2, 29), "12 months", day(2025, 2, 28)),
        (day(2025, 1, 31), "1 month", day(2025, 2, 28)),
        (day(2024, 1, 31), "1 month", day(2024, 2, 29)),
        (day(2020, 1, 1), "6 years", day(2026, 1, 1)),
        (day(2025, 12, 20), "15 days", day(2026, 1, 4)),
    ],
)
def test_a_period_is_counted_in_calendar_months_with_month_ends_clamped(
    start: datetime, period: str, end: datetime
) -> None:
    assert Period.model_validate(period).after(start) == end


# ---------------------------------------------------------------- IPKO, rule by rule


def test_traffic_data_is_deleted_twelve_months_after_collection(ipko: Policy) -> None:
    cdr = record("traffic-and-location-data", "mobile-traffic-data", collected=day(2025, 3, 31, 10))

    before = retention_action(ipko, cdr, RetentionFacts(), day(2026, 3, 31, 9))
    after = retention_action(ipko, cdr, RetentionFacts(), day(2026, 3, 31, 10))

    assert (before.action, before.next_cutoff) == (KEEP, day(2026, 3, 31, 10))
    assert (after.action, after.rule, after.due_since) == (
        DELETE,
        "traffic-and-location-data",
        day(2026, 3, 31, 10),
    )


def test_traffic_data_of_a_leap_day_is_deleted_on_the_last_day_of_february(ipko: Policy) -> None:
    cdr = record("traffic-and-location-data", "location-data", collected=day(2024, 2, 29))

    decision = retention_action(ipko, cdr, RetentionFacts(), day(2025, 3, 1))

    assert (decision.action, decision.due_since) == (DELETE, day(2025, 2, 28))


def test_traffic_data_is_not_cut_short_by_claims_becoming_time_barred(ipko: Policy) -> None:
    # "Until all claims are time-barred" has no fixed period: it governs its own records.
    cdr = record("traffic-and-location-data", "mobile-traffic-data", collected=day(2025, 3, 1))
    facts = RetentionFacts(claims_time_barred_at=day(2025, 6, 1))

    decision = retention_action(ipko, cdr, facts, day(2025, 7, 1))

    assert decision.action is KEEP
    assert decision.delete_at == day(2026, 3, 1)
    barred = next(term for term in decision.terms if term.rule == "contract-period")
    assert (barred.status, barred.binds) == (RuleStatus.DUE, False)


def test_traffic_data_no_purpose_needs_goes_before_its_twelve_months(ipko: Policy) -> None:
    cdr = record("traffic-and-location-data", "mobile-traffic-data", collected=day(2025, 3, 1))
    facts = RetentionFacts(purpose_fulfilled_at=day(2025, 5, 1))

    decision = retention_action(ipko, cdr, facts, day(2025, 5, 1))

    assert (decision.action, decision.rule) == (DELETE, "no-longer-necessary")


def test_traffic_data_kept_in_a_crm_table_is_capped_at_twelve_months(ipko: Policy) -> None:
    row = record("contract-period", "contact", "location-data", collected=day(2025, 1, 10))

    decision = retention_action(ipko, row, RetentionFacts(), day(2026, 1, 10))

    assert (decision.action, decision.rule) == (DELETE, "traffic-and-location-data")


def test_an_invoice_is_not_deleted_when_claims_become_time_barred(ipko: Policy) -> None:
    invoice = record("invoices", "billing-and-payment", collected=day(2019, 5, 3))
    facts = RetentionFacts(last_contract_end=day(2020, 2, 1), claims_time_barred_at=day(2023, 2, 1))

    decision = retention_action(ipko, invoice, facts, day(2024, 1, 1))

    assert decision.action is RESTRICT
    assert decision.delete_at == day(2026, 2, 1)


def test_an_invoice_is_kept_six_years_from_the_later_of_its_year_end_and_the_contract_end(
    ipko: Policy,
) -> None:
    invoice = record("invoices", "billing-and-payment", collected=day(2019, 5, 3))
    facts = RetentionFacts(last_contract_end=day(2024, 2, 1))

    decision = retention_action(ipko, invoice, facts, day(2030, 1, 31))
    own = next(term for term in decision.terms if term.rule == "invoices")

    assert [anchor.at for anchor in own.anchors] == [pristina(2020, 1, 1), day(2024, 2, 1)]
    assert own.starts == day(2024, 2, 1)
    assert decision.delete_at == day(2030, 2, 1)
    assert decision.action is RESTRICT  # 24 months after the contract ended, until then
    assert retention_action(ipko, invoice, facts, day(2030, 2, 1)).action is DELETE


def test_an_invoice_later_than_the_contract_end_runs_from_the_end_of_its_year(
    ipko: Policy,
) -> None:
    invoice = record("invoices", "billing-and-payment", collected=day(2024, 3, 10))
    facts = RetentionFacts(last_contract_end=day(2024, 2, 1))

    decision = retention_action(ipko, invoice, facts, day(2026, 1, 1))

    assert decision.delete_at == pristina(2031, 1, 1)


def test_a_year_ends_on_the_controllers_clock_not_utcs(ipko: Policy) -> None:
    # 00:30 on 1 January 2020 in Pristina is 23:30 on 31 December 2019 in UTC: the invoice
    # is of 2020, and tax law keeps it six years after 2020 ends, not after 2019 does.
    invoice = record("invoices", "billing-and-payment", collected=pristina(2020, 1, 1, 0, 30))
    facts = RetentionFacts(never_had_contract=True)

    decision = retention_action(ipko, invoice, facts, pristina(2026, 6, 1))

    assert pristina(2020, 1, 1, 0, 30).astimezone(UTC).year == 2019
    assert decision.action is KEEP
    assert decision.delete_at == pristina(2027, 1, 1)
    assert decision.delete_at == day(2026, 12, 31, 23)


def test_no_invoice_is_deleted_while_a_contract_runs(ipko: Policy) -> None:
    invoice = record("invoices", "billing-and-payment", collected=day(2005, 6, 1))

    decision = retention_action(ipko, invoice, RetentionFacts(), day(2026, 6, 1))

    assert (decision.action, decision.delete_at) == (KEEP, None)
    own = next(term for term in decision.terms if term.rule == "invoices")
    assert own.status is RuleStatus.PENDING


def test_the_invoice_of_a_subject_who_never_had_a_contract_goes_six_years_after_its_year(
    ipko: Policy,
) -> None:
    # A shop sale to someone who never subscribed: "and/or from the end of the contractual
    # relationship" has no contract to run from (reading invoices-without-a-contract).
    invoice = record("invoices", "billing-and-payment", collected=day(2019, 5, 3))
    facts = RetentionFacts(never_had_contract=True)

    decision = retention_action(ipko, invoice, facts, pristina(2025, 12, 31, 23, 59))
    own = next(term for term in decision.terms if term.rule == "invoices")

    assert [(anchor.at, anchor.counts) for anchor in own.anchors] == [
        (pristina(2020, 1, 1), True),
        (None, False),
    ]
    assert (own.starts, decision.action, decision.delete_at) == (
        pristina(2020, 1, 1),
        KEEP,
        pristina(2026, 1, 1),
    )
    assert retention_action(ipko, invoice, facts, pristina(2026, 1, 1)).action is DELETE


def test_a_rule_that_runs_from_the_contract_end_alone_never_starts_without_a_contract(
    ipko: Policy,
) -> None:
    row = record("contract-period", "identity", collected=day(2019, 5, 3))

    decision = retention_action(ipko, row, RetentionFacts(never_had_contract=True), day(2040, 1, 1))

    assert decision.action is KEEP
    restriction = next(term for term in decision.terms if term.action is RESTRICT)
    assert restriction.status is RuleStatus.PENDING


def test_personal_data_of_the_contract_is_deleted_when_claims_are_time_barred(
    ipko: Policy,
) -> None:
    row = record("contract-period", "identity", "contact")
    facts = RetentionFacts(claims_time_barred_at=day(2027, 1, 1))

    assert retention_action(ipko, row, facts, day(2026, 12, 31)).action is KEEP
    decision = retention_action(ipko, row, facts, day(2027, 1, 1))
    assert (decision.action, decision.rule) == (DELETE, "contract-period")


def test_data_is_restricted_24_months_after_the_last_contract_ends(ipko: Policy) -> None:
    row = record("contract-period", "identity", "contact")
    facts = RetentionFacts(last_contract_end=day(2023, 1, 15))

    assert retention_action(ipko, row, facts, day(2025, 1, 14)).action is KEEP
    decision = retention_action(ipko, row, facts, day(2025, 1, 15))
    assert (decision.action, decision.rule, decision.due_since) == (
        RESTRICT,
        "post-contract-restriction",
        day(2025, 1, 15),
    )


def test_data_processed_on_consent_is_excepted_while_the_consent_lasts(ipko: Policy) -> None:
    row = record("contract-period", "contact", legal_basis=LegalBasis.CONSENT)
    facts = RetentionFacts(claims_time_barred_at=day(2024, 1, 1))

    decision = retention_action(ipko, row, facts, day(2026, 1, 1))  # a contract still runs

    assert decision.action is KEEP
    statuses = {term.rule: term.status for term in decision.terms}
    assert statuses["contract-period"] is RuleStatus.EXCEPTED


def test_data_processed_on_consent_is_kept_two_years_after_the_contract_and_no_longer(
    ipko: Policy,
) -> None:
    # The exception: "as long as the consent lasts, where that is longer: until the consent
    # is withdrawn, and at most two years after the end of the contractual relationship".
    row = record("contract-period", "contact", legal_basis=LegalBasis.CONSENT)
    facts = RetentionFacts(
        last_contract_end=day(2023, 1, 15), claims_time_barred_at=day(2023, 6, 1)
    )

    kept = retention_action(ipko, row, facts, day(2025, 1, 14))
    deleted = retention_action(ipko, row, facts, day(2025, 1, 15))

    assert (kept.action, kept.next_cutoff) == (KEEP, day(2025, 1, 15))
    assert (deleted.action, deleted.rule, deleted.due_since) == (
        DELETE,
        "contract-period",
        day(2025, 1, 15),
    )


def test_data_processed_on_consent_is_deleted_with_the_rest_once_the_consent_is_withdrawn(
    ipko: Policy,
) -> None:
    on_consent = record("contract-period", "contact", legal_basis=LegalBasis.CONSENT)
    on_contract = record("contract-period", "contact", legal_basis=LegalBasis.CONTRACT)
    facts = RetentionFacts(
        last_contract_end=day(2021, 1, 1),
        consent_withdrawn_at=day(2022, 1, 1),
        claims_time_barred_at=day(2023, 1, 1),
    )

    decisions = [
        retention_action(ipko, row, facts, day(2025, 6, 15)) for row in (on_consent, on_contract)
    ]

    assert [(d.action, d.due_since) for d in decisions] == [(DELETE, day(2023, 1, 1))] * 2


def test_data_processed_on_consent_is_restricted_when_the_consent_can_no_longer_last(
    ipko: Policy,
) -> None:
    # Consent-based processing goes on two years after the contract at most: the 24 months
    # after it restrict the data processed on consent as they do the rest.
    row = record("contract-period", "contact", legal_basis=LegalBasis.CONSENT)
    facts = RetentionFacts(last_contract_end=day(2023, 1, 15))

    decision = retention_action(ipko, row, facts, day(2026, 1, 1))

    assert (decision.action, decision.rule, decision.due_since) == (
        RESTRICT,
        "post-contract-restriction",
        day(2025, 1, 15),
    )


def test_a_prospects_data_is_not_restricted_after_a_contract(ipko: Policy) -> None:
    row = record("prospect-contacts", "contact", subject_type=PROSPECT)
    facts = RetentionFacts(last_contract_end=day(2020, 1, 1))

    decision = retention_action(ipko, row, facts, day(2026, 1, 1))

    assert "post-contract-restriction" not in {term.rule for term in decision.terms}
    assert decision.action is KEEP


def test_a_prospects_contact_is_deleted_when_the_business_opts_out(ipko: Policy) -> None:
    row = record("prospect-contacts", "contact", subject_type=PROSPECT)

    decision = retention_action(
        ipko, row, RetentionFacts(objected_at=day(2026, 3, 2)), day(2026, 3, 2)
    )

    assert (decision.action, decision.rule) == (DELETE, "prospect-contacts")


def test_contacts_from_public_sources_are_deleted_when_the_campaign_ends(ipko: Policy) -> None:
    row = record(
        "prospect-contacts-public-sources", "business-entity-public-data", subject_type=PROSPECT
    )

    pending = retention_action(ipko, row, RetentionFacts(), day(2026, 3, 2))
    ended = retention_action(
        ipko, row, RetentionFacts(campaign_ended_at=day(2026, 3, 1)), day(2026, 3, 2)
    )

    assert pending.action is KEEP
    assert (ended.action, ended.due_since) == (DELETE, day(2026, 3, 1))


def test_investment_data_is_deleted_when_the_investment_ends(ipko: Policy) -> None:
    row = record("investment-data", "investment-data", subject_type=None)
    facts = RetentionFacts(investment_ended_at=day(2025, 9, 30))

    decision = retention_action(ipko, row, facts, day(2025, 10, 1))

    assert (decision.action, decision.rule) == (DELETE, "investment-data")


def test_real_estate_documentation_is_kept_twenty_years_from_the_end_of_its_year(
    ipko: Policy,
) -> None:
    row = record(
        "real-estate-documentation", "real-estate-documentation", collected=day(2006, 7, 1)
    )

    decision = retention_action(ipko, row, RetentionFacts(), day(2026, 12, 31))

    assert (decision.action, decision.delete_at) == (KEEP, pristina(2027, 1, 1))


@pytest.mark.parametrize("rule", ["after-account-closure", "no-longer-necessary"])
def test_data_no_longer_needed_for_any_purpose_is_deleted_then(ipko: Policy, rule: str) -> None:
    row = record(rule, "service-usage")
    facts = RetentionFacts(purpose_fulfilled_at=day(2026, 2, 1))

    assert retention_action(ipko, row, RetentionFacts(), day(2026, 3, 1)).action is KEEP
    decision = retention_action(ipko, row, facts, day(2026, 3, 1))
    assert (decision.action, decision.due_since) == (DELETE, day(2026, 2, 1))


def test_anonymised_data_is_kept_without_limit(ipko: Policy) -> None:
    decision = retention_action(ipko, record("anonymised-data"), RetentionFacts(), day(2099, 1, 1))

    assert (decision.action, decision.rule, decision.delete_at) == (KEEP, "anonymised-data", None)
    assert decision.terms[0].status is RuleStatus.UNLIMITED


def test_a_general_rule_deletes_earlier_than_a_longer_maximum_without_a_law(ipko: Policy) -> None:
    # Contract data named by the general rule: each period is a maximum, the earlier end
    # applies, so the invoices' six years do not keep it past the claims' time bar.
    row = record("contract-period", "contract-data", collected=day(2020, 5, 1))
    facts = RetentionFacts(last_contract_end=day(2021, 1, 1), claims_time_barred_at=day(2024, 1, 1))

    decision = retention_action(ipko, row, facts, day(2024, 1, 1))

    assert (decision.action, decision.rule) == (DELETE, "contract-period")
    assert decision.delete_at == day(2024, 1, 1)


def test_an_unknown_record_type_names_the_rule_and_the_policy(ipko: Policy) -> None:
    with pytest.raises(UnknownReferenceError, match="'cdr-archive' is not declared"):
        retention_action(ipko, record("cdr-archive"), RetentionFacts(), day(2026, 1, 1))


# ---------------------------------------------------------------- ipnordic


def test_ipnordic_deletes_data_once_no_purpose_needs_it(ipnordic: Policy) -> None:
    row = record("no-longer-needed", "traffic-data", subject_type=None)
    facts = RetentionFacts(purpose_fulfilled_at=day(2026, 1, 10))

    decision = retention_action(ipnordic, row, facts, day(2026, 1, 10))

    assert (decision.action, decision.rule) == (DELETE, "no-longer-needed")


def test_ipnordic_keeps_aggregated_statistics_without_limit(ipnordic: Policy) -> None:
    row = record("anonymised", "aggregated-statistics", subject_type=None)

    assert retention_action(ipnordic, row, RetentionFacts(), day(2099, 1, 1)).action is KEEP


# ---------------------------------------------------------------- invariants


INSTANTS = st.integers(0, 20 * 365).map(lambda days: day(2015, 1, 1) + timedelta(days=days))
OPTIONAL = st.none() | INSTANTS


@st.composite
def cases(draw: st.DrawFn) -> tuple[RetainedRecord, RetentionFacts]:
    policy = load_policy_set("ipko").latest
    rule = draw(st.sampled_from(policy.retention_rules))
    categories = draw(st.lists(st.sampled_from([c.id for c in policy.data_categories]), max_size=3))
    subject_type = draw(st.none() | st.sampled_from([s.id for s in policy.subject_types]))
    basis = draw(st.none() | st.sampled_from(list(LegalBasis)))
    row = RetainedRecord(rule.id, tuple(categories), subject_type, draw(OPTIONAL), basis)
    facts = RetentionFacts(*(draw(OPTIONAL) for _ in range(8)))
    return row, facts


@given(case=cases(), first=INSTANTS, later=st.integers(0, 3000))
def test_once_deletion_is_due_it_stays_due(
    case: tuple[RetainedRecord, RetentionFacts], first: datetime, later: int
) -> None:
    ipko = load_policy_set("ipko").latest
    row, facts = case
    now = retention_action(ipko, row, facts, first)
    then = retention_action(ipko, row, facts, first + timedelta(days=later))

    if now.action is DELETE:
        assert then.action is DELETE
        assert then.due_since == now.due_since
    assert now.delete_at == then.delete_at


@given(case=cases(), when=INSTANTS)
def test_nothing_is_deleted_before_a_binding_rules_cutoff(
    case: tuple[RetainedRecord, RetentionFacts], when: datetime
) -> None:
    ipko = load_policy_set("ipko").latest
    row, facts = case
    decision = retention_action(ipko, row, facts, when)

    if decision.action is DELETE:
        assert decision.due_since is not None
        assert decision.due_since <= when
        cutoffs = [
            term.cutoff
            for term in decision.terms
            if term.binds and term.cutoff and term.action is not RESTRICT
        ]
        assert decision.due_since == min(cutoffs)
