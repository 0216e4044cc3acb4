"""`placet decisions …`: the decisions recorded (audience runs, disclosures, erasures), replayed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import typer

from placet.cli.wiring import wiring
from placet.errors import DecisionNotFoundError
from placet.ledger import DecisionEntry, DecisionKind, DecisionRecord
from placet.operations import read_subscriber_ids, replay_audience
from placet.operations.replays import replay_recorded
from placet.operations.requests import terms_of
from placet.stores.sql_disclosures import SqlDisclosureBook
from placet.stores.sql_requests import SqlRequestBook
from placet.stores.sql_retention import SqlRetentionBook

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
    record_id: UUID = typer.Argument(..., help="The record's id."),
    subscribers: Path | None = typer.Option(
        None, "--subscribers", help="An audience run's: the same CSV or Parquet it was given."
    ),
) -> None:
    """Decide a recorded audience run, disclosure or erasure again, as it was decided, and
    compare.

    An audience run is selected again from `--subscribers`, reading the ledger through the
    recorded position only. A disclosure is checked again from the register, against the
    policy version in force on its day and the agreements the record holds. An erasure's
    guard is asked again about each dataset, with the legal holds and the subscriber's
    requests in force at its instant as the registers now say. Exits 0 when it comes out
    the same, 1 listing each difference otherwise.
    """
    wired = wiring()
    entry = wired.ledger.decision(record_id)
    if entry is None:
        raise DecisionNotFoundError(str(record_id))
    if entry.record.kind is DecisionKind.AUDIENCE_RUN:
        if subscribers is None:
            raise typer.BadParameter(
                "an audience run is replayed from the subscribers it was given: "
                "add --subscribers FILE",
                param_hint="--subscribers",
            )
        audience = replay_audience(
            wired.ledger, wired.policies, wired.key, record_id, read_subscriber_ids(subscribers)
        )
        _report(audience.record, audience.differences)
        return
    engine = wired.ledger.engine
    replayed = replay_recorded(
        wired.ledger,
        wired.policies,
        record_id,
        disclosures=lambda: SqlDisclosureBook(engine),
        requests=SqlRequestBook(engine, terms_of(wired.policies)),
        holds=lambda: SqlRetentionBook(engine).holds(),
    )
    _report(replayed.record, replayed.differences)


def _report(record: DecisionRecord, differences: tuple[str, ...]) -> None:
    """The record in one line, then either that it was reproduced, or (exit 1) what differs."""
    typer.echo(_headline(record))
    if not differences:
        typer.echo(_REPRODUCED[record.kind])
        return
    for difference in differences:
        typer.echo(f"  differs: {difference}", err=True)
    raise typer.Exit(1)


_REPRODUCED = {
    DecisionKind.AUDIENCE_RUN: (
        "Replayed: the same subscribers were selected, for the same reasons."
    ),
    DecisionKind.DISCLOSURE: (
        "Replayed: the register holds what was recorded, and the policy decides it alike."
    ),
    DecisionKind.ERASURE: (
        "Replayed: the holds and requests in force then are those weighed, and the guard "
        "decides each dataset alike."
    ),
}


def _headline(record: DecisionRecord) -> str:
    where = (
        f"policy {record.policy_id} {record.policy_version}, ledger position {record.ledger_seq}"
    )
    if record.kind is DecisionKind.AUDIENCE_RUN:
        return (
            f"Audience run {record.record_id}: {record.outcome.get('permitted', 0):,} of "
            f"{record.outcome.get('total', 0):,} permitted at {record.as_of.isoformat()}, "
            f"{where}."
        )
    request = record.request
    if record.kind is DecisionKind.ERASURE:
        return (
            f"Erasure for request {request['request']} ({record.record_id}) at "
            f"{record.as_of.isoformat()}: {_datasets_kept(record.outcome)}, {where}."
        )
    return (
        f"Disclosure {request['disclosure']} ({record.record_id}) to "
        f"{request['recipient'] or request['party']} at {record.as_of.isoformat()}: "
        f"{_subjects_and_transfer(record.outcome)}, {where}."
    )


def _datasets_kept(outcome: dict[str, Any]) -> str:
    """An erasure's outcome in a few words: `11 dataset(s), 6 kept`."""
    datasets = outcome.get("datasets", [])
    kept = sum(1 for dataset in datasets if dataset.get("outcome") == "kept")
    return f"{len(datasets)} dataset(s), {kept} kept"


def _subjects_and_transfer(outcome: dict[str, Any]) -> str:
    """A disclosure's outcome in a few words: `2 subject(s), transfer none`."""
    return f"{outcome.get('subjects', 0):,} subject(s), transfer {outcome.get('transfer')}"


def _line(entry: DecisionEntry) -> str:
    record = entry.record
    return (
        f"{record.record_id}  {record.kind.value}  {record.as_of.isoformat()}  "
        f"{record.policy_id} {record.policy_version}  ledger@{record.ledger_seq}  "
        f"{_summary(record)}  by {record.actor}"
    )


def _summary(record: DecisionRecord) -> str:
    """What a record decided, in a few words for its line in `placet decisions list`."""
    request, outcome = record.request, record.outcome
    if record.kind is DecisionKind.AUDIENCE_RUN and {"permitted", "total"} <= set(outcome):
        return (
            f"{request.get('purpose', '')}  {outcome['permitted']:,}/{outcome['total']:,} permitted"
        )
    if record.kind is DecisionKind.DISCLOSURE and "disclosure" in request:
        overridden = ", overridden" if outcome.get("overridden") else ""
        return (
            f"{request['disclosure']} to {request.get('recipient') or request.get('party')}: "
            f"{_subjects_and_transfer(outcome)}{overridden}"
        )
    if record.kind is DecisionKind.ERASURE and "datasets" in outcome:
        return f"request {request.get('request')}: {_datasets_kept(outcome)}"
    if record.kind is DecisionKind.RETENTION_RUN and "totals" in outcome:
        totals = ", ".join(
            f"{action} {rows:,}" for action, rows in sorted(outcome["totals"].items())
        )
        return f"{outcome.get('steps', 0)} step(s): {totals or 'nothing changed'}"
    return json.dumps(outcome, ensure_ascii=False)
