"""The disclosure register at work: agreements recorded against the policy's recipients,
disclosures checked and recorded, recipients told of a change (GDPR Art. 19), and what a
subject's access answer and the DPO's period report show of it.

`record_disclosure` is the one door a disclosure comes in by (the CLI, the API, a
law-enforcement request, a debt assignment): it checks the disclosure against the policy
in force on the day (`placet.disclosures.check_disclosure`), refuses what the policy does
not allow unless a DPO overrides it with a justification, records the decision in the
ledger's chain of decisions (policy version, ledger position, a digest of the subjects),
and writes the disclosure and its subjects' pseudonyms to the register.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final
from uuid import UUID

from placet.disclosures import (
    Addressee,
    Agreement,
    AgreementKind,
    ChangeKind,
    Disclosure,
    DisclosureBook,
    DisclosureCheck,
    NotificationStatus,
    ProposedDisclosure,
    RecipientEntry,
    RecipientNotice,
    RecipientNotification,
    RecipientNotifier,
    addressees,
    check_disclosure,
    recipient_register,
)
from placet.dsr.outbox import Message, Outbox
from placet.dsr.verification import CodeChannel
from placet.errors import (
    DecisionNotReplayableError,
    DisclosureError,
    DisclosureRefusedError,
    PlacetError,
)
from placet.ledger import (
    ConsentLog,
    DecisionKind,
    DecisionRecord,
    PseudonymKey,
    SelectionDigest,
    SubjectRef,
    canonical_bytes,
    format_instant,
    parse_instant,
)
from placet.operations.decision_replays import (
    ReplayOutcome,
    position_moved,
    recorded_decision,
)
from placet.operations.recording import subject_ref
from placet.policy import PolicySet, TransferSafeguard

__all__ = [
    "DisclosureReplay",
    "EmailNotifier",
    "RecordedDisclosure",
    "SubjectDisclosures",
    "new_id",
    "notify_recipients",
    "record_disclosure",
    "register_agreement",
    "register_entries",
    "replay_disclosure",
    "replay_disclosure_record",
    "subject_disclosures",
    "subject_refs",
]

log = logging.getLogger(__name__)

DISCLOSURE_PREFIX: Final = "DIS"


def new_id(prefix: str, at: datetime) -> str:
    """A register id: `DIS-20260412-3f9a0c1e`."""
    return f"{prefix}-{at:%Y%m%d}-{secrets.token_hex(4)}"


def register_agreement(
    book: DisclosureBook, policies: PolicySet, agreement: Agreement
) -> Agreement:
    """Record `agreement` once the policy in force on its first day names its recipient."""
    policy = policies.in_force(agreement.valid_from)
    names = {recipient.id for recipient in policy.recipients}
    if agreement.recipient not in names:
        raise DisclosureError(
            f"policy {policy.policy_id} {policy.version} names no recipient "
            f"'{agreement.recipient}'; an agreement is with one it names "
            f"({', '.join(sorted(names))})"
        )
    book.add_agreement(agreement)
    return agreement


def register_entries(
    book: DisclosureBook, policies: PolicySet, at: datetime
) -> tuple[RecipientEntry, ...]:
    """The recipients of the policy in force at `at`, with their agreements and flags."""
    policy = policies.in_force(at)
    named = {recipient.id for recipient in policy.recipients}
    return recipient_register(
        policy, [agreement for agreement in book.agreements() if agreement.recipient in named], at
    )


def subject_refs(identifiers: Iterable[str], key: PseudonymKey) -> list[SubjectRef]:
    """The subjects' pseudonyms, each once, in the order first given."""
    return list(dict.fromkeys(subject_ref(identifier, key) for identifier in identifiers))


@dataclass(frozen=True, slots=True)
class RecordedDisclosure:
    disclosure: Disclosure
    check: DisclosureCheck


def record_disclosure(
    book: DisclosureBook,
    ledger: ConsentLog,
    policies: PolicySet,
    proposed: ProposedDisclosure,
    subjects: Sequence[SubjectRef],
    *,
    recorded_by: str,
    at: datetime,
    disclosure_id: str | None = None,
) -> RecordedDisclosure:
    """Check `proposed` against the policy in force on its day and record it, or raise
    `DisclosureRefusedError` with every reason the policy gives to refuse it.

    A proposal carrying an `override` is recorded despite refusals (the caller checked
    the DPO's right to override); an override of what the policy allows is refused, so
    that an override in the register always means the policy said no.
    """
    if not subjects:
        raise DisclosureError("a disclosure names at least one subject whose data it held")
    policy = policies.in_force(proposed.disclosed_at)
    # Read once: the record holds the agreements the check read, not a second reading.
    agreements = book.agreements()
    check = check_disclosure(policy, agreements, proposed)
    if check.refusals and proposed.override is None:
        raise DisclosureRefusedError([(code.value, message) for code, message in check.refusals])
    if proposed.override is not None and not check.refusals:
        raise DisclosureError("the policy allows this disclosure: record it without an override")
    disclosure_id = disclosure_id or new_id(DISCLOSURE_PREFIX, at)
    if proposed.party is None and check.party is not None:
        proposed = replace(proposed, party=check.party)
    ordered = sorted(set(subjects))
    digest = SelectionDigest()
    digest.update(ordered)
    head = ledger.head()
    decision = ledger.record_decision(
        DecisionRecord(
            kind=DecisionKind.DISCLOSURE,
            recorded_at=at,
            actor=recorded_by,
            policy_id=policy.policy_id,
            policy_version=policy.version,
            ledger_seq=head.seq,
            ledger_hash=head.hash,
            as_of=proposed.disclosed_at,
            subject=ordered[0] if len(ordered) == 1 else None,
            request=_request(disclosure_id, proposed, _read_by_check(agreements, proposed)),
            outcome=_outcome(check, len(ordered), overridden=proposed.override is not None),
            selection_digest=digest.hexdigest(),
            idempotency_key=f"disclosure:{disclosure_id}",
        )
    )
    disclosure = Disclosure(
        disclosure_id=disclosure_id,
        proposed=proposed,
        subjects=len(ordered),
        transfer=check.transfer.value,
        agreement_id=None if check.agreement is None else check.agreement.agreement_id,
        problems=check.problems,
        policy_id=policy.policy_id,
        policy_version=policy.version,
        recorded_by=recorded_by,
        recorded_at=at,
        decision_id=str(decision.record.record_id),
    )
    book.add_disclosure(disclosure, ordered)
    log.info(
        "disclosure %s to %s recorded (%d subjects, transfer %s%s)",
        disclosure_id,
        proposed.recipient or proposed.party,
        len(ordered),
        check.transfer.value,
        ", overridden" if proposed.override else "",
    )
    return RecordedDisclosure(disclosure, check)


def _read_by_check(
    agreements: Iterable[Agreement], proposed: ProposedDisclosure
) -> list[Agreement]:
    """The agreements `check_disclosure` reads for `proposed`: all of its recipient's, as
    they stand (an agreement ended later must not change a replay)."""
    if proposed.recipient is None:
        return []
    return [agreement for agreement in agreements if agreement.recipient == proposed.recipient]


def _request(
    disclosure_id: str, proposed: ProposedDisclosure, agreements: Sequence[Agreement]
) -> dict[str, Any]:
    """What a disclosure's decision record says was asked, and the agreements the check read:
    with the register's proposal, all a replay needs (`replay_disclosure`)."""
    confidentiality = proposed.confidentiality
    return {
        "disclosure": disclosure_id,
        "kind": proposed.kind.value,
        "recipient": proposed.recipient,
        "party": proposed.party,
        "purpose": proposed.purpose,
        "categories": list(proposed.categories),
        "country": proposed.country,
        "legal_ground": proposed.legal_ground,
        "reference": proposed.reference,
        "records": len(proposed.records),
        "approved_by": proposed.approved_by,
        "disclosed_at": format_instant(proposed.disclosed_at),
        "confidential_until": None
        if confidentiality is None
        else format_instant(confidentiality.until),
        "confidential_ground": None if confidentiality is None else confidentiality.ground,
        "override": None
        if proposed.override is None
        else {"by": proposed.override.by, "justification": proposed.override.justification},
        "agreements": [_agreement_document(agreement) for agreement in agreements],
    }


def _outcome(check: DisclosureCheck, subjects: int, *, overridden: bool) -> dict[str, Any]:
    return {
        "recorded": True,
        "subjects": subjects,
        "transfer": check.transfer.value,
        "agreement": None if check.agreement is None else check.agreement.agreement_id,
        "problems": [list(problem) for problem in check.problems],
        "overridden": overridden,
    }


def _agreement_document(agreement: Agreement) -> dict[str, Any]:
    """What `check_disclosure` reads of an agreement (not who recorded it, nor its contact)."""
    return {
        "agreement": agreement.agreement_id,
        "recipient": agreement.recipient,
        "kind": agreement.kind.value,
        "party": agreement.party,
        "reference": agreement.reference,
        "valid_from": format_instant(agreement.valid_from),
        "valid_until": None
        if agreement.valid_until is None
        else format_instant(agreement.valid_until),
        "countries": list(agreement.countries),
        "safeguard": None if agreement.safeguard is None else agreement.safeguard.value,
    }


def _agreement_of(document: dict[str, Any]) -> Agreement:
    until = document["valid_until"]
    safeguard = document["safeguard"]
    return Agreement(
        agreement_id=document["agreement"],
        recipient=document["recipient"],
        kind=AgreementKind(document["kind"]),
        party=document["party"],
        reference=document["reference"],
        valid_from=parse_instant(document["valid_from"]),
        valid_until=None if until is None else parse_instant(until),
        countries=tuple(document["countries"]),
        safeguard=None if safeguard is None else TransferSafeguard(safeguard),
    )


# ---------------------------------------------------------------------- replay


@dataclass(frozen=True, slots=True)
class DisclosureReplay(ReplayOutcome):
    """A recorded disclosure checked again: the record, the new check (None when the register
    no longer holds the disclosure), and what differs."""

    record: DecisionRecord
    check: DisclosureCheck | None
    differences: tuple[str, ...]
    """Empty when the register still holds what was recorded and the policy decides alike."""


def replay_disclosure(
    ledger: ConsentLog, policies: PolicySet, book: DisclosureBook, record_id: UUID
) -> DisclosureReplay:
    """Check a recorded disclosure again, as it was decided: the register's proposal against
    the policy version in force on its day and the recipient's agreements as the record
    holds them (not as they stand now), and compare.

    Differences are reported, not raised: the ledger's event at the recorded position
    changed, the register's disclosure or its subjects differ from what was recorded (its
    subjects by their digest), another policy version is in force on that day now, or the
    check comes out otherwise. Raises `DecisionNotFoundError` when no disclosure is recorded
    under `record_id`, and `DecisionNotReplayableError` for a record made before records
    held the agreements (it can be shown, not replayed).
    """
    record = recorded_decision(ledger, record_id, DecisionKind.DISCLOSURE)
    return replay_disclosure_record(ledger, policies, book, record)


def replay_disclosure_record(
    ledger: ConsentLog, policies: PolicySet, book: DisclosureBook, record: DecisionRecord
) -> DisclosureReplay:
    """`replay_disclosure` of a disclosure's record already read."""
    request = record.request
    if "agreements" not in request:
        raise DecisionNotReplayableError(
            str(record.record_id),
            "it was made before disclosure records held the agreements their check read",
        )
    differences = position_moved(ledger, record, "the decision")
    disclosure_id = str(request["disclosure"])
    disclosure = book.disclosure(disclosure_id)
    if disclosure is None:
        differences.append(f"the register holds no disclosure {disclosure_id}")
        return DisclosureReplay(record, None, tuple(differences))
    proposed = disclosure.proposed
    agreements = [_agreement_of(document) for document in request["agreements"]]
    registered = _as_recorded(_request(disclosure_id, proposed, agreements))
    changed = sorted(name for name in registered if registered[name] != request.get(name))
    if changed:
        differences.append(
            f"the register's disclosure {disclosure_id} differs from the recorded one in "
            + ", ".join(changed)
        )
    subjects = SelectionDigest()
    subjects.update(sorted(book.subjects_of(disclosure_id)))
    if subjects.hexdigest() != record.selection_digest:
        differences.append(f"the register's subjects of {disclosure_id} are not those recorded")
    policy = policies.in_force(proposed.disclosed_at)
    if policy.version != record.policy_version:
        differences.append(
            f"policy version {policy.version} is in force at "
            f"{proposed.disclosed_at.isoformat()} now, the check used {record.policy_version}"
        )
    check = check_disclosure(policy, agreements, proposed)
    outcome = _as_recorded(
        _outcome(check, disclosure.subjects, overridden=proposed.override is not None)
    )
    if outcome != record.outcome:
        changed = sorted(name for name in outcome if outcome[name] != record.outcome.get(name))
        differences.append(
            "the check now gives another "
            + ", ".join(
                f"{name} ({outcome[name]} against {record.outcome.get(name)})" for name in changed
            )
        )
    return DisclosureReplay(record, check, tuple(differences))


def _as_recorded(document: dict[str, Any]) -> dict[str, Any]:
    """`document` as a record read back from the ledger holds it (canonical JSON)."""
    loaded: dict[str, Any] = json.loads(canonical_bytes(document))
    return loaded


# ---------------------------------------------------------------------- what a subject is shown


@dataclass(frozen=True, slots=True)
class SubjectDisclosures:
    """What a subject's access answer shows of the register: the disclosures of their data
    (those the law lets them be told of, at `at`) and the recipients told of a change."""

    disclosures: tuple[Disclosure, ...]
    notifications: tuple[RecipientNotification, ...]
    agreements: tuple[Agreement, ...] = ()
    """The agreements in force at `at`, claim assignments aside: the companies behind the
    policy's recipients, where they process the data and on what safeguard (Art. 15(1)(c),
    15(2))."""


def subject_disclosures(
    book: DisclosureBook, subject: SubjectRef, at: datetime
) -> SubjectDisclosures:
    """The subject's disclosures made by `at`, less those a confidentiality flag still
    keeps from them; nothing in the answer says one was left out."""
    disclosures = book.disclosures_of(subject)
    shown = tuple(
        disclosure
        for disclosure in disclosures
        if disclosure.proposed.disclosed_at <= at and not disclosure.hidden_from_subject(at)
    )
    hidden = {
        disclosure.disclosure_id for disclosure in disclosures if disclosure.hidden_from_subject(at)
    }
    notified = tuple(
        notification
        for notification in book.notifications_of(subject)
        if not hidden.issuperset(notification.disclosures)
    )
    # A claim assignment's buyer is named where the subject's own debt went to it (a
    # disclosure above), not in every answer: that a debt was sold is the debtor's matter.
    in_force = tuple(
        agreement
        for agreement in book.agreements()
        if agreement.in_force(at) and agreement.kind is not AgreementKind.ASSIGNMENT_CONTRACT
    )
    return SubjectDisclosures(shown, notified, in_force)


# ---------------------------------------------------------------------- Art. 19


class EmailNotifier:
    """Tells recipients by e-mail, through the outbox `PLACET_OUTBOX` names."""

    channel = "e-mail"

    def __init__(self, outbox: Outbox, controller: str) -> None:
        self._outbox = outbox
        self._controller = controller

    def send(self, notice: RecipientNotice) -> str:
        addressee = notice.addressee
        if addressee.contact is None:
            raise DisclosureError(f"{addressee.party} has no contact address in the register")
        reference = f"{notice.request_id}/{addressee.recipient}"
        self._outbox.send(
            Message(
                channel=CodeChannel.EMAIL,
                to=addressee.contact,
                subject=f"{self._controller}: {notice.change.value} of a subscriber's data",
                body=recipient_message(notice, self._controller),
            )
        )
        return reference


def recipient_message(notice: RecipientNotice, controller: str) -> str:
    """The text a recipient is sent (GDPR Art. 19)."""
    addressee = notice.addressee
    return (
        f"Dear {addressee.party},\n\n"
        f"{controller} disclosed personal data of subscriber {notice.subscriber} to you "
        f"({', '.join(addressee.disclosures)}). Under Article 19 of the GDPR we tell you of "
        f"its {notice.change.value} on {notice.at:%Y-%m-%d} (request {notice.request_id}):\n\n"
        f"{notice.detail}\n\n"
        f"Please apply the same {notice.change.value} to the copy you hold and confirm it "
        "to our data protection officer.\n"
    )


def notify_recipients(
    book: DisclosureBook,
    key: PseudonymKey,
    notifier: RecipientNotifier,
    *,
    subscriber: str,
    request_id: str,
    change: ChangeKind,
    detail: str,
    at: datetime,
) -> tuple[RecipientNotification, ...]:
    """Tell every recipient the register shows received `subscriber`'s data of `change`,
    record each notification, and return them. Recipients already told for this request
    are not told twice (carrying a request out again retries only those that failed)."""
    subject = subject_ref(subscriber, key)
    disclosures = [
        disclosure
        for disclosure in book.disclosures_of(subject)
        if disclosure.proposed.disclosed_at <= at
    ]
    if not disclosures:
        return ()
    done = {
        (notification.recipient, notification.party)
        for notification in book.notifications_of(subject)
        if notification.request_id == request_id
        and notification.status is not NotificationStatus.FAILED
    }
    recorded: list[RecipientNotification] = []
    for addressee in addressees(disclosures, book.agreements()):
        if (addressee.recipient, addressee.party) in done:
            continue
        status, reference = _notify(
            notifier,
            RecipientNotice(addressee, change, subscriber, request_id, detail, at),
        )
        recorded.append(
            RecipientNotification(
                notification_id=new_id("NOT", at),
                request_id=request_id,
                subject=subject,
                change=change,
                recipient=addressee.recipient,
                party=addressee.party,
                contact=addressee.contact,
                channel=notifier.channel,
                status=status,
                reference=reference,
                disclosures=addressee.disclosures,
                at=at,
            )
        )
    book.add_notifications(recorded)
    return tuple(recorded)


def _notify(
    notifier: RecipientNotifier, notice: RecipientNotice
) -> tuple[NotificationStatus, str | None]:
    addressee: Addressee = notice.addressee
    if addressee.not_needed:
        return NotificationStatus.NOT_NEEDED, None
    if addressee.contact is None:
        return NotificationStatus.NO_CONTACT, None
    try:
        return NotificationStatus.SENT, notifier.send(notice)
    except (PlacetError, OSError) as exc:
        log.warning("telling %s of %s failed: %s", addressee.party, notice.change.value, exc)
        return NotificationStatus.FAILED, str(exc)[:300]
