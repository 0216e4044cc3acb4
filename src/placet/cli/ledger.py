"""`placet ledger …`: verify the ledger's hash chain, upgrade its tables, import consent history."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from placet.cli.receipt import published_keys
from placet.cli.wiring import wiring
from placet.errors import ChainBrokenError, SettingsError
from placet.ledger import ChainReport
from placet.operations import configured_receipt_keys
from placet.operations.checkpoints import check_checkpoint, issue_checkpoint
from placet.policy import load_policy_set
from placet.settings import get_settings
from placet.stores.consent_import import import_consent_history
from placet.stores.sql_columnar import write_snapshot
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
def verify(
    database_url: str | None = DATABASE_OPTION,
    checkpoints: list[Path] = typer.Option(
        [],
        "--checkpoint",
        help="A signed checkpoint (`placet ledger checkpoint`) the ledger must still hold; "
        "repeat for several.",
    ),
    keys: Path | None = typer.Option(
        None, "--keys", help="The operator's published keys (JWKS or PEM), for --checkpoint."
    ),
) -> None:
    """Check that no event or decision record was altered, removed, inserted or reordered.

    Prints how many events and decision records verified, or names the first bad position
    and exits 1. With `--checkpoint`, also checks each checkpoint's signature and that the
    ledger still holds the hashes it signs: a database rewritten as a whole, hashes and
    head rows included, verifies by itself, but not against a checkpoint signed before.
    """
    if checkpoints and keys is None:
        raise typer.BadParameter(
            "a checkpoint is checked against the operator's published keys: add --keys FILE",
            param_hint="--keys",
        )
    url = database_url or get_settings().database_url
    ledger = open_ledger(url, upgrade=False)
    report = ledger.verify()
    _raise_if_broken(report, "event")
    records = ledger.verify_decisions()
    _raise_if_broken(records, "decision record")
    typer.echo(
        f"The ledger is intact: {report.verified} events verified in "
        f"{describe_database(url)}; head at position {report.head.seq}, "
        f"hash {report.head.hash}. {records.verified} decision "
        f"record{'s' if records.verified != 1 else ''} verified."
    )
    for path in checkpoints:
        assert keys is not None
        signed = check_checkpoint(
            ledger, path.read_text(encoding="utf-8").strip(), published_keys(keys)
        )
        typer.echo(
            f"Checkpoint {path} ({signed.issuer}, signed {signed.signed_at.isoformat()}): the "
            f"ledger still holds event {signed.events.seq} and decision record "
            f"{signed.decisions.seq} as signed."
        )


@ledger_app.command("checkpoint")
def checkpoint(
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Where to write it (default: print it)."
    ),
    database_url: str | None = DATABASE_OPTION,
) -> None:
    """Sign the ledger's chain heads with the operator's receipt key, for an auditor to keep.

    Kept outside the database, a checkpoint shows later that nothing up to it was rewritten:
    `placet ledger verify --checkpoint FILE --keys JWKS`. Needs PLACET_RECEIPT_SIGNING_KEY.
    """
    settings = get_settings()
    keys = configured_receipt_keys(settings)
    if keys is None:
        raise SettingsError(
            "PLACET_RECEIPT_SIGNING_KEY",
            "is not set, so no checkpoint can be signed",
            "Make a key with `placet receipt keygen` and set the setting to its PEM file",
        )
    url = database_url or settings.database_url
    issued = issue_checkpoint(
        open_ledger(url, upgrade=False),
        keys,
        issuer=load_policy_set(settings.policy).latest.controller.legal_name,
        at=datetime.now(UTC),
    )
    signed = issued.checkpoint
    summary = (
        f"Checkpoint of {describe_database(url)}: events at position {signed.events.seq}, decision "
        f"records at {signed.decisions.seq}, signed {signed.signed_at.isoformat()}."
    )
    if output is None:
        typer.echo(issued.token)
        typer.echo(summary, err=True)
        return
    output.write_text(issued.token + "\n", encoding="utf-8")
    typer.echo(f"{summary} Written to {output}: keep it outside the database.")


def _raise_if_broken(report: ChainReport, chain: str) -> None:
    problem = report.problem
    if problem is not None:
        raise ChainBrokenError(
            problem.position,
            problem.kind.value,
            problem.event_id,
            problem.detail,
            report.verified,
            chain=chain,
        )


@ledger_app.command("snapshot")
def snapshot(
    target: Path = typer.Argument(..., help="The Parquet file to write."),
    database_url: str | None = DATABASE_OPTION,
) -> None:
    """Write the subjects' projected states to a Parquet snapshot, for bulk questions.

    The snapshot holds the chain position it is consistent with (its watermark); `placet
    audience --snapshot` reads it plus the events recorded since, so a stale one still
    answers exactly.
    """
    url = database_url or get_settings().database_url
    watermark = write_snapshot(open_ledger(url, upgrade=False), target)
    typer.echo(f"Wrote {target}: the projection as of ledger position {watermark}.")


@ledger_app.command("upgrade")
def upgrade(database_url: str | None = DATABASE_OPTION) -> None:
    """Create the ledger's tables, or upgrade them to this version of Placet.

    Back the database up first; running it again changes nothing.
    """
    url = database_url or get_settings().database_url
    revision = upgrade_database(create_ledger_engine(url))
    typer.echo(f"The ledger database {describe_database(url)} is at schema revision {revision}.")


@ledger_app.command("import")
def import_history(
    source: Path = typer.Argument(..., help="A CSV or Parquet export of consent history."),
    skip_bad_rows: bool = typer.Option(
        False, "--skip-bad-rows", help="Import the good rows and report the bad ones."
    ),
) -> None:
    """Import consent history from a CRM export: every row checked, all or nothing.

    A file with any bad row imports nothing and lists each bad line with its reason, unless
    --skip-bad-rows; importing the same file twice records nothing new. docs/ledger.md lists
    the columns.
    """
    wired = wiring()
    report = import_consent_history(
        wired.ledger,
        source,
        policies=wired.policies,
        key=wired.key,
        recorded_at=datetime.now(UTC),
        skip_bad_rows=skip_bad_rows,
    )
    for problem in report.problems:
        typer.echo(f"skipped {problem}", err=True)
    typer.echo(str(report))
