"""What the CLI's subject commands share: ledger, policy and pseudonym key, from settings.

Built once per command from `PlacetSettings`; every command that records or decides
calls `placet.operations` with these.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import UTC, datetime

import typer

from placet.errors import SettingsError
from placet.ledger import CollectedVia, GivenBy, PseudonymKey
from placet.operations import Provenance
from placet.policy import PolicySet, load_policy_set
from placet.settings import get_settings
from placet.stores.sql_ledger import SqlLedger, open_ledger

__all__ = [
    "ACTOR_OPTION",
    "AT_OPTION",
    "EVIDENCE_OPTION",
    "IDEMPOTENCY_OPTION",
    "VIA_OPTION",
    "Wiring",
    "instant",
    "system_actor",
    "wiring",
]

AT_OPTION = typer.Option(
    None, "--at", help="The instant it takes effect, or is asked about (ISO 8601; UTC if no zone)."
)
VIA_OPTION = typer.Option(
    CollectedVia.CALL_CENTRE.value,
    "--via",
    help="How it reached the operator: " + ", ".join(v.value for v in CollectedVia) + ".",
)
ACTOR_OPTION = typer.Option(..., "--actor", help="Who records it: a staff id or system name.")
EVIDENCE_OPTION = typer.Option(
    None, "--evidence", help="A reference to the evidence (form id, call recording id)."
)
IDEMPOTENCY_OPTION = typer.Option(
    None, "--idempotency-key", help="Re-sending the same key records nothing new."
)


@dataclass(frozen=True, slots=True)
class Wiring:
    ledger: SqlLedger
    policies: PolicySet
    key: PseudonymKey


def wiring() -> Wiring:
    """The ledger, policy and pseudonym key the settings name (`SettingsError` if unset)."""
    settings = get_settings()
    if settings.pseudonym_key is None:
        raise SettingsError(
            "PLACET_PSEUDONYM_KEY",
            "is not set, so subscribers cannot be named in the ledger",
            "Set it to the operator's key in hex (see docs/ledger.md)",
        )
    return Wiring(
        ledger=open_ledger(settings.database_url),
        policies=load_policy_set(settings.policy),
        key=PseudonymKey.from_hex(settings.pseudonym_key.get_secret_value()),
    )


def instant(text: str | None) -> datetime:
    """`--at` as a UTC instant, or now."""
    if text is None:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(
            f"'{text}' is not an ISO 8601 date or instant (e.g. 2026-05-01T12:00:00Z)",
            param_hint="--at",
        ) from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def provenance(via: str, actor: str, evidence: str | None) -> Provenance:
    """How an event reached the operator, from the command's options."""
    try:
        collected = CollectedVia(via)
    except ValueError as exc:
        raise typer.BadParameter(f"'{via}' is not a way of collecting", param_hint="--via") from exc
    return Provenance(
        collected_via=collected, actor=actor, given_by=GivenBy.SUBJECT, evidence=evidence
    )


def system_actor() -> str:
    """Who runs a command when no --actor is given: the system user, marked as such."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid (some containers)
        user = "unknown-user"
    return f"system-user:{user}"
