"""The privacy center's sign-in challenges in Placet's own database (the ledger's).

A challenge keeps the code's keyed digest and the address's keyed digest, never the code
nor the address; an attempt is stored only over the attempt it was made after, so that
two confirmations at once cannot both use the same try. The table
`web_sign_in_challenges` is created by the migration `web_0008`.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, func, insert, select
from sqlalchemy.engine import Connection

from placet.dsr.verification import ChallengeState, CodeChallenge, CodeChannel, SignInChallenge
from placet.stores.sql_database import database_transaction
from placet.stores.sql_requests import advance_challenge
from placet.stores.sql_schema import web_sign_in_challenges

__all__ = ["SqlSignInBook"]

_PURPOSE = "sign-in"


class SqlSignInBook:
    """Sign-in challenges in the table of a database at this revision."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, sent: SignInChallenge) -> None:
        """Keep a challenge as it was sent."""
        challenge = sent.challenge
        with self._transaction(write=True) as connection:
            connection.execute(
                insert(web_sign_in_challenges).values(
                    challenge_id=challenge.challenge_id,
                    address_digest=sent.address_digest,
                    subscriber=sent.subscriber,
                    channel=challenge.channel.value,
                    sent_to=challenge.sent_to,
                    digest=challenge.digest,
                    issued_at=challenge.issued_at,
                    expires_at=challenge.expires_at,
                    attempts_used=challenge.attempts_used,
                    max_attempts=challenge.max_attempts,
                    state=challenge.state.value,
                )
            )

    def get(self, challenge_id: str) -> SignInChallenge | None:
        """The challenge `challenge_id` as it now stands; None when there is none."""
        with self._transaction() as connection:
            row = connection.execute(
                select(web_sign_in_challenges).where(
                    web_sign_in_challenges.c.challenge_id == challenge_id
                )
            ).first()
        return None if row is None else _sign_in(row)

    def sent_since(self, address_digest: str, since: datetime) -> int:
        """How many codes were asked for the address since `since`."""
        table = web_sign_in_challenges
        with self._transaction() as connection:
            count = connection.execute(
                select(func.count()).where(
                    table.c.address_digest == address_digest, table.c.issued_at >= since
                )
            ).scalar_one()
        return int(count)

    def record_attempt(self, before: CodeChallenge, after: CodeChallenge) -> bool:
        """Store `after` only while the stored challenge is still `before`: False, and
        nothing stored, when another attempt came first."""
        with self._transaction(write=True) as connection:
            return advance_challenge(connection, web_sign_in_challenges, before, after)

    def _transaction(self, *, write: bool = False) -> AbstractContextManager[Connection]:
        return database_transaction(self.engine, "sign-in book", write=write)


def _sign_in(row: Row[Any]) -> SignInChallenge:
    challenge = CodeChallenge(
        challenge_id=str(row.challenge_id),
        request_id=_PURPOSE,
        channel=CodeChannel(row.channel),
        sent_to=str(row.sent_to),
        digest=str(row.digest),
        issued_at=row.issued_at,
        expires_at=row.expires_at,
        attempts_used=int(row.attempts_used),
        max_attempts=int(row.max_attempts),
        state=ChallengeState(row.state),
    )
    subscriber = None if row.subscriber is None else str(row.subscriber)
    return SignInChallenge(challenge, subscriber, str(row.address_digest))
