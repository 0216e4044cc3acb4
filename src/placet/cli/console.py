"""`placet console …`: the DPO console's staff accounts (name, role, password)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import typer

from placet.operations.staff import StaffRole, add_staff_member, staff_members
from placet.settings import get_settings
from placet.stores.sql_staff import open_staff_roster

__all__ = ["console_app"]

console_app = typer.Typer(
    help="Staff accounts of the DPO console (/console).", no_args_is_help=True
)


@console_app.command("add-user")
def add_user(
    name: str = typer.Argument(..., help="The staff member's sign-in name (e.g. jana.dpo)."),
    role: StaffRole = typer.Option(
        ..., "--role", help="dpo (runs requests), care-agent (records choices), auditor (reads)."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of stdin."
    ),
) -> None:
    """Add a staff account; only the argon2id hash of its password is stored."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    member = add_staff_member(
        open_staff_roster(get_settings().database_url),
        name,
        role,
        password,
        at=datetime.now(UTC),
    )
    typer.echo(f"Staff account {member.name} ({member.role.value}) added.")


@console_app.command("list-users")
def list_users() -> None:
    """List the staff accounts: name, role, created, disabled."""
    for member in staff_members(open_staff_roster(get_settings().database_url)):
        disabled = f"  disabled {member.disabled_at.isoformat()}" if member.disabled_at else ""
        typer.echo(
            f"{member.name}  {member.role.value}  created {member.created_at.isoformat()}{disabled}"
        )
