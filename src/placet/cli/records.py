"""`placet decisions …`: the decisions recorded (audience runs, disclosures, erasures), replayed."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

import typer

from placet.cli.wiring import wiring
from placet.errors import DecisionNotFoundError
from placet.ledger import DecisionEntry, DecisionKind
from placet.operations import read_subscriber_ids, replay_audience

__all__ = ["decisions_app"]

decisions_app = typer.Typer(
    help="The decisions that matter, as recorded: list, show, replay.", no_args_is_help=True
)


@decisions_app.command("list")
def list_decisions(
    kind: DecisionKind | None = typer.Option(None, "--kind", help="Only records of this kind."),
) -> None:
    """List the decision records, oldest first: id, kind, instant, policy, ledger position."""
    entries = wiring().ledger.decisions(kind)
    if not entries:
        typer.echo("No decision is recorded" + (f" of kind {kind.value}." if kind else "."))
        return
    for entry in entries:
        typer.echo(_line(entry))


@decisions_app.command("show")
def show(record_id: UUID = typer.Argument(..., help="The record's id.")) -> None:
    """Print one decision record in full, as JSON."""
    entry = wiring().ledger.decision(record_id)
    if entry is None:
        raise DecisionNotFoundError(str(record_id))
    document = {"seq": entry.seq, "hash": entry.hash, **entry.record.model_dump(mode="json")}
    typer.echo(json.dumps(document, indent=2, ensure_ascii=False))


@decisions_app.command("replay")
def replay(
    record_id: UUID = typer.Argument(..., help="The audience run's record id."),
    subscribers: Path = typer.Option(
        ..., "--subscribers", help="The same CSV or Parquet the run was given."
    ),
) -> None:
    """Compute a recorded audience run again, as the ledger stood then, and compare.

    Exits 0 when the policy version, the counts and the subscribers selected are the same,
    1 listing each difference otherwise.
    """
    wired = wiring()
    result = replay_audience(
        wired.ledger, wired.policies, wired.key, record_id, read_subscriber_ids(subscribers)
    )
    record = result.record
    typer.echo(
        f"Audience run {record.record_id}: {record.outcome.get('permitted', 0):,} of "
        f"{record.outcome.get('total', 0):,} permitted at {record.as_of.isoformat()}, policy "
        f"{record.policy_id} {record.policy_version}, ledger position {record.ledger_seq}."
    )
    if result.reproduced:
        typer.echo("Replayed: the same subscribers were selected, for the same reasons.")
        return
    for difference in result.differences:
        typer.echo(f"  differs: {difference}", err=True)
    raise typer.Exit(1)


def _line(entry: DecisionEntry) -> str:
    record = entry.record
    outcome = record.outcome
    summary = (
        f"{outcome['permitted']:,}/{outcome['total']:,} permitted"
        if "permitted" in outcome and "total" in outcome
        else json.dumps(outcome, ensure_ascii=False)
    )
    return (
        f"{record.record_id}  {record.kind.value}  {record.as_of.isoformat()}  "
        f"{record.policy_id} {record.policy_version}  ledger@{record.ledger_seq}  "
        f"{record.request.get('purpose', '')}  {summary}  by {record.actor}"
    )
