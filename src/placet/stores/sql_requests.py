"""Subjects' requests, their steps and the one-time codes sent for them, in Placet's own
database (the ledger's): `SqlRequestBook` writes a request once and then only appends its
steps; a code challenge is written when sent and changed by each attempt on it.

A request is read back by taking each recorded step again through `placet.dsr.replay`,
so a history changed in the database behind Placet's back is refused, not acted on. The
deadline terms come from the policy version recorded with the request, through the
resolver the caller passes (`TermsResolver`). A challenge keeps the code's keyed digest,
never the code, and an attempt is stored only over the attempt it was made after, so that
two confirmations at once cannot both use the same try.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import (
    Engine,
    Row,
    Table,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from placet.dsr import (
    ChallengeState,
    CodeChallenge,
    CodeChannel,
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
    database_transaction,
    describe_database,
    open_database,
)
from placet.stores.sql_schema import dsr_code_challenges, dsr_requests, dsr_steps

__all__ = ["SqlRequestBook", "TermsResolver", "advance_challenge", "open_request_book"]

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
        try:
            with self._transaction(write=True) as connection:
                _append_step(connection, request, step)
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

    def add_challenge(self, challenge: CodeChallenge) -> None:
        """Keep a code challenge sent for its request, as the request's latest one."""
        with self._transaction(write=True) as connection:
            # PostgreSQL: lock the request's row, so that two codes sent at once for the
            # same request are numbered one after the other (SQLite writers queue anyway).
            found = connection.execute(
                select(dsr_requests.c.request_id)
                .where(dsr_requests.c.request_id == challenge.request_id)
                .with_for_update()
            ).one_or_none()
            if found is None:
                raise RequestError(
                    f"There is no request {challenge.request_id} to keep code challenge "
                    f"{challenge.challenge_id} for. Open the request first."
                )
            last = connection.execute(
                select(func.max(dsr_code_challenges.c.challenge_no)).where(
                    dsr_code_challenges.c.request_id == challenge.request_id
                )
            ).scalar_one()
            connection.execute(
                insert(dsr_code_challenges).values(
                    challenge_no=(last or 0) + 1, **_challenge_values(challenge)
                )
            )

    def latest_challenge(self, request_id: str) -> CodeChallenge | None:
        """The code challenge sent last for the request; None if no code was sent."""
        with self._transaction() as connection:
            row = connection.execute(
                select(dsr_code_challenges)
                .where(dsr_code_challenges.c.request_id == request_id)
                .order_by(dsr_code_challenges.c.challenge_no.desc())
                .limit(1)
            ).one_or_none()
        return None if row is None else _challenge(row)

    def challenges(self, request_id: str) -> list[CodeChallenge]:
        """Every code challenge sent for the request, the first one first."""
        with self._transaction() as connection:
            rows = connection.execute(
                select(dsr_code_challenges)
                .where(dsr_code_challenges.c.request_id == request_id)
                .order_by(dsr_code_challenges.c.challenge_no)
            ).all()
        return [_challenge(row) for row in rows]

    def record_attempt(
        self,
        request: SubjectRequest,
        before: CodeChallenge,
        after: CodeChallenge,
        step: Step | None = None,
    ) -> bool:
        """Store `after`, the challenge once an attempt was made on `before`, and, when the
        attempt verified, `step` on `request` (as read), in one transaction.

        Only when the stored challenge is still `before` (the same attempts used and
        state): False, and nothing stored, when another attempt came first, so that the
        caller reads the challenge again and tries once more. Every attempt is thus
        counted once, and two confirmations at once cannot both use the last try."""
        if after.challenge_id != before.challenge_id or (
            after.attempts_used != before.attempts_used + 1
        ):
            raise RequestError(
                f"Code challenge {before.challenge_id}: an attempt moves one challenge on "
                "by one attempt; check the code with `check_code` and store what it returns."
            )
        try:
            with self._transaction(write=True) as connection:
                if not advance_challenge(connection, dsr_code_challenges, before, after):
                    return False
                if step is not None:
                    _append_step(connection, request, step)
        except StoreError as exc:
            if step is not None and isinstance(exc.__cause__, IntegrityError):
                raise _changed_meanwhile(request, step) from exc
            raise
        return True

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

    def _transaction(self, *, write: bool = False) -> AbstractContextManager[Connection]:
        return database_transaction(self.engine, "request book", write=write)


def _append_step(connection: Connection, request: SubjectRequest, step: Step) -> None:
    """Insert `step` after the steps of `request` as read, or refuse if the book holds
    other steps by now."""
    stored = connection.execute(
        select(func.count())
        .select_from(dsr_steps)
        .where(dsr_steps.c.request_id == request.request_id)
    ).scalar_one()
    if stored != len(request.steps):
        raise _changed_meanwhile(request, step)
    number = len(request.steps) + 1
    connection.execute(insert(dsr_steps).values(**_step_values(request.request_id, number, step)))


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


def _challenge_values(challenge: CodeChallenge) -> dict[str, Any]:
    return {
        "challenge_id": challenge.challenge_id,
        "request_id": challenge.request_id,
        "channel": challenge.channel.value,
        "sent_to": challenge.sent_to,
        "digest": challenge.digest,
        "issued_at": challenge.issued_at,
        "expires_at": challenge.expires_at,
        "attempts_used": challenge.attempts_used,
        "max_attempts": challenge.max_attempts,
        "state": challenge.state.value,
    }


def _challenge(row: Row[Any]) -> CodeChallenge:
    return CodeChallenge(
        challenge_id=str(row.challenge_id),
        request_id=str(row.request_id),
        channel=CodeChannel(row.channel),
        sent_to=str(row.sent_to),
        digest=str(row.digest),
        issued_at=row.issued_at,
        expires_at=row.expires_at,
        attempts_used=int(row.attempts_used),
        max_attempts=int(row.max_attempts),
        state=ChallengeState(row.state),
    )


def advance_challenge(
    connection: Connection, table: Table, before: CodeChallenge, after: CodeChallenge
) -> bool:
    """Store `after` in the code challenges' `table` only while the stored challenge is
    still `before` (compare and set): False, and nothing stored, when another attempt came
    first."""
    changed = connection.execute(
        update(table)
        .where(
            table.c.challenge_id == before.challenge_id,
            table.c.attempts_used == before.attempts_used,
            table.c.state == before.state.value,
        )
        .values(attempts_used=after.attempts_used, state=after.state.value)
    ).rowcount
    return bool(changed == 1)
