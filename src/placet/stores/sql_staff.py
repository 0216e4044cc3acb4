"""The DPO console's staff accounts and sign-in failures in Placet's own database (the
ledger's): `SqlStaffRoster` implements `placet.operations.staff.StaffRoster`.

Only each password's argon2id hash is stored; the tables `console_staff` and
`console_sign_in_failures` are created by the migration `web_0009`.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from placet.stores.sql_database import database_transaction, open_database
from placet.stores.sql_schema import console_sign_in_failures, console_staff

__all__ = ["SqlStaffRoster", "StaffRow", "open_staff_roster"]


@dataclass(frozen=True, slots=True)
class StaffRow:
    """A stored account, without its password hash."""

    name: str
    role: str
    created_at: datetime
    disabled_at: datetime | None


def open_staff_roster(url: str, *, upgrade: bool = True) -> SqlStaffRoster:
    """The staff accounts in the database at `url` (the ledger's), its schema upgraded."""
    return SqlStaffRoster(open_database(url, upgrade=upgrade))


class SqlStaffRoster:
    """Staff accounts and sign-in failures in the tables of a database at this revision."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add_member(self, name: str, role: str, password_hash: str, created_at: datetime) -> None:
        """Keep a new account with its password's hash."""
        with self._transaction(write=True) as connection:
            connection.execute(
                insert(console_staff).values(
                    name=name, role=role, password_hash=password_hash, created_at=created_at
                )
            )

    def member(self, name: str) -> StaffRow | None:
        """The account `name`; None when there is none."""
        with self._transaction() as connection:
            row = connection.execute(select(*_COLUMNS).where(console_staff.c.name == name)).first()
        return None if row is None else _staff(row)

    def members(self) -> list[StaffRow]:
        """Every account, by name."""
        with self._transaction() as connection:
            rows = connection.execute(select(*_COLUMNS).order_by(console_staff.c.name)).all()
        return [_staff(row) for row in rows]

    def password_hash(self, name: str) -> str | None:
        """The password hash of the active account `name`; None for no active account."""
        with self._transaction() as connection:
            stored = connection.execute(
                select(console_staff.c.password_hash).where(
                    console_staff.c.name == name, console_staff.c.disabled_at.is_(None)
                )
            ).scalar_one_or_none()
        return None if stored is None else str(stored)

    def set_password_hash(self, name: str, password_hash: str) -> None:
        """Keep a new password's hash for the account `name`."""
        with self._transaction(write=True) as connection:
            connection.execute(
                update(console_staff)
                .where(console_staff.c.name == name)
                .values(password_hash=password_hash)
            )

    def set_disabled_at(self, name: str, disabled_at: datetime | None) -> None:
        """Mark the account `name` disabled from `disabled_at`, or active again with None."""
        with self._transaction(write=True) as connection:
            connection.execute(
                update(console_staff)
                .where(console_staff.c.name == name)
                .values(disabled_at=disabled_at)
            )

    def record_failure(self, name_digest: str, at: datetime) -> None:
        """Count a wrong password offered for the name of this digest."""
        with self._transaction(write=True) as connection:
            connection.execute(
                insert(console_sign_in_failures).values(name_digest=name_digest, failed_at=at)
            )

    def failures_since(self, name_digest: str, since: datetime) -> int:
        """How many wrong passwords the name of this digest was offered since `since`."""
        table = console_sign_in_failures
        with self._transaction() as connection:
            count = connection.execute(
                select(func.count()).where(
                    table.c.name_digest == name_digest, table.c.failed_at >= since
                )
            ).scalar_one()
        return int(count)

    def clear_failures(self, name_digest: str) -> None:
        """Forget the failures of the name of this digest (after a sign-in)."""
        table = console_sign_in_failures
        with self._transaction(write=True) as connection:
            connection.execute(delete(table).where(table.c.name_digest == name_digest))

    def _transaction(self, *, write: bool = False) -> AbstractContextManager[Connection]:
        return database_transaction(self.engine, "staff roster", write=write)


_COLUMNS = (
    console_staff.c.name,
    console_staff.c.role,
    console_staff.c.created_at,
    console_staff.c.disabled_at,
)


def _staff(row: Row[Any, Any, Any, Any]) -> StaffRow:
    return StaffRow(str(row.name), str(row.role), row.created_at, row.disabled_at)
