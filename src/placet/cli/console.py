"""`placet console …`: the DPO console's staff accounts (name, role, password, disabled)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import typer

from placet.operations.staff import (
    StaffRole,
    add_staff_member,
    disable_staff_member,
    enable_staff_member,
    set_staff_password,
    staff_members,
)
from placet.settings import get_settings
from placet.stores.sql_staff import SqlStaffRoster, open_staff_roster

__all__ = ["console_app"]

console_app = typer.Typer(
    help="Staff accounts of the DPO console (/console).", no_args_is_help=True
)

_NAME = typer.Argument(..., help="The staff member's sign-in name (e.g. jana.dpo).")
_PASSWORD_STDIN = typer.Option(
    False, "--password-stdin", help="Read the password from the first line of stdin."
)


@console_app.command("add-user")
def add_user(
    name: str = _NAME,
    role: StaffRole = typer.Option(
        ..., "--role", help="dpo (runs requests), care-agent (records choices), auditor (reads)."
    ),
    password_stdin: bool = _PASSWORD_STDIN,
) -> None:
    """Add a staff account; only the argon2id hash of its password is stored."""
    password = _read_password(password_stdin)
    member = add_staff_member(_roster(), name, role, password, at=datetime.now(UTC))
    typer.echo(f"Staff account {member.name} ({member.role.value}) added.")


@console_app.command("list-users")
def list_users() -> None:
    """List the staff accounts: name, role, created, disabled."""
    for member in staff_members(_roster()):
        disabled = f"  disabled {member.disabled_at.isoformat()}" if member.disabled_at else ""
        typer.echo(
            f"{member.name}  {member.role.value}  created {member.created_at.isoformat()}{disabled}"
        )


@console_app.command("disable-user")
def disable_user(name: str = _NAME) -> None:
    """Disable a staff account: it can no longer sign in, and its open session ends."""
    at = datetime.now(UTC)
    member = disable_staff_member(_roster(), name, at=at)
    if member.disabled_at is not None and member.disabled_at != at:
        typer.echo(
            f"Staff account {member.name} is already disabled "
            f"(since {member.disabled_at.isoformat()})."
        )
    else:
        typer.echo(f"Staff account {member.name} disabled.")


@console_app.command("enable-user")
def enable_user(name: str = _NAME) -> None:
    """Let a disabled staff account sign in again."""
    member = enable_staff_member(_roster(), name)
    typer.echo(f"Staff account {member.name} enabled.")


@console_app.command("set-password")
def set_password(name: str = _NAME, password_stdin: bool = _PASSWORD_STDIN) -> None:
    """Set a staff account's password and lift a lockout of its name."""
    password = _read_password(password_stdin, prompt="New password")
    member = set_staff_password(_roster(), name, password)
    typer.echo(f"Password of staff account {member.name} set.")


def _roster() -> SqlStaffRoster:
    return open_staff_roster(get_settings().database_url)


def _read_password(from_stdin: bool, *, prompt: str = "Password") -> str:
    """The first line of stdin, or a password typed twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt(prompt, hide_input=True, confirmation_prompt=True)
    return password
