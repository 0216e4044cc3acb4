"""Staff accounts of the console (`placet.operations.staff`) on a real SQLite roster: only
the hash kept, roles and what they may do, the lockout, for unknown names too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from placet.operations.staff import (
    LOCKOUT_WINDOW,
    MAX_FAILURES,
    StaffAction,
    StaffRole,
    StaffSignInOutcome,
    add_staff_member,
    may,
    sign_in_staff,
)
from placet.stores.sql_staff import SqlStaffRoster, open_staff_roster

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"


@pytest.fixture
def roster(sqlite_url: str) -> Iterator[SqlStaffRoster]:
    opened = open_staff_roster(sqlite_url)
    add_staff_member(opened, "jana.dpo", StaffRole.DPO, PASSWORD, at=NOW)
    yield opened
    opened.engine.dispose()


def test_the_right_password_signs_the_member_in_with_their_role(roster: SqlStaffRoster) -> None:
    attempt = sign_in_staff(roster, "jana.dpo", PASSWORD, at=NOW)

    assert attempt.outcome is StaffSignInOutcome.SIGNED_IN
    assert attempt.member is not None
    assert attempt.member.role is StaffRole.DPO


def test_an_unknown_name_is_locked_after_as_many_failures_as_an_account(
    roster: SqlStaffRoster,
) -> None:
    outcomes = []
    for name in ("jana.dpo", "nobody"):
        for _ in range(MAX_FAILURES):
            sign_in_staff(roster, name, "wrong password", at=NOW)
        outcomes.append(sign_in_staff(roster, name, PASSWORD, at=NOW).outcome)

    assert outcomes == [StaffSignInOutcome.LOCKED, StaffSignInOutcome.LOCKED]


def test_a_lock_opens_once_the_failures_are_older_than_the_window(
    roster: SqlStaffRoster,
) -> None:
    for _ in range(MAX_FAILURES):
        sign_in_staff(roster, "jana.dpo", "wrong password", at=NOW)

    later = NOW + LOCKOUT_WINDOW + timedelta(seconds=1)

    assert sign_in_staff(roster, "jana.dpo", PASSWORD, at=later).member is not None


def test_a_sign_in_clears_the_failures_before_it(roster: SqlStaffRoster) -> None:
    for _ in range(MAX_FAILURES - 1):
        sign_in_staff(roster, "jana.dpo", "wrong password", at=NOW)
    sign_in_staff(roster, "jana.dpo", PASSWORD, at=NOW)

    for _ in range(MAX_FAILURES - 1):
        sign_in_staff(roster, "jana.dpo", "wrong password", at=NOW)

    assert sign_in_staff(roster, "jana.dpo", PASSWORD, at=NOW).member is not None


def test_an_auditor_may_do_nothing_and_a_care_agent_only_verify_and_record() -> None:
    assert not any(may(StaffRole.AUDITOR, action) for action in StaffAction)
    assert {action for action in StaffAction if may(StaffRole.CARE_AGENT, action)} == {
        StaffAction.VERIFY,
        StaffAction.RECORD_CHOICE,
    }
    assert all(may(StaffRole.DPO, action) for action in StaffAction)
