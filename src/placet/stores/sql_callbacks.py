"""OpenDSR status callbacks in Placet's own database (the ledger's): `SqlCallbackBook` keeps
each request's callback URLs and the last status delivered to each.

The table `dsr_callbacks` is created by the migration `requests_0007`.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, func, insert, select, update
from sqlalchemy.engine import Connection

from placet.stores.sql_database import (
    database_transaction,
)
from placet.stores.sql_schema import dsr_callbacks

__all__ = ["SqlCallbackBook", "StatusCallback"]


@dataclass(frozen=True, slots=True)
class StatusCallback:
    """One URL a request's status changes are POSTed to."""

    request_id: str
    callback_no: int
    url: str
    api_url: str
    """Placet's address as the requester's tool reached it (`https://privacy.example/`)."""
    announced_status: str | None
    """The last status delivered to `url`; None before the first delivery."""
    announced_at: datetime | None


class SqlCallbackBook:
    """Status callbacks in the `dsr_callbacks` table of a database at this revision."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add_callbacks(self, request_id: str, urls: Sequence[str], *, api_url: str) -> None:
        """Keep `urls` for the request, numbered after those it has."""
        with self._transaction(write=True) as connection:
            last = connection.execute(
                select(func.max(dsr_callbacks.c.callback_no)).where(
                    dsr_callbacks.c.request_id == request_id
                )
            ).scalar_one()
            first = (last or 0) + 1
            connection.execute(
                insert(dsr_callbacks),
                [
                    {
                        "request_id": request_id,
                        "callback_no": number,
                        "url": url,
                        "api_url": api_url,
                    }
                    for number, url in enumerate(urls, start=first)
                ],
            )

    def callbacks(self, request_id: str) -> list[StatusCallback]:
        """The request's callbacks, in the order given; none for most requests."""
        with self._transaction() as connection:
            rows = connection.execute(
                select(dsr_callbacks)
                .where(dsr_callbacks.c.request_id == request_id)
                .order_by(dsr_callbacks.c.callback_no)
            ).all()
        return [_callback(row) for row in rows]

    def mark_announced(self, request_id: str, callback_no: int, status: str, at: datetime) -> None:
        """Record that `status` was delivered to the callback at `at`."""
        with self._transaction(write=True) as connection:
            connection.execute(
                update(dsr_callbacks)
                .where(
                    dsr_callbacks.c.request_id == request_id,
                    dsr_callbacks.c.callback_no == callback_no,
                )
                .values(announced_status=status, announced_at=at)
            )

    def _transaction(self, *, write: bool = False) -> AbstractContextManager[Connection]:
        return database_transaction(self.engine, "status callbacks", write=write)


def _callback(row: Row[Any]) -> StatusCallback:
    return StatusCallback(
        request_id=str(row.request_id),
        callback_no=int(row.callback_no),
        url=str(row.url),
        api_url=str(row.api_url),
        announced_status=None if row.announced_status is None else str(row.announced_status),
        announced_at=row.announced_at,
    )
