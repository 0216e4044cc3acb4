"""`placet ledger …`: verify the consent ledger's hash chain, and create or upgrade its tables."""

from __future__ import annotations

import typer

from placet.errors import ChainBrokenError
from placet.settings import get_settings
from placet.stores.sql_database import create_ledger_engine, describe_database, upgrade_database
from placet.stores.sql_ledger import open_ledger

__all__ = ["ledger_app"]

ledger_app = typer.Typer(
    help="Verify the consent ledger and keep its database up to date.", no_args_is_help=True
)

DATABASE_OPTION = typer.Option(
    None,
    "--database-url",
    help="The ledger's database URL (default: the PLACET_DATABASE_URL setting).",
)


@ledger_app.command("verify")
def verify(database_url: str | None = DATABASE_OPTION) -> None:
    """Check that no event of the ledger was altered, removed, inserted or reordered.

    Prints how many events verified, or names the first bad position and exits 1.
    """
    url = database_url or get_settings().database_url
    report = open_ledger(url, upgrade=False).verify()
    if report.problem is not None:
        problem = report.problem
        raise ChainBrokenError(
            problem.position, problem.kind.value, problem.event_id, problem.detail, report.verified
        )
    typer.echo(
        f"The ledger is intact: {report.verified} events verified in "
        f"{describe_database(url)}; head at position {report.head.seq}, "
        f"hash {report.head.hash}."
    )


@ledger_app.command("upgrade")
def upgrade(database_url: str | None = DATABASE_OPTION) -> None:
    """Create the ledger's tables, or upgrade them to this version of Placet.

    Back the database up first; running it again changes nothing.
    """
    url = database_url or get_settings().database_url
    revision = upgrade_database(create_ledger_engine(url))
    typer.echo(f"The ledger database {describe_database(url)} is at schema revision {revision}.")
