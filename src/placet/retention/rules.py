"""Which retention rules govern a record, and what is due when: `retention_action`, pure.

A record (a row of a dataset the data map describes) has a record type, which names the
retention rule written for it, and holds data categories. Every rule whose categories it
holds and whose subject types include its subject's is read for it (a `RuleTerm`): the
dates of the rule's anchors, the latest of which starts the period, and the cutoff at
which the rule's action is due. The readings that decide:

- Deletion (or anonymisation) is due at the earliest cutoff among the record type's own
  rule, the other rules with a fixed period that cover the record's categories ("each
  period is a maximum and the earlier end applies": traffic data goes after 12 months in
  whichever dataset it sits), and the rules that delete data no purpose needs any more
  (GDPR Art. 5(1)(e)). A rule without a fixed period (IPKO's "until all claims are
  time-barred") governs the records of its own type only: it does not cut short the six
  years tax law sets for invoices.
- A restriction rule (IPKO: 24 months after the last contract ends) restricts the record
  from its cutoff until it is deleted.
- A rule an exception takes out (IPKO: data processed on consent) is listed, not applied.
- An anchor that has not happened yet (a contract still running, claims not yet
  time-barred) leaves its rule pending: nothing is due under it.
- A rule that runs from the end of the last contract *and/or* from another anchor (IPKO's
  invoices) runs from the other alone for a subject the ledger knows never had a contract
  (`RetentionFacts.never_had_contract`; reading `invoices-without-a-contract`). A subject
  the ledger knows nothing of may have one: the rule waits.
- Periods are calendar periods (`Period.after`); the end of a record's year is the first
  instant of the next year in the controller's zone (`Policy.zone`): an invoice made at
  00:30 on 1 January in Pristina is of the new year.

Imports nothing outside the standard library, `placet.errors` and `placet.policy`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from enum import StrEnum

from placet.errors import UnknownReferenceError
from placet.policy.calendar import local_date, start_of_year
from placet.policy.model import (
    CategoryId,
    Policy,
    RetentionException,
    RetentionRule,
    SubjectTypeId,
)
from placet.policy.terms import Anchor, LegalBasis, RetentionAction

__all__ = [
    "ANCHOR_FACTS",
    "AnchorDate",
    "RetainedRecord",
    "RetentionDecision",
    "RetentionFacts",
    "RuleStatus",
    "RuleTerm",
    "anchor_date",
    "applicable_rules",
    "binds",
    "covering_exceptions",
    "exception_end",
    "is_excepted",
    "is_unlimited",
    "retention_action",
    "waives_contract_end",
]


@dataclass(frozen=True, slots=True)
class RetainedRecord:
    """What retention needs to know of one record (or of a dataset's records in general).

    `record_type` is the id of the retention rule the data map names for the record's
    dataset; `collected_at` is its time column (when it was made or collected).
    """

    record_type: str
    categories: tuple[CategoryId, ...] = ()
    subject_type: SubjectTypeId | None = None
    collected_at: datetime | None = None
    legal_basis: LegalBasis | None = None
    """The basis the record is processed on, where a rule's exception turns on it."""


@dataclass(frozen=True, slots=True)
class RetentionFacts:
    """When the events that retention periods run from happened for the record's subject;
    None: not (yet). Contract and debt dates come from the ledger's projection."""

    last_contract_end: datetime | None = None
    """When the subject's last contract ended; None while a contract runs, or if none."""
    never_had_contract: bool = False
    """The ledger knows the subject and records no contract of theirs, running or ended:
    the end of a contract is no anchor for them where a rule has another
    (`waives_contract_end`). False also where the ledger does not know the subject."""
    debt_settled_at: datetime | None = None
    claims_time_barred_at: datetime | None = None
    investment_ended_at: datetime | None = None
    consent_withdrawn_at: datetime | None = None
    objected_at: datetime | None = None
    """When the subject objected (or a business entity opted out)."""
    campaign_ended_at: datetime | None = None
    purpose_fulfilled_at: datetime | None = None
    """When the data stopped being needed for every purpose it was collected for."""


@dataclass(frozen=True, slots=True)
class AnchorDate:
    """One anchor of a rule and when it happened for this record (None: not yet)."""

    anchor: Anchor
    at: datetime | None
    counts: bool = True
    """False: the anchor does not apply to the record's subject (the end of a contract,
    for a subject who never had one, where the rule has another anchor)."""


class RuleStatus(StrEnum):
    """How a rule stands for one record."""

    PENDING = "pending"
    """An anchor has not happened: the period has not started."""
    RUNNING = "running"
    """The period runs; the cutoff is ahead."""
    DUE = "due"
    """The cutoff has passed: the rule's action is due."""
    EXCEPTED = "excepted"
    """An exception of the rule covers the record: the rule does not apply to it."""
    UNLIMITED = "unlimited"
    """The rule keeps the record without limit (anonymised data)."""


@dataclass(frozen=True, slots=True)
class RuleTerm:
    """One rule read for one record: its anchors' dates, the cutoff, and how it stands."""

    rule: str
    action: RetentionAction
    anchors: tuple[AnchorDate, ...]
    starts: datetime | None
    """The latest anchor: when the period starts; None while one has not happened."""
    cutoff: datetime | None
    """When the action is due: `starts` plus the period (or `starts` when there is none)."""
    status: RuleStatus
    is_record_type: bool
    """The rule the data map names for the record (the others apply by category)."""
    binds: bool
    """Whether the rule takes part in the decision (see the module's readings)."""


@dataclass(frozen=True, slots=True)
class RetentionDecision:
    """What retention says of a record at an instant, and every rule it read."""

    action: RetentionAction
    """What is due now: delete, anonymise, restrict, or keep."""
    rule: str | None
    """The rule that makes it due (for keep: the rule whose cutoff comes next, if any)."""
    due_since: datetime | None
    """Since when the action is due (None for keep)."""
    next_cutoff: datetime | None
    """The next cutoff still ahead among the binding rules (None: none is known)."""
    delete_at: datetime | None
    """When the record is deleted or anonymised, as far as is known now."""
    terms: tuple[RuleTerm, ...]
    explanation: str


_DESTROYING = frozenset({RetentionAction.DELETE, RetentionAction.ANONYMISE})


def retention_action(
    policy: Policy, record: RetainedRecord, facts: RetentionFacts, at: datetime
) -> RetentionDecision:
    """What retention requires of `record` at `at`, under `policy`, given `facts`.

    retention_action(policy, RetainedRecord("traffic-and-location-data",
                     collected_at=datetime(2025, 3, 31, tzinfo=UTC)), RetentionFacts(), now)
    """
    own, others = applicable_rules(policy, record.record_type, record.categories)
    rules = [own, *(rule for rule in others if _concerns(rule, record))]
    terms = tuple(
        _term(rule, record, facts, at, is_record_type=rule is own, zone=policy.zone)
        for rule in rules
    )
    return _decide(terms, at, policy.zone)


def applicable_rules(
    policy: Policy, record_type: str, categories: Iterable[CategoryId]
) -> tuple[RetentionRule, list[RetentionRule]]:
    """The record type's own rule, and the other rules (in the policy's order) that cover
    one of `categories` and do not keep data without limit."""
    own = _rule(policy, record_type)
    held = set(categories)
    others = [
        rule
        for rule in policy.retention_rules
        if rule is not own
        and rule.action is not RetentionAction.KEEP
        and held & set(rule.categories)
    ]
    return own, others


def binds(rule: RetentionRule, *, is_record_type: bool) -> bool:
    """Whether the rule takes part in the decision (the module's readings): the record
    type's own, every restriction, and the deletions with a fixed period or that delete
    data no purpose needs."""
    if is_record_type or rule.action is RetentionAction.RESTRICT:
        return True
    return rule.action in _DESTROYING and (
        rule.period is not None or Anchor.PURPOSE_FULFILLED in rule.anchors
    )


def covering_exceptions(
    rule: RetentionRule, legal_basis: LegalBasis | None
) -> list[RetentionException]:
    """The exceptions of the rule that cover records processed on `legal_basis`."""
    if legal_basis is None:
        return []
    return [exception for exception in rule.exceptions if legal_basis in exception.legal_bases]


def is_excepted(rule: RetentionRule, legal_basis: LegalBasis | None) -> bool:
    """Whether an exception of the rule covers records processed on `legal_basis`."""
    return bool(covering_exceptions(rule, legal_basis))


def exception_end(
    rule: RetentionRule, record: RetainedRecord, facts: RetentionFacts, zone: tzinfo = UTC
) -> datetime | None:
    """When the exceptions covering `record` stopped covering it: the earliest end of each
    that has one (`RetentionException.until`), the latest among them; None while one still
    covers it, or when none does (then `is_excepted` tells which)."""
    ends: list[datetime] = []
    for exception in covering_exceptions(rule, record.legal_basis):
        happened = [
            end.period.after(instant) if end.period is not None else instant
            for end in exception.until
            if (instant := anchor_date(end.anchor, record, facts, zone)) is not None
        ]
        if not happened:
            return None
        ends.append(min(happened))
    return max(ends, default=None)


def waives_contract_end(rule: RetentionRule) -> bool:
    """Whether the rule runs from the end of the last contract *and/or* another anchor, so
    that for a subject who never had a contract it runs from the others alone (reading
    `invoices-without-a-contract`). A rule that runs from the end of a contract alone
    never starts for such a subject."""
    return Anchor.END_OF_LAST_CONTRACT in rule.anchors and len(set(rule.anchors)) > 1


def is_unlimited(rule: RetentionRule) -> bool:
    """Whether the rule keeps its records without limit (anonymised data)."""
    return rule.action is RetentionAction.KEEP or not rule.maximum


def _rule(policy: Policy, rule_id: str) -> RetentionRule:
    for rule in policy.retention_rules:
        if rule.id == rule_id:
            return rule
    raise UnknownReferenceError(
        "retention_rule", rule_id, f"policy {policy.policy_id} {policy.version}"
    )


def _concerns(rule: RetentionRule, record: RetainedRecord) -> bool:
    """Whether a rule that covers the record's categories concerns its subject's type
    (rules of no type concern all)."""
    if rule.subject_types and record.subject_type is not None:
        return record.subject_type in rule.subject_types
    # A rule for some subject types, and a record whose subject's type is unknown: the rule
    # is read (a restriction or an earlier deletion protects the subject more).
    return True


def _term(
    rule: RetentionRule,
    record: RetainedRecord,
    facts: RetentionFacts,
    at: datetime,
    *,
    is_record_type: bool,
    zone: tzinfo,
) -> RuleTerm:
    waived = facts.never_had_contract and waives_contract_end(rule)
    anchors = tuple(
        AnchorDate(anchor, None, counts=False)
        if waived and anchor is Anchor.END_OF_LAST_CONTRACT
        else AnchorDate(anchor, anchor_date(anchor, record, facts, zone))
        for anchor in rule.anchors
    )
    counted = [anchor.at for anchor in anchors if anchor.counts]
    starts = cutoff = None
    exception_ended = exception_end(rule, record, facts, zone)
    if is_unlimited(rule):
        status = RuleStatus.UNLIMITED
    elif is_excepted(rule, record.legal_basis) and exception_ended is None:
        status = RuleStatus.EXCEPTED
    elif any(at is None for at in counted) or not counted:
        status = RuleStatus.PENDING
    else:
        starts = max(at for at in counted if at is not None)
        cutoff = rule.period.after(starts) if rule.period is not None else starts
        if exception_ended is not None:
            # The exception keeps the record longer, never shorter ("where that is longer").
            cutoff = max(cutoff, exception_ended)
        status = RuleStatus.DUE if cutoff <= at else RuleStatus.RUNNING
    takes_part = binds(rule, is_record_type=is_record_type) and (
        is_record_type or status is not RuleStatus.EXCEPTED
    )
    return RuleTerm(
        rule.id, rule.action, anchors, starts, cutoff, status, is_record_type, takes_part
    )


ANCHOR_FACTS: dict[Anchor, str] = {
    Anchor.END_OF_LAST_CONTRACT: "last_contract_end",
    Anchor.DEBT_SETTLED: "debt_settled_at",
    Anchor.CLAIMS_TIME_BARRED: "claims_time_barred_at",
    Anchor.END_OF_INVESTMENT: "investment_ended_at",
    Anchor.CONSENT_WITHDRAWN: "consent_withdrawn_at",
    Anchor.OBJECTION: "objected_at",
    Anchor.END_OF_CAMPAIGN: "campaign_ended_at",
    Anchor.PURPOSE_FULFILLED: "purpose_fulfilled_at",
}
"""The field of `RetentionFacts` (and column of `FACT_COLUMNS`) each subject's anchor is in;
the other anchors come from the record's own instant."""


def anchor_date(
    anchor: Anchor, record: RetainedRecord, facts: RetentionFacts, zone: tzinfo = UTC
) -> datetime | None:
    """When `anchor` happened for `record` (its own instant, the end of its year in `zone`,
    or the subject's fact); None: not (yet)."""
    if anchor is Anchor.COLLECTION:
        return record.collected_at
    if anchor is Anchor.END_OF_YEAR:
        if record.collected_at is None:
            return None
        return start_of_year(local_date(record.collected_at, zone).year + 1, zone)
    found: datetime | None = getattr(facts, ANCHOR_FACTS[anchor])
    return found


def _decide(terms: tuple[RuleTerm, ...], at: datetime, zone: tzinfo) -> RetentionDecision:
    binding = [term for term in terms if term.binds and term.cutoff is not None]
    own = next(term for term in terms if term.is_record_type)
    if own.status is RuleStatus.UNLIMITED:
        return RetentionDecision(
            RetentionAction.KEEP,
            own.rule,
            None,
            None,
            None,
            terms,
            f"Rule {own.rule} keeps these records without limit.",
        )
    destroying = [term for term in binding if term.action in _DESTROYING]
    restricting = [term for term in binding if term.action is RetentionAction.RESTRICT]
    deletion = min(destroying, key=_cutoff, default=None)
    restriction = min(restricting, key=_cutoff, default=None)
    delete_at = deletion.cutoff if deletion is not None else None
    upcoming = min((term for term in binding if _cutoff(term) > at), key=_cutoff, default=None)
    next_cutoff = upcoming.cutoff if upcoming is not None else None
    if deletion is not None and deletion.status is RuleStatus.DUE:
        return RetentionDecision(
            deletion.action,
            deletion.rule,
            deletion.cutoff,
            None,
            delete_at,
            terms,
            f"{deletion.action.value.capitalize()} due since {_day(deletion.cutoff, zone)} "
            f"under rule {deletion.rule}.",
        )
    if restriction is not None and restriction.status is RuleStatus.DUE:
        until = f"; deleted on {_day(delete_at, zone)}" if delete_at is not None else ""
        return RetentionDecision(
            RetentionAction.RESTRICT,
            restriction.rule,
            restriction.cutoff,
            next_cutoff,
            delete_at,
            terms,
            f"Restricted since {_day(restriction.cutoff, zone)} under rule {restriction.rule}"
            f"{until}: only stored, or used for legal claims (Art. 18(2)).",
        )
    if upcoming is None:
        pending = ", ".join(term.rule for term in terms if term.binds) or own.rule
        explanation = f"Kept: no cutoff is known yet (pending: {pending})."
    else:
        explanation = (
            f"Kept until {_day(upcoming.cutoff, zone)}, when rule {upcoming.rule} makes it "
            f"{upcoming.action.value}."
        )
    return RetentionDecision(
        RetentionAction.KEEP,
        upcoming.rule if upcoming is not None else None,
        None,
        next_cutoff,
        delete_at,
        terms,
        explanation,
    )


def _cutoff(term: RuleTerm) -> datetime:
    if term.cutoff is None:  # pragma: no cover - only terms with a cutoff are compared
        raise ValueError(f"rule {term.rule} has no cutoff")
    return term.cutoff


def _day(instant: datetime | None, zone: tzinfo) -> str:
    """The date `instant` falls on in the controller's zone."""
    return local_date(instant, zone).isoformat() if instant is not None else "an unknown date"
