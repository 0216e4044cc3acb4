"""Carrying out a subject's request: what each kind of request does to the estate and the
ledger, and the step it records in the request book.

- access and printed copy: the access answer is written (`write_access_answer`);
- portability: the portability package is written;
- erasure: the subscriber's rows are erased everywhere the guard allows; what the law or a
  legal hold makes the operator keep is restricted instead (GDPR Art. 17(3), 18), and the
  answer says which datasets and why. In a lake the erasure has two phases, the logical
  delete and the physical purge: the request is fulfilled only once every purge is
  complete (until then it stays in progress, and carrying it out again finishes it).
  The subscriber's personal payloads leave the ledger, whose chain still verifies;
- restriction, objection, consent withdrawal and a business subscriber's direct-marketing
  opt-out: recorded in the ledger at once, so the decision engine honours them from that
  instant;
- complaint: routed to the DPO (the work starts); the subject is given the supervisory
  authority's contact; the DPO's answer fulfils it later;
- rectification: the field is set in the SQL datasets that hold it, the old and new values
  recorded with the step.

After a rectification, an erasure or a restriction, every recipient the disclosure register
shows received the subscriber's data is told of it (GDPR Art. 19) through the channel given
(`placet.operations.change_notices`); each notification is recorded in the register, and
the access answer lists the disclosures and the recipients told. A notification the
channel failed to send keeps the request in progress: carrying it out again tells only the
recipients not yet told. A recipient the law keeps from the subject (a law-enforcement
disclosure under a confidentiality order) is told too, and never named in the step.

Every function takes the request book, what it acts on and the instant; it reads no clock
or settings. A request must be verified (or already in progress): work starts with it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Final, Protocol

import pyarrow as pa
import pyarrow.compute as pc

from placet.datamap import Dataset
from placet.disclosures import (
    ChangeKind,
    DisclosureBook,
    RecipientNotification,
    RecipientNotifier,
)
from placet.dsr import RequestKind, RequestState, SubjectRequest
from placet.errors import RequestError
from placet.ledger import (
    CollectedVia,
    ConsentLog,
    LedgerEvent,
    PseudonymKey,
    SubjectRef,
)
from placet.ledger.events import RestrictionGround
from placet.operations.answers import (
    PDF_ROWS_PER_DATASET,
    PRINTED_COPY_ROWS_PER_DATASET,
    WrittenAnswer,
    write_access_answer,
    write_portability_package,
)
from placet.operations.change_notices import (
    Told,
    erasure_detail,
    rectification_detail,
    restriction_detail,
    tell_recipients,
)
from placet.operations.disclosures import subject_disclosures
from placet.operations.erasure_records import erasure_record
from placet.operations.erasures import DatasetErasure, ErasureOutcome, erase_subject, purge_dataset
from placet.operations.recording import (
    Provenance,
    Recorded,
    make_objection,
    record_business_opt_out,
    set_restriction,
    subject_ref,
    withdraw_consent,
)
from placet.operations.requests import (
    StaffBook,
    fulfil_request,
    load_request,
    start_request_work,
)
from placet.operations.retention_plans import EstateStores, StateLedger
from placet.operations.subject_data import (
    Role,
    SubjectData,
    find_subject_data,
    without_use_of_lines,
)
from placet.policy import Policy, PolicySet
from placet.retention import LegalHold, OpenRequest
from placet.retention.journal import RetentionJournal
from placet.stores.protocol import RESTRICTED_MARK
from placet.stores.sql_store import SqlStore

__all__ = [
    "LEDGER_KINDS",
    "Asked",
    "Carried",
    "ErasureLedger",
    "HoldingJournal",
    "StaffBook",
    "answer_access",
    "answer_portability",
    "carry_out",
    "carry_out_complaint",
    "carry_out_erasure",
    "carry_out_ledger_request",
    "carry_out_rectification",
]

log = logging.getLogger(__name__)

_WORKABLE: Final = frozenset({RequestState.VERIFIED, RequestState.IN_PROGRESS})


class ErasureLedger(ConsentLog, StateLedger, Protocol):
    """The ledger as an erasure uses it: subjects' facts, payload removal, decisions."""


class HoldingJournal(RetentionJournal, Protocol):
    """The retention journal with the legal holds in force (`SqlRetentionBook`)."""

    def holds(self) -> list[LegalHold]: ...


@dataclass(frozen=True, slots=True)
class Carried:
    """What carrying out a request did: the request as it now stands, whether it is
    fulfilled, and what the subject is told (recorded as the step's reason)."""

    request: SubjectRequest
    done: bool
    summary: str
    answer: WrittenAnswer | None = None
    erasures: tuple[DatasetErasure, ...] = ()
    restricted: tuple[str, ...] = ()
    """Datasets whose rows were restricted instead of erased, with the reason."""
    events: tuple[Recorded, ...] = ()
    rectified: tuple[tuple[str, str, str | None, str], ...] = ()
    """(dataset, column, old value, new value) for each value a rectification changed."""
    notified: tuple[RecipientNotification, ...] = ()
    """The recipients told of a rectification, an erasure or a restriction (Art. 19) by
    this run, each with its result: sent, no contact, not needed or failed."""


LEDGER_KINDS: Final = frozenset(
    {
        RequestKind.RESTRICTION,
        RequestKind.OBJECTION,
        RequestKind.WITHDRAW_CONSENT,
        RequestKind.BUSINESS_OPT_OUT,
    }
)
"""The kinds of request carried out in the ledger alone."""


@dataclass(frozen=True, slots=True)
class Asked:
    """What a request needs beyond itself, as staff (or the requester's tool) say it."""

    language: str | None = None
    """The subject's language for an answer (default: the policy's first)."""
    options: tuple[str, ...] = ()
    """Withdrawal: the consent options (default: every option held)."""
    purposes: tuple[str, ...] = ()
    """Objection: the purposes (default: all direct marketing)."""
    ground: RestrictionGround | None = None
    """Restriction: its ground (Art. 18(1))."""
    until: datetime | None = None
    """Business opt-out: until when (default: for good)."""
    values: Mapping[str, str] = field(default_factory=dict)
    """Rectification: each column to correct, with its corrected value."""


def carry_out(
    book: StaffBook,
    policies: PolicySet,
    ledger: ErasureLedger,
    key: PseudonymKey,
    request_id: str,
    *,
    asked: Asked,
    estate: Callable[[], AbstractContextManager[EstateStores]],
    answers: Path,
    retention: HoldingJournal,
    disclosures: DisclosureBook,
    notifier: RecipientNotifier,
    actor: str,
    at: datetime,
) -> Carried:
    """Do what the request asks, by its kind: what `placet dsr carry-out` and the API's
    fulfilment call. `estate` opens the estate's stores, only for the kinds that need them;
    `disclosures` is the register the access answer lists and whose recipients `notifier`
    tells of a rectification, an erasure or a restriction (Art. 19)."""
    kind = load_request(book, request_id).kind
    if kind in LEDGER_KINDS:
        return carry_out_ledger_request(
            book,
            policies,
            ledger,
            key,
            request_id,
            options=asked.options,
            purposes=asked.purposes,
            ground=asked.ground,
            until=asked.until,
            disclosures=disclosures,
            notifier=notifier,
            actor=actor,
            at=at,
        )
    if kind is RequestKind.COMPLAINT:
        return carry_out_complaint(
            book, policies, request_id, language=asked.language, actor=actor, at=at
        )
    with estate() as stores:
        if kind in {RequestKind.ACCESS, RequestKind.PRINTED_COPY}:
            return answer_access(
                book, stores, policies, request_id, answers, key=key, disclosures=disclosures,
                language=asked.language, actor=actor, at=at, ledger=ledger,
            )  # fmt: skip
        if kind is RequestKind.PORTABILITY:
            return answer_portability(
                book, stores, policies, request_id, answers, actor=actor, at=at, ledger=ledger,
                key=key,
            )  # fmt: skip
        if kind is RequestKind.ERASURE:
            return carry_out_erasure(
                book, stores, policies, ledger, key, journal=retention,
                request_id=request_id, holds=retention.holds(), disclosures=disclosures,
                notifier=notifier, actor=actor, at=at,
            )  # fmt: skip
        return carry_out_rectification(
            book, stores, policies, request_id, values=asked.values, key=key,
            disclosures=disclosures, notifier=notifier, actor=actor, at=at,
        )  # fmt: skip


def answer_access(
    book: StaffBook,
    estate: EstateStores,
    policies: PolicySet,
    request_id: str,
    folder: Path,
    *,
    key: PseudonymKey,
    disclosures: DisclosureBook,
    language: str | None,
    actor: str,
    at: datetime,
    ledger: ConsentLog | None = None,
) -> Carried:
    """Write the access answer (and its printed copy) under `folder`/<request id> and
    fulfil the request; the step names the answer's file and its SHA-256. The answer lists
    every event `ledger` holds about the subscriber (their consents, objections and the
    rest), every disclosure of their data that the register holds, less those a
    confidentiality order still keeps from them, and the recipients told of a change."""
    request, subscriber = _workable(
        book, request_id, actor, at, RequestKind.ACCESS, RequestKind.PRINTED_COPY
    )
    policy = policies.version(request.terms.policy_version)
    reference = subject_ref(subscriber, key)
    disclosed = subject_disclosures(disclosures, reference, at)
    written = write_access_answer(
        _answerable(find_subject_data(estate, policy, subscriber), policy, ledger, reference, at),
        policy,
        folder / request_id,
        request_id=request_id,
        language=language or policy.source_language,
        received_at=request.received_at,
        produced_at=at,
        disclosures=disclosed.disclosures,
        notifications=disclosed.notifications,
        recorded=_recorded(ledger, reference),
        agreements=disclosed.agreements,
        pdf_rows_per_dataset=PRINTED_COPY_ROWS_PER_DATASET
        if request.kind is RequestKind.PRINTED_COPY
        else PDF_ROWS_PER_DATASET,
    )
    return _fulfilled(book, request_id, _written(written), actor, at, answer=written)


def _answerable(
    data: SubjectData, policy: Policy, ledger: ConsentLog | None, subject: SubjectRef, at: datetime
) -> SubjectData:
    """What an answer gives of `data`: for a subject the ledger records as a business
    (`SubjectType.is_business`), not the records of how its lines were used, which are
    their users' (`without_use_of_lines`). Without a ledger, or a type, all of it."""
    if ledger is None:
        return data
    recorded_type = ledger.state(subject, at).subject_type
    kinds = {kind.id: kind for kind in policy.subject_types}
    kind = kinds.get(recorded_type) if recorded_type is not None else None
    return without_use_of_lines(data, policy) if kind is not None and kind.is_business else data


def _recorded(ledger: ConsentLog | None, subject: SubjectRef) -> list[LedgerEvent]:
    """Every event the ledger holds about `subject`, as recorded; none without a ledger."""
    return [] if ledger is None else [entry.event for entry in ledger.history(subject)]


def answer_portability(
    book: StaffBook,
    estate: EstateStores,
    policies: PolicySet,
    request_id: str,
    folder: Path,
    *,
    actor: str,
    at: datetime,
    ledger: ConsentLog | None = None,
    key: PseudonymKey | None = None,
) -> Carried:
    """Write the portability package under `folder`/<request id> and fulfil the request;
    with `ledger` (and the pseudonym `key`), the subscriber's choices it records go in."""
    request, subscriber = _workable(book, request_id, actor, at, RequestKind.PORTABILITY)
    policy = policies.version(request.terms.policy_version)
    reference = subject_ref(subscriber, key) if key is not None else None
    found = find_subject_data(estate, policy, subscriber)
    written = write_portability_package(
        found if reference is None else _answerable(found, policy, ledger, reference, at),
        policy,
        folder / request_id,
        request_id=request_id,
        produced_at=at,
        recorded=_recorded(ledger, reference) if reference is not None else (),
    )
    return _fulfilled(book, request_id, _written(written), actor, at, answer=written)


def carry_out_erasure(
    book: StaffBook,
    estate: EstateStores,
    policies: PolicySet,
    ledger: ErasureLedger,
    key: PseudonymKey,
    *,
    journal: RetentionJournal,
    request_id: str,
    holds: Sequence[LegalHold] = (),
    disclosures: DisclosureBook,
    notifier: RecipientNotifier,
    actor: str,
    at: datetime,
) -> Carried:
    """Erase the subscriber everywhere the guard allows, restrict what must be kept, purge,
    remove their personal payloads from the ledger, record the decision and tell the
    recipients of the subscriber's data (Art. 19). Fulfils the request once every purge is
    complete and every recipient could be told; otherwise it stays in progress (run it
    again)."""
    request, subscriber = _workable(book, request_id, actor, at, RequestKind.ERASURE)
    policy = policies.version(request.terms.policy_version)
    others = [
        OpenRequest(other.request_id, subscriber, right)
        for other in book.all(open_only=True)
        if other.subject == request.subject
        and other.request_id != request_id
        and (right := other.kind.right) is not None
    ]
    # The position the erasure is decided from: read before it reads the ledger, so that
    # an event appended meanwhile is not taken for one it saw.
    head = ledger.head()
    erasures = erase_subject(
        estate,
        policy,
        ledger,
        key,
        journal,
        subject=subscriber,
        at=at,
        reference=f"request:{request_id}",
        holds=holds,
        open_requests=others,
    )
    restricted = _restrict_kept(estate, policy, subscriber, erasures, at)
    settled = [_purged_again(estate, erasure, at, holds) for erasure in erasures]
    removed = ledger.remove_personal_payload(subject_ref(subscriber, key))
    pending = [
        erasure.dataset
        for erasure in settled
        if erasure.outcome is not ErasureOutcome.KEPT
        and erasure.purge is not None
        and not erasure.purge.complete
    ]
    ledger.record_decision(
        erasure_record(
            request,
            policy,
            head,
            settled=settled,
            holds=holds,
            open_requests=others,
            outcome={
                "restricted": list(restricted),
                "ledger_payloads_removed": removed,
                "pending_purge": pending,
            },
            actor=actor,
            at=at,
        )
    )
    erased = sum(erasure.rows for erasure in settled if erasure.outcome is ErasureOutcome.ERASED)
    summary = f"erased {erased} rows in " + _datasets(
        [e.dataset for e in settled if e.outcome is ErasureOutcome.ERASED]
    )
    if restricted:
        summary += "; kept and restricted: " + "; ".join(restricted)
    erased_datasets = [e.dataset for e in settled if e.outcome is ErasureOutcome.ERASED]
    told = tell_recipients(
        disclosures, notifier, key, subscriber=subscriber, request_id=request_id,
        change=ChangeKind.ERASURE, detail=erasure_detail(erased_datasets, restricted), at=at,
    )  # fmt: skip
    if pending:
        log.info("erasure waits for purge", extra={"request": request_id, "datasets": pending})
        current = load_request(book, request_id)
        return Carried(
            current,
            False,
            summary + told.summary + "; waiting for the physical purge of " + ", ".join(pending),
            erasures=tuple(settled),
            restricted=tuple(restricted),
            notified=told.notified,
        )
    return _finished(
        book,
        request_id,
        summary,
        told,
        actor=actor,
        at=at,
        erasures=tuple(settled),
        restricted=tuple(restricted),
    )


def carry_out_ledger_request(
    book: StaffBook,
    policies: PolicySet,
    ledger: ConsentLog,
    key: PseudonymKey,
    request_id: str,
    *,
    options: Sequence[str] = (),
    purposes: Sequence[str] = (),
    ground: RestrictionGround | None = None,
    until: datetime | None = None,
    disclosures: DisclosureBook,
    notifier: RecipientNotifier,
    actor: str,
    at: datetime,
) -> Carried:
    """Record a restriction, an objection, a consent withdrawal or a business subscriber's
    direct-marketing opt-out (permanent, or `until` an instant) in the ledger, in force at
    once, and fulfil the request. A restriction is told to every recipient of the
    subscriber's data (Art. 19) through `notifier`: the request stays in progress while
    one could not be told. IPKO gives itself 15 days to honour a business opt-out;
    Placet records it at once, so the decision engine honours it from that instant.

    A withdrawal without `options` withdraws every consent option the subscriber holds; an
    objection without `purposes` objects to all direct marketing (the objection Art. 21(2)
    makes absolute): the most protective reading of a request that does not say more."""
    request, subscriber = _workable(
        book,
        request_id,
        actor,
        at,
        RequestKind.RESTRICTION,
        RequestKind.OBJECTION,
        RequestKind.WITHDRAW_CONSENT,
        RequestKind.BUSINESS_OPT_OUT,
    )
    provenance = Provenance(
        collected_via=_VIA.get(request.channel.value, CollectedVia.CALL_CENTRE),
        actor=actor,
        evidence=f"request:{request_id}",
    )
    events: list[Recorded] = []
    told = Told()
    if request.kind is RequestKind.RESTRICTION:
        events.append(
            set_restriction(
                ledger,
                policies,
                key,
                subscriber,
                ground=ground,
                provenance=provenance,
                recorded_at=at,
                idempotency_key=f"{request_id}:restriction",
            )
        )
        summary = "processing restricted" + (f" ({ground.value})" if ground else "")
        told = tell_recipients(
            disclosures, notifier, key, subscriber=subscriber, request_id=request_id,
            change=ChangeKind.RESTRICTION, detail=restriction_detail(ground), at=at,
        )  # fmt: skip
    elif request.kind is RequestKind.BUSINESS_OPT_OUT:
        events.append(
            record_business_opt_out(
                ledger,
                policies,
                key,
                subscriber,
                until=until,
                provenance=provenance,
                recorded_at=at,
                idempotency_key=f"{request_id}:business-opt-out",
            )
        )
        summary = "direct marketing stopped" + (
            f" until {until.isoformat()}" if until else " for good"
        )
    elif request.kind is RequestKind.OBJECTION:
        objected: list[str | None] = [*purposes] or [None]
        for purpose in objected:
            events.append(
                make_objection(
                    ledger,
                    policies,
                    key,
                    subscriber,
                    purpose=purpose,
                    all_direct_marketing=purpose is None,
                    provenance=provenance,
                    recorded_at=at,
                    idempotency_key=f"{request_id}:objection:{purpose or 'direct-marketing'}",
                )
            )
        summary = "objection recorded to " + (
            ", ".join(purposes) if purposes else "all direct marketing"
        )
    else:
        held = list(options) or _held_options(ledger, subject_ref(subscriber, key), at)
        if not held:
            raise RequestError(
                f"request {request_id}: the subscriber holds no consent to withdraw; name "
                "the option, or reject the request saying so"
            )
        for option in held:
            events.append(
                withdraw_consent(
                    ledger,
                    policies,
                    key,
                    subscriber,
                    option,
                    provenance=provenance,
                    recorded_at=at,
                    idempotency_key=f"{request_id}:withdraw:{option}",
                )
            )
        summary = "consent withdrawn: " + ", ".join(held)
    return _finished(book, request_id, summary, told, actor=actor, at=at, events=tuple(events))


def carry_out_complaint(
    book: StaffBook,
    policies: PolicySet,
    request_id: str,
    *,
    language: str | None,
    actor: str,
    at: datetime,
) -> Carried:
    """Route a complaint to the DPO (its work starts) and give the subject the supervisory
    authority's contact (Art. 77). The DPO fulfils it with their answer."""
    request, _ = _workable(book, request_id, actor, at, RequestKind.COMPLAINT)
    policy = policies.version(request.terms.policy_version)
    authority = policy.controller.supervisory_authority
    chosen = language if language in policy.languages else policy.source_language
    name = authority.name.get(chosen) or next(iter(authority.name.values()))
    parts = (name, authority.address, authority.email, authority.phone, authority.web)
    contact = ", ".join(part for part in parts if part)
    dpo = policy.controller.dpo
    routed_to = dpo.email or dpo.name or "the DPO"
    summary = f"routed to the DPO ({routed_to}); the supervisory authority: {contact}"
    return Carried(load_request(book, request_id), False, summary)


def carry_out_rectification(
    book: StaffBook,
    estate: EstateStores,
    policies: PolicySet,
    request_id: str,
    *,
    values: Mapping[str, str],
    key: PseudonymKey,
    disclosures: DisclosureBook,
    notifier: RecipientNotifier,
    actor: str,
    at: datetime,
) -> Carried:
    """Set each column of `values` (`email`, `address`) to its new value in the SQL datasets
    of the map that hold it for the subscriber, tell the recipients of the subscriber's data
    each corrected value (Art. 19), and fulfil the request with the old and new values
    recorded (it stays in progress while a recipient could not be told)."""
    request, subscriber = _workable(book, request_id, actor, at, RequestKind.RECTIFICATION)
    if not values:
        raise RequestError(f"request {request_id}: say which field to rectify, and its value")
    policy = policies.version(request.terms.policy_version)
    data = find_subject_data(estate, policy, subscriber)
    changed: list[tuple[str, str, str | None, str]] = []
    held = set()
    for rows in data.found:
        store = rows.store
        if rows.role is not Role.OWN or not isinstance(store, SqlStore):
            continue
        for column, value in values.items():
            if column not in rows.columns or not _rectifiable(rows.dataset, column):
                continue
            held.add(column)
            old = _distinct(rows.batches(), column)
            store.set_values(rows.dataset.location, rows.selection, {column: value})
            changed += [(rows.dataset.id, column, before, value) for before in old]
    missing = sorted(set(values) - held)
    if missing:
        raise RequestError(
            f"request {request_id}: no SQL dataset of the map holds "
            f"{', '.join(missing)} for the subscriber (rectifiable fields are mapped columns "
            "that are not the subject key)"
        )
    summary = "rectified: " + "; ".join(
        f"{dataset}.{column}: {old!r} -> {new!r}" for dataset, column, old, new in changed
    )
    told = tell_recipients(
        disclosures, notifier, key, subscriber=subscriber, request_id=request_id,
        change=ChangeKind.RECTIFICATION, detail=rectification_detail(values), at=at,
    )  # fmt: skip
    return _finished(book, request_id, summary, told, actor=actor, at=at, rectified=tuple(changed))


_VIA: Final = {
    "web": CollectedVia.WEB,
    "app": CollectedVia.APP,
    "shop": CollectedVia.SHOP,
    "call-centre": CollectedVia.CALL_CENTRE,
    "sms": CollectedVia.SMS,
    "email": CollectedVia.EMAIL,
    "paper": CollectedVia.PAPER,
    "letter": CollectedVia.PAPER,
}


def _workable(
    book: StaffBook,
    request_id: str,
    actor: str,
    at: datetime,
    *kinds: RequestKind,
) -> tuple[SubjectRequest, str]:
    request = load_request(book, request_id)
    if request.kind not in kinds:
        raise RequestError(
            f"request {request_id} asks for {request.kind.value}, not "
            f"{' or '.join(kind.value for kind in kinds)}"
        )
    if request.state not in _WORKABLE:
        raise RequestError(
            f"request {request_id} is {request.state.value}: it is carried out once its "
            "requester is verified (`placet dsr verify`), and not after it is answered"
        )
    subscriber = book.subscriber(request_id)
    if subscriber is None:
        raise RequestError(f"request {request_id} names no subscriber in the book")
    if request.state is RequestState.VERIFIED:
        request = start_request_work(book, request_id, actor=actor, at=at)
    return request, subscriber


def _fulfilled(
    book: StaffBook,
    request_id: str,
    summary: str,
    actor: str,
    at: datetime,
    **done: object,
) -> Carried:
    request = fulfil_request(book, request_id, actor=actor, at=at, reason=summary)
    log.info("request carried out", extra={"request": request_id})
    return Carried(request, True, summary, **done)  # type: ignore[arg-type]  # the fields named


def _finished(
    book: StaffBook,
    request_id: str,
    summary: str,
    told: Told,
    *,
    actor: str,
    at: datetime,
    **done: object,
) -> Carried:
    """Fulfil the request, unless a recipient could not be told: then it stays in progress,
    so that carrying it out again tells them."""
    said = summary + told.summary
    if told.failed:
        log.warning("a recipient could not be told", extra={"request": request_id})
        current = load_request(book, request_id)
        return Carried(current, False, said, notified=told.notified, **done)  # type: ignore[arg-type]
    return _fulfilled(book, request_id, said, actor, at, notified=told.notified, **done)


def _written(written: WrittenAnswer) -> str:
    return (
        f"answer written: {written.deliverable.name} (sha256 {written.sha256}), "
        f"{written.total_rows} rows from {len(written.rows)} datasets"
    )


def _restrict_kept(
    estate: EstateStores,
    policy: Policy,
    subscriber: str,
    erasures: Sequence[DatasetErasure],
    at: datetime,
) -> list[str]:
    """Restrict the subscriber's rows of each dataset the erasure had to keep; each entry
    says which dataset and why."""
    kept = {
        erasure.dataset: erasure for erasure in erasures if erasure.outcome is ErasureOutcome.KEPT
    }
    if not kept:
        return []
    data = find_subject_data(estate, policy, subscriber)
    restricted = []
    for rows in data.found:
        erasure = kept.get(rows.dataset.id)
        if erasure is None or rows.role is not Role.OWN:
            continue
        change = rows.store.update(
            rows.dataset.location, rows.selection, {}, mark=RESTRICTED_MARK, at=at
        )
        restricted.append(f"{rows.dataset.id} ({change.rows} rows): {erasure.explanation}")
    return restricted


def _purged_again(
    estate: EstateStores, erasure: DatasetErasure, at: datetime, holds: Sequence[LegalHold]
) -> DatasetErasure:
    """A dataset an earlier run erased and left waiting for its purge is purged again."""
    if erasure.outcome is not ErasureOutcome.NOTHING:
        return erasure
    purge = purge_dataset(estate, erasure.dataset, at=at, holds=holds)
    if purge.complete:
        return erasure
    return DatasetErasure(erasure.dataset, erasure.outcome, 0, erasure.explanation, purge=purge)


def _held_options(ledger: ConsentLog, subject: SubjectRef, at: datetime) -> list[str]:
    return sorted({grant.option for grant in ledger.state(subject, at).consents})


def _rectifiable(dataset: Dataset, column: str) -> bool:
    key = dataset.subject_key
    return column in dataset.columns and (key is None or key.column != column)


def _distinct(batches: Iterator[pa.RecordBatch], column: str) -> list[str | None]:
    seen: list[str | None] = []
    for batch in batches:
        for value in pc.unique(batch.column(column)).to_pylist():
            text = None if value is None else str(value)
            if text not in seen:
                seen.append(text)
    return seen


def _datasets(names: list[str]) -> str:
    return f"{len(names)} datasets ({', '.join(names)})" if names else "no dataset"
