"""The DPO console's staff: accounts with a role and an argon2id password hash, disabled
and enabled again, what each role may do, and signing in by password with a lockout after
repeated failures.

Signing in takes the same time whether or not the name is an account (a wrong name is
checked against a decoy hash), and counts failures by the name typed, account or not, so
that neither the answer nor the lockout tells which names exist. Nothing here reads
settings or the clock.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Final, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from placet.errors import AccessError

__all__ = [
    "LOCKOUT_WINDOW",
    "MAX_FAILURES",
    "MIN_PASSWORD_LENGTH",
    "StaffAccountError",
    "StaffAction",
    "StaffMember",
    "StaffRole",
    "StaffRoster",
    "StaffSignIn",
    "StaffSignInOutcome",
    "StoredStaff",
    "add_staff_member",
    "disable_staff_member",
    "enable_staff_member",
    "find_staff_member",
    "may",
    "set_staff_password",
    "sign_in_staff",
    "staff_members",
]

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH: Final = 12
MAX_FAILURES: Final = 5
"""Wrong passwords one name may be offered within `LOCKOUT_WINDOW` before it is locked."""
LOCKOUT_WINDOW: Final = timedelta(minutes=15)
"""How far back failures count: a locked name opens again once its failures are older."""
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class StaffRole(StrEnum):
    """What a member of staff is in the console."""

    DPO = "dpo"
    """Runs the requests: verifies, extends, fulfils, rejects; records choices too,
    places and releases legal holds, and carries law-enforcement requests through the
    disclosure register."""
    CARE_AGENT = "care-agent"
    """Customer care: verifies requesters and records choices given by phone or in a shop."""
    AUDITOR = "auditor"
    """Reads everything, changes nothing."""


class StaffAction(StrEnum):
    """What the console lets staff change."""

    VERIFY = "verify"
    EXTEND = "extend"
    FULFIL = "fulfil"
    REJECT = "reject"
    RECORD_CHOICE = "record-choice"
    MANAGE_HOLDS = "manage-holds"
    """Place and release legal holds."""
    APPROVE_DISCLOSURES = "approve-disclosures"
    """Carry a law-enforcement request through the disclosure register: check its legal
    ground, approve it (as a DPO, never after receiving or checking it), extract, deliver
    and record it."""


_MAY: Final[dict[StaffRole, frozenset[StaffAction]]] = {
    StaffRole.DPO: frozenset(StaffAction),
    StaffRole.CARE_AGENT: frozenset({StaffAction.VERIFY, StaffAction.RECORD_CHOICE}),
    StaffRole.AUDITOR: frozenset(),
}


def may(role: StaffRole, action: StaffAction) -> bool:
    """May a member of staff with `role` take `action`?"""
    return action in _MAY[role]


class StaffAccountError(AccessError):
    """A staff account cannot be made as asked."""


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A staff account as the console sees it (never its password or hash)."""

    name: str
    role: StaffRole
    created_at: datetime
    disabled_at: datetime | None = None

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None


class StoredStaff(Protocol):
    """A staff account as a roster keeps it (its role by name)."""

    @property
    def name(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def disabled_at(self) -> datetime | None: ...


class StaffRoster(Protocol):
    """Where staff accounts and sign-in failures are kept (`SqlStaffRoster`)."""

    def add_member(
        self, name: str, role: str, password_hash: str, created_at: datetime
    ) -> None: ...
    def member(self, name: str) -> StoredStaff | None: ...
    def members(self) -> Sequence[StoredStaff]: ...
    def password_hash(self, name: str) -> str | None: ...
    def set_password_hash(self, name: str, password_hash: str) -> None: ...
    def set_disabled_at(self, name: str, disabled_at: datetime | None) -> None: ...
    def record_failure(self, name_digest: str, at: datetime) -> None: ...
    def failures_since(self, name_digest: str, since: datetime) -> int: ...
    def clear_failures(self, name_digest: str) -> None: ...


class StaffSignInOutcome(StrEnum):
    SIGNED_IN = "signed-in"
    WRONG = "wrong"
    """The name or the password is wrong (the answer never says which)."""
    LOCKED = "locked"
    """Too many wrong passwords for this name lately; nothing was checked."""


@dataclass(frozen=True, slots=True)
class StaffSignIn:
    """A sign-in attempt: its outcome, and the member signed in when it succeeded."""

    outcome: StaffSignInOutcome
    member: StaffMember | None = None


def add_staff_member(
    roster: StaffRoster, name: str, role: StaffRole, password: str, *, at: datetime
) -> StaffMember:
    """Make an account `name` with `role`, keeping only the argon2id hash of `password`."""
    if not _NAME.match(name):
        raise StaffAccountError(
            f"The staff name {name!r} is not usable: use 2 to 64 lowercase letters, digits, "
            "dots, hyphens or underscores, beginning with a letter or digit (`jana.dpo`)."
        )
    _check_password(password)
    if roster.member(name) is not None:
        raise StaffAccountError(
            f"There is already a staff account named {name!r}. Choose another name."
        )
    member = StaffMember(name=name, role=StaffRole(role), created_at=at)
    roster.add_member(name, member.role.value, _hasher().hash(password), at)
    log.info("staff account added", extra={"staff": name, "role": member.role.value})
    return member


def disable_staff_member(roster: StaffRoster, name: str, *, at: datetime) -> StaffMember:
    """Disable the account `name` from `at`: it no longer signs in, and its open sessions
    end at their next page. An account already disabled keeps the time it was disabled."""
    member = _existing_member(roster, name)
    if not member.is_active:
        return member
    roster.set_disabled_at(name, at)
    log.info("staff account disabled", extra={"staff": name})
    return replace(member, disabled_at=at)


def enable_staff_member(roster: StaffRoster, name: str) -> StaffMember:
    """Let the disabled account `name` sign in again; an active account stays as it is."""
    member = _existing_member(roster, name)
    if member.is_active:
        return member
    roster.set_disabled_at(name, None)
    log.info("staff account enabled", extra={"staff": name})
    return replace(member, disabled_at=None)


def set_staff_password(roster: StaffRoster, name: str, password: str) -> StaffMember:
    """Replace the password of the account `name`, keeping only its argon2id hash, and
    forget the name's wrong passwords so that a locked name can sign in at once."""
    _check_password(password)
    member = _existing_member(roster, name)
    roster.set_password_hash(name, _hasher().hash(password))
    roster.clear_failures(_name_digest(name))
    log.info("staff password set", extra={"staff": name})
    return member


def sign_in_staff(roster: StaffRoster, name: str, password: str, *, at: datetime) -> StaffSignIn:
    """Check `password` for the account `name`. A name with `MAX_FAILURES` wrong passwords
    within `LOCKOUT_WINDOW` is locked, account or not; a success clears its failures."""
    digest = _name_digest(name)
    if roster.failures_since(digest, at - LOCKOUT_WINDOW) >= MAX_FAILURES:
        _is_password(_decoy_hash(), password)
        log.warning("console sign-in refused: locked", extra={"name_digest": digest[:12]})
        return StaffSignIn(StaffSignInOutcome.LOCKED)
    stored = roster.password_hash(name)
    is_right = _is_password(stored or _decoy_hash(), password) and stored is not None
    member = find_staff_member(roster, name) if is_right else None
    if member is None or not member.is_active:
        roster.record_failure(digest, at)
        log.info("console sign-in failed", extra={"name_digest": digest[:12]})
        return StaffSignIn(StaffSignInOutcome.WRONG)
    roster.clear_failures(digest)
    log.info("console sign-in", extra={"staff": member.name, "role": member.role.value})
    return StaffSignIn(StaffSignInOutcome.SIGNED_IN, member)


def find_staff_member(roster: StaffRoster, name: str) -> StaffMember | None:
    """The account `name`; None when there is none."""
    stored = roster.member(name)
    return None if stored is None else _member(stored)


def staff_members(roster: StaffRoster) -> list[StaffMember]:
    """Every account, by name."""
    return [_member(stored) for stored in roster.members()]


def _existing_member(roster: StaffRoster, name: str) -> StaffMember:
    member = find_staff_member(roster, name)
    if member is None:
        raise StaffAccountError(
            f"There is no staff account named {name!r}. "
            "See the names with `placet console list-users`."
        )
    return member


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffAccountError(
            f"The password has {len(password)} characters; a staff password needs at least "
            f"{MIN_PASSWORD_LENGTH}. Choose a longer one (a passphrase of four words)."
        )


def _member(stored: StoredStaff) -> StaffMember:
    return StaffMember(stored.name, StaffRole(stored.role), stored.created_at, stored.disabled_at)


def _is_password(stored: str, password: str) -> bool:
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _name_digest(name: str) -> str:
    return hashlib.sha256(name.strip().lower().encode()).hexdigest()


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _decoy_hash() -> str:
    """A hash no password is known for, checked when the name is no account, so that a
    wrong name costs the same time as a wrong password."""
    return _hasher().hash(hashlib.sha256(b"placet-console-decoy").hexdigest())
