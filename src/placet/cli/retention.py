"""`placet retention …`: what the retention rules require of a record, a plan and a run of them
over the whole estate, legal holds, and the replay of erasures after a restore."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import Progress

from placet.cli.datamap import CONNECT_OPTION, ESTATE_OPTION, open_estate
from placet.cli.policy import POLICY_ARGUMENT, select_version
from placet.cli.wiring import ACTOR_OPTION, instant, system_actor, wiring
from placet.errors import SettingsError
from placet.operations.erasures import (
    ErasureOutcome,
    pseudonymise_dataset,
    replay_erasures,
    rotate_pseudonyms,
)
from placet.operations.retention_plans import (
    EstatePlan,
    plan_estate,
)
from placet.operations.retention_runs import CHECKPOINTS, RunReport, run_retention
from placet.policy import load_policy_set
from placet.policy.calendar import local_date
from placet.policy.model import CategoryId, SubjectTypeId
from placet.policy.terms import Anchor, LegalBasis
from placet.retention import (
    AnchorDate,
    RetainedRecord,
    RetentionDecision,
    RetentionFacts,
    retention_action,
)
from placet.retention.anonymise import PSEUDONYMISATION_KEYS_SETTING, PseudonymKeyring
from placet.retention.guard import HoldReason, HoldScope, LegalHold
from placet.retention.journal import StepRecord
from placet.settings import get_settings
from placet.stores.sql_retention import open_retention_book

__all__ = ["retention_app"]

retention_app = typer.Typer(
    help="Retention: explain a record's rules, plan and run them over the estate, legal holds.",
    no_args_is_help=True,
)
console = Console(stderr=True)

_FACTS = {
    "last_contract_end": "--last-contract-end",
    "debt_settled_at": "--debt-settled",
    "claims_time_barred_at": "--claims-time-barred",
    "investment_ended_at": "--investment-ended",
    "consent_withdrawn_at": "--consent-withdrawn",
    "objected_at": "--objected",
    "campaign_ended_at": "--campaign-ended",
    "purpose_fulfilled_at": "--purpose-fulfilled",
}


def _date_option(flag: str, what: str) -> Any:
    return typer.Option(None, flag, help=f"{what} (ISO 8601; UTC if no zone; omit: not yet).")


@retention_app.command("explain")
def explain(
    policy: str = POLICY_ARGUMENT,
    record_type: str = typer.Option(
        ..., "--record-type", help="The retention rule the data map names for the record."
    ),
    category: list[str] = typer.Option(
        [], "--category", help="A data category the record holds (repeat for several)."
    ),
    subject_type: str | None = typer.Option(
        None, "--subject-type", help="The subject's type (e.g. consumer-subscriber)."
    ),
    collected: str | None = _date_option("--collected", "When the record was made or collected"),
    legal_basis: LegalBasis | None = typer.Option(
        None, "--legal-basis", help="The basis the record is processed on."
    ),
    last_contract_end: str | None = _date_option(
        "--last-contract-end", "When the subject's last contract ended"
    ),
    never_had_contract: bool = typer.Option(
        False,
        "--never-had-contract",
        help="The subject never had a contract (not: one still runs). Rules that run from "
        "the end of a contract and/or another anchor then run from the other.",
    ),
    debt_settled: str | None = _date_option("--debt-settled", "When the debts were settled"),
    claims_time_barred: str | None = _date_option(
        "--claims-time-barred", "When all claims became time-barred"
    ),
    investment_ended: str | None = _date_option("--investment-ended", "When the investment ended"),
    consent_withdrawn: str | None = _date_option(
        "--consent-withdrawn", "When the consent was withdrawn"
    ),
    objected: str | None = _date_option("--objected", "When the subject objected or opted out"),
    campaign_ended: str | None = _date_option("--campaign-ended", "When the campaign ended"),
    purpose_fulfilled: str | None = _date_option(
        "--purpose-fulfilled", "When no purpose needed the data any more"
    ),
    at: str | None = typer.Option(
        None, "--at", help="The instant asked about (ISO 8601; default: now)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the decision as JSON."),
) -> None:
    """Which rules govern a record, their anchors and cutoffs, and what is due at --at."""
    when = instant(at)
    chosen = select_version(load_policy_set(policy), None, at)
    record = RetainedRecord(
        record_type=record_type,
        categories=tuple(CategoryId(name) for name in category),
        subject_type=SubjectTypeId(subject_type) if subject_type else None,
        collected_at=_optional_instant(collected, "--collected"),
        legal_basis=legal_basis,
    )
    given = (
        last_contract_end,
        debt_settled,
        claims_time_barred,
        investment_ended,
        consent_withdrawn,
        objected,
        campaign_ended,
        purpose_fulfilled,
    )
    if never_had_contract and last_contract_end is not None:
        raise typer.BadParameter(
            "a subject whose last contract ended had a contract: give --last-contract-end "
            "or --never-had-contract, not both",
            param_hint="--never-had-contract",
        )
    facts = RetentionFacts(
        never_had_contract=never_had_contract,
        **{
            name: _optional_instant(text, flag)
            for (name, flag), text in zip(_FACTS.items(), given, strict=True)
        },
    )
    decision = retention_action(chosen, record, facts, when)
    if as_json:
        typer.echo(json.dumps(_as_json(decision), indent=2, ensure_ascii=False))
        return
    typer.echo(f"{decision.action.value.upper()}: {decision.explanation}")
    typer.echo(f"policy {chosen.policy_id} {chosen.version}, at {when.isoformat()}")
    for term in decision.terms:
        anchors = ", ".join(
            f"{anchor.anchor.value} {_anchor_day(anchor, facts, chosen.zone)}"
            for anchor in term.anchors
        )
        role = "record type" if term.is_record_type else "by category"
        binds = "" if term.binds else " (does not bind: no fixed period, and not this record type)"
        if term.status.value == "excepted":
            binds = " (an exception covers the record)"
        cutoff = f", {term.action.value} on {_day(term.cutoff, chosen.zone)}" if term.cutoff else ""
        typer.echo(
            f"  {term.rule} [{role}] {term.status.value}{cutoff}; anchors: {anchors or 'none'}"
            f"{binds}"
        )


SPARK_OPTION = typer.Option(
    None,
    "--spark",
    help="Reach the lake's tables through Spark Connect at this URL (sc://host:15002), or "
    "Spark in this process (local[4]), instead of reading the files here.",
)


@retention_app.command("plan")
def plan(
    file: Path = typer.Argument(..., metavar="MAP", help="The estate's data map (YAML)."),
    connect: list[str] = CONNECT_OPTION,
    estate: Path | None = ESTATE_OPTION,
    spark: str | None = SPARK_OPTION,
    at: str | None = typer.Option(
        None, "--at", help="The instant planned for (ISO 8601; default: now)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the plan as JSON."),
) -> None:
    """What retention would delete, anonymise or restrict in every dataset, touching nothing.

    Subscribers' facts (type, contracts, debts) and legal holds come from Placet's
    database (PLACET_DATABASE_URL).
    """
    when = instant(at)
    wired = wiring()
    book = open_retention_book(get_settings().database_url)
    with open_estate(file, connect, estate, spark) as (stores, _):
        policy = load_policy_set(stores.datamap.policy).in_force(when)
        planned = plan_estate(stores, policy, wired.ledger, wired.key, at=when, holds=book.holds())
    if as_json:
        typer.echo(json.dumps(_plan_json(planned), indent=2, ensure_ascii=False))
        return
    typer.echo(
        f"retention plan of {stores.datamap.estate}: policy {policy.policy_id} "
        f"{policy.version}, at {when.isoformat()}"
    )
    rows: list[tuple[str, ...]] = [("dataset", "action", "rows", "selected by", "rules")]
    for dataset in planned.datasets:
        for step in dataset.steps:
            rows.append(
                (
                    dataset.dataset,
                    step.action.value,
                    f"{step.rows:,}",
                    step.selected_by,
                    ", ".join(step.rules),
                )
            )
        rows.append((dataset.dataset, "keep", f"{dataset.kept:,}", dataset.kept_note, ""))
    _table(rows, numeric={2})
    typer.echo(
        f"{planned.acts_on:,} rows would be deleted, anonymised or restricted; nothing was changed."
    )


@retention_app.command("run")
def run(
    file: Path = typer.Argument(..., metavar="MAP", help="The estate's data map (YAML)."),
    connect: list[str] = CONNECT_OPTION,
    estate: Path | None = ESTATE_OPTION,
    spark: str | None = SPARK_OPTION,
    at: str | None = typer.Option(
        None, "--at", help="The instant the run decides for (ISO 8601; default: now)."
    ),
    actor: str | None = typer.Option(None, "--actor", help="Who runs it (default: the user)."),
    report: Path | None = typer.Option(
        None, "--report", help="Write the run's report (JSON) to this file."
    ),
) -> None:
    """Delete, anonymise and restrict what the plan says, set-based, in every store.

    Each step is journalled in Placet's database before and after the store changes it,
    verified by a count, and the run is recorded in the ledger's decision records. A run
    that was killed is finished by the next `retention run` (at its own instant).
    """
    when = instant(at)
    wired = wiring()
    book = open_retention_book(get_settings().database_url)
    checkpoint = _test_kill_hook()
    with open_estate(file, connect, estate, spark) as (stores, digest):
        policy = load_policy_set(stores.datamap.policy).in_force(when)
        unfinished = book.unfinished_run()
        if unfinished is not None:
            typer.echo(
                f"finishing retention run {unfinished.run_id}, started "
                f"{unfinished.started_at.isoformat()}, at {unfinished.at.isoformat()}"
            )
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("retention", total=None)

            def shown(step: StepRecord) -> None:
                progress.update(task, description=f"{step.dataset}: {step.action}")
                progress.advance(task)
                progress.console.print(
                    f"  {step.dataset:<22} {step.action:<9} {step.changed_rows or 0:>12,} "
                    f" {step.detail or ''}",
                    soft_wrap=True,
                    highlight=False,
                    markup=False,
                )

            result = run_retention(
                stores,
                policy,
                wired.ledger,
                wired.key,
                book,
                at=when,
                actor=actor or system_actor(),
                datamap_sha256=digest,
                holds=book.holds(),
                checkpoint=checkpoint,
                on_step=shown,
            )
    summary = _run_json(result)
    if report is not None:
        report.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    totals = ", ".join(f"{rows:,} {action}" for action, rows in sorted(_totals(result).items()))
    typer.echo(
        f"retention run {result.run.run_id} at {result.run.at.isoformat()}: "
        f"{totals or 'nothing to do'}; recorded as decision {result.run.decision_id}"
    )
    if not result.is_verified:
        typer.echo("some rows were still selected after their step: see the report", err=True)
        raise typer.Exit(1)


@retention_app.command("replay-erasures")
def replay(
    file: Path = typer.Argument(..., metavar="MAP", help="The estate's data map (YAML)."),
    connect: list[str] = CONNECT_OPTION,
    estate: Path | None = ESTATE_OPTION,
    spark: str | None = SPARK_OPTION,
) -> None:
    """After a backup is restored: erase again everything the tombstones say was erased,
    so that a restore never brings an erased subscriber back."""
    when = instant(None)
    wired = wiring()
    book = open_retention_book(get_settings().database_url)
    with open_estate(file, connect, estate, spark) as (stores, _):
        policy = load_policy_set(stores.datamap.policy).in_force(when)
        results = replay_erasures(stores, policy, wired.key, book, at=when, holds=book.holds())
    for result in results:
        typer.echo(
            f"  {result.dataset:<22} {result.outcome.value:<8} {result.rows:>12,}  "
            f"{result.explanation}"
        )
    typer.echo(f"{sum(result.rows for result in results):,} rows erased again")


@retention_app.command("pseudonymise")
def pseudonymise(
    file: Path = typer.Argument(..., metavar="MAP", help="The estate's data map (YAML)."),
    dataset: str = typer.Option(..., "--dataset", help="The dataset to pseudonymise."),
    connect: list[str] = CONNECT_OPTION,
    estate: Path | None = ESTATE_OPTION,
    before: str | None = _date_option("--before", "Only the rows before this instant"),
) -> None:
    """Replace a dataset's identifiers by keyed pseudonyms (PLACET_PSEUDONYMISATION_KEYS),
    mask other parties' numbers and coarsen location. The raw values are gone: legal holds
    and open requests are asked first. Pseudonymised data is still personal data."""
    when = instant(None)
    book = open_retention_book(get_settings().database_url)
    keyring = _keyring()
    with open_estate(file, connect, estate) as (stores, _):
        policy = load_policy_set(stores.datamap.policy).in_force(when)
        result = pseudonymise_dataset(
            stores,
            policy,
            keyring,
            dataset,
            at=when,
            before=_optional_instant(before, "--before"),
            holds=book.holds(),
        )
    typer.echo(
        f"{result.dataset}: {result.outcome.value}, {result.rows:,} rows; {result.explanation}"
    )
    if result.outcome is ErasureOutcome.KEPT:
        raise typer.Exit(1)


@retention_app.command("rotate-pseudonyms")
def rotate(
    file: Path = typer.Argument(..., metavar="MAP", help="The estate's data map (YAML)."),
    dataset: str = typer.Option(..., "--dataset", help="The pseudonymised dataset."),
    connect: list[str] = CONNECT_OPTION,
    estate: Path | None = ESTATE_OPTION,
) -> None:
    """Carry a pseudonymised dataset's pseudonyms to the current key (the first of
    PLACET_PSEUDONYMISATION_KEYS); a rerun changes nothing."""
    when = instant(None)
    keyring = _keyring()
    with open_estate(file, connect, estate) as (stores, _):
        policy = load_policy_set(stores.datamap.policy).in_force(when)
        result = rotate_pseudonyms(stores, policy, keyring, dataset, at=when)
    typer.echo(f"{result.dataset}: {result.rows:,} rows; {result.explanation}")


def _keyring() -> PseudonymKeyring:
    keys = get_settings().pseudonymisation_keys
    if keys is None:
        raise SettingsError(
            PSEUDONYMISATION_KEYS_SETTING,
            "is not set, so nothing can be pseudonymised",
            "Set it to `k1:<base64 of at least 32 random bytes>` (docs/retention.md)",
        )
    return PseudonymKeyring.from_setting(keys.get_secret_value())


holds_app = typer.Typer(help="Legal holds: data kept beyond its retention.", no_args_is_help=True)
retention_app.add_typer(holds_app, name="holds")


@holds_app.command("place")
def place_hold(
    hold_id: str = typer.Argument(..., help="The hold's id (a case or file number)."),
    reason: HoldReason = typer.Option(..., "--reason", help="Why the data must be kept."),
    description: str = typer.Option(..., "--description", help="What the hold is for."),
    actor: str = ACTOR_OPTION,
    subject: str | None = typer.Option(None, "--subject", help="The subscriber id it keeps."),
    dataset: str | None = typer.Option(None, "--dataset", help="The dataset it keeps."),
    category: list[str] = typer.Option(
        [], "--category", help="A data category it keeps (repeat; none: all)."
    ),
    records_from: str | None = _date_option("--records-from", "The oldest record it keeps"),
    records_until: str | None = _date_option(
        "--records-until", "The instant the records it keeps end before"
    ),
    until: str | None = _date_option("--until", "When the hold lapses by itself"),
) -> None:
    """Place a legal hold, scoped as narrowly as its reason: a subject, a dataset, categories,
    a span of the records' time. Held rows are never deleted."""
    book = open_retention_book(get_settings().database_url)
    hold = LegalHold(
        hold_id=hold_id,
        scope=HoldScope(
            subject=subject,
            dataset=dataset,
            categories=frozenset(CategoryId(name) for name in category),
            records_from=_optional_instant(records_from, "--records-from"),
            records_until=_optional_instant(records_until, "--records-until"),
        ),
        reason=reason,
        description=description,
        placed_by=actor,
        placed_at=instant(None),
        until=_optional_instant(until, "--until"),
    )
    book.place(hold)
    typer.echo(f"legal hold {hold_id} placed: {_scope(hold)}")


@holds_app.command("release")
def release_hold(
    hold_id: str = typer.Argument(..., help="The hold's id."),
    actor: str = ACTOR_OPTION,
) -> None:
    """Release a hold: the deletions it deferred run at the next `retention run`."""
    book = open_retention_book(get_settings().database_url)
    released = book.release(hold_id, instant(None), actor)
    if released is None:
        typer.echo(f"there is no legal hold {hold_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"legal hold {hold_id} released by {released.released_by}")


@holds_app.command("list")
def list_holds(
    as_json: bool = typer.Option(False, "--json", help="Print the holds as JSON."),
) -> None:
    """Every hold, released ones too."""
    book = open_retention_book(get_settings().database_url)
    holds = book.holds()
    if as_json:
        typer.echo(json.dumps([_hold_json(hold) for hold in holds], indent=2, ensure_ascii=False))
        return
    now = instant(None)
    for hold in holds:
        state = "in force" if hold.is_in_force(now) else "released or lapsed"
        typer.echo(
            f"{hold.hold_id}  {state}  {hold.reason.value}  {_scope(hold)}  "
            f"placed by {hold.placed_by} on {_day(hold.placed_at)}: {hold.description}"
        )


def _scope(hold: LegalHold) -> str:
    return hold.scope.describe()


def _hold_json(hold: LegalHold) -> dict[str, Any]:
    scope = hold.scope
    return {
        "hold_id": hold.hold_id,
        "reason": hold.reason.value,
        "description": hold.description,
        "subject": scope.subject,
        "dataset": scope.dataset,
        "categories": sorted(scope.categories),
        "records_from": _iso(scope.records_from),
        "records_until": _iso(scope.records_until),
        "placed_by": hold.placed_by,
        "placed_at": _iso(hold.placed_at),
        "until": _iso(hold.until),
        "released_at": _iso(hold.released_at),
        "released_by": hold.released_by,
    }


def _test_kill_hook() -> Callable[[str], None] | None:
    """`PLACET_TEST_KILL_AT=CHECKPOINT[:N]`: kill this process (SIGKILL) the Nth time the
    run passes that checkpoint. A test hook, to prove a killed run loses nothing."""
    wanted = os.environ.get("PLACET_TEST_KILL_AT")
    if not wanted:
        return None
    name, _, count = wanted.partition(":")
    if name not in CHECKPOINTS:
        raise typer.BadParameter(
            f"PLACET_TEST_KILL_AT names no checkpoint: {name}; one of {', '.join(CHECKPOINTS)}"
        )
    remaining = [int(count or "1")]

    def hook(passed: str) -> None:
        if passed == name:
            remaining[0] -= 1
            if remaining[0] == 0:
                os.kill(os.getpid(), signal.SIGKILL)

    return hook


def _table(rows: list[tuple[str, ...]], *, numeric: set[int]) -> None:
    widths = [max(len(row[index]) for row in rows) for index in range(len(rows[0]))]
    for row in rows:
        cells = [
            cell.rjust(width) if index in numeric else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        typer.echo("  ".join(cells).rstrip())


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _plan_json(planned: EstatePlan) -> dict[str, Any]:
    return {
        "policy": {"id": planned.policy_id, "version": planned.policy_version},
        "at": planned.at.isoformat(),
        "acts_on": planned.acts_on,
        "datasets": [
            {
                "dataset": dataset.dataset,
                "system": dataset.system,
                "rows": dataset.rows,
                "kept": dataset.kept,
                "left_out": list(dataset.left_out),
                "blocked": dataset.blocked,
                "steps": [
                    {
                        "step": step.step_no,
                        "action": step.action.value,
                        "rules": list(step.rules),
                        "selected_by": step.shape,
                        "before": _iso(step.before),
                        "windows": step.windows,
                        "rows": step.rows,
                    }
                    for step in dataset.steps
                ],
            }
            for dataset in planned.datasets
        ],
    }


def _totals(result: RunReport) -> dict[str, int]:
    totals: dict[str, int] = {}
    for step in result.steps:
        if step.action != "purge":
            totals[step.action] = totals.get(step.action, 0) + (step.changed_rows or 0)
    return totals


def _run_json(result: RunReport) -> dict[str, Any]:
    run = result.run
    return {
        "run_id": run.run_id,
        "at": run.at.isoformat(),
        "started_at": run.started_at.isoformat(),
        "finished_at": _iso(run.finished_at),
        "resumed": result.resumed,
        "policy": {"id": run.policy_id, "version": run.policy_version},
        "datamap_sha256": run.datamap_sha256,
        "decision_id": run.decision_id,
        "verified": result.is_verified,
        "totals": _totals(result),
        "steps": [
            {
                "step": step.step_no,
                "dataset": step.dataset,
                "action": step.action,
                "rules": list(step.rules),
                "selected_by": step.shape,
                "planned_rows": step.planned_rows,
                "changed_rows": step.changed_rows,
                "left_rows": step.left_rows,
                "table_version": step.table_version,
                "detail": step.detail,
            }
            for step in result.steps
        ],
    }


def _optional_instant(text: str | None, flag: str) -> datetime | None:
    if text is None:
        return None
    try:
        return instant(text)
    except typer.BadParameter as exc:
        raise typer.BadParameter(str(exc.message), param_hint=flag) from exc


def _day(instant_: datetime | None, zone: tzinfo = UTC) -> str:
    """The date `instant_` falls on in `zone` (the controller's, where the policy is known)."""
    return local_date(instant_, zone).isoformat() if instant_ is not None else "unknown"


def _anchor_day(anchor: AnchorDate, facts: RetentionFacts, zone: tzinfo) -> str:
    if not anchor.counts:
        return "does not apply"
    if anchor.at is not None:
        return _day(anchor.at, zone)
    if anchor.anchor is Anchor.END_OF_LAST_CONTRACT and facts.never_had_contract:
        return "never (no contract)"
    return "not yet"


def _as_json(decision: RetentionDecision) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [plain(item) for item in value]
        return value

    return {key: plain(value) for key, value in asdict(decision).items()}
