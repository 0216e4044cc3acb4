"""Subjects' requests and their steps in Placet's own database (the ledger's):
`SqlRequestBook` writes a request once and then only appends its steps.

A request is read back by taking each recorded step again through `placet.dsr.replay`,
so a history changed in the database behind Placet's back is refused, not acted on. The
deadline terms come from the policy version recorded with the request, through the
resolver the caller passes (`TermsResolver`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, Row, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from placet.dsr import (
    DeadlineTerms,
    RequestKind,
    RequestState,
    Step,
    StepKind,
    SubjectRequest,
    replay,
)
from placet.errors import RequestError, StoreError
from placet.policy.terms import Channel
from placet.stores.sql_database import (
    WRITE,
    database_cause,
    describe_database,
    open_database,
)
from placet.stores.sql_schema import dsr_requests, dsr_steps

__all__ = ["SqlRequestBook", "TermsResolver", "open_request_book"]

TermsResolver = Callable[[str, str], DeadlineTerms]
"""The deadline terms of a policy, given its id and version as recorded with a request."""


def open_request_book(url: str, terms: TermsResolver, *, upgrade: bool = True) -> SqlRequestBook:
    """The request book in the database at `url` (the ledger's), upgraded or checked."""
    engine = open_database(url, upgrade=upgrade)
    return SqlRequestBook(engine, terms)


class SqlRequestBook:
    """Requests and their steps in the tables of a database at this revision."""

    def __init__(self, engine: Engine, terms: TermsResolver) -> None:
        self.engine = engine
        self.terms = terms

    def add(self, request: SubjectRequest, *, subscriber: str) -> None:
        """Record a new request and its steps; an id already used is refused."""
        try:
            with self._transaction(write=True) as connection:
                connection.execute(
                    insert(dsr_requests).values(
                        request_id=request.request_id,
                        kind=request.kind.value,
                        subscriber=subscriber,
                        subject_ref=request.subject,
                        received_at=request.received_at,
                        channel=request.channel.value,
                        policy_id=request.terms.policy_id,
                        policy_version=request.terms.policy_version,
                    )
                )
                connection.execute(
                    insert(dsr_steps),
                    [
                        _step_values(request.request_id, number, step)
                        for number, step in enumerate(request.steps, start=1)
                    ],
                )
        except StoreError as exc:
            if isinstance(exc.__cause__, IntegrityError):
                raise RequestError(
                    f"A request {request.request_id} exists already. Give the new one "
                    "another id, or leave the id out to have one made."
                ) from exc
            raise

    def append(self, request: SubjectRequest, step: Step) -> None:
        """Record `step`, taken on `request` as it was read: only when the book still holds
        exactly those steps, so that two writers cannot fork a request's history."""
        number = len(request.steps) + 1
        try:
            with self._transaction(write=True) as connection:
                stored = connection.execute(
                    select(func.count())
                    .select_from(dsr_steps)
                    .where(dsr_steps.c.request_id == request.request_id)
                ).scalar_one()
                if stored != len(request.steps):
                    raise _changed_meanwhile(request, step)
                connection.execute(
                    insert(dsr_steps).values(**_step_values(request.request_id, number, step))
                )
        except StoreError as exc:
            if isinstance(exc.__cause__, IntegrityError):
                raise _changed_meanwhile(request, step) from exc
            raise

    def get(self, request_id: str) -> SubjectRequest | None:
        """The request with this id, rebuilt from its steps; None if there is none."""
        with self._transaction() as connection:
            row = connection.execute(
                select(dsr_requests).where(dsr_requests.c.request_id == request_id)
            ).one_or_none()
            steps = connection.execute(
                select(dsr_steps)
                .where(dsr_steps.c.request_id == request_id)
                .order_by(dsr_steps.c.step_no)
            ).all()
        return None if row is None else self._rebuild(row, steps)

    def all(self, *, open_only: bool = False) -> list[SubjectRequest]:
        """Every request, oldest receipt first; only those not yet answered if `open_only`."""
        with self._transaction() as connection:
            rows = connection.execute(
                select(dsr_requests).order_by(dsr_requests.c.received_at, dsr_requests.c.request_id)
            ).all()
            step_rows = connection.execute(
                select(dsr_steps).order_by(dsr_steps.c.request_id, dsr_steps.c.step_no)
            ).all()
        by_request: dict[str, list[Row[Any]]] = {}
        for step_row in step_rows:
            by_request.setdefault(step_row.request_id, []).append(step_row)
        requests = [self._rebuild(row, by_request.get(row.request_id, [])) for row in rows]
        return [request for request in requests if not (open_only and request.is_final)]

    def subscriber(self, request_id: str) -> str | None:
        """The subscriber id the request was opened for, as staff gave it."""
        with self._transaction() as connection:
            found = connection.execute(
                select(dsr_requests.c.subscriber).where(dsr_requests.c.request_id == request_id)
            ).scalar_one_or_none()
        return None if found is None else str(found)

    def request_ids(self, prefix: str) -> list[str]:
        """The ids that begin with `prefix`, to number the next request."""
        with self._transaction() as connection:
            found = connection.execute(
                select(dsr_requests.c.request_id).where(
                    dsr_requests.c.request_id.startswith(prefix, autoescape=True)
                )
            ).scalars()
            return [str(request_id) for request_id in found]

    def _rebuild(self, row: Row[Any], step_rows: Sequence[Row[Any]]) -> SubjectRequest:
        request_id = str(row.request_id)
        terms = self.terms(str(row.policy_id), str(row.policy_version))
        try:
            numbers = [step_row.step_no for step_row in step_rows]
            if numbers != list(range(1, len(numbers) + 1)):
                raise RequestError(
                    f"Request {request_id}: its steps are numbered {numbers}, not 1 to "
                    f"{len(numbers)}; a step was removed or renumbered. Restore the record "
                    "from a backup before acting on it."
                )
            return replay(
                request_id,
                RequestKind(row.kind),
                str(row.subject_ref),
                channel=Channel(row.channel),
                received_at=row.received_at,
                terms=terms,
                steps=[_step(step_row) for step_row in step_rows],
            )
        except (RequestError, ValueError) as exc:
            raise StoreError(
                f"Request {request_id} in {describe_database(self.engine)} cannot be read "
                f"back as recorded: {exc}"
            ) from exc

    @contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[Connection]:
        try:
            with self.engine.connect() as connection:
                # SQLite: a writer takes the write lock up front, so a read-then-append
                # queues behind another writer instead of failing half-way.
                connection.execution_options(**{WRITE: write})
                with connection.begin():
                    yield connection
        except SQLAlchemyError as exc:
            raise StoreError(
                f"cannot use the request book in {describe_database(self.engine)}: "
                f"{database_cause(exc)}. Nothing was changed. Check that the database is "
                "reachable and upgraded (`placet ledger upgrade`), then retry."
            ) from exc


def _changed_meanwhile(request: SubjectRequest, step: Step) -> RequestError:
    return RequestError(
        f"Request {request.request_id} changed meanwhile: another step was recorded on it "
        f"after it was read, so '{step.kind}' was not recorded. Read it again "
        f"(`placet dsr show {request.request_id}`) and retry if the step still applies."
    )


def _step_values(request_id: str, number: int, step: Step) -> dict[str, Any]:
    return {
        "request_id": request_id,
        "step_no": number,
        "kind": step.kind.value,
        "from_state": None if step.from_state is None else step.from_state.value,
        "to_state": step.to_state.value,
        "at": step.at,
        "actor": step.actor,
        "reason": step.reason,
        "notified_at": step.notified_at,
    }


def _step(row: Row[Any]) -> Step:
    return Step(
        kind=StepKind(row.kind),
        from_state=None if row.from_state is None else RequestState(row.from_state),
        to_state=RequestState(row.to_state),
        at=row.at,
        actor=row.actor,
        reason=row.reason,
        notified_at=row.notified_at,
    )
