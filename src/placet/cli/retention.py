"""`placet retention …`: what the policy's retention rules require of a record, explained."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

import typer

from placet.cli.policy import POLICY_ARGUMENT, select_version
from placet.cli.wiring import instant
from placet.policy import load_policy_set
from placet.policy.model import CategoryId, SubjectTypeId
from placet.policy.terms import LegalBasis
from placet.retention import RetainedRecord, RetentionDecision, RetentionFacts, retention_action

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
