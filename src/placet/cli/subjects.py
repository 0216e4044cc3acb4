"""`placet consent|objection|subject|decide|audience`: the API's subject operations from a shell.

Each command calls `placet.operations` with the wiring of `placet.cli.wiring`, as the API
does with its own; neither writes the logic twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path

import orjson
import polars as pl
import typer

from placet.cli.wiring import (
    ACTOR_OPTION,
    AT_OPTION,
    EVIDENCE_OPTION,
    IDEMPOTENCY_OPTION,
    VIA_OPTION,
    instant,
    provenance,
    system_actor,
    wiring,
)
from placet.decide import SubjectState, Use
from placet.operations import (
    NumberedSubscribers,
    Recorded,
    decide_for_subject,
    end_contract,
    give_consent,
    make_objection,
    number_subscribers,
    query_subscriber_ids,
    read_numbered_subscribers,
    read_subscriber_column,
    record_subject_facts,
    select_audience,
    start_contract,
    subject_history,
    subject_state,
    subscribers_csv,
    withdraw_consent,
    withdraw_objection,
    write_numbered_subscribers,
)
from placet.policy.model import CategoryId, PurposeId, RecipientId
from placet.policy.terms import Channel
from placet.settings import get_settings
from placet.stores.sql_database import describe_database

__all__ = [
    "audience",
    "consent_app",
    "contract_app",
    "decide",
    "number_subscribers_command",
    "objection_app",
    "subject_app",
]

consent_app = typer.Typer(help="Record a consent given or withdrawn.", no_args_is_help=True)
objection_app = typer.Typer(help="Record an objection made or withdrawn.", no_args_is_help=True)
subject_app = typer.Typer(
    help="Record facts about a subject and show what the ledger holds.", no_args_is_help=True
)
contract_app = typer.Typer(help="Record a contract started or ended.", no_args_is_help=True)

SUBJECT_ARGUMENT = typer.Argument(..., help="The subscriber's identifier (MSISDN, customer id).")
CHANNEL_OPTION = typer.Option(None, "--channel", help="A channel (repeatable; none: all).")


def _report(recorded: Recorded) -> None:
    entry = recorded.entry
    state = "recorded" if recorded.created else "already recorded under this idempotency key"
    typer.echo(
        f"{entry.event.data.type.value} {state}: event {entry.event.event_id} at position "
        f"{entry.seq}, policy {entry.event.policy_id} {entry.event.policy_version}."
    )


Recorder = Callable[..., Recorded]


def _consent_command(record: Recorder, summary: str) -> Callable[..., None]:
    def command(
        subject: str = SUBJECT_ARGUMENT,
        option: str = typer.Argument(..., help="The consent option (e.g. current-offers)."),
        channel: list[Channel] | None = CHANNEL_OPTION,
        via: str = VIA_OPTION,
        actor: str = ACTOR_OPTION,
        evidence: str | None = EVIDENCE_OPTION,
        at: str | None = AT_OPTION,
        idempotency_key: str | None = IDEMPOTENCY_OPTION,
    ) -> None:
        wired = wiring()
        _report(
            record(
                wired.ledger,
                wired.policies,
                wired.key,
                subject,
                option,
                provenance=provenance(via, actor, evidence),
                channels=channel or (),
                recorded_at=datetime.now(UTC),
                effective_at=instant(at) if at else None,
                idempotency_key=idempotency_key,
            )
        )

    command.__doc__ = summary
    return command


PURPOSE_OPTION = typer.Option(None, "--purpose", help="The purpose objected to.")
ALL_MARKETING_OPTION = typer.Option(
    False, "--all-direct-marketing", help="Object to all direct marketing (GDPR Art. 21(2))."
)


def _objection_command(record: Recorder, summary: str) -> Callable[..., None]:
    def command(
        subject: str = SUBJECT_ARGUMENT,
        purpose: str | None = PURPOSE_OPTION,
        all_direct_marketing: bool = ALL_MARKETING_OPTION,
        via: str = VIA_OPTION,
        actor: str = ACTOR_OPTION,
        evidence: str | None = EVIDENCE_OPTION,
        at: str | None = AT_OPTION,
        idempotency_key: str | None = IDEMPOTENCY_OPTION,
    ) -> None:
        wired = wiring()
        _report(
            record(
                wired.ledger,
                wired.policies,
                wired.key,
                subject,
                provenance=provenance(via, actor, evidence),
                purpose=purpose,
                all_direct_marketing=all_direct_marketing,
                recorded_at=datetime.now(UTC),
                effective_at=instant(at) if at else None,
                idempotency_key=idempotency_key,
            )
        )

    command.__doc__ = summary
    return command


CONTRACT_ARGUMENT = typer.Argument(..., help="The contract's reference (an opaque id).")


def _contract_command(record: Recorder, summary: str) -> Callable[..., None]:
    def command(
        subject: str = SUBJECT_ARGUMENT,
        contract: str = CONTRACT_ARGUMENT,
        via: str = VIA_OPTION,
        actor: str = ACTOR_OPTION,
        evidence: str | None = EVIDENCE_OPTION,
        at: str | None = AT_OPTION,
        idempotency_key: str | None = IDEMPOTENCY_OPTION,
    ) -> None:
        wired = wiring()
        _report(
            record(
                wired.ledger,
                wired.policies,
                wired.key,
                subject,
                contract,
                provenance=provenance(via, actor, evidence),
                recorded_at=datetime.now(UTC),
                effective_at=instant(at) if at else None,
                idempotency_key=idempotency_key,
            )
        )

    command.__doc__ = summary
    return command


consent_app.command("give")(
    _consent_command(
        give_consent, "Record that the subscriber agreed to a consent option (shop, phone…)."
    )
)
consent_app.command("withdraw")(
    _consent_command(
        withdraw_consent,
        "Record that the subscriber withdrew a consent; it stops the purposes from that instant.",
    )
)
objection_app.command("make")(
    _objection_command(
        make_objection, "Record an objection to a purpose, or to all direct marketing."
    )
)
objection_app.command("withdraw")(
    _objection_command(withdraw_objection, "Record that the subscriber withdrew an objection.")
)
contract_app.command("start")(
    _contract_command(
        start_contract,
        "Record that a contract with the subscriber started (contract purposes need one).",
    )
)
contract_app.command("end")(
    _contract_command(
        end_contract,
        "Record that a contract ended: post-contract windows and restrictions run from it.",
    )
)


@subject_app.command("facts")
def subject_facts(
    subject: str = SUBJECT_ARGUMENT,
    subject_type: str | None = typer.Option(
        None, "--type", help="The policy's subject type (e.g. consumer-subscriber)."
    ),
    birth_date: str | None = typer.Option(
        None, "--birth-date", help="YYYY-MM-DD: decides who is a minor."
    ),
    via: str = VIA_OPTION,
    actor: str = ACTOR_OPTION,
    evidence: str | None = EVIDENCE_OPTION,
    at: str | None = AT_OPTION,
) -> None:
    """Record the subject's type and birth date, which the policy's purposes depend on."""
    try:
        born = date.fromisoformat(birth_date) if birth_date else None
    except ValueError as exc:
        raise typer.BadParameter(
            f"'{birth_date}' is not YYYY-MM-DD", param_hint="--birth-date"
        ) from exc
    wired = wiring()
    _report(
        record_subject_facts(
            wired.ledger,
            wired.policies,
            wired.key,
            subject,
            provenance=provenance(via, actor, evidence),
            subject_type=subject_type,
            birth_date=born,
            recorded_at=datetime.now(UTC),
            effective_at=instant(at) if at else None,
        )
    )


@subject_app.command("show")
def subject_show(
    subject: str = SUBJECT_ARGUMENT,
    at: str | None = AT_OPTION,
    history: bool = typer.Option(False, "--history", help="Also list every event recorded."),
) -> None:
    """Print the subject's state (now, or as of --at) as JSON, and optionally its history."""
    wired = wiring()
    state = subject_state(wired.ledger, wired.key, subject, at=instant(at))
    typer.echo(_state_document(state))
    if history:
        for entry in subject_history(wired.ledger, wired.key, subject):
            event = entry.event
            typer.echo(
                f"#{entry.seq} {event.effective_at.isoformat()} {event.data.type.value} "
                f"via {event.collected_via.value} by {event.actor}"
            )


def _state_document(state: SubjectState) -> str:
    """The state as JSON: instants in RFC 3339, sets as sorted lists."""
    return orjson.dumps(state, default=_plain, option=orjson.OPT_INDENT_2).decode()


def _plain(value: object) -> list[object]:
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


CATEGORY_OPTION = typer.Option(
    ..., "--category", help="A data category the use touches (repeatable)."
)


def _use(
    purpose: str,
    category: list[str],
    channel: Channel | None,
    recipient: str | None,
    country: str | None,
    anonymised: bool,
) -> Use:
    return Use(
        purpose=PurposeId(purpose),
        categories=tuple(CategoryId(name) for name in category),
        channel=channel,
        recipient=RecipientId(recipient) if recipient else None,
        country=country,
        anonymised=anonymised,
    )


def decide(
    subject: str = SUBJECT_ARGUMENT,
    purpose: str = typer.Argument(..., help="The purpose of the use (e.g. marketing-analysis)."),
    category: list[str] = CATEGORY_OPTION,
    channel: Channel | None = typer.Option(None, "--channel", help="How the subject is reached."),
    recipient: str | None = typer.Option(None, "--recipient", help="Who receives the data."),
    country: str | None = typer.Option(None, "--country", help="Where the data goes (ISO code)."),
    anonymised: bool = typer.Option(False, "--anonymised", help="The data is anonymised first."),
    at: str | None = AT_OPTION,
    lang: str | None = typer.Option(None, "--lang", help="Language of the cited clauses."),
) -> None:
    """Decide one use of a subscriber's data and print the decision with its clauses."""
    wired = wiring()
    answer = decide_for_subject(
        wired.ledger,
        wired.policies,
        wired.key,
        subject,
        _use(purpose, category, channel, recipient, country, anonymised),
        now=datetime.now(UTC),
        at=instant(at) if at else None,
        language=lang,
    )
    decision = answer.decision
    typer.echo(f"{decision.outcome.value.upper()} ({decision.reason}): {decision.explanation}")
    if decision.obligations:
        typer.echo("obligations: " + ", ".join(o.value for o in decision.obligations))
    if decision.valid_until:
        typer.echo(f"valid until {decision.valid_until.isoformat()}")
    typer.echo(f"policy {answer.policy_id} {answer.policy_version}, at {answer.at.isoformat()}")
    for clause in answer.clauses:
        typer.echo(f"  {clause.path}: {clause.text}" if clause.text else f"  {clause.path}")
    if not decision.is_permitted:
        raise typer.Exit(3)


def number_subscribers_command(
    subscribers: Path = typer.Option(
        ...,
        "--subscribers",
        help="CSV, Parquet or Arrow IPC file with a 'subscriber' column of identifiers.",
    ),
    output: Path = typer.Option(
        ..., "--output", "-o", help="The numbered table to write (Parquet)."
    ),
) -> None:
    """Number a subscriber table once for many campaigns: each identifier with its pseudonym
    and the pseudonym's numbers, in their order (Parquet, stamped with the pseudonym key's
    check). `placet audience --subscribers` reads such a table without pseudonymising or
    sorting it again; after a key rotation, number the table again.
    """
    numbered = number_subscribers(read_subscriber_column(subscribers), wiring().key)
    write_numbered_subscribers(numbered, output)
    typer.echo(f"Numbered {numbered.table.height:,} subscribers into {output}.", err=True)


def audience(
    subscribers: Path | None = typer.Option(
        None,
        "--subscribers",
        help="CSV, Parquet or Arrow IPC file with a 'subscriber' column of identifiers, or a "
        "table numbered by `placet number-subscribers`.",
    ),
    query: str | None = typer.Option(
        None, "--query", help="Or a SQL query whose first column holds the identifiers."
    ),
    query_url: str | None = typer.Option(
        None,
        "--query-url",
        help="The database the query runs on (default: PLACET_DATABASE_URL).",
    ),
    purpose: str = typer.Option(..., "--purpose", help="The campaign's purpose."),
    category: list[str] = CATEGORY_OPTION,
    channel: Channel | None = typer.Option(None, "--channel", help="The campaign's channel."),
    at: str | None = AT_OPTION,
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the permitted identifiers here (CSV), not to stdout."
    ),
    actor: str | None = typer.Option(
        None, "--actor", help="Who runs the campaign (default: this system user)."
    ),
    snapshot: Path | None = typer.Option(
        None,
        "--snapshot",
        help="Read the states from this projection snapshot (`placet ledger snapshot`) and "
        "the events since, deciding the whole table at once.",
    ),
) -> None:
    """Select a campaign's audience: the permitted subscribers, and exclusions by reason.

    The run is recorded (policy version, ledger position, counts, a digest of the selection)
    so that `placet decisions replay` can compute it again.
    """
    if (subscribers is None) == (query is None):
        raise typer.BadParameter("give either --subscribers FILE or --query SQL, not both")
    wired = wiring()
    if subscribers is not None:
        numbered = read_numbered_subscribers(subscribers, wired.key)
        identifiers: Iterable[str] | pl.Series | NumberedSubscribers = (
            read_subscriber_column(subscribers) if numbered is None else numbered
        )
        source = {"table": subscribers.name}
    else:
        url = query_url or get_settings().database_url
        identifiers = query_subscriber_ids(url, query or "")
        source = {"query": query or "", "database": describe_database(url)}
    selection = select_audience(
        wired.ledger,
        wired.policies,
        wired.key,
        identifiers,
        _use(purpose, category, channel, None, None, anonymised=False),
        at=instant(at),
        snapshot=snapshot,
    )
    sink = output.open("w", encoding="utf-8", newline="") if output else None
    try:
        typer.echo("subscriber", file=sink)
        for column in selection.columns():
            typer.echo(subscribers_csv(column), file=sink, nl=False)
    finally:
        if sink is not None:
            sink.close()
    counts = selection.counts
    typer.echo(
        f"{counts.permitted:,} of {counts.total:,} subscribers permitted "
        f"(policy {selection.policy_version}).",
        err=True,
    )
    for reason, count in counts.excluded.most_common():
        typer.echo(f"  excluded, {reason}: {count:,}", err=True)
    recorded = selection.record(
        actor=actor or system_actor(),
        recorded_at=datetime.now(UTC),
        source=source,
    )
    run_id = recorded.record.record_id
    replay = f"`placet decisions replay {run_id} --subscribers {subscribers or 'FILE'}`"
    typer.echo(
        f"Recorded as audience run {run_id} (ledger position {recorded.record.ledger_seq}); "
        f"replay it with {replay}"
        + ("." if subscribers else ", FILE holding the subscribers the query selected."),
        err=True,
    )
