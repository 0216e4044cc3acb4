"""`placet synth`: write a synthetic operator estate (SQL tables, Parquet lake, consent history),
and with `--ledger` record its history in the ledger."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TimeElapsedColumn
from rich.table import Table

from placet.cli.wiring import Wiring, wiring
from placet.stores.consent_import import import_consent_history
from placet.synth import (
    CONSENT_HISTORY_FILE,
    DEFAULT_CHUNK_ROWS,
    EstatePlan,
    EstateReport,
    OperatorName,
    record_estate_history,
    write_estate,
)

__all__ = ["synth"]

console = Console(stderr=True)


class _Bars:
    """A rich progress bar per table, counting its steps and the rows written."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}
        self.rows: dict[str, int] = {}

    def start(self, table: str, steps: int) -> None:
        self.rows[table] = 0
        self.tasks[table] = self.progress.add_task(f"{table:<20} 0 rows", total=max(steps, 1))
        if steps == 0:
            self.progress.update(self.tasks[table], completed=1)

    def advance(self, table: str, rows: int) -> None:
        self.rows[table] += rows
        self.progress.update(
            self.tasks[table], advance=1, description=f"{table:<20} {self.rows[table]:,} rows"
        )


def _summary(report: EstateReport) -> Table:
    table = Table(title=f"{report.plan.operator} estate in {report.out}")
    table.add_column("table")
    table.add_column("where")
    table.add_column("rows", justify="right")
    table.add_column("s", justify="right")
    table.add_column("rows/s", justify="right")
    for written in report.tables:
        rate = written.rows / written.seconds if written.seconds > 0 else 0.0
        table.add_row(
            written.name,
            written.where,
            f"{written.rows:,}",
            f"{written.seconds:.2f}",
            f"{rate:,.0f}",
        )
    return table


def synth(
    operator: OperatorName = typer.Option(
        OperatorName.IPKO, "--operator", help="Whose estate: ipko or ipnordic."
    ),
    subscribers: int = typer.Option(
        10_000, "--subscribers", min=1, help="Subscribers to generate."
    ),
    months: int = typer.Option(
        3, "--months", min=1, max=120, help="Months of traffic data (CDRs, locations, sessions)."
    ),
    seed: int = typer.Option(1, "--seed", min=0, help="The same seed gives the same estate."),
    out: Path = typer.Option(Path("estate"), "--out", help="Folder to write the estate into."),
    database_url: str | None = typer.Option(
        None,
        "--database-url",
        help="Where the SQL tables go (default: SQLite file estate.db in --out); tables of "
        "the same names there are replaced.",
    ),
    chunk_rows: int = typer.Option(
        DEFAULT_CHUNK_ROWS,
        "--chunk-rows",
        min=1,
        help="Rows held in memory before they are written.",
    ),
    ledger: bool = typer.Option(
        False,
        "--ledger",
        help="Also record the estate's history (subject facts, contracts, debts, consents) in "
        "the ledger of PLACET_DATABASE_URL, under PLACET_PSEUDONYM_KEY; running it again "
        "records nothing new.",
    ),
) -> None:
    """Write a synthetic operator estate, deterministic from --seed (docs/synth.md)."""
    try:
        plan = EstatePlan(operator, subscribers, months, seed, chunk_rows=chunk_rows)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    wired = _ledger_wiring(operator) if ledger else None
    # A StoreError (the database refused) goes to the one handler of cli/main.py.
    try:
        with _progress() as progress:
            report = write_estate(plan, out, database_url=database_url, progress=_Bars(progress))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--subscribers") from exc
    Console().print(_summary(report))
    total = sum(written.seconds for written in report.tables)
    database = sa.make_url(report.database_url).render_as_string(hide_password=True)
    Console().print(
        f"{report.rows:,} rows in {total:.1f} s; SQL tables in {database}, lake in {out / 'lake'} "
        f"({report.layout.describe()})",
        soft_wrap=True,
        highlight=False,
    )
    if wired is not None:
        _record_in_ledger(report, wired)


def _progress() -> Progress:
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    return Progress(*columns, console=console, transient=False)


def _ledger_wiring(operator: OperatorName) -> Wiring:
    """The settings' ledger and key, checked before anything is written: the settings'
    policy must be the operator's, which decides about the subjects recorded."""
    wired = wiring()
    if wired.policies.policy_id != operator.value:
        raise typer.BadParameter(
            f"the estate is {operator}'s but PLACET_POLICY names the policy "
            f"'{wired.policies.policy_id}'; set PLACET_POLICY={operator} to record it",
            param_hint="--ledger",
        )
    return wired


def _record_in_ledger(report: EstateReport, wired: Wiring) -> None:
    """Record the estate's history, then import its consent history, in the settings' ledger.

    The history goes first: it is recorded in the order events take effect, and the
    consents, which fall between them, are then folded in subject by subject.
    """
    # The history reaches the estate's fixed now, which may lie after the clock.
    recorded_at = max(datetime.now(UTC), report.plan.now)
    with _progress() as progress:
        history = record_estate_history(
            wired.ledger, report.plan, wired.key, recorded_at=recorded_at, progress=_Bars(progress)
        )
    consents = import_consent_history(
        wired.ledger,
        report.out / CONSENT_HISTORY_FILE,
        policies=wired.policies,
        key=wired.key,
        recorded_at=recorded_at,
    )
    Console().print(str(history), soft_wrap=True, highlight=False)
    Console().print(str(consents), soft_wrap=True, highlight=False)
