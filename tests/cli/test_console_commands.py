"""`placet console …`: staff accounts added with a role and a password read from stdin,
listed without their hashes; a short password or a taken name is one line and exit 1.
Accounts disabled and enabled again, and passwords set anew, which lifts a lockout."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from placet.cli.console import console_app
from placet.cli.main import PlacetGroup
from placet.operations.staff import MAX_FAILURES, StaffSignInOutcome, sign_in_staff
from placet.settings import get_settings
from placet.stores.sql_staff import SqlStaffRoster, open_staff_roster

runner = CliRunner()
app = typer.Typer(cls=PlacetGroup, pretty_exceptions_enable=False)
app.add_typer(console_app, name="console")

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "purple walrus under the bridge"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'placet.db'}"
    monkeypatch.setenv("PLACET_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


@pytest.fixture
def roster(database: str) -> Iterator[SqlStaffRoster]:
    """The database's accounts, with `jana.dpo` added by the CLI with `PASSWORD`."""
    added = runner.invoke(
        app,
        ["console", "add-user", "jana.dpo", "--role", "dpo", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )
    assert added.exit_code == 0, added.output
    opened = open_staff_roster(database)
    yield opened
    opened.engine.dispose()


def sign_in(roster: SqlStaffRoster, password: str) -> StaffSignInOutcome:
    return sign_in_staff(roster, "jana.dpo", password, at=datetime.now(UTC)).outcome


def test_add_user_reads_the_password_from_stdin_and_the_account_signs_in(database: str) -> None:
    added = runner.invoke(
        app,
        ["console", "add-user", "jana.dpo", "--role", "dpo", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )
    listed = runner.invoke(app, ["console", "list-users"])

    assert added.exit_code == 0, added.output
    assert "Staff account jana.dpo (dpo) added." in added.output
    assert listed.output.startswith("jana.dpo  dpo  created ")
    assert "argon2" not in listed.output
    roster = open_staff_roster(database)
    attempt = sign_in_staff(roster, "jana.dpo", PASSWORD, at=datetime.now(UTC))
    assert attempt.outcome is StaffSignInOutcome.SIGNED_IN
    roster.engine.dispose()


def test_add_user_prompts_for_the_password_twice(database: str) -> None:
    added = runner.invoke(
        app,
        ["console", "add-user", "mira.audit", "--role", "auditor"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )

    assert added.exit_code == 0, added.output
    assert "Staff account mira.audit (auditor) added." in added.output


def test_add_user_refuses_a_short_password_and_a_taken_name(database: str) -> None:
    short = runner.invoke(
        app, ["console", "add-user", "arben", "--role", "care-agent", "--password-stdin"],
        input="short\n",
    )  # fmt: skip
    runner.invoke(
        app, ["console", "add-user", "arben", "--role", "care-agent", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )  # fmt: skip
    taken = runner.invoke(
        app, ["console", "add-user", "arben", "--role", "dpo", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )  # fmt: skip

    assert short.exit_code == 1
    assert "needs at least 12" in short.output
    assert taken.exit_code == 1
    assert "already a staff account named 'arben'" in taken.output


def test_a_disabled_account_is_answered_as_a_wrong_password(roster: SqlStaffRoster) -> None:
    disabled = runner.invoke(app, ["console", "disable-user", "jana.dpo"])

    assert disabled.exit_code == 0, disabled.output
    assert "Staff account jana.dpo disabled." in disabled.output
    assert sign_in(roster, PASSWORD) is StaffSignInOutcome.WRONG


def test_list_users_marks_a_disabled_account_disabled(roster: SqlStaffRoster) -> None:
    before = runner.invoke(app, ["console", "list-users"])
    runner.invoke(app, ["console", "disable-user", "jana.dpo"])

    after = runner.invoke(app, ["console", "list-users"])

    assert "disabled" not in before.output
    assert "  disabled 20" in after.output


def test_disabling_an_unknown_name_exits_1_naming_it(roster: SqlStaffRoster) -> None:
    answer = runner.invoke(app, ["console", "disable-user", "nobody.here"])

    assert answer.exit_code == 1
    assert "no staff account named 'nobody.here'" in answer.output


def test_disabling_a_disabled_account_says_so_and_keeps_its_time(roster: SqlStaffRoster) -> None:
    runner.invoke(app, ["console", "disable-user", "jana.dpo"])
    first = roster.member("jana.dpo")

    again = runner.invoke(app, ["console", "disable-user", "jana.dpo"])

    assert again.exit_code == 0, again.output
    assert "Staff account jana.dpo is already disabled (since " in again.output
    assert first is not None
    assert roster.member("jana.dpo") == first


def test_enable_user_lets_a_disabled_account_sign_in_again(roster: SqlStaffRoster) -> None:
    runner.invoke(app, ["console", "disable-user", "jana.dpo"])

    enabled = runner.invoke(app, ["console", "enable-user", "jana.dpo"])

    assert enabled.exit_code == 0, enabled.output
    assert "Staff account jana.dpo enabled." in enabled.output
    assert sign_in(roster, PASSWORD) is StaffSignInOutcome.SIGNED_IN


def test_enabling_an_unknown_name_exits_1_naming_it(roster: SqlStaffRoster) -> None:
    answer = runner.invoke(app, ["console", "enable-user", "nobody.here"])

    assert answer.exit_code == 1
    assert "no staff account named 'nobody.here'" in answer.output


def test_set_password_from_stdin_replaces_the_old_password(roster: SqlStaffRoster) -> None:
    answer = runner.invoke(
        app, ["console", "set-password", "jana.dpo", "--password-stdin"], input=f"{NEW_PASSWORD}\n"
    )

    assert answer.exit_code == 0, answer.output
    assert "Password of staff account jana.dpo set." in answer.output
    assert sign_in(roster, NEW_PASSWORD) is StaffSignInOutcome.SIGNED_IN
    assert sign_in(roster, PASSWORD) is StaffSignInOutcome.WRONG


def test_set_password_prompts_for_the_new_password_twice(roster: SqlStaffRoster) -> None:
    answer = runner.invoke(
        app, ["console", "set-password", "jana.dpo"], input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n"
    )

    assert answer.exit_code == 0, answer.output
    assert "New password" in answer.output
    assert NEW_PASSWORD not in answer.output
    assert sign_in(roster, NEW_PASSWORD) is StaffSignInOutcome.SIGNED_IN


def test_set_password_refuses_a_short_password_and_keeps_the_old_one(
    roster: SqlStaffRoster,
) -> None:
    answer = runner.invoke(
        app, ["console", "set-password", "jana.dpo", "--password-stdin"], input="short\n"
    )

    assert answer.exit_code == 1
    assert "needs at least 12" in answer.output
    assert sign_in(roster, PASSWORD) is StaffSignInOutcome.SIGNED_IN


def test_set_password_lifts_the_lockout_of_the_name(roster: SqlStaffRoster) -> None:
    for _ in range(MAX_FAILURES):
        sign_in(roster, "wrong password!")
    assert sign_in(roster, PASSWORD) is StaffSignInOutcome.LOCKED

    runner.invoke(
        app, ["console", "set-password", "jana.dpo", "--password-stdin"], input=f"{NEW_PASSWORD}\n"
    )

    assert sign_in(roster, NEW_PASSWORD) is StaffSignInOutcome.SIGNED_IN


def test_set_password_for_an_unknown_name_exits_1_naming_it(roster: SqlStaffRoster) -> None:
    answer = runner.invoke(
        app,
        ["console", "set-password", "nobody.here", "--password-stdin"],
        input=f"{NEW_PASSWORD}\n",
    )

    assert answer.exit_code == 1
    assert "no staff account named 'nobody.here'" in answer.output
