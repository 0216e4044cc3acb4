"""A subject's state folded from their events: now (the projection) or as of a past instant.

Events apply in the order they take effect; events that take effect at the same instant
apply in the order they were recorded. So a later event wins, and a withdrawal is never
overridden by a grant that took effect before it, however late that grant was recorded.
Imports nothing outside the standard library, `placet.errors`, `placet.policy`,
`placet.decide.state` and `placet.ledger`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any, NamedTuple, Protocol

from placet.decide.state import ConsentGrant, SubjectState
from placet.errors import InvalidEventError
from placet.ledger.events import (
    BusinessOptOutEnded,
    BusinessOptOutMade,
    ConsentGiven,
    ConsentWithdrawn,
    ContractEnded,
    ContractRef,
    ContractStarted,
    DebtIncurred,
    DebtRef,
    DebtSettled,
    EventData,
    LedgerEvent,
    ObjectionMade,
    ObjectionWithdrawn,
    RestrictionLifted,
    RestrictionSet,
    SubjectFactsRecorded,
    SubjectRef,
)
from placet.policy.model import ConsentOptionId, PurposeId, SubjectTypeId

__all__ = [
    "Happened",
    "LedgerFacts",
    "SubjectProjection",
    "apply_event",
    "apply_events",
    "project_events",
    "replay",
]


class Happened(Protocol):
    """What folding reads of an event: a `LedgerEvent`, or a row of a batch held as columns
    (`placet.ledger.chain_columns.Happening`)."""

    @property
    def subject(self) -> SubjectRef: ...
    @property
    def data(self) -> EventData: ...
    @property
    def effective_at(self) -> datetime: ...


class LedgerFacts(NamedTuple):
    """What retention reads of one subject's state at an instant (`SqlLedger.facts`)."""

    subject_type: str | None = None
    last_contract_end: datetime | None = None
    """None while a contract runs, or if there never was one (`never_had_contract` tells)."""
    debt_settled_at: datetime | None = None
    never_had_contract: bool = False
    """The ledger knows the subject and records no contract of theirs, running or ended;
    False for a subject it does not know."""

    @classmethod
    def of(cls, state: SubjectState) -> LedgerFacts:
        """The facts of a known subject's state."""
        return cls(
            state.subject_type,
            state.last_contract_end,
            state.debt_settled_at,
            never_had_contract=state.active_contracts == 0 and state.last_contract_end is None,
        )


@dataclass(frozen=True, slots=True)
class SubjectProjection:
    """Everything needed to go on folding a subject's events, and to answer their state.

    It keeps what `SubjectState` leaves out: which contracts and debts are open (to close
    the right one), and the latest instant folded in (`effective_through`), after which
    later events can be folded in one by one.
    """

    subject: SubjectRef
    subject_type: SubjectTypeId | None = None
    birth_date: date | None = None
    consents: tuple[ConsentGrant, ...] = ()
    """Live consents, sorted by option."""
    withdrawn: frozenset[ConsentOptionId] = frozenset()
    objections: frozenset[PurposeId] = frozenset()
    objects_to_direct_marketing: bool = False
    restricted: bool = False
    contracts: frozenset[ContractRef] = frozenset()
    """Contracts started and not yet ended."""
    last_contract_end: datetime | None = None
    debts: frozenset[DebtRef] = frozenset()
    """Claims incurred and not yet settled."""
    debt_settled_at: datetime | None = None
    business_opt_out: bool = False
    business_opt_out_until: datetime | None = None
    effective_through: datetime | None = None
    """The latest instant at which a folded event took effect; None before any event."""

    def state(self, at: datetime) -> SubjectState:
        """The subject's state at `at`, which must not be before `effective_through`."""
        opt_out = self.business_opt_out and (
            self.business_opt_out_until is None or at < self.business_opt_out_until
        )
        return SubjectState(
            subject=self.subject,
            as_of=at,
            subject_type=self.subject_type,
            birth_date=self.birth_date,
            consents=self.consents,
            withdrawn=self.withdrawn,
            objections=self.objections,
            objects_to_direct_marketing=self.objects_to_direct_marketing,
            restricted=self.restricted,
            active_contracts=len(self.contracts),
            last_contract_end=None if self.contracts else self.last_contract_end,
            debt_outstanding=bool(self.debts),
            debt_settled_at=None if self.debts else self.debt_settled_at,
            business_opt_out=opt_out,
            business_opt_out_until=self.business_opt_out_until if opt_out else None,
        )


def apply_event(projection: SubjectProjection, event: Happened) -> SubjectProjection:
    """`projection` with `event` folded in; `event` must not take effect before the others."""
    at = event.effective_at
    through = projection.effective_through
    changes = _changes(projection, event)
    changes["effective_through"] = at if through is None or at > through else through
    return _replace(projection, changes)


def apply_events(projection: SubjectProjection, events: Sequence[Happened]) -> SubjectProjection:
    """`apply_event` of each of `events` in turn, in the order given, which must be the order
    they take effect, none before the others: one projection is made rather than one per
    event (an import folds each subject's rows together, four or so a subject)."""
    if len(events) == 1:
        return apply_event(projection, events[0])
    folding = SimpleNamespace(**{name: getattr(projection, name) for name in _FIELDS})
    for event in events:
        at = event.effective_at
        through = folding.effective_through
        vars(folding).update(_changes(folding, event))
        folding.effective_through = at if through is None or at > through else through
    return SubjectProjection(**vars(folding))


class _Folded(Protocol):
    """What folding an event reads of the projection so far: a `SubjectProjection`, or the
    namespace `apply_events` folds a subject's events in."""

    @property
    def subject_type(self) -> SubjectTypeId | None: ...
    @property
    def birth_date(self) -> date | None: ...
    @property
    def consents(self) -> tuple[ConsentGrant, ...]: ...
    @property
    def withdrawn(self) -> frozenset[ConsentOptionId]: ...
    @property
    def objections(self) -> frozenset[PurposeId]: ...
    @property
    def contracts(self) -> frozenset[ContractRef]: ...
    @property
    def last_contract_end(self) -> datetime | None: ...
    @property
    def debts(self) -> frozenset[DebtRef]: ...
    @property
    def debt_settled_at(self) -> datetime | None: ...


def _replace(projection: SubjectProjection, changes: dict[str, Any]) -> SubjectProjection:
    """`dataclasses.replace` without its per-call look at the fields: `apply_event` folds one
    event at a time, and `replace` was a third of the fold."""
    values = {name: getattr(projection, name) for name in _FIELDS}
    values.update(changes)
    return SubjectProjection(**values)


_FIELDS = tuple(field.name for field in fields(SubjectProjection))


def _changes(projection: _Folded, event: Happened) -> dict[str, Any]:
    """The fields `event` changes, with their new values (one `replace` per event)."""
    at = event.effective_at
    data = event.data
    match data:
        case ConsentGiven():
            return _give(projection, data, at)
        case ConsentWithdrawn():
            return _withdraw(projection, data)
        case ObjectionMade(all_direct_marketing=True):
            return {"objects_to_direct_marketing": True}
        case ObjectionWithdrawn(all_direct_marketing=True):
            return {"objects_to_direct_marketing": False}
        case ObjectionMade(purpose=str() as purpose):
            return {"objections": projection.objections | {purpose}}
        case ObjectionWithdrawn(purpose=str() as purpose):
            return {"objections": projection.objections - {purpose}}
        case RestrictionSet():
            return {"restricted": True}
        case RestrictionLifted():
            return {"restricted": False}
        case ContractStarted():
            return {"contracts": projection.contracts | {data.contract}}
        case ContractEnded():
            return _end_contract(projection, data.contract, at)
        case DebtIncurred():
            return {"debts": projection.debts | {data.debt}}
        case DebtSettled():
            return _settle_debt(projection, data.debt, at)
        case BusinessOptOutMade():
            return {"business_opt_out": True, "business_opt_out_until": data.until}
        case BusinessOptOutEnded():
            return {"business_opt_out": False, "business_opt_out_until": None}
        case SubjectFactsRecorded():
            return {
                "subject_type": data.subject_type or projection.subject_type,
                "birth_date": data.birth_date or projection.birth_date,
            }
        case _:  # pragma: no cover - every event type is matched above
            raise InvalidEventError(f"no projection rule for {data.type}", "Add one")


def project_events(subject: SubjectRef, events: Iterable[LedgerEvent]) -> SubjectProjection:
    """Fold one subject's events, given in the order they were recorded."""
    ordered = sorted(_of_subject(subject, events), key=lambda event: event.effective_at)
    projection = SubjectProjection(subject=subject)
    for event in ordered:
        projection = apply_event(projection, event)
    return projection


def replay(
    events: Iterable[LedgerEvent],
    as_of: datetime,
    *,
    subject: SubjectRef | None = None,
    known_at: datetime | None = None,
) -> SubjectState:
    """One subject's state as of `as_of`, from their events in the order they were recorded.

    Only events that took effect by `as_of` count; with `known_at`, only those recorded by
    then too (what the ledger knew at that instant, for replaying a past decision).
    `subject` is needed only when there may be no events.
    """
    given = list(events)
    if subject is None:
        if not given:
            raise InvalidEventError(
                "replay was given no event and no subject", "Pass subject= to replay"
            )
        subject = given[0].subject
    chosen = [
        event
        for event in _of_subject(subject, given)
        if event.effective_at <= as_of and (known_at is None or event.recorded_at <= known_at)
    ]
    return project_events(subject, chosen).state(as_of)


def _of_subject(subject: SubjectRef, events: Iterable[LedgerEvent]) -> Iterable[LedgerEvent]:
    for event in events:
        if event.subject != subject:
            raise InvalidEventError(
                f"event {event.event_id} is about another subject than {subject}",
                "Replay one subject's history at a time",
            )
        yield event


def _give(projection: _Folded, data: ConsentGiven, at: datetime) -> dict[str, Any]:
    consents = projection.consents
    option = data.option
    place, existing = _grant_of(consents, option)
    if existing is None:
        updated = (*consents[:place], ConsentGrant(option, at, data.channels), *consents[place:])
    else:
        if not existing.channels or not data.channels:
            grant = ConsentGrant(option, existing.given_at)
        else:
            grant = ConsentGrant(option, existing.given_at, existing.channels | data.channels)
        updated = (*consents[:place], grant, *consents[place + 1 :])
    if option not in projection.withdrawn:
        return {"consents": updated}
    return {"consents": updated, "withdrawn": projection.withdrawn - {option}}


def _withdraw(projection: _Folded, data: ConsentWithdrawn) -> dict[str, Any]:
    consents = projection.consents
    option = data.option
    place, existing = _grant_of(consents, option)
    if existing is None:
        return {"consents": consents, "withdrawn": projection.withdrawn | {option}}
    # A grant of every channel cannot lose one channel without the policy's list of them;
    # the protective reading withdraws the whole option (Art. 7(3): as easy as giving it).
    remaining = existing.channels - data.channels if existing.channels and data.channels else None
    if remaining:
        grant = ConsentGrant(option, existing.given_at, remaining)
        return {"consents": (*consents[:place], grant, *consents[place + 1 :])}
    return {
        "consents": (*consents[:place], *consents[place + 1 :]),
        "withdrawn": projection.withdrawn | {option},
    }


def _grant_of(
    consents: tuple[ConsentGrant, ...], option: ConsentOptionId
) -> tuple[int, ConsentGrant | None]:
    """Where `option`'s grant is, or would go, among `consents` (sorted by option), and the
    grant if there is one: a binary search rather than sorting the grants again."""
    place = bisect_left(consents, option, key=_option_of)
    if place < len(consents) and consents[place].option == option:
        return place, consents[place]
    return place, None


def _option_of(grant: ConsentGrant) -> ConsentOptionId:
    return grant.option


def _end_contract(projection: _Folded, contract: ContractRef, at: datetime) -> dict[str, Any]:
    open_contracts = projection.contracts - {contract}
    last_end = at if not open_contracts else projection.last_contract_end
    return {"contracts": open_contracts, "last_contract_end": last_end}


def _settle_debt(projection: _Folded, debt: DebtRef, at: datetime) -> dict[str, Any]:
    open_debts = projection.debts - {debt}
    settled_at = at if not open_debts else projection.debt_settled_at
    return {"debts": open_debts, "debt_settled_at": settled_at}
