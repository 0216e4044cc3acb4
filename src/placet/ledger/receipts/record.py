"""The consent receipt: an ISO/IEC TS 27560 record of one consent event, as the subject gets it.

A receipt is built from a consent event (given or withdrawn) and the policy version it was
recorded under. It names the subject by their pseudonym only and never reads the event's
personal payload. Pure: the instant of issue is an argument, and ids are derived (UUIDv5)
from the event, so the same inputs always build the same receipt.
Imports nothing outside the standard library, pydantic, `placet.policy` and `placet.ledger`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Final, Literal
from uuid import UUID, uuid5

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints

from placet.errors import ReceiptError, UnknownReferenceError
from placet.ledger.chain import LedgerEntry
from placet.ledger.events import (
    CollectedVia,
    ConsentGiven,
    ConsentWithdrawn,
    GivenBy,
    LedgerEvent,
)
from placet.policy.model import ConsentOption, Period, Policy, PolicyText, Purpose
from placet.policy.terms import (
    Anchor,
    CategoryFlag,
    Channel,
    LegalBasis,
    RecipientKind,
    RetentionAction,
    RightKind,
    TransferSafeguard,
)

__all__ = [
    "ISO_27560_FIELDS",
    "SCHEMA_VERSION",
    "ConsentStatus",
    "Receipt",
    "ReceiptConsent",
    "ReceiptContact",
    "ReceiptController",
    "ReceiptDataCategory",
    "ReceiptEvent",
    "ReceiptJurisdiction",
    "ReceiptNotice",
    "ReceiptPurpose",
    "ReceiptRecipient",
    "ReceiptRetention",
    "ReceiptWithdrawal",
    "build_receipt",
    "iso_duration",
]

SCHEMA_VERSION: Final = "placet-27560/1"
"""The version of the receipt's own schema, which follows ISO/IEC TS 27560:2023."""
_NAMESPACE = UUID("5d1c3f0e-7a4b-5c8e-9f21-0b6d4e8a2c71")
"""Receipt and record ids are UUIDv5 in this namespace, so a receipt can be rebuilt."""


class ConsentStatus(StrEnum):
    """What the event a receipt is for did to the consent."""

    GIVEN = "given"
    WITHDRAWN = "withdrawn"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReceiptNotice(_Record):
    """The privacy notice the consent was given under: the policy version in force."""

    policy_id: str
    version: str
    effective_from: date
    title: str
    language: str
    """The language of every policy text in the receipt (ISO 639-1)."""
    url: str | None = None


class ReceiptConsent(_Record):
    """The consent option the event is about, with the words the subject agreed to."""

    option: str
    name: str
    statement: str | None = None


class ReceiptPurpose(_Record):
    id: str
    name: str
    legal_basis: LegalBasis | None
    is_direct_marketing: bool
    uses_profiling: bool
    data_categories: tuple[str, ...]
    """The receipt's data categories this purpose processes, by id."""


class ReceiptDataCategory(_Record):
    id: str
    name: str
    flags: tuple[CategoryFlag, ...] = ()


class ReceiptContact(_Record):
    role: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None


class ReceiptController(_Record):
    legal_name: str
    address: str
    country: str
    email: str | None = None
    phone: str | None = None
    web: str | None = None
    dpo: ReceiptContact


class ReceiptRetention(_Record):
    """One retention rule of the policy that covers some of the receipt's data categories."""

    rule: str
    record_type: str
    data_categories: tuple[str, ...]
    duration: str | None
    """An ISO 8601 duration (`P12M`); None when the criteria set the period."""
    is_maximum: bool
    runs_from: tuple[Anchor, ...]
    action: RetentionAction
    criteria: str | None = None
    legal_ground: str | None = None


class ReceiptJurisdiction(_Record):
    country: str
    """ISO 3166 code; XK for Kosovo."""
    law: str


class ReceiptRecipient(_Record):
    id: str
    name: str
    kind: RecipientKind
    country: str | None = None
    third_country: bool = False
    safeguard: TransferSafeguard | None = None
    purposes: tuple[str, ...]
    """The receipt's purposes it receives data for, by id."""


class ReceiptWithdrawal(_Record):
    """How the subject withdraws this consent (Art. 7(3))."""

    channels: tuple[Channel, ...]
    description: str | None = None


class ReceiptEvent(_Record):
    """One consent event: what it did, when, how it was collected and who gave it."""

    event_id: UUID
    status: ConsentStatus
    channels: tuple[Channel, ...]
    """The channels it concerns: all those the option covers when the subject named none."""
    effective_at: AwareDatetime
    recorded_at: AwareDatetime
    collected_via: CollectedVia
    given_by: GivenBy
    recorded_by: str
    """The staff id or system that recorded it, never a person's name."""
    evidence: str | None = None
    policy_version: str
    ledger_position: int | None = None
    ledger_hash: str | None = None
    """Where the event sits in the hash chain, when the receipt was built from a ledger entry."""


class Receipt(_Record):
    """A consent record (ISO/IEC TS 27560) of one consent event, as the subject receives it."""

    schema_version: Literal["placet-27560/1"] = SCHEMA_VERSION
    record_id: UUID
    """The same for every receipt about this subject's consent to this option."""
    receipt_id: UUID
    """One per consent event."""
    issued_at: AwareDatetime
    status: ConsentStatus
    principal: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    """The subject's pseudonym in the ledger: never a name, number or address."""
    notice: ReceiptNotice
    consent: ReceiptConsent
    purposes: tuple[ReceiptPurpose, ...]
    data_categories: tuple[ReceiptDataCategory, ...]
    controllers: tuple[ReceiptController, ...]
    retention: tuple[ReceiptRetention, ...]
    jurisdiction: ReceiptJurisdiction
    recipients: tuple[ReceiptRecipient, ...]
    withdrawal: ReceiptWithdrawal
    legal_basis: LegalBasis
    events: tuple[ReceiptEvent, ...]
    """This event and the earlier ones given, oldest first."""


ISO_27560_FIELDS: dict[str, str] = {
    "record id": "record_id",
    "receipt id": "receipt_id",
    "schema version": "schema_version",
    "PII principal": "principal",
    "notice": "notice",
    "language": "notice.language",
    "purposes": "purposes",
    "PII (data categories)": "data_categories",
    "PII controllers": "controllers",
    "storage and retention": "retention",
    "jurisdiction": "jurisdiction",
    "recipients": "recipients",
    "withdrawal method": "withdrawal",
    "legal basis": "legal_basis",
    "events": "events",
}
"""Each ISO/IEC TS 27560 record field and the `Receipt` attribute that holds it."""


def iso_duration(period: Period) -> str:
    """The period as an ISO 8601 duration: `12 months` is `P12M`, `6 years` is `P6Y`."""
    return f"P{period.amount}{period.unit[0].upper()}"


def build_receipt(
    source: LedgerEvent | LedgerEntry,
    policy: Policy,
    *,
    issued_at: datetime,
    language: str | None = None,
    notice_url: str | None = None,
    earlier: Sequence[LedgerEvent | LedgerEntry] = (),
) -> Receipt:
    """The receipt of one consent event, under `policy`: the version it was recorded under.

    `language` picks the policy texts (the policy's source language if None); `earlier`
    are the subject's earlier events about the same consent option, listed in `events`.
    Give a `LedgerEntry` to name the event's position and hash in the chain.
    """
    entry, event = _unwrap(source)
    data = _consent_data(event)
    if (event.policy_id, event.policy_version) != (policy.policy_id, policy.version):
        raise ReceiptError(
            f"event {event.event_id} was recorded under policy {event.policy_id} "
            f"{event.policy_version}, not {policy.policy_id} {policy.version}",
            "Build its receipt with the policy version the event names",
        )
    lang = _language(policy, language)
    option = _option(policy, data.option, event)
    history = _history(event, earlier)
    purposes = [policy.purpose(purpose_id) for purpose_id in option.purposes]
    categories = _categories(option, purposes)
    return Receipt(
        record_id=uuid5(_NAMESPACE, f"record/{policy.policy_id}/{event.subject}/{option.id}"),
        receipt_id=uuid5(_NAMESPACE, f"receipt/{event.event_id}"),
        issued_at=issued_at.astimezone(UTC),
        status=_status(data),
        principal=event.subject,
        notice=ReceiptNotice(
            policy_id=policy.policy_id,
            version=policy.version,
            effective_from=policy.effective_from,
            title=_text(policy.title, lang, policy),
            language=lang,
            url=notice_url,
        ),
        consent=ReceiptConsent(
            option=option.id,
            name=_text(option.name, lang, policy),
            statement=_optional_text(option.statement, lang, policy),
        ),
        purposes=tuple(_purpose(purpose, categories, lang, policy) for purpose in purposes),
        data_categories=tuple(_category(policy, category, lang) for category in categories),
        controllers=(_controller(policy, lang),),
        retention=_retention(policy, categories, lang),
        jurisdiction=ReceiptJurisdiction(
            country=policy.controller.country,
            law=_text(policy.controller.jurisdiction, lang, policy),
        ),
        recipients=_recipients(policy, option, lang),
        withdrawal=_withdrawal(policy, option, lang),
        legal_basis=LegalBasis.CONSENT,
        events=(
            *(_event_record(past_entry, past, option) for past_entry, past in history),
            _event_record(entry, event, option),
        ),
    )


def _unwrap(source: LedgerEvent | LedgerEntry) -> tuple[LedgerEntry | None, LedgerEvent]:
    if isinstance(source, LedgerEntry):
        return source, source.event
    return None, source


def _consent_data(event: LedgerEvent) -> ConsentGiven | ConsentWithdrawn:
    if not isinstance(event.data, ConsentGiven | ConsentWithdrawn):
        raise ReceiptError(
            f"event {event.event_id} is a {event.type.value} event; receipts are issued "
            "for consent-given and consent-withdrawn events only",
            "Ask for the receipt of a consent event",
        )
    return event.data


def _status(data: ConsentGiven | ConsentWithdrawn) -> ConsentStatus:
    return ConsentStatus.GIVEN if isinstance(data, ConsentGiven) else ConsentStatus.WITHDRAWN


def _language(policy: Policy, language: str | None) -> str:
    if language is None:
        return policy.source_language
    if language not in policy.languages:
        raise ReceiptError(
            f"policy {policy.policy_id} {policy.version} has no texts in '{language}'",
            f"Ask for one of its languages: {', '.join(policy.languages)}",
        )
    return language


def _option(policy: Policy, option_id: str, event: LedgerEvent) -> ConsentOption:
    try:
        return policy.consent_option(option_id)
    except UnknownReferenceError as exc:
        raise ReceiptError(
            f"event {event.event_id} names consent option '{option_id}', which policy "
            f"{policy.policy_id} {policy.version} does not declare",
            "Check that the event was recorded under this policy version",
        ) from exc


def _history(
    event: LedgerEvent, earlier: Sequence[LedgerEvent | LedgerEntry]
) -> list[tuple[LedgerEntry | None, LedgerEvent]]:
    option = _consent_data(event).option
    history: dict[UUID, tuple[LedgerEntry | None, LedgerEvent]] = {}
    for item in earlier:
        past_entry, past = _unwrap(item)
        if past.event_id == event.event_id:
            continue
        if past.subject != event.subject or _consent_data(past).option != option:
            raise ReceiptError(
                f"earlier event {past.event_id} is not about the same subject and consent "
                f"option as event {event.event_id}",
                "Pass only that subject's earlier events about that option",
            )
        if _order(past) > _order(event):
            raise ReceiptError(
                f"event {past.event_id} takes effect after event {event.event_id}",
                "Pass as earlier events only those that took effect before it",
            )
        history[past.event_id] = (past_entry, past)
    return sorted(history.values(), key=lambda item: _order(item[1]))


def _order(event: LedgerEvent) -> tuple[datetime, datetime]:
    """The order events apply in: by the instant they take effect, then as recorded."""
    return (event.effective_at, event.recorded_at)


def _text(text: PolicyText, language: str, policy: Policy) -> str:
    return text.get(language) or text.get(policy.source_language) or next(iter(text.values()))


def _optional_text(text: PolicyText | None, language: str, policy: Policy) -> str | None:
    return None if text is None else _text(text, language, policy)


def _categories(option: ConsentOption, purposes: Sequence[Purpose]) -> tuple[str, ...]:
    if option.categories:
        return tuple(option.categories)
    found = dict.fromkeys(category for purpose in purposes for category in purpose.categories)
    return tuple(found)


def _purpose(
    purpose: Purpose, categories: Sequence[str], language: str, policy: Policy
) -> ReceiptPurpose:
    return ReceiptPurpose(
        id=purpose.id,
        name=_text(purpose.name, language, policy),
        legal_basis=purpose.legal_basis,
        is_direct_marketing=purpose.is_direct_marketing,
        uses_profiling=purpose.uses_profiling,
        data_categories=tuple(c for c in categories if c in purpose.categories),
    )


def _category(policy: Policy, category_id: str, language: str) -> ReceiptDataCategory:
    category = policy.category(category_id)
    return ReceiptDataCategory(
        id=category.id,
        name=_text(category.name, language, policy),
        flags=tuple(category.flags),
    )


def _controller(policy: Policy, language: str) -> ReceiptController:
    controller = policy.controller
    dpo = controller.dpo
    return ReceiptController(
        legal_name=controller.legal_name,
        address=controller.address,
        country=controller.country,
        email=controller.email,
        phone=controller.phone,
        web=controller.web,
        dpo=ReceiptContact(
            role=_optional_text(dpo.role, language, policy),
            name=dpo.name,
            email=dpo.email,
            phone=dpo.phone,
            address=dpo.address,
        ),
    )


def _retention(
    policy: Policy, categories: Sequence[str], language: str
) -> tuple[ReceiptRetention, ...]:
    rules = []
    for rule in policy.retention_rules:
        covered = tuple(c for c in categories if c in rule.categories)
        if not covered:
            continue
        rules.append(
            ReceiptRetention(
                rule=rule.id,
                record_type=_text(rule.record_type, language, policy),
                data_categories=covered,
                duration=None if rule.period is None else iso_duration(rule.period),
                is_maximum=rule.maximum,
                runs_from=tuple(rule.anchors),
                action=rule.action,
                criteria=_optional_text(rule.criteria, language, policy),
                legal_ground=_optional_text(rule.legal_ground, language, policy),
            )
        )
    return tuple(rules)


def _recipients(
    policy: Policy, option: ConsentOption, language: str
) -> tuple[ReceiptRecipient, ...]:
    return tuple(
        ReceiptRecipient(
            id=recipient.id,
            name=_text(recipient.name, language, policy),
            kind=recipient.kind,
            country=recipient.country,
            third_country=recipient.third_country,
            safeguard=recipient.safeguard,
            purposes=tuple(p for p in option.purposes if p in recipient.purposes),
        )
        for recipient in policy.recipients
        if any(purpose in recipient.purposes for purpose in option.purposes)
    )


def _withdrawal(policy: Policy, option: ConsentOption, language: str) -> ReceiptWithdrawal:
    right = policy.right(RightKind.WITHDRAW_CONSENT)
    return ReceiptWithdrawal(
        channels=tuple(option.withdrawal_channels),
        description=None if right is None else _text(right.description, language, policy),
    )


def _event_record(
    entry: LedgerEntry | None, event: LedgerEvent, option: ConsentOption
) -> ReceiptEvent:
    data = _consent_data(event)
    return ReceiptEvent(
        event_id=event.event_id,
        status=_status(data),
        channels=tuple(sorted(data.channels)) if data.channels else tuple(option.channels),
        effective_at=event.effective_at,
        recorded_at=event.recorded_at,
        collected_via=event.collected_via,
        given_by=event.given_by,
        recorded_by=event.actor,
        evidence=event.evidence,
        policy_version=event.policy_version,
        ledger_position=None if entry is None else entry.seq,
        ledger_hash=None if entry is None else entry.hash,
    )
