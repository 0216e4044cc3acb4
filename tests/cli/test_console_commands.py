"""`placet console …`: staff accounts added with a role and a password read from stdin,
listed without their hashes; a short password or a taken name is one line and exit 1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from placet.cli.console import console_app
from placet.cli.main import PlacetGroup
from placet.operations.staff import StaffSignInOutcome, sign_in_staff
from placet.settings import get_settings
from placet.stores.sql_staff import open_staff_roster

runner = CliRunner()
app = typer.Typer(cls=PlacetGroup, pretty_exceptions_enable=False)
app.add_typer(console_app, name="console")

PASSWORD = "correct horse battery staple"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'placet.db'}"
    monkeypatch.setenv("PLACET_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


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
