"""The decision engine before its checks were compiled: every check, in order, on every call.

`placet.decide.single` compiles each purpose's checks once and remembers the decisions it
has made; this is the plain reading of docs/decisions.md it started from, kept as the
oracle a property test holds the compiled engine to, field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from placet.decide.decision import REASONS, Decision, Obligation, Outcome, Use
from placet.decide.index import index_of
from placet.decide.periods import add_period
from placet.decide.state import SubjectState
from placet.policy.model import Policy, Purpose, PurposeId, RetentionRule
from placet.policy.terms import (
    Anchor,
    CategoryFlag,
    Channel,
    LegalBasis,
    MinorRule,
    ObjectionEffect,
    TransferSafeguard,
)


@dataclass(slots=True)
class _Trail:
    """The clauses consulted so far, in order, and what a permit will carry."""

    purpose: Purpose | None = None
    rules: dict[str, None] = field(default_factory=dict)
    """An ordered set: each clause once, in the order consulted."""
    obligations: list[Obligation] = field(default_factory=list)
    valid_until: datetime | None = None

    def cite(self, *paths: str) -> None:
        self.rules.update(dict.fromkeys(paths))

    def until(self, instant: datetime | None) -> None:
        if instant is not None and (self.valid_until is None or instant < self.valid_until):
            self.valid_until = instant


def decide_in_order(policy: Policy, subject: SubjectState, use: Use, at: datetime) -> Decision:
    """`decide_use` as the checks read in docs/decisions.md, one after the other."""
    trail = _Trail()
    reason = _decide(policy, subject, use, at, trail)
    permitted = reason in _PERMITS
    purpose_name = trail.purpose.id if trail.purpose else use.purpose
    return Decision(
        outcome=Outcome.PERMIT if permitted else Outcome.DENY,
        reason=reason,
        explanation=f"{'Permitted' if permitted else 'Denied'} for purpose '{purpose_name}': "
        f"{REASONS[reason]}.",
        rules=tuple(trail.rules),
        obligations=tuple(dict.fromkeys(trail.obligations)) if permitted else (),
        valid_until=trail.valid_until if permitted else None,
        policy_version=policy.version,
    )


_PERMITS = frozenset(
    {"permitted", "permitted-if-anonymised", "objection-overridden", "legal-obligation"}
)


def _decide(policy: Policy, subject: SubjectState, use: Use, at: datetime, trail: _Trail) -> str:
    index = index_of(policy)
    purpose = index.purposes.get(use.purpose)
    if purpose is None:
        return "no-rule"
    trail.purpose = purpose
    path = f"purposes.{purpose.id}"
    trail.cite(path, f"{path}.legal_basis")
    wanted = frozenset(use.categories)
    out_of_scope = scope_reason(policy, purpose, subject, use)
    if out_of_scope is not None:
        trail.cite(*_scope_rules(purpose, use))
        return out_of_scope
    _add_data_obligations(policy, purpose, use, trail)
    if purpose.legal_basis is LegalBasis.LEGAL_OBLIGATION:
        return "legal-obligation"
    survives = purpose.conditions.survives_restriction
    if subject.restricted and not survives:
        trail.cite("rights.restriction")
        return "restricted"
    for rule, categories in index.restricting_rules:
        if not wanted & categories:
            continue
        start = restriction_start(rule, subject)
        exempt = survives or any(purpose.legal_basis in e.legal_bases for e in rule.exceptions)
        if start is None or exempt:
            continue
        trail.cite(f"retention_rules.{rule.id}")
        if at >= start:
            return "restricted-after-contract"
        trail.until(start)
    if purpose.is_direct_marketing:
        stop = _direct_marketing_stop(subject, purpose, at, trail)
        if stop is not None:
            return stop
    reason = _by_basis(_Case(policy, purpose, subject, use, at, trail))
    window = purpose.conditions.post_contract
    ended = subject.last_contract_end if subject.active_contracts == 0 else None
    if reason in _PERMITS and window is not None and ended is not None:
        # IPKO: processing on consent may go on two years after the contract ends, not after.
        trail.cite(f"purposes.{purpose.id}.conditions.post_contract")
        ends = add_period(ended, window)
        if at >= ends:
            return "post-contract-window-ended"
        trail.until(ends)
    return reason


def scope_reason(policy: Policy, purpose: Purpose, subject: SubjectState, use: Use) -> str | None:
    """Why the use falls outside what the purpose and its recipients cover, if it does."""
    if not index_of(policy).categories_of[purpose.id].issuperset(use.categories):
        return "category-not-covered"
    if purpose.subject_types and subject.subject_type not in purpose.subject_types:
        return "subject-type-not-covered"
    if use.channel is not None and purpose.channels and use.channel not in purpose.channels:
        return "channel-not-covered"
    return recipient_reason(policy, purpose, use)


def _scope_rules(purpose: Purpose, use: Use) -> list[str]:
    path = f"purposes.{purpose.id}"
    rules = [f"{path}.categories", f"{path}.subject_types", f"{path}.channels"]
    if use.recipient is not None:
        rules.append(f"recipients.{use.recipient}")
    return rules


def recipient_reason(policy: Policy, purpose: Purpose, use: Use) -> str | None:
    leaves = use.country is not None and use.country != policy.controller.country
    if use.recipient is None:
        return "country-not-allowed" if leaves else None
    recipient = index_of(policy).recipients.get(use.recipient)
    if recipient is None:
        return "unknown-recipient"
    if (recipient.purposes and purpose.id not in recipient.purposes) or (
        recipient.categories and not set(use.categories) <= set(recipient.categories)
    ):
        return "recipient-not-allowed"
    if not leaves or use.country == recipient.country:
        return None
    safeguarded = recipient.safeguard not in (None, TransferSafeguard.NONE)
    if recipient.third_country and recipient.country is None and safeguarded:
        return None
    return "country-not-allowed"


def _add_data_obligations(policy: Policy, purpose: Purpose, use: Use, trail: _Trail) -> None:
    flags = _flags(policy, use)
    path = f"purposes.{purpose.id}.conditions"
    if CategoryFlag.LOCATION in flags and purpose.conditions.location_precision == "country":
        trail.cite(f"{path}.location_precision")
        trail.obligations.append(Obligation.COARSEN_LOCATION_TO_COUNTRY)
    if purpose.conditions.aggregated_only and not use.anonymised:
        trail.cite(f"{path}.aggregated_only")
        trail.obligations.append(Obligation.AGGREGATE_FIRST)
    if purpose.conditions.mask_b_numbers and CategoryFlag.TRAFFIC in flags and use.recipient:
        trail.cite(f"{path}.mask_b_numbers")
        trail.obligations.append(Obligation.MASK_B_NUMBERS)


def _flags(policy: Policy, use: Use) -> set[CategoryFlag]:
    flags = index_of(policy).flags
    return {flag for category in use.categories for flag in flags.get(category, ())}


def restriction_start(rule: RetentionRule, subject: SubjectState) -> datetime | None:
    """When `rule` starts restricting this subject's data, or None while it cannot start.

    The period runs from the latest of the rule's anchors; an anchor still ahead (a contract
    in force, a debt outstanding) keeps the rule from starting. A debt anchor for a subject
    who never owed anything does not hold the rule back.
    """
    if rule.period is None:
        return None
    instants: list[datetime] = []
    for anchor in rule.anchors:
        if anchor is Anchor.END_OF_LAST_CONTRACT:
            if subject.active_contracts > 0 or subject.last_contract_end is None:
                return None
            instants.append(subject.last_contract_end)
        elif anchor is Anchor.DEBT_SETTLED:
            if subject.debt_outstanding:
                return None
            if subject.debt_settled_at is not None:
                instants.append(subject.debt_settled_at)
        else:
            return None  # an anchor the state does not carry: the engine cannot start it
    return add_period(max(instants), rule.period) if instants else None


def _direct_marketing_stop(
    subject: SubjectState, purpose: Purpose, at: datetime, trail: _Trail
) -> str | None:
    # Art. 21(3) GDPR: after an objection to direct marketing, no balancing test applies.
    if subject.objects_to_direct_marketing or purpose.id in subject.objections:
        trail.cite("rights.objection", f"purposes.{purpose.id}.is_direct_marketing")
        return "objection-direct-marketing"
    opted_out = subject.business_opt_out and (
        subject.business_opt_out_until is None or at < subject.business_opt_out_until
    )
    if opted_out:
        # IPKO honours the opt-out within 15 days; Placet applies it from the instant recorded.
        if purpose.conditions.business_opt_out is not None:
            trail.cite(f"purposes.{purpose.id}.conditions.business_opt_out")
        else:
            trail.cite("rights.objection", f"purposes.{purpose.id}.is_direct_marketing")
        return "business-opt-out"
    return None


@dataclass(frozen=True, slots=True)
class _Case:
    """One decision in progress: the question and the trail of clauses it has consulted."""

    policy: Policy
    purpose: Purpose
    subject: SubjectState
    use: Use
    at: datetime
    trail: _Trail

    def has_consent(self) -> bool:
        """A live consent for each channel the use may take: its own, or every one of the
        purpose's when it names none."""
        covering = [self.consent_by(channel) for channel in self.channels()]
        if all(covering):
            self.trail.cite(*dict.fromkeys(f"consent_options.{option}" for option in covering))
            return True
        # Cited: the options that could cover the purpose by the use's channel, whatever
        # data they indicate (the one a consent lacks a category of, too).
        options = covering_options(self.policy, self.purpose, self.use, by_categories=False)
        self.trail.cite(*(f"consent_options.{option}" for option in sorted(options)))
        return False

    def channels(self) -> tuple[Channel | None, ...]:
        if self.use.channel is not None or not self.purpose.channels:
            return (self.use.channel,)
        return tuple(self.purpose.channels)

    def consent_by(self, channel: Channel | None) -> str | None:
        """The option of a live consent covering the purpose by `channel` (None: any)."""
        options = covering_options(self.policy, self.purpose, replace(self.use, channel=channel))
        for grant in self.subject.consents:
            if grant.option in options and (
                channel is None or not grant.channels or channel in grant.channels
            ):
                return grant.option
        return None

    def consented_for_other_categories(self) -> bool:
        """Live consents cover the purpose by each channel the use may take, but not all of
        the data categories it asks for."""
        return all(
            any(
                grant.option
                in covering_options(
                    self.policy,
                    self.purpose,
                    replace(self.use, channel=channel),
                    by_categories=False,
                )
                and (channel is None or not grant.channels or channel in grant.channels)
                for grant in self.subject.consents
            )
            for channel in self.channels()
        )

    def consented_by_some_channels(self) -> bool:
        return self.use.channel is None and any(
            self.consent_by(channel) for channel in self.purpose.channels
        )


def _by_basis(case: _Case) -> str:
    purpose, subject = case.purpose, case.subject
    basis = purpose.legal_basis
    if basis is LegalBasis.CONTRACT:
        if subject.active_contracts > 0 or purpose.conditions.subject_initiated:
            return "permitted"
        return "no-contract"
    if basis is LegalBasis.CONSENT:
        return _consent_reason(case)
    if basis in (LegalBasis.LEGITIMATE_INTEREST, LegalBasis.PUBLIC_TASK):
        return _interest_reason(case)
    return "permitted"  # vital interest


def covering_options(
    policy: Policy, purpose: Purpose, use: Use, *, by_categories: bool = True
) -> set[str]:
    """The consent options that cover `purpose`, the use's channel (if it has one) and, with
    `by_categories`, every category it asks for (an option listing none covers all)."""
    return {
        option.id
        for option in index_of(policy).options_for.get(purpose.id, ())
        if (use.channel is None or not option.channels or use.channel in option.channels)
        and (
            not by_categories
            or not option.categories
            or set(use.categories) <= set(option.categories)
        )
    }


def _consent_reason(case: _Case) -> str:
    purpose, subject = case.purpose, case.subject
    if purpose.conditions.objection is ObjectionEffect.STOPS and purpose.id in subject.objections:
        case.trail.cite("rights.objection")
        case.trail.cite(f"purposes.{purpose.id}.conditions.objection")
        return "objection"
    if not case.has_consent():
        if case.consented_by_some_channels():
            return "channel-not-named"
        if case.consented_for_other_categories():
            return "category-not-consented"
        any_channel = Use(purpose=PurposeId(purpose.id), categories=case.use.categories)
        options = covering_options(case.policy, purpose, any_channel, by_categories=False)
        return "consent-withdrawn" if options & subject.withdrawn else "no-consent"
    return "permitted"


def _interest_reason(case: _Case) -> str:
    purpose, subject, trail = case.purpose, case.subject, case.trail
    conditions = purpose.conditions
    path = f"purposes.{purpose.id}.conditions"
    reason = "permitted"
    if purpose.id in subject.objections:
        trail.cite("rights.objection", f"{path}.objection")
        if conditions.objection is ObjectionEffect.STOPS:
            return "objection"
        reason = "objection-overridden"
    if is_minor(case.policy, subject, case.at) and conditions.minors is not MinorRule.ALLOWED:
        trail.cite("minors", f"{path}.minors")
        if conditions.minors is MinorRule.NEVER:
            return "minor"
        if not case.has_consent():
            return "minor-without-consent"
    if conditions.requires_consent_option:
        trail.cite(f"{path}.requires_consent_option")
        if not case.has_consent():
            return "no-consent"
    sensitive = {CategoryFlag.TRAFFIC, CategoryFlag.LOCATION} & _flags(case.policy, case.use)
    if sensitive and conditions.traffic_location_needs_consent:
        trail.cite(f"{path}.traffic_location_needs_consent")
        if conditions.unless_anonymised and case.use.anonymised:
            trail.cite(f"{path}.unless_anonymised")
            return reason
        if case.has_consent():
            return reason
        if conditions.unless_anonymised:
            trail.cite(f"{path}.unless_anonymised")
            trail.obligations.append(Obligation.ANONYMISE_FIRST)
            return "permitted-if-anonymised" if reason == "permitted" else reason
        return "traffic-location-needs-consent"
    return reason


def is_minor(policy: Policy, subject: SubjectState, at: datetime) -> bool:
    """Whether the subject is below the policy's age of majority at `at`.

    A subject whose birth date is unknown is taken as an adult: the ledger records birth
    dates for subscribers, and a minor's contract is made by a representative who says so.
    """
    if policy.minors is None or subject.birth_date is None:
        return False
    return at.date() < _birthday(subject.birth_date, policy.minors.age_below)


def _birthday(born: date, years: int) -> date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # born on 29 February: the birthday falls on 1 March
        return date(born.year + years, 3, 1)
