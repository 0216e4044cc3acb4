"""The ledger history of a synthetic estate: the events its tables imply, and recording them.

The history is drawn from the same skeleton and invoice draws as the tables, so the two
never disagree: each subscriber's facts (subject type; a minor's birth date), each
contract's start and end, and each invoice left unpaid past its due date (a debt, settled
when it is paid late). The inputs are drawn vectorised; the `LedgerEvent`s are built in
Python a batch at a time, which suits demo estates, not millions of subscribers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from enum import IntEnum
from functools import cache

import numpy as np
import polars as pl
import pyarrow.compute as pc

from placet.ledger import (
    CollectedVia,
    ConsentLog,
    ContractEnded,
    ContractRef,
    ContractStarted,
    DebtIncurred,
    DebtRef,
    DebtSettled,
    EventData,
    GivenBy,
    LedgerEvent,
    PseudonymKey,
    SubjectFactsRecorded,
    pseudonyms_by_identifier,
)
from placet.ledger.chain_columns import EventColumns
from placet.ledger.pseudonym_column import pseudonymise_column
from placet.policy import load_policy_set
from placet.policy.model import SubjectTypeId
from placet.synth.accounts import PAYMENT_TERM_DAYS, block_invoices, invoice_ids
from placet.synth.estate import ProgressReporter
from placet.synth.operators import SubscriberKind
from placet.synth.people import OPEN, Population, contract_ids, draw_population, subscriber_ids
from placet.synth.plan import DAY_US, EstatePlan, OperatorName, random_stream
from placet.synth.tables import estate_tables

__all__ = [
    "HISTORY_ACTOR",
    "HISTORY_BATCH_SIZE",
    "SUBJECT_TYPES",
    "EstateHistory",
    "HistoryReport",
    "draw_history",
    "history_batches",
    "in_pseudonym_order",
    "record_estate_history",
]

log = logging.getLogger(__name__)

HISTORY_ACTOR = "synth"
"""Who records the estate's history in the ledger."""
HISTORY_BATCH_SIZE = 10_000
"""Events per `append_many`: each batch is one transaction."""

SUBJECT_TYPES: dict[OperatorName, tuple[SubjectTypeId, SubjectTypeId, SubjectTypeId, SubjectTypeId]]
SUBJECT_TYPES = {
    # A prospect is a person who is not (yet) a subscriber: ipko's "buyers and other
    # persons", ipnordic's contact person to book a meeting with. ipnordic sells to
    # businesses only, so a person holding a line there is an employee using it.
    OperatorName.IPKO: (
        SubjectTypeId("consumer-subscriber"),
        SubjectTypeId("business-entity"),
        SubjectTypeId("consumer-subscriber"),
        SubjectTypeId("buyer-or-other-person"),
    ),
    OperatorName.IPNORDIC: (
        SubjectTypeId("employee-user"),
        SubjectTypeId("business-customer"),
        SubjectTypeId("employee-user"),
        SubjectTypeId("meeting-contact"),
    ),
}
"""The policy's subject type of each kind of subscriber: consumer, business, minor, prospect."""


class _Kind(IntEnum):
    """What a row of the history records; at the same instant, rows apply in this order."""

    SUBJECT_FACTS = 0
    CONTRACT_STARTED = 1
    DEBT_INCURRED = 2
    DEBT_SETTLED = 3
    CONTRACT_ENDED = 4


_VIAS = (CollectedVia.SHOP, CollectedVia.WEB, CollectedVia.CALL_CENTRE, CollectedVia.PAPER)
"""The ways events reach the operator here; a debt falls due on a paper invoice."""
_SIGN_UP_SHARES = (0.5, 0.3, 0.2, 0.0)
"""How subscribers sign up and sign contracts: mostly in a shop."""
_LEAVING_SHARES = (0.3, 0.2, 0.5, 0.0)
"""How contracts are ended: mostly by calling the call centre."""
_PAYMENT_VIAS = {
    "cash": CollectedVia.SHOP,
    "card": CollectedVia.WEB,
    "e-banking": CollectedVia.WEB,
    "bank-transfer": CollectedVia.PAPER,
    "betalingsservice": CollectedVia.PAPER,
}
"""How a late payment reached the operator, by the `payments` table's method."""
_KEY_PARTS = {
    _Kind.SUBJECT_FACTS: "subscribers-{}-facts",
    _Kind.CONTRACT_STARTED: "contracts-{}-started",
    _Kind.CONTRACT_ENDED: "contracts-{}-ended",
    _Kind.DEBT_INCURRED: "invoices-{}-debt-incurred",
    _Kind.DEBT_SETTLED: "invoices-{}-debt-settled",
}


@dataclass(frozen=True, slots=True, eq=False)
class EstateHistory:
    """The ledger events of an estate as parallel arrays, in the order to record them: by
    instant, then subscriber, then kind. About 26 bytes an event."""

    subscriber: np.ndarray
    kind: np.ndarray
    """`_Kind` code of each event (int8)."""
    instant: np.ndarray
    """When it takes effect, microseconds since the epoch."""
    reference: np.ndarray
    """The contract's index, or the invoice's number; the subscriber for facts."""
    via: np.ndarray
    """How it reached the operator: an index into `_VIAS` (int8)."""

    def __len__(self) -> int:
        return len(self.subscriber)

    def take(self, order: np.ndarray) -> EstateHistory:
        """The events at the positions `order` gives, in that order."""
        return EstateHistory(*(getattr(self, column.name)[order] for column in fields(self)))


@dataclass(frozen=True, slots=True)
class HistoryReport:
    """What `record_estate_history` did: events in the history, new ones, time taken."""

    events: int
    recorded: int
    """New events appended."""
    already_recorded: int
    """Events the ledger already held under their idempotency key (a second run)."""
    seconds: float

    def __str__(self) -> str:
        return (
            f"Recorded {self.recorded:,} events of the estate's history in the ledger "
            f"({self.already_recorded:,} already recorded, {self.seconds:.1f} s)."
        )


def _block_history(population: Population, block: int) -> dict[str, np.ndarray]:
    """The history of one block of subscribers, unordered."""
    plan = population.plan
    rng = random_stream(plan.seed, "ledger-history", block)

    def drawn_via(shares: tuple[float, ...], size: int) -> np.ndarray:
        return rng.choice(len(_VIAS), size=size, p=shares)

    members = population.block_subscribers(block)
    first, count = population.contract_range(members[[0, -1]])
    contracts = np.arange(first[0], first[1] + count[1])
    ended = contracts[population.contract_ended[contracts] != OPEN]
    invoices = block_invoices(population, block)
    due = invoices["issued"] + PAYMENT_TERM_DAYS * DAY_US
    paid_late = invoices["is_paid"] & (invoices["paid_at"] > due)
    # A debt: past its due date by now and not paid by then (unpaid now, or paid late).
    is_debt = (due <= plan.now_us) & (~invoices["is_paid"] | paid_late)
    debtor = population.contract_subscriber[invoices["contract"]]
    number = invoices["number"]
    methods = population.profile.payment_methods
    payment_via = np.array([_VIAS.index(_PAYMENT_VIAS[method]) for method in methods])
    # (subscriber, kind, instant, reference, via) of each kind of event
    parts = (
        (members, _Kind.SUBJECT_FACTS, population.created_at[members], members,
         drawn_via(_SIGN_UP_SHARES, len(members))),
        (population.contract_subscriber[contracts], _Kind.CONTRACT_STARTED,
         population.contract_started[contracts], contracts,
         drawn_via(_SIGN_UP_SHARES, len(contracts))),
        (population.contract_subscriber[ended], _Kind.CONTRACT_ENDED,
         population.contract_ended[ended], ended, drawn_via(_LEAVING_SHARES, len(ended))),
        (debtor[is_debt], _Kind.DEBT_INCURRED, due[is_debt], number[is_debt],
         np.full(int(is_debt.sum()), _VIAS.index(CollectedVia.PAPER))),
        (debtor[paid_late], _Kind.DEBT_SETTLED, invoices["paid_at"][paid_late],
         number[paid_late], payment_via[invoices["method"][paid_late]]),
    )  # fmt: skip
    return {
        "subscriber": np.concatenate([part[0] for part in parts]),
        "kind": np.concatenate([np.full(len(part[0]), part[1], np.int8) for part in parts]),
        "instant": np.concatenate([part[2] for part in parts]),
        "reference": np.concatenate([part[3] for part in parts]),
        "via": np.concatenate([part[4] for part in parts]).astype(np.int8),
    }


def draw_history(population: Population) -> EstateHistory:
    """Every ledger event the estate's tables imply, in the order to record them."""
    blocks = [_block_history(population, block) for block in range(population.block_count())]
    columns = {name: np.concatenate([block[name] for block in blocks]) for name in blocks[0]}
    order = np.lexsort(
        (columns["reference"], columns["kind"], columns["subscriber"], columns["instant"])
    )
    return EstateHistory(**columns).take(order)


def in_pseudonym_order(history: EstateHistory, key: PseudonymKey) -> EstateHistory:
    """`history` with each subscriber's events together, subscribers in the order of their
    pseudonyms under `key`, each one's events in the order they had (the order they take
    effect). A batch of it then names a narrow range of pseudonyms, so the ledger's indexes
    by subject take it in a few pages, and each subject's projection is folded once a batch
    (in the order of instants, a batch of 10,000 touched about as many subjects, and nearly
    every page of those indexes)."""
    subscribers, where = np.unique(history.subscriber, return_inverse=True)
    pseudonyms = pseudonymise_column(pl.Series(subscriber_ids(subscribers)), key).to_arrow()
    rank = np.empty(len(subscribers), dtype=np.int64)
    rank[pc.sort_indices(pseudonyms).to_numpy()] = np.arange(len(subscribers))
    return history.take(np.argsort(rank[where], kind="stable"))


@cache
def _has_birth_dates(operator: OperatorName) -> bool:
    """Whether the operator's `subscribers` table shows a birth date (ipnordic's does not)."""
    return "birth_date" in estate_tables(operator)["subscribers"].column_names


def history_batches(
    population: Population,
    history: EstateHistory,
    key: PseudonymKey,
    *,
    recorded_at: datetime,
    batch_size: int = HISTORY_BATCH_SIZE,
) -> Iterator[list[LedgerEvent]]:
    """The history as ledger events, `batch_size` at a time, in its order."""
    plan = population.plan
    policy = load_policy_set(plan.operator.value).in_force(recorded_at)
    for start in range(0, len(history), batch_size):
        window = slice(start, start + batch_size)
        subscriber = history.subscriber[window]
        kind = history.kind[window]
        reference = history.reference[window]
        ids = _references(kind, reference, subscriber)
        instants = history.instant[window].astype("datetime64[us]").tolist()
        identifiers = subscriber_ids(subscriber).to_pylist()
        pseudonyms = pseudonyms_by_identifier(identifiers, key)
        events: list[LedgerEvent] = []
        for row, (who, code, instant, identifier, via) in enumerate(
            zip(
                subscriber.tolist(),
                kind.tolist(),
                instants,
                identifiers,
                history.via[window].tolist(),
                strict=True,
            )
        ):
            subject = pseudonyms[identifier]
            events.append(
                LedgerEvent(
                    subject=subject,
                    data=_event_data(population, _Kind(code), who, ids[row]),
                    effective_at=instant.replace(tzinfo=UTC),
                    recorded_at=recorded_at,
                    collected_via=_VIAS[via],
                    given_by=_given_by(population, who),
                    actor=HISTORY_ACTOR,
                    policy_id=policy.policy_id,
                    policy_version=policy.version,
                    idempotency_key="synth-" + _KEY_PARTS[_Kind(code)].format(ids[row]),
                )
            )
        yield events


def _references(kind: np.ndarray, reference: np.ndarray, subscriber: np.ndarray) -> list[str]:
    """The table id each event is about: customer, contract or invoice number."""
    is_contract = (kind == _Kind.CONTRACT_STARTED) | (kind == _Kind.CONTRACT_ENDED)
    is_debt = (kind == _Kind.DEBT_INCURRED) | (kind == _Kind.DEBT_SETTLED)
    customers = subscriber_ids(subscriber).to_pylist()
    contracts = contract_ids(reference).to_pylist()
    invoices = invoice_ids(reference).to_pylist()
    return [
        contract if on_contract else invoice if on_debt else customer
        for customer, contract, invoice, on_contract, on_debt in zip(
            customers, contracts, invoices, is_contract.tolist(), is_debt.tolist(), strict=True
        )
    ]


def _event_data(population: Population, kind: _Kind, subscriber: int, ref: str) -> EventData:
    match kind:
        case _Kind.SUBJECT_FACTS:
            return _facts(population, subscriber)
        case _Kind.CONTRACT_STARTED:
            return ContractStarted(contract=ContractRef(ref))
        case _Kind.CONTRACT_ENDED:
            return ContractEnded(contract=ContractRef(ref))
        case _Kind.DEBT_INCURRED:
            return DebtIncurred(debt=DebtRef(ref))
        case _Kind.DEBT_SETTLED:
            return DebtSettled(debt=DebtRef(ref))


def _facts(population: Population, subscriber: int) -> SubjectFactsRecorded:
    """The subject type; a minor's birth date too, where the estate shows it. Other birth
    dates stay out of the ledger: no rule needs them, and the chain cannot forget them."""
    operator = population.plan.operator
    kind = int(population.kind[subscriber])
    birth_date = None
    if kind == SubscriberKind.MINOR and _has_birth_dates(operator):
        birth_date = date(1970, 1, 1) + timedelta(days=int(population.birth_day[subscriber]))
    return SubjectFactsRecorded(subject_type=SUBJECT_TYPES[operator][kind], birth_date=birth_date)


def _given_by(population: Population, subscriber: int) -> GivenBy:
    """A minor's contract and facts are stated by a parent, as their consents are."""
    if population.kind[subscriber] == SubscriberKind.MINOR:
        return GivenBy.REPRESENTATIVE
    return GivenBy.SUBJECT


def record_estate_history(
    ledger: ConsentLog,
    plan: EstatePlan,
    key: PseudonymKey,
    *,
    recorded_at: datetime,
    batch_size: int = HISTORY_BATCH_SIZE,
    progress: ProgressReporter | None = None,
) -> HistoryReport:
    """Record the ledger history of the estate `plan` describes; a second run adds nothing.

    `recorded_at` is the instant of recording, read from the clock by the caller; it must
    not be before the estate's now, which the history reaches.

        record_estate_history(ledger, plan, key, recorded_at=datetime.now(UTC))
    """
    if recorded_at < plan.now:
        raise ValueError(
            f"the history reaches the estate's now ({plan.now.isoformat()}); record it at "
            "that instant or later"
        )
    started = time.perf_counter()
    population = draw_population(plan)
    history = in_pseudonym_order(draw_history(population), key)
    if progress is not None:
        progress.start("ledger-history", -(-len(history) // batch_size))
    recorded = 0
    for events in history_batches(
        population, history, key, recorded_at=recorded_at, batch_size=batch_size
    ):
        # As columns: sealed and folded in columns (the events carry no personal payload).
        fresh = ledger.append_columns(EventColumns.from_events(events))
        recorded += fresh
        if progress is not None:
            progress.advance("ledger-history", fresh)
    report = HistoryReport(
        len(history), recorded, len(history) - recorded, time.perf_counter() - started
    )
    log.info(
        "estate history recorded",
        extra={"operator": plan.operator.value, "events": report.events, "new": recorded},
    )
    return report
