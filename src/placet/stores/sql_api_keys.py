"""The HTTP API's keys in the ledger's database: `SqlApiKeys` implements `ApiKeyStore`.

Only each key's SHA-256 is stored; the table is created by the Alembic migrations.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, insert, select, update
from sqlalchemy.engine import Connection

from placet.stores.sql_database import (
    database_transaction,
    open_database,
)
from placet.stores.sql_schema import api_keys

__all__ = ["KeyRow", "SqlApiKeys", "open_api_keys"]


@dataclass(frozen=True, slots=True)
class KeyRow:
    """One stored key: `scopes` as names, `key_hash` the SHA-256 of the key in hex."""

    key_id: str
    name: str
    scopes: tuple[str, ...]
    key_hash: str
    created_at: datetime
    revoked_at: datetime | None


def open_api_keys(url: str, *, upgrade: bool = True) -> SqlApiKeys:
    """The API keys in the database at `url` (the ledger's), its schema upgraded or checked."""
    engine = open_database(url, upgrade=upgrade)
    return SqlApiKeys(engine)


class SqlApiKeys:
    """API keys in the `api_keys` table of a database at this schema revision."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add_key(
        self,
        key_id: str,
        name: str,
        scopes: Sequence[str],
        key_hash: str,
        created_at: datetime,
    ) -> None:
        """Store a new key's description and hash."""
        with self._transaction() as connection:
            connection.execute(
                insert(api_keys).values(
                    key_id=key_id,
                    name=name,
                    scopes=" ".join(scopes),
                    key_hash=key_hash,
                    created_at=created_at,
                )
            )

    def find_key(self, key_id: str) -> KeyRow | None:
        """The key with this id, or None."""
        with self._transaction() as connection:
            row = connection.execute(
                select(api_keys).where(api_keys.c.key_id == key_id)
            ).one_or_none()
        return None if row is None else _key(row)

    def all_keys(self) -> list[KeyRow]:
        """Every key, revoked ones too, oldest first."""
        with self._transaction() as connection:
            rows = connection.execute(
                select(api_keys).order_by(api_keys.c.created_at, api_keys.c.key_id)
            ).all()
        return [_key(row) for row in rows]

    def mark_revoked(self, key_id: str, at: datetime) -> KeyRow | None:
        """Revoke a key unless it is already revoked; None when there is no such key."""
        with self._transaction() as connection:
            connection.execute(
                update(api_keys)
                .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=at)
            )
            row = connection.execute(
                select(api_keys).where(api_keys.c.key_id == key_id)
            ).one_or_none()
        return None if row is None else _key(row)

    def _transaction(self) -> AbstractContextManager[Connection]:
        return database_transaction(self.engine, "API keys")


def _key(row: Row[Any]) -> KeyRow:
    return KeyRow(
        key_id=str(row.key_id),
        name=str(row.name),
        scopes=tuple(str(row.scopes).split()),
        key_hash=str(row.key_hash),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )
