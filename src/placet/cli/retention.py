"""`placet retention …`: what the policy's retention rules require of a record, explained."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from placet.cli.datamap import CONNECT_OPTION, ESTATE_OPTION, system_overrides
from placet.cli.policy import POLICY_ARGUMENT, select_version
from placet.cli.wiring import instant, wiring
from placet.datamap import load_datamap
from placet.datamap.scan import system_locations
from placet.operations.retention_plans import RetentionPlan, plan_retention
from placet.policy import load_policy_set
from placet.policy.model import CategoryId, SubjectTypeId
from placet.policy.terms import LegalBasis
from placet.retention import RetainedRecord, RetentionDecision, RetentionFacts, retention_action
from placet.stores.estate_tables import read_dataset

__all__ = ["retention_app"]

retention_app = typer.Typer(
    help="Explain what the retention rules require of a record.", no_args_is_help=True
)

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
    facts = RetentionFacts(
        **{
            name: _optional_instant(text, flag)
            for (name, flag), text in zip(_FACTS.items(), given, strict=True)
        }
    )
    decision = retention_action(chosen, record, facts, when)
    if as_json:
        typer.echo(json.dumps(_as_json(decision), indent=2, ensure_ascii=False))
        return
    typer.echo(f"{decision.action.value.upper()}: {decision.explanation}")
    typer.echo(f"policy {chosen.policy_id} {chosen.version}, at {when.isoformat()}")
    for term in decision.terms:
        anchors = ", ".join(
            f"{anchor.anchor.value} {_day(anchor.at) if anchor.at else 'not yet'}"
            for anchor in term.anchors
        )
        role = "record type" if term.is_record_type else "by category"
        binds = "" if term.binds else " (does not bind: no fixed period, and not this record type)"
        if term.status.value == "excepted":
            binds = " (an exception covers the record)"
        cutoff = f", {term.action.value} on {_day(term.cutoff)}" if term.cutoff else ""
        typer.echo(
            f"  {term.rule} [{role}] {term.status.value}{cutoff}; anchors: {anchors or 'none'}"
            f"{binds}"
        )


@retention_app.command("plan")
def plan(
    file: Path = typer.Argument(..., metavar="MAP", help="The estate's data map (YAML)."),
    connect: list[str] = CONNECT_OPTION,
    estate: Path | None = ESTATE_OPTION,
    at: str | None = typer.Option(
        None, "--at", help="The instant planned for (ISO 8601; default: now)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the plan as JSON."),
) -> None:
    """What retention would delete, anonymise or restrict in every dataset, touching nothing.

    Subscribers' facts (type, contracts, debts) come from the ledger (PLACET_DATABASE_URL).
    """
    when = instant(at)
    datamap = load_datamap(file)
    policy = load_policy_set(datamap.policy).in_force(when)
    locations = system_locations(datamap, system_overrides(datamap, estate, connect), os.environ)
    wired = wiring()
    planned = plan_retention(
        datamap, locations, policy, wired.ledger, wired.key, read=read_dataset, at=when
    )
    if as_json:
        typer.echo(json.dumps(_plan_json(planned), indent=2, ensure_ascii=False))
        return
    typer.echo(
        f"retention plan of {datamap.estate}: policy {policy.policy_id} {policy.version}, "
        f"at {when.isoformat()}"
    )
    rows = [("dataset", "rule", "action", "rows", "held", "acts on", "due since", "next cutoff")]
    for line in planned.lines:
        rows.append(
            (
                line.dataset,
                line.rule or "(no cutoff known yet)",
                line.action.value,
                f"{line.rows:,}",
                f"{line.held:,}",
                f"{line.acts_on:,}",
                "" if line.due_from is None else _span(line.due_from, line.due_until),
                _day(line.next_cutoff) if line.next_cutoff else "",
            )
        )
    widths = [max(len(row[index]) for row in rows) for index in range(len(rows[0]))]
    for row in rows:
        cells = [
            cell.rjust(width) if 3 <= index <= 5 else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        typer.echo("  ".join(cells).rstrip())
    typer.echo(
        f"{planned.acts_on:,} rows would be deleted, anonymised or restricted; nothing was changed."
    )


def _span(first: datetime, last: datetime | None) -> str:
    if last is None or last.date() == first.date():
        return _day(first)
    return f"{_day(first)} .. {_day(last)}"


def _plan_json(planned: RetentionPlan) -> dict[str, Any]:
    return {
        "policy": {"id": planned.policy_id, "version": planned.policy_version},
        "at": planned.at.isoformat(),
        "acts_on": planned.acts_on,
        "lines": [
            {
                "dataset": line.dataset,
                "rule": line.rule,
                "action": line.action.value,
                "rows": line.rows,
                "held": line.held,
                "acts_on": line.acts_on,
                "due_from": line.due_from.isoformat() if line.due_from else None,
                "due_until": line.due_until.isoformat() if line.due_until else None,
                "next_cutoff": line.next_cutoff.isoformat() if line.next_cutoff else None,
            }
            for line in planned.lines
        ],
    }


def _optional_instant(text: str | None, flag: str) -> datetime | None:
    if text is None:
        return None
    try:
        return instant(text)
    except typer.BadParameter as exc:
        raise typer.BadParameter(str(exc.message), param_hint=flag) from exc


def _day(instant_: datetime | None) -> str:
    return instant_.date().isoformat() if instant_ is not None else "unknown"


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
