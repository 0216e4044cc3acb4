"""Record what a subject said or what happened to their contract: one ledger event per call.

Each function turns a subscriber identifier and what happened into a `LedgerEvent`: the
subject pseudonymised with the operator's key, the policy version in force at the instant
it takes effect, how and by whom it was collected. It checks the event against that
policy version (the consent option, channels and purpose exist), appends it, and says
whether it was recorded now or found under its idempotency key. Both the API and the CLI
call these; they take the ledger, the policy set and the key as arguments.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from placet.errors import InvalidEventError
from placet.ledger import (
    BusinessOptOutEnded,
    BusinessOptOutMade,
    CollectedVia,
    ConsentGiven,
    ConsentLog,
    ConsentWithdrawn,
    ContractEnded,
    ContractStarted,
    DebtIncurred,
    DebtSettled,
    EventData,
    GivenBy,
    LedgerEntry,
    LedgerEvent,
    ObjectionMade,
    ObjectionWithdrawn,
    PseudonymKey,
    RestrictionGround,
    RestrictionLifted,
    RestrictionSet,
    SubjectFactsRecorded,
    SubjectRef,
    pseudonymise_subject,
)
from placet.policy import Policy, PolicySet
from placet.policy.terms import Channel

__all__ = [
    "Provenance",
    "Recorded",
    "end_business_opt_out",
    "end_contract",
    "give_consent",
    "incur_debt",
    "lift_restriction",
    "make_objection",
    "record_business_opt_out",
    "record_event",
    "record_subject_facts",
    "set_restriction",
    "settle_debt",
    "start_contract",
    "subject_ref",
    "withdraw_consent",
    "withdraw_objection",
]

log = logging.getLogger(__name__)

_Data = TypeVar("_Data", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Provenance:
    """How an event reached the operator, and who recorded it.

    `actor` is a staff id or system name, `evidence` a reference (a form's id), never a
    person's name; `personal` is personal data kept as evidence (the MSISDN collected from),
    stored outside the hash chain so that it can be erased.
    """

    collected_via: CollectedVia
    actor: str
    given_by: GivenBy = GivenBy.SUBJECT
    evidence: str | None = None
    personal: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Recorded:
    """The ledger entry of an event, and whether this call recorded it.

    `created` is False when the idempotency key had been used before: `entry` is then the
    event first recorded under it (an HTTP API answers 200 instead of 201).
    """

    entry: LedgerEntry
    created: bool


def subject_ref(identifier: str, key: PseudonymKey) -> SubjectRef:
    """The subject's pseudonym in the ledger, from the operator's identifier (MSISDN, customer no).

    The identifier is used as given, stripped of surrounding spaces: give one normal form.
    """
    identifier = identifier.strip()
    if not identifier:
        raise InvalidEventError(
            "the subject identifier is empty",
            "Give the subscriber's identifier: a customer number or an MSISDN in E.164",
        )
    return pseudonymise_subject(identifier, key)


def record_event(
    ledger: ConsentLog,
    policies: PolicySet,
    key: PseudonymKey,
    subject: str,
    data: EventData,
    *,
    provenance: Provenance,
    recorded_at: datetime,
    effective_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Recorded:
    """Append one event about the subject `subject` (an identifier, pseudonymised here).

    `effective_at` defaults to `recorded_at`; the event names the policy version in force at
    `effective_at`. Re-sending an `idempotency_key` returns the event first recorded under
    it (`created` False); when the retry leaves `effective_at` out, the original's instant
    is taken, so that a retry of "now" is the same request.
    """
    _require_aware(recorded_at, "recorded_at")
    if effective_at is not None:
        _require_aware(effective_at, "effective_at")
    reference = subject_ref(subject, key)
    if idempotency_key is not None and effective_at is None:
        original = ledger.entry_by_key(idempotency_key)
        if original is not None:
            effective_at = original.event.effective_at
    effective = effective_at or recorded_at
    policy = policies.in_force(effective)
    _check_against_policy(data, policy)
    event = _build_event(
        {
            "subject": reference,
            "data": data,
            "effective_at": effective,
            "recorded_at": recorded_at,
            "collected_via": provenance.collected_via,
            "given_by": provenance.given_by,
            "actor": provenance.actor,
            "evidence": provenance.evidence,
            "policy_id": policy.policy_id,
            "policy_version": policy.version,
            "idempotency_key": idempotency_key,
            "personal": dict(provenance.personal) if provenance.personal is not None else None,
        }
    )
    entry = ledger.append(event)
    created = entry.event.event_id == event.event_id
    if created:
        log.info(
            "ledger event recorded",
            extra={"subject": reference, "type": event.type.value, "seq": entry.seq},
        )
    return Recorded(entry, created)


def give_consent(
    ledger: ConsentLog,
    policies: PolicySet,
    key: PseudonymKey,
    subject: str,
    option: str,
    *,
    provenance: Provenance,
    channels: Iterable[Channel] = (),
    recorded_at: datetime,
    effective_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Recorded:
    """Record that the subject agreed to a consent option, on `channels` (none: all it covers)."""
    data = _data(ConsentGiven, option=option, channels=frozenset(channels))
    return record_event(
        ledger,
        policies,
        key,
        subject,
        data,
        provenance=provenance,
        recorded_at=recorded_at,
        effective_at=effective_at,
        idempotency_key=idempotency_key,
    )


def withdraw_consent(
    ledger: ConsentLog,
    policies: PolicySet,
    key: PseudonymKey,
    subject: str,
    option: str,
    *,
    provenance: Provenance,
    channels: Iterable[Channel] = (),
    recorded_at: datetime,
    effective_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Recorded:
    """Record that the subject withdrew a consent option (on `channels`; none: entirely)."""
    data = _data(ConsentWithdrawn, option=option, channels=frozenset(channels))
    return record_event(
        ledger,
        policies,
        key,
        subject,
        data,
        provenance=provenance,
        recorded_at=recorded_at,
        effective_at=effective_at,
        idempotency_key=idempotency_key,
    )


def make_objection(
    ledger: ConsentLog,
    policies: PolicySet,
    key: PseudonymKey,
    subject: str,
    *,
    provenance: Provenance,
    purpose: str | None = None,
    all_direct_marketing: bool = False,
    recorded_at: datetime,
    effective_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Recorded:
    """Record an objection to a purpose (Art. 21(1)) or to all direct marketing (Art. 21(2))."""
    data = _objection(ObjectionMade, purpose, all_direct_marketing)
    return record_event(
        ledger,
        policies,
        key,
        subject,
        data,
        provenance=provenance,
        recorded_at=recorded_at,
        effective_at=effective_at,
        idempotency_key=idempotency_key,
    )


def withdraw_objection(
    ledger: ConsentLog,
    policies: PolicySet,
    key: PseudonymKey,
    subject: str,
    *,
    provenance: Provenance,
    purpose: str | None = None,
    all_direct_marketing: bool = False,
    recorded_at: datetime,
    effective_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Recorded:
    """Record that the subject withdrew an objection."""
    data = _objection(ObjectionWithdrawn, purpose, all_direct_marketing)
    return record_event(
        ledger,
        policies,
        key,
        subject,
        data,
        provenance=provenance,
        recorded_at=recorded_at,
        effective_at=effective_at,
        idempotency_key=idempotency_key,
    )


def set_restriction(
    ledger: ConsentLog,
    policies: PolicySet,
    key: PseudonymKey,
    subject: str,
    *,
    provenance: Provenance,
    ground: RestrictionGround | None = None,
    recorded_at: datetime,
    effective_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Recorded:
    """Record that processing of the subject's data is restricted (Art. 18), on `ground`."""
    return record_event(
        ledger,
        policies,
        key,
        subject,
        _data(RestrictionSet, ground=ground),
        provenance=provenance,
        recorded_at=recorded_at,
        effective_at=effective_at,
        idempotency_key=idempotency_key,
    )


def lift_restriction(
    ledger: ConsentLog,
    policies: PolicySet,
    key: PseudonymKey,
    subject: str,
    *,
    provenance: Provenance,
    recorded_at: datetime,
    effective_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Recorded:
    """Record that a restriction of processing was lifted (tell the subject first, Art. 18(3))."""
    return record_event(
        ledger,
        policies,
        key,
        subject,
        RestrictionLifted(),
        provenance=provenance,
        recorded_at=recorded_at,
        effective_at=effective_at,
        idempotency_key=idempotency_key,
    )


def start_contract(
    ledger: ConsentLog,
    policies: PolicySet,
    key: PseudonymKey,
    subject: str,
    contract: str,
    *,
    provenance: Provenance,
    recorded_at: datetime,
    effective_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Recorded:
    """Record that a contract (an opaque reference, never a phone number) started."""
    return record_event(
        ledger,
        policies,
        key,
        subject,
        _data(ContractStarted, contract=contract),
        provenance=provenance,
        recorded_at=recorded_at,
        effective_at=effective_at,
        idempotency_key=idempotency_key,
    )


def end_contract(
    ledger: ConsentLog,
    policies: PolicySet,
    key: PseudonymKey,
    subject: str,
    contract: str,
    *,
    provenance: Provenance,
    recorded_at: datetime,
    effective_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Recorded:
    """Record that a contract ended."""
    return record_event(
        ledger,
        policies,
        key,
        subject,
        _data(ContractEnded, contract=contract),
        provenance=provenance,
        recorded_at=recorded_at,
        effective_at=effective_at,
        idempotency_key=idempotency_key,
    )


def record_business_opt_out(
    ledger: ConsentLog,
    policies: PolicySet,
    key: PseudonymKey,
    subject: str,
    *,
    provenance: Provenance,
    until: datetime | None = None,
    recorded_at: datetime,
    effective_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Recorded:
    """Record a business entity's opt-out of direct marketing, permanent or `until` an instant."""
    return record_event(
        ledger,
        policies,
        key,
        subject,
        _data(BusinessOptOutMade, until=until),
        provenance=provenance,
        recorded_at=recorded_at,
        effective_at=effective_at,
        idempotency_key=idempotency_key,
    )


def end_business_opt_out(
    ledger: ConsentLog,
    policies: PolicySet,
    key: PseudonymKey,
    subject: str,
    *,
    provenance: Provenance,
    recorded_at: datetime,
    effective_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Recorded:
    """Record that a business entity's opt-out of direct marketing ended."""
    return record_event(
        ledger,
        policies,
        key,
        subject,
        BusinessOptOutEnded(),
        provenance=provenance,
        recorded_at=recorded_at,
        effective_at=effective_at,
        idempotency_key=idempotency_key,
    )


def incur_debt(
    ledger: ConsentLog,
    policies: PolicySet,
    key: PseudonymKey,
    subject: str,
    debt: str,
    *,
    provenance: Provenance,
    recorded_at: datetime,
    effective_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Recorded:
    """Record that the subject owes a claim (an opaque reference): it holds back restriction."""
    return record_event(
        ledger,
        policies,
        key,
        subject,
        _data(DebtIncurred, debt=debt),
        provenance=provenance,
        recorded_at=recorded_at,
        effective_at=effective_at,
        idempotency_key=idempotency_key,
    )


def settle_debt(
    ledger: ConsentLog,
    policies: PolicySet,
    key: PseudonymKey,
    subject: str,
    debt: str,
    *,
    provenance: Provenance,
    recorded_at: datetime,
    effective_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Recorded:
    """Record that a claim on the subject was settled."""
    return record_event(
        ledger,
        policies,
        key,
        subject,
        _data(DebtSettled, debt=debt),
        provenance=provenance,
        recorded_at=recorded_at,
        effective_at=effective_at,
        idempotency_key=idempotency_key,
    )


def record_subject_facts(
    ledger: ConsentLog,
    policies: PolicySet,
    key: PseudonymKey,
    subject: str,
    *,
    provenance: Provenance,
    subject_type: str | None = None,
    birth_date: date | None = None,
    recorded_at: datetime,
    effective_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Recorded:
    """Record facts rules depend on: the subject type (`consumer-subscriber`), the birth date.

    A fact left out keeps its earlier value; give at least one.
    """
    if subject_type is None and birth_date is None:
        raise InvalidEventError(
            "subject facts name neither a subject type nor a birth date",
            "Give `subject_type`, `birth_date` or both",
        )
    data = _data(SubjectFactsRecorded, subject_type=subject_type, birth_date=birth_date)
    return record_event(
        ledger,
        policies,
        key,
        subject,
        data,
        provenance=provenance,
        recorded_at=recorded_at,
        effective_at=effective_at,
        idempotency_key=idempotency_key,
    )


def _objection(
    kind: type[ObjectionMade] | type[ObjectionWithdrawn],
    purpose: str | None,
    all_direct_marketing: bool,
) -> ObjectionMade | ObjectionWithdrawn:
    if (purpose is None) == (not all_direct_marketing):
        raise InvalidEventError(
            "an objection names either a purpose or all direct marketing, not both or neither",
            "Give `purpose` (Art. 21(1)) or `all_direct_marketing` (Art. 21(2))",
        )
    return _data(kind, purpose=purpose, all_direct_marketing=all_direct_marketing)


def _check_against_policy(data: EventData, policy: Policy) -> None:
    """The consent option, its channels and the purpose objected to exist in this version."""
    where = f"policy {policy.policy_id} {policy.version}"
    if isinstance(data, ConsentGiven | ConsentWithdrawn):
        option = next((o for o in policy.consent_options if o.id == data.option), None)
        if option is None:
            known = ", ".join(o.id for o in policy.consent_options)
            raise InvalidEventError(
                f"consent option '{data.option}' is not in {where}",
                f"Use one of its consent options: {known}",
            )
        extra = sorted(set(data.channels) - set(option.channels)) if option.channels else []
        if extra:
            raise InvalidEventError(
                f"consent option '{option.id}' of {where} does not cover the channel(s) "
                f"{', '.join(extra)}",
                f"Name only channels it covers ({', '.join(option.channels)}), or none for all",
            )
    objected = data.purpose if isinstance(data, ObjectionMade | ObjectionWithdrawn) else None
    if objected is not None and all(purpose.id != objected for purpose in policy.purposes):
        known = ", ".join(purpose.id for purpose in policy.purposes)
        raise InvalidEventError(
            f"purpose '{objected}' is not in {where}",
            f"Object to one of its purposes ({known}), or to all direct marketing",
        )
    _check_subject_type(data, policy, where)


def _data(kind: type[_Data], **fields: object) -> _Data:
    """What happened, validated; a bad field is an `InvalidEventError` naming it."""
    try:
        return kind.model_validate(fields)
    except ValidationError as exc:
        raise _invalid(exc) from exc


def _build_event(fields: dict[str, object]) -> LedgerEvent:
    try:
        return LedgerEvent.model_validate(fields)
    except ValidationError as exc:
        raise _invalid(exc) from exc


def _invalid(exc: ValidationError) -> InvalidEventError:
    problems = "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or 'event'}: {error['msg']}"
        for error in exc.errors()
    )
    return InvalidEventError(
        f"the event is not valid ({problems})", "Correct the fields named and send it again"
    )


def _check_subject_type(data: EventData, policy: Policy, where: str) -> None:
    if isinstance(data, SubjectFactsRecorded) and data.subject_type is not None:
        known = [subject_type.id for subject_type in policy.subject_types]
        if data.subject_type not in known:
            raise InvalidEventError(
                f"subject type '{data.subject_type}' is not in {where}",
                f"Use one of its subject types: {', '.join(known)}",
            )


def _require_aware(instant: datetime, name: str) -> None:
    if instant.tzinfo is None:
        raise InvalidEventError(
            f"`{name}` {instant.isoformat()} has no time zone",
            "Give instants with a time zone, e.g. 2025-03-01T09:30:00Z",
        )
