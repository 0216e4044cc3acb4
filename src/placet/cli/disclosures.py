"""`placet disclosures …`: the register of recipients and their agreements, disclosures
checked against the policy and recorded, and the DPO's period report.

Law-enforcement requests have their own commands, `placet disclosures le …`
(`placet.cli.law_enforcement`). Subjects are named by their identifiers on the command
line, in a file or by a query; the register keeps only their pseudonyms.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from placet.cli.wiring import ACTOR_OPTION, instant, wiring
from placet.disclosures import (
    Agreement,
    AgreementKind,
    Disclosure,
    DisclosureKind,
    Override,
    ProposedDisclosure,
    RecipientEntry,
)
from placet.errors import DisclosureError, DisclosureRefusedError
from placet.notices.disclosure_report import (
    DisclosureReport,
    render_disclosure_report_html,
    write_disclosure_report_pdf,
)
from placet.operations import query_subscriber_ids, read_subscriber_ids
from placet.operations.disclosure_report import disclosure_report, write_report_csv
from placet.operations.disclosures import (
    RecordedDisclosure,
    new_id,
    record_disclosure,
    register_agreement,
    register_entries,
    subject_refs,
)
from placet.policy import PolicySet, TransferSafeguard, load_policy_set
from placet.settings import get_settings
from placet.stores.sql_disclosures import SqlDisclosureBook, open_disclosure_book

__all__ = ["agreement_app", "counted", "disclosures_app", "moment", "open_register"]

disclosures_app = typer.Typer(
    help="The disclosure register: recipients and their agreements, disclosures recorded "
    "against the policy, law-enforcement requests, the DPO's report.",
    no_args_is_help=True,
)
agreement_app = typer.Typer(
    help="Agreements with recipients: processor agreements, arrangements, safeguards.",
    no_args_is_help=True,
)
disclosures_app.add_typer(agreement_app, name="agreement")

log = logging.getLogger(__name__)

AGREEMENT_PREFIX = "AGR"
JSON_OPTION = typer.Option(False, "--json", help="Print it as JSON.")


class RecordKind(StrEnum):
    """The kinds `record` records; a law-enforcement disclosure comes through `le`."""

    DISCLOSURE = DisclosureKind.DISCLOSURE.value
    DEBT_ASSIGNMENT = DisclosureKind.DEBT_ASSIGNMENT.value
    INHERENT_TRANSFER = DisclosureKind.INHERENT_TRANSFER.value


def open_register() -> tuple[SqlDisclosureBook, PolicySet]:
    """The register in PLACET_DATABASE_URL and the policy PLACET_POLICY names."""
    settings = get_settings()
    return open_disclosure_book(settings.database_url), load_policy_set(settings.policy)


def moment(text: str | None, flag: str) -> datetime | None:
    """An option's ISO 8601 date or instant, in UTC when it names no zone; None if not given."""
    if text is None:
        return None
    try:
        return instant(text)
    except typer.BadParameter as exc:
        raise typer.BadParameter(str(exc.message), param_hint=flag) from exc


def counted(number: int, noun: str) -> str:
    """`1 subject`, `3 subjects`."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


# ---------------------------------------------------------------------- recipients


@disclosures_app.command("recipients")
def recipients(
    at: str | None = typer.Option(
        None, "--at", help="The day the register is shown for (ISO 8601; default: now)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """The recipients of the policy in force, their agreements, and what the DPO should check.

    Flagged: an agreement or safeguard expired or ending within 30 days, a processor or
    joint controller with no agreement in force, a third-country recipient with no safeguard.
    """
    when = instant(at)
    book, policies = open_register()
    entries = register_entries(book, policies, when)
    if as_json:
        document = {"at": when.isoformat(), "recipients": [_entry_json(e) for e in entries]}
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    policy = policies.in_force(when)
    table = Table(
        title=f"Recipients of {policy.policy_id} {policy.version} on {when:%Y-%m-%d}",
        show_lines=True,
    )
    for column in ("recipient", "kind", "country", "agreements", "flags"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        recipient = entry.recipient
        table.add_row(
            recipient.id,
            recipient.kind.value,
            _where(recipient.country, is_third_country=recipient.third_country),
            "\n".join(_agreement_line(agreement) for agreement in entry.agreements) or "none",
            "\n".join(f"[bold red]{flag.value}[/]: {about}" for flag, about in entry.flags),
        )
    Console().print(table)
    flagged = sum(bool(entry.flags) for entry in entries)
    typer.echo(f"{len(entries)} recipients, {flagged} flagged")


def _where(country: str | None, *, is_third_country: bool) -> str:
    """`XK`, `US (third country)`, `third country` (none named), or ''."""
    if not is_third_country:
        return country or ""
    return f"{country} (third country)" if country else "third country"


def _agreement_line(agreement: Agreement) -> str:
    until = f"{agreement.valid_until:%Y-%m-%d}" if agreement.valid_until else "open-ended"
    where = f", in {', '.join(agreement.countries)}" if agreement.countries else ""
    safeguard = f", {agreement.safeguard.value}" if agreement.safeguard else ""
    return (
        f"{agreement.agreement_id} {agreement.party} ({agreement.kind.value}, "
        f"{agreement.valid_from:%Y-%m-%d} to {until}{where}{safeguard})"
    )


def _entry_json(entry: RecipientEntry) -> dict[str, Any]:
    recipient = entry.recipient
    return {
        "recipient": recipient.id,
        "kind": recipient.kind.value,
        "country": recipient.country,
        "third_country": recipient.third_country,
        "agreements": [_agreement_json(agreement) for agreement in entry.agreements],
        "flags": [{"flag": flag.value, "about": about} for flag, about in entry.flags],
    }


def _agreement_json(agreement: Agreement) -> dict[str, Any]:
    return {
        "id": agreement.agreement_id,
        "recipient": agreement.recipient,
        "kind": agreement.kind.value,
        "party": agreement.party,
        "reference": agreement.reference,
        "valid_from": agreement.valid_from.isoformat(),
        "valid_until": _iso(agreement.valid_until),
        "countries": list(agreement.countries),
        "safeguard": agreement.safeguard.value if agreement.safeguard else None,
        "contact": agreement.contact,
        "recorded_by": agreement.recorded_by,
        "recorded_at": _iso(agreement.recorded_at),
    }


# ---------------------------------------------------------------------- agreements


@agreement_app.command("add")
def agreement_add(
    recipient: str = typer.Option(
        ..., "--recipient", help="The recipient's id in the policy (e.g. contractors)."
    ),
    kind: AgreementKind = typer.Option(..., "--kind", help="What the agreement is."),
    party: str = typer.Option(..., "--party", help="The company or body it is signed with."),
    reference: str = typer.Option(
        ..., "--reference", help="The agreement's own reference (contract number)."
    ),
    valid_from: str | None = typer.Option(
        None, "--from", help="When it takes effect (ISO 8601; default: now)."
    ),
    valid_until: str | None = typer.Option(
        None, "--until", help="When it ends (ISO 8601; default: until ended)."
    ),
    countries: list[str] = typer.Option(
        [], "--country", help="A country the party processes the data in (ISO 3166; repeatable)."
    ),
    safeguard: TransferSafeguard | None = typer.Option(
        None, "--safeguard", help="The chapter V ground a transfer to a third country rests on."
    ),
    contact: str | None = typer.Option(
        None, "--contact", help="Where the party is told of rectifications and erasures."
    ),
    actor: str = ACTOR_OPTION,
    agreement_id: str | None = typer.Option(
        None, "--id", help="The agreement's id in the register (default: a new AGR-… id)."
    ),
) -> None:
    """Record an agreement with a recipient the policy names."""
    now = datetime.now(UTC)
    start = moment(valid_from, "--from") or now
    book, policies = open_register()
    agreement = register_agreement(
        book,
        policies,
        Agreement(
            agreement_id=agreement_id or new_id(AGREEMENT_PREFIX, now),
            recipient=recipient,
            kind=kind,
            party=party,
            reference=reference,
            valid_from=start,
            valid_until=moment(valid_until, "--until"),
            countries=tuple(country.upper() for country in countries),
            safeguard=safeguard,
            contact=contact,
            recorded_by=actor,
            recorded_at=now,
        ),
    )
    typer.echo(f"agreement {agreement.agreement_id} recorded: {_agreement_line(agreement)}")


@agreement_app.command("end")
def agreement_end(
    agreement_id: str = typer.Argument(..., help="The agreement's id in the register."),
    at: str | None = typer.Option(
        None, "--at", help="When it ends (ISO 8601; UTC if no zone; default: now)."
    ),
    actor: str = ACTOR_OPTION,
) -> None:
    """End an agreement: disclosures after its end no longer rest on it."""
    book, _ = open_register()
    ended = book.end_agreement(agreement_id, instant(at))
    log.info("agreement %s ended by %s", ended.agreement_id, actor)
    typer.echo(f"agreement {ended.agreement_id} ends {ended.valid_until:%Y-%m-%d %H:%M}")


# ---------------------------------------------------------------------- disclosures


@disclosures_app.command("record")
def record(
    recipient: str | None = typer.Option(
        None, "--recipient", help="The recipient's id in the policy (not for an inherent transfer)."
    ),
    purpose: str = typer.Option(..., "--purpose", help="The purpose the data was disclosed for."),
    categories: list[str] = typer.Option(
        ..., "--category", help="A data category disclosed (repeatable)."
    ),
    approved_by: str = typer.Option(..., "--approved-by", help="Who approved the disclosure."),
    actor: str = ACTOR_OPTION,
    kind: RecordKind = typer.Option(RecordKind.DISCLOSURE, "--kind", help="What was disclosed."),
    party: str | None = typer.Option(
        None, "--party", help="The actual company or body (a debt buyer, a roaming network)."
    ),
    country: str | None = typer.Option(
        None, "--country", help="Where the data went (ISO 3166; default: the controller's)."
    ),
    legal_ground: str | None = typer.Option(
        None, "--legal-ground", help="The provision that obliges it (to an authority)."
    ),
    reference: str | None = typer.Option(
        None, "--reference", help="The reference of the order, request or contract."
    ),
    records: list[str] = typer.Option(
        [], "--record", help="A record handed over, e.g. an invoice assigned (repeatable)."
    ),
    at: str | None = typer.Option(
        None, "--at", help="When the data was disclosed (ISO 8601; default: now)."
    ),
    override: str | None = typer.Option(
        None, "--override", help="Record it although the policy refuses it: the justification."
    ),
    dpo: str | None = typer.Option(None, "--dpo", help="The DPO who overrides (with --override)."),
    subjects: list[str] = typer.Option(
        [], "--subject", help="A subscriber whose data was disclosed (repeatable)."
    ),
    subjects_file: Path | None = typer.Option(
        None, "--subjects-file", help="Or a CSV, Parquet or Arrow IPC file of subscribers."
    ),
    subjects_query: str | None = typer.Option(
        None, "--subjects-query", help="Or a SQL query returning the subscribers."
    ),
    subjects_database: str | None = typer.Option(
        None,
        "--subjects-database",
        help="The database --subjects-query runs on (default: PLACET_DATABASE_URL).",
    ),
    column: str | None = typer.Option(
        None,
        "--column",
        help="The column of subscriber identifiers (file: 'subscriber'; query: its first).",
    ),
) -> None:
    """Check a disclosure against the policy and the register, and record it.

    A disclosure the policy refuses is not recorded: each reason is printed with its code
    and the command exits 1, unless a DPO overrides it (--override JUSTIFICATION --dpo NAME).
    """
    if (override is None) != (dpo is None):
        raise typer.BadParameter(
            "an override names the DPO who makes it and their justification: give both "
            "--override JUSTIFICATION and --dpo NAME",
            param_hint="--override",
        )
    identifiers = _identifiers(subjects, subjects_file, subjects_query, subjects_database, column)
    proposed = ProposedDisclosure(
        kind=DisclosureKind(kind.value),
        recipient=recipient,
        purpose=purpose,
        categories=tuple(categories),
        disclosed_at=instant(at),
        approved_by=approved_by,
        party=party,
        country=country.upper() if country else None,
        legal_ground=legal_ground,
        reference=reference,
        records=tuple(records),
        override=None if override is None or dpo is None else Override(override, dpo),
    )
    wired = wiring()
    book = SqlDisclosureBook(wired.ledger.engine)
    try:
        recorded = record_disclosure(
            book,
            wired.ledger,
            wired.policies,
            proposed,
            subject_refs(identifiers, wired.key),
            recorded_by=actor,
            at=datetime.now(UTC),
        )
    except DisclosureRefusedError as exc:
        for code, message in exc.problems:
            typer.echo(f"refused [{code}]: {message}", err=True)
        typer.echo(
            "Nothing was recorded. Record it only as the policy allows, or have a DPO "
            "override it: --override JUSTIFICATION --dpo NAME.",
            err=True,
        )
        raise typer.Exit(1) from exc
    _echo_recorded(recorded)


def _identifiers(
    subjects: list[str],
    file: Path | None,
    query: str | None,
    database: str | None,
    column: str | None,
) -> Iterator[str]:
    """The subscribers, named exactly one way."""
    given = [
        flag
        for flag, value in (
            ("--subject", subjects),
            ("--subjects-file", file),
            ("--subjects-query", query),
        )
        if value
    ]
    if len(given) != 1:
        raise typer.BadParameter(
            "name the subjects exactly one way: --subject ID (repeatable), "
            "--subjects-file FILE or --subjects-query SQL"
            + (f"; {', '.join(given)} were given together" if given else ""),
            param_hint="--subject",
        )
    if database is not None and query is None:
        raise typer.BadParameter(
            "--subjects-database names where --subjects-query runs; give the query too",
            param_hint="--subjects-database",
        )
    if subjects:
        if column is not None:
            raise typer.BadParameter(
                "--column names a column of --subjects-file or --subjects-query",
                param_hint="--column",
            )
        return iter(subjects)
    if file is not None:
        return read_subscriber_ids(file, column or "subscriber")
    return query_subscriber_ids(database or get_settings().database_url, query or "", column)


def _echo_recorded(recorded: RecordedDisclosure) -> None:
    disclosure = recorded.disclosure
    check = recorded.check
    agreement = f", agreement {disclosure.agreement_id}" if disclosure.agreement_id else ""
    subjects = counted(disclosure.subjects, "subject")
    typer.echo(
        f"disclosure {disclosure.disclosure_id} recorded: {subjects} to "
        f"{_to_whom(disclosure)}, transfer basis {disclosure.transfer}{agreement}"
    )
    for code, message in check.refusals:
        typer.echo(f"  overridden [{code.value}]: {message}")
    for code, message in check.flags:
        typer.echo(f"  flag [{code.value}]: {message}")
    typer.echo(f"decision record {disclosure.decision_id}")


def _to_whom(disclosure: Disclosure) -> str:
    recipient, party = disclosure.recipient, disclosure.proposed.party
    if recipient and party:
        return f"{recipient} ({party})"
    return recipient or party or disclosure.kind.value


@disclosures_app.command("list")
def list_disclosures(
    since: str | None = typer.Option(
        None, "--from", help="Only those disclosed from this instant (ISO 8601)."
    ),
    before: str | None = typer.Option(
        None, "--to", help="Only those disclosed before this instant (ISO 8601)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """The disclosures recorded, oldest first, confidential ones included and marked."""
    book, _ = open_register()
    found = book.disclosures(since=moment(since, "--from"), before=moment(before, "--to"))
    if as_json:
        typer.echo(json.dumps([_disclosure_json(d) for d in found], indent=2, ensure_ascii=False))
        return
    if not found:
        typer.echo("No disclosure is recorded in that period.")
        return
    table = Table(title="Disclosures")
    for column in ("id", "disclosed", "kind", "to", "purpose", "subjects", "transfer", "flags"):
        table.add_column(
            column, overflow="fold", justify="right" if column == "subjects" else "left"
        )
    for disclosure in found:
        kind = disclosure.kind.value
        if disclosure.proposed.confidentiality is not None:
            kind += " (confidential)"
        if disclosure.overridden:
            kind += " (override)"
        table.add_row(
            disclosure.disclosure_id,
            f"{disclosure.proposed.disclosed_at:%Y-%m-%d %H:%M}",
            kind,
            _to_whom(disclosure),
            disclosure.proposed.purpose,
            str(disclosure.subjects),
            disclosure.transfer,
            ", ".join(code for code, _ in disclosure.problems),
        )
    Console().print(table)


@disclosures_app.command("show")
def show(
    disclosure_id: str = typer.Argument(..., help="The disclosure's id (DIS-…)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """One disclosure as the register holds it."""
    book, _ = open_register()
    disclosure = book.disclosure(disclosure_id)
    if disclosure is None:
        raise DisclosureError(
            f"no disclosure {disclosure_id} is in the register; "
            "`placet disclosures list` shows those that are"
        )
    document = _disclosure_json(disclosure)
    if as_json:
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    for name, value in document.items():
        if name == "problems":
            for problem in value:
                typer.echo(f"{'problem':<20} [{problem['code']}] {problem['message']}")
            continue
        if value in (None, [], ""):
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        if isinstance(value, dict):
            shown = "; ".join(f"{key}: {item}" for key, item in value.items())
        typer.echo(f"{name:<20} {shown}")


def _disclosure_json(disclosure: Disclosure) -> dict[str, Any]:
    proposed = disclosure.proposed
    confidentiality = proposed.confidentiality
    return {
        "id": disclosure.disclosure_id,
        "kind": disclosure.kind.value,
        "disclosed_at": proposed.disclosed_at.isoformat(),
        "recipient": proposed.recipient,
        "party": proposed.party,
        "purpose": proposed.purpose,
        "categories": list(proposed.categories),
        "country": proposed.country,
        "transfer_basis": disclosure.transfer,
        "agreement": disclosure.agreement_id,
        "legal_ground": proposed.legal_ground,
        "reference": proposed.reference,
        "records": list(proposed.records),
        "subjects": disclosure.subjects,
        "approved_by": proposed.approved_by,
        "override": None
        if proposed.override is None
        else {"by": proposed.override.by, "justification": proposed.override.justification},
        "confidential": None
        if confidentiality is None
        else {"ground": confidentiality.ground, "until": confidentiality.until.isoformat()},
        "problems": [{"code": code, "message": message} for code, message in disclosure.problems],
        "policy": f"{disclosure.policy_id} {disclosure.policy_version}",
        "recorded_by": disclosure.recorded_by,
        "recorded_at": disclosure.recorded_at.isoformat(),
        "decision_record": disclosure.decision_id,
    }


# ---------------------------------------------------------------------- the DPO's report


@disclosures_app.command("report")
def report(
    since: str = typer.Option(..., "--from", help="The period's first day (ISO 8601)."),
    before: str = typer.Option(..., "--to", help="The day after the period (ISO 8601)."),
    at: str | None = typer.Option(
        None, "--at", help="The day the register's flags are shown for (default: now)."
    ),
    csv_file: Path | None = typer.Option(
        None, "--csv", help="Write one row per disclosure to this CSV file."
    ),
    pdf_file: Path | None = typer.Option(None, "--pdf", help="Print the report to this PDF."),
    html_file: Path | None = typer.Option(None, "--html", help="Write the report as HTML."),
) -> None:
    """The DPO's report of a period: every disclosure, summed up, overrides and flags.

    The period is [--from, --to). Confidential law-enforcement disclosures are included and
    marked. The summary counts disclosures and subjects by recipient, kind and transfer
    basis; the register's flags are those of --at.
    """
    book, policies = open_register()
    start, end = moment(since, "--from"), moment(before, "--to")
    assert start is not None  # a required option
    assert end is not None
    made = disclosure_report(book, policies, start, end, instant(at))
    _echo_report(made)
    if csv_file is not None:
        rows = write_report_csv(made, csv_file)
        typer.echo(f"wrote {csv_file} ({rows} disclosures)")
    if html_file is not None:
        html_file.write_text(render_disclosure_report_html(made), encoding="utf-8")
        typer.echo(f"wrote {html_file}")
    if pdf_file is not None:
        shown = write_disclosure_report_pdf(made, pdf_file)
        typer.echo(f"wrote {pdf_file} ({shown} disclosures listed)")


def _echo_report(made: DisclosureReport) -> None:
    typer.echo(
        f"{len(made.rows)} disclosures of {made.subjects} subjects from {made.since:%Y-%m-%d} "
        f"to {made.before:%Y-%m-%d}; {len(made.overrides)} overrides, {made.confidential} "
        f"confidential; {len(made.register_flags)} register flags on {made.at:%Y-%m-%d}"
    )
    for heading, totals in (
        ("recipient", made.by_recipient),
        ("kind", made.by_kind),
        ("transfer basis", made.by_transfer),
    ):
        for total in totals:
            typer.echo(
                f"  by {heading:<15} {total.key:<45} {total.disclosures:>6} disclosures "
                f"{total.subjects:>9} subjects"
            )
    for flag in made.register_flags:
        typer.echo(f"  flag {flag.recipient}: {flag.flag} ({flag.about})")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
