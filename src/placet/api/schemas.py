"""The HTTP API's request and response bodies (pydantic), and how domain values become them.

Bodies are validated here, at the edge; what the operations receive are domain values.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Final, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from placet.decide import Decision, SubjectState, Use
from placet.dsr import RequestKind, RequestState, Step, StepKind, SubjectRequest
from placet.ledger import CollectedVia, DecisionEntry, GivenBy, LedgerEntry, RestrictionGround
from placet.ledger.events import EventType
from placet.operations import DecisionAnswer
from placet.policy.model import CategoryId, PurposeId, RecipientId
from placet.policy.terms import Channel

__all__ = [
    "AudienceBody",
    "AudienceSummaryOut",
    "BatchBody",
    "BatchOut",
    "BusinessOptOutBody",
    "ConsentBody",
    "ContractBody",
    "DebtBody",
    "DecisionBody",
    "DecisionOut",
    "EventOut",
    "FactsBody",
    "HistoryOut",
    "ObjectionBody",
    "RequestBody",
    "RequestDetailOut",
    "RequestOut",
    "RequestStepBody",
    "RequestSummaryOut",
    "RestrictionBody",
    "StateOut",
    "StrictBody",
    "VerifyOut",
    "WithdrawalBody",
    "decision_out",
    "event_out",
    "request_detail_out",
    "request_out",
    "request_summary_out",
    "state_out",
]

Identifier = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
"""A subscriber's identifier as the operator knows it: a customer number, an MSISDN (E.164)."""
ElementId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=100)]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
Reference = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=500)]


class StrictBody(BaseModel):
    """A request body that refuses fields it does not know (a typo is a 422, not ignored)."""

    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- decisions


class UseFields(StrictBody):
    """The use asked about: purpose, data categories, channel, recipient and country."""

    purpose: ElementId = Field(description="The purpose id (`direct-marketing-current-offers`).")
    categories: list[ElementId] = Field(
        min_length=1, description="The data categories the use touches (`contact`)."
    )
    channel: Channel | None = Field(None, description="How the subject is reached (`sms`).")
    recipient: ElementId | None = Field(
        None, description="Who receives the data when it leaves the controller (a recipient id)."
    )
    country: Country | None = Field(
        None, description="Where the data goes when it leaves the controller (ISO 3166, `DE`)."
    )
    anonymised: bool = Field(False, description="The data is anonymised before this use.")

    def use(self) -> Use:
        return Use(
            purpose=PurposeId(self.purpose),
            categories=tuple(CategoryId(category) for category in self.categories),
            channel=self.channel,
            recipient=RecipientId(self.recipient) if self.recipient else None,
            country=self.country,
            anonymised=self.anonymised,
        )


class Instants(StrictBody):
    at: AwareDatetime | None = Field(
        None,
        description="Decide as of this instant (a replay): the policy version in force then "
        "and the subject's state then. Default: now.",
    )
    known_at: AwareDatetime | None = Field(
        None,
        description="Count only the events the ledger had recorded by this instant (what was "
        "known then). Default: everything recorded.",
    )


class DecisionQuestion(UseFields, Instants):
    subject: Identifier = Field(description="The subscriber's identifier (pseudonymised here).")


class DecisionBody(DecisionQuestion):
    """May this purpose use these data of this subject, now or at `at`?"""

    language: Language | None = Field(
        None, description="Language of the cited clauses; default: the policy's source language."
    )


class BatchBody(StrictBody):
    """Many questions at once; answers come back in the same order."""

    decisions: list[DecisionQuestion] = Field(min_length=1, max_length=10_000)
    language: Language | None = Field(
        None, description="Language of the cited clauses; default: the policy's source language."
    )


class PolicyRef(BaseModel):
    id: str
    version: str


class ClauseOut(BaseModel):
    path: str = Field(description="The element of the policy (`purposes.fraud-prevention`).")
    text: str = Field(description="What it says, in the language asked.")


class DecisionOut(BaseModel):
    subject: str = Field(description="The subject's pseudonym in the ledger.")
    at: datetime
    policy: PolicyRef
    outcome: Literal["permit", "deny"]
    reason: str = Field(description="A reason code (docs/decisions.md).")
    explanation: str
    rules: list[str]
    clauses: list[ClauseOut]
    obligations: list[str]
    valid_until: datetime | None
    language: str


class BatchOut(BaseModel):
    decisions: list[DecisionOut]


def decision_out(answer: DecisionAnswer) -> DecisionOut:
    decision: Decision = answer.decision
    return DecisionOut(
        subject=answer.subject,
        at=answer.at,
        policy=PolicyRef(id=answer.policy_id, version=answer.policy_version),
        outcome="permit" if decision.is_permitted else "deny",
        reason=decision.reason,
        explanation=decision.explanation,
        rules=list(decision.rules),
        clauses=[ClauseOut(path=clause.path, text=clause.text) for clause in answer.clauses],
        obligations=[obligation.value for obligation in decision.obligations],
        valid_until=decision.valid_until,
        language=answer.language,
    )


# ---------------------------------------------------------------- audiences


class AudienceBody(UseFields, Instants):
    """A campaign: which of these subscribers may this use reach?"""

    subscribers: list[Identifier] = Field(
        min_length=1,
        max_length=5_000_000,
        description="The subscriber identifiers to select from (a column of the table).",
    )


class AudienceSummaryOut(BaseModel):
    at: datetime
    policy: PolicyRef
    total: int
    permitted: int
    excluded: dict[str, int] = Field(description="Reason code → subscribers excluded for it.")
    ledger: HeadOut = Field(description="The ledger's head the selection read through.")
    record_id: UUID | None = Field(
        None, description="The audience run's decision record (lists are recorded; counts not)."
    )


# ---------------------------------------------------------------- events


class EventFields(StrictBody):
    """How the event reached the operator, and when it takes effect."""

    effective_at: AwareDatetime | None = Field(
        None, description="When it takes effect; default: when it is recorded (now)."
    )
    collected_via: CollectedVia = Field(description="How it reached the operator.")
    given_by: GivenBy = Field(GivenBy.SUBJECT, description="Who gave it.")
    actor: Text = Field(description="The staff id or system recording it (not a person's name).")
    evidence: Text | None = Field(None, description="A reference to the evidence (a form's id).")
    personal: dict[Annotated[str, StringConstraints(min_length=1)], str] | None = Field(
        None,
        description="Personal data kept as evidence (the MSISDN collected from): stored "
        "outside the hash chain, erasable.",
    )


class ConsentBody(EventFields):
    option: ElementId = Field(description="The consent option agreed to (`current-offers`).")
    channels: list[Channel] = Field(
        default_factory=list, description="The channels agreed to; none: all the option covers."
    )


class WithdrawalBody(EventFields):
    option: ElementId = Field(description="The consent option withdrawn.")
    channels: list[Channel] = Field(
        default_factory=list, description="The channels withdrawn; none: the whole option."
    )


class ObjectionBody(EventFields):
    status: Literal["made", "withdrawn"] = Field("made", description="Made, or withdrawn.")
    purpose: ElementId | None = Field(None, description="The purpose objected to (Art. 21(1)).")
    all_direct_marketing: bool = Field(
        False, description="An objection to all direct marketing (Art. 21(2))."
    )


class RestrictionBody(EventFields):
    status: Literal["set", "lifted"] = Field("set", description="Set, or lifted.")
    ground: RestrictionGround | None = Field(None, description="Why (Art. 18(1)(a)–(d)).")


class ContractBody(EventFields):
    status: Literal["started", "ended"] = Field("started", description="Started, or ended.")
    contract: Reference = Field(description="The operator's opaque contract reference.")


class DebtBody(EventFields):
    status: Literal["incurred", "settled"] = Field("incurred", description="Incurred or settled.")
    debt: Reference = Field(description="The operator's opaque reference of the claim.")


class BusinessOptOutBody(EventFields):
    status: Literal["made", "ended"] = Field("made", description="Made, or ended.")
    until: AwareDatetime | None = Field(
        None, description="When a temporary opt-out ends; none: permanent."
    )


class FactsBody(EventFields):
    subject_type: ElementId | None = Field(
        None, description="The subject type (`consumer-subscriber`)."
    )
    birth_date: date | None = Field(None, description="The birth date (for minors' rules).")


class EventOut(BaseModel):
    event_id: UUID
    seq: int = Field(description="Position in the ledger.")
    type: EventType
    subject: str = Field(description="The subject's pseudonym.")
    data: dict[str, Any] = Field(description="What happened, by event type (docs/ledger.md).")
    effective_at: datetime
    recorded_at: datetime
    collected_via: CollectedVia
    given_by: GivenBy
    actor: str
    evidence: str | None
    policy: PolicyRef
    idempotency_key: str
    has_personal: bool = Field(description="Personal payload is stored with it (not shown).")
    prev_hash: str
    hash: str
    receipt: str | None = Field(description="Where its signed receipt is (consent events).")


def event_out(entry: LedgerEntry) -> EventOut:
    event = entry.event
    is_consent = event.type in {EventType.CONSENT_GIVEN, EventType.CONSENT_WITHDRAWN}
    return EventOut(
        event_id=event.event_id,
        seq=entry.seq,
        type=event.type,
        subject=event.subject,
        data=event.data.model_dump(mode="json", exclude={"type"}),
        effective_at=event.effective_at,
        recorded_at=event.recorded_at,
        collected_via=event.collected_via,
        given_by=event.given_by,
        actor=event.actor,
        evidence=event.evidence,
        policy=PolicyRef(id=event.policy_id, version=event.policy_version),
        idempotency_key=event.idempotency_key,
        has_personal=event.personal is not None,
        prev_hash=entry.prev_hash,
        hash=entry.hash,
        receipt=f"/v1/receipts/{event.event_id}" if is_consent else None,
    )


# ---------------------------------------------------------------- subjects and the ledger


class GrantOut(BaseModel):
    option: str
    given_at: datetime
    channels: list[str] = Field(description="None: every channel the option covers.")


class StateOut(BaseModel):
    subject: str = Field(description="The subject's pseudonym.")
    as_of: datetime
    known_at: datetime | None
    subject_type: str | None
    birth_date: date | None
    consents: list[GrantOut]
    withdrawn: list[str]
    objections: list[str]
    objects_to_direct_marketing: bool
    restricted: bool
    active_contracts: int
    last_contract_end: datetime | None
    debt_outstanding: bool
    debt_settled_at: datetime | None
    business_opt_out: bool
    business_opt_out_until: datetime | None


def state_out(state: SubjectState, known_at: datetime | None) -> StateOut:
    return StateOut(
        subject=state.subject,
        as_of=state.as_of,
        known_at=known_at,
        subject_type=state.subject_type,
        birth_date=state.birth_date,
        consents=[
            GrantOut(option=grant.option, given_at=grant.given_at, channels=sorted(grant.channels))
            for grant in state.consents
        ],
        withdrawn=sorted(state.withdrawn),
        objections=sorted(state.objections),
        objects_to_direct_marketing=state.objects_to_direct_marketing,
        restricted=state.restricted,
        active_contracts=state.active_contracts,
        last_contract_end=state.last_contract_end,
        debt_outstanding=state.debt_outstanding,
        debt_settled_at=state.debt_settled_at,
        business_opt_out=state.business_opt_out,
        business_opt_out_until=state.business_opt_out_until,
    )


class HistoryOut(BaseModel):
    subject: str
    events: list[EventOut]


class HeadOut(BaseModel):
    seq: int
    hash: str


class ChainProblemOut(BaseModel):
    position: int
    kind: str = Field(description="altered, removed, inserted or reordered.")
    event_id: str | None
    detail: str


class ChainVerifyOut(BaseModel):
    intact: bool
    verified: int = Field(description="Records that verified before the first problem.")
    head: HeadOut
    problem: ChainProblemOut | None


class VerifyOut(BaseModel):
    intact: bool = Field(description="Both chains, events and decision records, are intact.")
    verified: int = Field(description="Events that verified before the first problem.")
    head: HeadOut
    problem: ChainProblemOut | None
    decisions: ChainVerifyOut = Field(description="The decision records' chain.")


# ---------------------------------------------------------------- decision records


class DecisionRecordOut(BaseModel):
    """A decision that matters, as recorded: enough to compute it again and compare."""

    record_id: UUID
    seq: int = Field(description="Position in the decision records' chain.")
    hash: str
    kind: str = Field(description="audience-run, disclosure or erasure.")
    recorded_at: datetime
    actor: str
    policy: PolicyRef
    ledger: HeadOut = Field(description="The events' chain head the decision read.")
    as_of: datetime = Field(description="The instant decided at.")
    known_at: datetime | None
    subject: str | None
    request: dict[str, Any]
    outcome: dict[str, Any]
    selection_digest: str | None = Field(
        description="SHA-256 over the selected subjects' pseudonyms, one per line, in order."
    )
    source: dict[str, str]


def decision_record_out(entry: DecisionEntry) -> DecisionRecordOut:
    record = entry.record
    return DecisionRecordOut(
        record_id=record.record_id,
        seq=entry.seq,
        hash=entry.hash,
        kind=record.kind.value,
        recorded_at=record.recorded_at,
        actor=record.actor,
        policy=PolicyRef(id=record.policy_id, version=record.policy_version),
        ledger=HeadOut(seq=record.ledger_seq, hash=record.ledger_hash),
        as_of=record.as_of,
        known_at=record.known_at,
        subject=record.subject,
        request=record.request,
        outcome=record.outcome,
        selection_digest=record.selection_digest,
        source=record.source,
    )


# ---------------------------------------------------------------- subjects' requests


class RequestBody(StrictBody):
    """A request received from a subject; the key's name is recorded as who opened it."""

    kind: RequestKind = Field(description="What the subject asks for.")
    subject: Identifier = Field(description="The subscriber's identifier the request is for.")
    channel: Channel = Field(description="How the request arrived.")
    received_at: AwareDatetime | None = Field(
        None, description="When it was received; the deadline counts from this day. Default: now."
    )
    request_id: Reference | None = Field(
        None, description="The request's id; default: the next `DSR-<year>-NNNNNN`."
    )


RequestStepName = Literal[
    "ask-identity", "verify", "start", "clarify", "clarified", "extend", "fulfil", "reject"
]
_NEEDS_REASON: Final = {
    "clarify": "the question asked",
    "extend": "why the answer needs longer",
    "reject": "why the request is refused",
}


class RequestStepBody(StrictBody):
    """One step on a request. `clarify`, `extend` and `reject` need a `reason`; `extend`
    also needs `notified_at`, when the subject was told (GDPR Art. 12(3))."""

    step: RequestStepName = Field(
        description="`ask-identity` (the clock stops), `verify`, `start`, `clarify` (the clock "
        "stops), `clarified`, `extend`, `fulfil`, `reject`."
    )
    reason: Text | None = Field(
        None, description="Why, or how (the question asked; how identity was verified)."
    )
    notified_at: AwareDatetime | None = Field(None, description="When the subject was told.")
    at: AwareDatetime | None = Field(None, description="When the step was taken; default: now.")

    @model_validator(mode="after")
    def _has_what_the_step_needs(self) -> RequestStepBody:
        if self.step in _NEEDS_REASON and self.reason is None:
            raise ValueError(f"the step '{self.step}' needs a reason: {_NEEDS_REASON[self.step]}")
        if self.step == "extend" and self.notified_at is None:
            raise ValueError(
                "the step 'extend' needs notified_at: when the subject was told of the "
                "extension and why (GDPR Art. 12(3))"
            )
        return self


class RequestSummaryOut(BaseModel):
    """A request as a list shows it: the subject by pseudonym only."""

    request_id: str
    kind: RequestKind
    state: RequestState
    subject: str = Field(description="The subject's pseudonym (64 hex digits).")
    received_at: datetime
    due_at: datetime = Field(description="The due date as it stands now, pauses included.")
    remaining_seconds: float | None = Field(
        description="The time left, negative once overdue; null once answered."
    )
    is_overdue: bool
    is_paused: bool = Field(description="Is Placet waiting on the requester (clock stopped)?")
    paused_seconds: float = Field(description="How long the clock has stood still in all.")
    is_extended: bool


class RequestStepOut(BaseModel):
    kind: StepKind
    from_state: RequestState | None
    to_state: RequestState
    at: datetime
    actor: str
    reason: str | None
    notified_at: datetime | None


class RequestOut(RequestSummaryOut):
    """A request with its terms and every step, oldest first."""

    channel: Channel
    policy_id: str
    policy_version: str
    waiting_on: RequestState | None = Field(
        description="Why the clock stands still now; null when it runs."
    )
    paused_since: datetime | None
    steps: list[RequestStepOut]


class RequestDetailOut(RequestOut):
    """A request as staff read it: also the subscriber it was opened for."""

    subscriber: str | None = Field(description="The subscriber's identifier, as staff gave it.")


def request_summary_out(request: SubjectRequest, at: datetime) -> RequestSummaryOut:
    return RequestSummaryOut(**_summary_fields(request, at))


def request_out(request: SubjectRequest, at: datetime) -> RequestOut:
    return RequestOut(**_summary_fields(request, at), **_detail_fields(request, at))


def request_detail_out(
    request: SubjectRequest, at: datetime, subscriber: str | None
) -> RequestDetailOut:
    return RequestDetailOut(
        **_summary_fields(request, at), **_detail_fields(request, at), subscriber=subscriber
    )


def _summary_fields(request: SubjectRequest, at: datetime) -> dict[str, Any]:
    return {
        "request_id": request.request_id,
        "kind": request.kind,
        "state": request.state,
        "subject": request.subject,
        "received_at": request.received_at,
        "due_at": request.due_as_of(at),
        "remaining_seconds": None if request.is_final else request.remaining(at).total_seconds(),
        "is_overdue": request.is_overdue(at),
        "is_paused": request.is_paused,
        "paused_seconds": request.paused_for(at).total.total_seconds(),
        "is_extended": request.is_extended,
    }


def _detail_fields(request: SubjectRequest, at: datetime) -> dict[str, Any]:
    paused = request.paused_for(at)
    return {
        "channel": request.channel,
        "policy_id": request.terms.policy_id,
        "policy_version": request.terms.policy_version,
        "waiting_on": paused.waiting_on,
        "paused_since": paused.since,
        "steps": [_step_out(step) for step in request.steps],
    }


def _step_out(step: Step) -> RequestStepOut:
    return RequestStepOut(
        kind=step.kind,
        from_state=step.from_state,
        to_state=step.to_state,
        at=step.at,
        actor=step.actor,
        reason=step.reason,
        notified_at=step.notified_at,
    )
