"""Decide one use of one subject's data: `decide_use(policy, subject, use, at) -> Decision`.

A pure function: everything it needs is an argument; it reads no clock, environment or
database. The checks run in a fixed order, each able to end the decision; `decide_bulk`
runs the same order over a whole table, and a test holds the two to the same answers.

Each purpose's checks are compiled once per policy (`_Plan`): only those that can matter
for it, with the clauses they cite worked out beforehand, so a call runs little more than
the comparisons on the subject. A decision made once is kept and returned again when the
same purpose ends the same way (reason, clauses, obligations): a `Decision` is a frozen
value, and a permit with an end date reuses all of it but the date.
Imports nothing outside the standard library and `placet.policy`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from placet.decide.decision import REASONS, Decision, Obligation, Outcome, Use
from placet.decide.index import PolicyIndex, index_of, per_policy
from placet.decide.periods import add_period
from placet.decide.state import SubjectState
from placet.policy.calendar import local_date
from placet.policy.model import Period, Policy, Purpose, RetentionRule
from placet.policy.terms import (
    Anchor,
    CategoryFlag,
    Channel,
    LegalBasis,
    MinorRule,
    ObjectionEffect,
    TransferSafeguard,
)

__all__ = [
    "covering_options",
    "decide_use",
    "is_minor",
    "recipient_reason",
    "restriction_start",
    "scope_reason",
    "use_channels",
]


@dataclass(slots=True)
class _Trail:
    """The clauses consulted so far, in order, and what a permit will carry."""

    rules: list[str]
    """Each clause once in the decision; a clause consulted twice is kept at its first place."""
    obligations: list[Obligation] = field(default_factory=list)
    valid_until: datetime | None = None

    def until(self, instant: datetime | None) -> None:
        if instant is not None and (self.valid_until is None or instant < self.valid_until):
            self.valid_until = instant


_Check = Callable[["_Plan", SubjectState, Use, datetime, _Trail], "str | None"]
"""One check of a purpose: the reason that ends the decision, or None to go on."""

_Key = tuple[str, tuple[str, ...], tuple[Obligation, ...]]
"""A decision but its end date: reason, clauses cited (in order, repeats kept), obligations."""

_DECISIONS_KEPT = 256
"""Decisions remembered per purpose: enough for every way a purpose can end, not for
every recipient name a caller may invent (a `recipients.…` clause is part of the key)."""


class _Option(NamedTuple):
    """A consent option covering a purpose: its channels and categories (empty: any) and
    its clause."""

    channels: frozenset[Channel]
    categories: frozenset[str]
    clause: str


@dataclass(frozen=True, slots=True)
class _Plan:
    """One purpose of one policy, compiled: the checks that apply to it, in order."""

    policy: Policy
    purpose: Purpose
    path: str
    """`purposes.<id>`, the prefix of the purpose's clauses."""
    cited: tuple[str, ...]
    """What every decision on the purpose cites: the purpose and its legal basis."""
    scope_rules: tuple[str, ...]
    categories: frozenset[str]
    subject_types: frozenset[str]
    channels: tuple[Channel, ...]
    may_oblige: bool
    """Whether a use can carry a data obligation (location, aggregation, B-numbers)."""
    sensitive: frozenset[str]
    """The purpose's categories flagged traffic or location data."""
    restricting: tuple[tuple[RetentionRule, frozenset[str], str], ...]
    """Retention rules that restrict and do not exempt this purpose, with their clause."""
    options: dict[str, _Option]
    """The consent options covering the purpose, by id in order."""
    checks: tuple[_Check, ...]
    basis: Callable[[_Plan, SubjectState, Use, datetime, _Trail], str]
    window: Period | None
    window_clause: str
    decisions: dict[_Key, Decision]


def decide_use(policy: Policy, subject: SubjectState, use: Use, at: datetime) -> Decision:
    """May `use.purpose` process `use.categories` of this subject at `at`?

    `subject` is the subject's state as of `at` and `policy` the version in force then.
    """
    plan = _plans_of(policy).get(use.purpose)
    if plan is None:
        return Decision(
            outcome=Outcome.DENY,
            reason="no-rule",
            explanation=f"Denied for purpose '{use.purpose}': {REASONS['no-rule']}.",
            rules=(),
            policy_version=policy.version,
        )
    trail = _Trail(list(plan.cited))
    reason = _decide(plan, subject, use, at, trail)
    permitted = reason in _PERMITS
    key = (reason, tuple(trail.rules), tuple(trail.obligations) if permitted else ())
    decision = plan.decisions.get(key)
    if decision is None:
        decision = _decision(plan, key)
        if len(plan.decisions) < _DECISIONS_KEPT:
            plan.decisions[key] = decision
    if permitted and trail.valid_until is not None:
        return Decision(  # positionally: the fields in their order, a third faster
            decision.outcome,
            reason,
            decision.explanation,
            decision.rules,
            decision.obligations,
            trail.valid_until,
            decision.policy_version,
        )
    return decision


_PERMITS = frozenset(
    {"permitted", "permitted-if-anonymised", "objection-overridden", "legal-obligation"}
)


def _decision(plan: _Plan, key: _Key) -> Decision:
    """The decision `key` describes, with no end date."""
    reason, rules, obligations = key
    permitted = reason in _PERMITS
    return Decision(
        outcome=Outcome.PERMIT if permitted else Outcome.DENY,
        reason=reason,
        explanation=f"{'Permitted' if permitted else 'Denied'} for purpose '{plan.purpose.id}': "
        f"{REASONS[reason]}.",
        rules=tuple(dict.fromkeys(rules)),
        obligations=tuple(dict.fromkeys(obligations)),
        policy_version=plan.policy.version,
    )


def _decide(plan: _Plan, subject: SubjectState, use: Use, at: datetime, trail: _Trail) -> str:
    out_of_scope = _out_of_scope(plan, subject, use)
    if out_of_scope is not None:
        trail.rules += plan.scope_rules
        if use.recipient is not None:
            trail.rules.append(f"recipients.{use.recipient}")
        return out_of_scope
    if plan.may_oblige:
        _add_data_obligations(plan, use, trail)
    for check in plan.checks:
        stop = check(plan, subject, use, at, trail)
        if stop is not None:
            return stop
    reason = plan.basis(plan, subject, use, at, trail)
    if plan.window is not None and reason in _PERMITS and subject.active_contracts == 0:
        ended = subject.last_contract_end
        if ended is not None:
            # IPKO: processing on consent may go on two years after the contract ends, not after.
            trail.rules.append(plan.window_clause)
            ends = add_period(ended, plan.window)
            if at >= ends:
                return "post-contract-window-ended"
            trail.until(ends)
    return reason


def _out_of_scope(plan: _Plan, subject: SubjectState, use: Use) -> str | None:
    if not plan.categories.issuperset(use.categories):
        return "category-not-covered"
    if plan.subject_types and subject.subject_type not in plan.subject_types:
        return "subject-type-not-covered"
    if use.channel is not None and plan.channels and use.channel not in plan.channels:
        return "channel-not-covered"
    if use.recipient is None and use.country is None:
        return None
    return recipient_reason(plan.policy, plan.purpose, use)


def scope_reason(policy: Policy, purpose: Purpose, subject: SubjectState, use: Use) -> str | None:
    """Why the use falls outside what the purpose and its recipients cover, if it does."""
    return _out_of_scope(_plans_of(policy)[purpose.id], subject, use)


def recipient_reason(policy: Policy, purpose: Purpose, use: Use) -> str | None:
    """Why the use's recipient or country is not allowed for the purpose, if it is not."""
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


def _add_data_obligations(plan: _Plan, use: Use, trail: _Trail) -> None:
    flags = _flags(plan.policy, use)
    conditions = plan.purpose.conditions
    path = f"{plan.path}.conditions"
    if CategoryFlag.LOCATION in flags and conditions.location_precision == "country":
        trail.rules.append(f"{path}.location_precision")
        trail.obligations.append(Obligation.COARSEN_LOCATION_TO_COUNTRY)
    if conditions.aggregated_only and not use.anonymised:
        trail.rules.append(f"{path}.aggregated_only")
        trail.obligations.append(Obligation.AGGREGATE_FIRST)
    if conditions.mask_b_numbers and CategoryFlag.TRAFFIC in flags and use.recipient is not None:
        trail.rules.append(f"{path}.mask_b_numbers")
        trail.obligations.append(Obligation.MASK_B_NUMBERS)


def _flags(policy: Policy, use: Use) -> set[CategoryFlag]:
    flags = index_of(policy).flags
    return {flag for category in use.categories for flag in flags.get(category, ())}


def _restricted(
    plan: _Plan, subject: SubjectState, use: Use, at: datetime, trail: _Trail
) -> str | None:
    if subject.restricted:
        trail.rules.append("rights.restriction")
        return "restricted"
    return None


def _restricted_after_contract(
    plan: _Plan, subject: SubjectState, use: Use, at: datetime, trail: _Trail
) -> str | None:
    for rule, categories, clause in plan.restricting:
        if categories.isdisjoint(use.categories):
            continue
        start = restriction_start(rule, subject)
        if start is None:
            continue
        trail.rules.append(clause)
        if at >= start:
            return "restricted-after-contract"
        trail.until(start)
    return None


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
    plan: _Plan, subject: SubjectState, use: Use, at: datetime, trail: _Trail
) -> str | None:
    # Art. 21(3) GDPR: after an objection to direct marketing, no balancing test applies.
    if subject.objects_to_direct_marketing or plan.purpose.id in subject.objections:
        trail.rules += ("rights.objection", f"{plan.path}.is_direct_marketing")
        return "objection-direct-marketing"
    opted_out = subject.business_opt_out and (
        subject.business_opt_out_until is None or at < subject.business_opt_out_until
    )
    if opted_out:
        # IPKO honours the opt-out within 15 days; Placet applies it from the instant recorded.
        # A policy with no opt-out clause of its own still stops direct marketing on it: in
        # substance a business's written opt-out is an objection to it (Art. 21(2)).
        if plan.purpose.conditions.business_opt_out is not None:
            trail.rules.append(f"{plan.path}.conditions.business_opt_out")
        else:
            trail.rules += ("rights.objection", f"{plan.path}.is_direct_marketing")
        return "business-opt-out"
    return None


def _has_consent(plan: _Plan, subject: SubjectState, use: Use, trail: _Trail) -> bool:
    """Whether live consents cover the purpose and the use's channel; cites what it read.

    A use that names no channel may reach the subject by any channel the purpose uses, so
    the consents must cover each of them (a consent by SMS alone does not cover a campaign
    whose channel is left open).
    """
    # `use_channels`, written out for the usual call (one channel, or none), which asks for
    # one consent: the single decision is timed in microseconds.
    if use.channel is not None or not plan.channels:
        clause = _consent_by(plan, subject, use, use.channel)
        if clause is not None:
            trail.rules.append(clause)
            return True
    else:
        clauses = [_consent_by(plan, subject, use, channel) for channel in plan.channels]
        if all(clauses):
            trail.rules += dict.fromkeys(clause for clause in clauses if clause is not None)
            return True
    trail.rules += (
        option.clause
        for option in plan.options.values()
        if use.channel is None or not option.channels or use.channel in option.channels
    )
    return False


def use_channels(channels: Sequence[Channel], use: Use) -> tuple[Channel | None, ...]:
    """The channels a use may reach the subject by: its own, or each of the purpose's
    `channels` when it names none (None: the purpose reaches no one by a channel)."""
    if use.channel is not None or not channels:
        return (use.channel,)
    return tuple(channels)


def _consent_by(
    plan: _Plan,
    subject: SubjectState,
    use: Use | None,
    channel: Channel | None,
) -> str | None:
    """The clause of a live consent covering the purpose by `channel` (None: by any) and
    each of the use's categories (None: whatever they are)."""
    for grant in subject.consents:
        option = plan.options.get(grant.option)
        if option is None:
            continue
        categories = option.categories
        if use is not None and categories and not categories.issuperset(use.categories):
            continue  # the data "indicated in the consent" (IPKO 000#20) are not these
        if channel is None or (
            (not option.channels or channel in option.channels)
            and (not grant.channels or channel in grant.channels)
        ):
            return option.clause
    return None


def _consent_for_some_channels(plan: _Plan, subject: SubjectState, use: Use) -> bool:
    """A use names no channel, and live consents cover some of the purpose's channels only."""
    return use.channel is None and any(
        _consent_by(plan, subject, use, channel) for channel in plan.channels
    )


def _consent_for_other_categories(plan: _Plan, subject: SubjectState, use: Use) -> bool:
    """A live consent covers the purpose by the use's channels, but not all its categories."""
    return all(
        _consent_by(plan, subject, None, channel) for channel in use_channels(plan.channels, use)
    )


def covering_options(
    policy: Policy, purpose: Purpose, use: Use, *, by_categories: bool = True
) -> set[str]:
    """The consent options that cover `purpose`, the use's channel (if it has one) and,
    `by_categories`, each of its categories: a consent covers the data "indicated in the
    consent" (IPKO 000#20), every category where its option lists none."""
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


def _contract_reason(
    plan: _Plan, subject: SubjectState, use: Use, at: datetime, trail: _Trail
) -> str:
    if subject.active_contracts > 0 or plan.purpose.conditions.subject_initiated:
        return "permitted"
    return "no-contract"


def _consent_reason(
    plan: _Plan, subject: SubjectState, use: Use, at: datetime, trail: _Trail
) -> str:
    # A policy may honour an objection to a purpose that rests on consent (ipnordic's
    # cookie purposes): the objection stops it even while the consent is live.
    if plan.purpose.conditions.objection is ObjectionEffect.STOPS and (
        plan.purpose.id in subject.objections
    ):
        trail.rules += ("rights.objection", f"{plan.path}.conditions.objection")
        return "objection"
    if _has_consent(plan, subject, use, trail):
        return "permitted"
    if _consent_for_some_channels(plan, subject, use):
        return "channel-not-named"
    if _consent_for_other_categories(plan, subject, use):
        return "category-not-consented"
    withdrawn = not subject.withdrawn.isdisjoint(plan.options)
    return "consent-withdrawn" if withdrawn else "no-consent"


def _interest_reason(
    plan: _Plan, subject: SubjectState, use: Use, at: datetime, trail: _Trail
) -> str:
    conditions = plan.purpose.conditions
    path = f"{plan.path}.conditions"
    reason = "permitted"
    if plan.purpose.id in subject.objections:
        trail.rules += ("rights.objection", f"{path}.objection")
        if conditions.objection is ObjectionEffect.STOPS:
            return "objection"
        reason = "objection-overridden"
    if conditions.minors is not MinorRule.ALLOWED and is_minor(plan.policy, subject, at):
        trail.rules += ("minors", f"{path}.minors")
        if conditions.minors is MinorRule.NEVER:
            return "minor"
        if not _has_consent(plan, subject, use, trail):
            return "minor-without-consent"
    if conditions.requires_consent_option:
        trail.rules.append(f"{path}.requires_consent_option")
        if not _has_consent(plan, subject, use, trail):
            return "no-consent"
    if conditions.traffic_location_needs_consent and not plan.sensitive.isdisjoint(use.categories):
        trail.rules.append(f"{path}.traffic_location_needs_consent")
        # Data anonymised first spares the consent only where the policy says so: a
        # purpose without `unless_anonymised` needs the consent whatever is done to them.
        if conditions.unless_anonymised and use.anonymised:
            trail.rules.append(f"{path}.unless_anonymised")
            return reason
        if _has_consent(plan, subject, use, trail):
            return reason
        if conditions.unless_anonymised:
            trail.rules.append(f"{path}.unless_anonymised")
            trail.obligations.append(Obligation.ANONYMISE_FIRST)
            return "permitted-if-anonymised" if reason == "permitted" else reason
        return "traffic-location-needs-consent"
    return reason


def _permitted(plan: _Plan, subject: SubjectState, use: Use, at: datetime, trail: _Trail) -> str:
    return "permitted"  # vital interest


def _legal_obligation(
    plan: _Plan, subject: SubjectState, use: Use, at: datetime, trail: _Trail
) -> str:
    return "legal-obligation"


_BY_BASIS: dict[LegalBasis | None, Callable[[_Plan, SubjectState, Use, datetime, _Trail], str]] = {
    LegalBasis.CONTRACT: _contract_reason,
    LegalBasis.CONSENT: _consent_reason,
    LegalBasis.LEGITIMATE_INTEREST: _interest_reason,
    LegalBasis.PUBLIC_TASK: _interest_reason,
    LegalBasis.LEGAL_OBLIGATION: _legal_obligation,
}


def is_minor(policy: Policy, subject: SubjectState, at: datetime) -> bool:
    """Whether the subject is below the policy's age of majority at `at`.

    A subject whose birth date is unknown is taken as an adult: the ledger records birth
    dates for subscribers, and a minor's contract is made by a representative who says so.
    """
    if policy.minors is None or subject.birth_date is None:
        return False
    return local_date(at, policy.zone) < _birthday(subject.birth_date, policy.minors.age_below)


def _birthday(born: date, years: int) -> date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # born on 29 February: the birthday falls on 1 March
        return date(born.year + years, 3, 1)


def _compile(policy: Policy, index: PolicyIndex, purpose: Purpose) -> _Plan:
    """The checks that can end a decision on `purpose`, in the order the engine runs them.

    A legal obligation holds whatever the subject chose, so only its scope is checked; a
    purpose that survives a restriction skips both restriction checks; only direct
    marketing has the Art. 21(3) check.
    """
    path = f"purposes.{purpose.id}"
    conditions = purpose.conditions
    basis = purpose.legal_basis
    flags = [index.flags.get(category, frozenset()) for category in purpose.categories]
    survives = conditions.survives_restriction
    restricting = tuple(
        (rule, categories, f"retention_rules.{rule.id}")
        for rule, categories in index.restricting_rules
        if not survives and not any(basis in e.legal_bases for e in rule.exceptions)
    )
    checks: list[_Check] = []
    if basis is not LegalBasis.LEGAL_OBLIGATION:
        if not survives:
            checks.append(_restricted)
        if restricting:
            checks.append(_restricted_after_contract)
        if purpose.is_direct_marketing:
            checks.append(_direct_marketing_stop)
    has_location = any(CategoryFlag.LOCATION in f for f in flags)
    has_traffic = any(CategoryFlag.TRAFFIC in f for f in flags)
    return _Plan(
        policy=policy,
        purpose=purpose,
        path=path,
        cited=(path, f"{path}.legal_basis"),
        scope_rules=(f"{path}.categories", f"{path}.subject_types", f"{path}.channels"),
        categories=index.categories_of[purpose.id],
        subject_types=frozenset(purpose.subject_types),
        channels=tuple(purpose.channels),
        may_oblige=(has_location and conditions.location_precision == "country")
        or conditions.aggregated_only
        or has_traffic,
        sensitive=frozenset(
            category
            for category, category_flags in zip(purpose.categories, flags, strict=True)
            if category_flags & {CategoryFlag.TRAFFIC, CategoryFlag.LOCATION}
        ),
        restricting=restricting,
        options={
            option.id: _Option(
                frozenset(option.channels),
                frozenset(option.categories),
                f"consent_options.{option.id}",
            )
            for option in sorted(index.options_for.get(purpose.id, ()), key=lambda o: o.id)
        },
        checks=tuple(checks),
        basis=_BY_BASIS.get(basis, _permitted),
        window=None if basis is LegalBasis.LEGAL_OBLIGATION else conditions.post_contract,
        window_clause=f"{path}.conditions.post_contract",
        decisions={},
    )


def _compile_policy(policy: Policy) -> dict[str, _Plan]:
    """Each purpose of `policy` compiled, by id."""
    index = index_of(policy)
    return {purpose.id: _compile(policy, index, purpose) for purpose in policy.purposes}


_plans_of = per_policy(_compile_policy)
