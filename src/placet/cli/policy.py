"""`placet policy …`: check a policy, show its coverage, render its notice, RoPA and DPV export."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Final

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from placet.cli.wiring import instant
from placet.disclosures import recipient_register
from placet.errors import PlacetError
from placet.notices import (
    NoticeFormat,
    RopaFormat,
    RopaRegister,
    export_jsonld,
    export_ropa,
    render_notice,
)
from placet.policy import Policy, PolicySet, load_policy_set
from placet.policy.check import check_policy
from placet.policy.completeness import CompletenessWarning
from placet.policy.coverage import check_coverage
from placet.policy.diff import diff_policies
from placet.settings import get_settings
from placet.stores.sql_database import describe_database, open_database
from placet.stores.sql_disclosures import SqlDisclosureBook

__all__ = ["policy_app"]

policy_app = typer.Typer(help="Check a policy and render what it promises.", no_args_is_help=True)
console = Console()

POLICY_ARGUMENT = typer.Argument(
    ..., metavar="POLICY", help="A policy folder, or a bundled operator: ipko, ipnordic."
)
OUTPUT_OPTION = typer.Option(
    None, "--output", "-o", help="Write to this file instead of standard output."
)
VERSION_OPTION = typer.Option(None, "--version", help="Use this version (default: in force now).")
LANG_OPTION = typer.Option(
    None, "--lang", help="Language (default: the policy's first, its source language)."
)
AT_OPTION = typer.Option(
    None, "--at", help="Use the version in force at this instant (ISO 8601; UTC if no zone)."
)
REGISTER_OPTION = typer.Option(
    None,
    "--register/--no-register",
    help="List each recipient's agreements, the countries and transfer safeguards in force, "
    "the register's flags and the disclosures of the last 12 months, and the transfers to "
    "third countries, from the disclosure register in PLACET_DATABASE_URL, as of --at "
    "(default: when that database holds a register of this policy).",
)
COUNTED_FOR: Final = timedelta(days=365)
"""How far back the record counts each recipient's disclosures."""


class ExportFormat(StrEnum):
    JSONLD = "jsonld"


def write_output(data: bytes, output: Path | None) -> None:
    """Write to `--output`, or to standard output when there is none."""
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
    except OSError as exc:
        raise typer.BadParameter(
            f"cannot write {output}: {exc.strerror or exc}", param_hint="--output"
        ) from exc
    typer.echo(f"wrote {output} ({len(data):,} bytes)", err=True)


def select_version(policies: PolicySet, version: str | None, at: str | None) -> Policy:
    """The version asked for by `--version`, or in force at `--at`, or in force now."""
    if version is not None and at is not None:
        raise typer.BadParameter("give --version or --at, not both", param_hint="--version")
    if version is not None:
        return policies.version(version)
    return policies.in_force(instant(at))


@policy_app.command("check")
def check(
    policy: str = POLICY_ARGUMENT,
    strict: bool = typer.Option(
        False,
        "--strict",
        help="Fail on completeness warnings not acknowledged in coverage.yaml, on stale "
        "acknowledgements and on incomplete coverage.",
    ),
) -> None:
    """Validate a policy and review it for completeness (GDPR Art. 13/14)."""
    result = check_policy(policy)
    policies = result.policies
    versions = ", ".join(f"{p.version} (from {p.effective_from})" for p in policies.versions)
    console.print(
        f"[green]valid[/]: policy '{escape(policies.policy_id)}', "
        f"version{'s' if len(policies.versions) > 1 else ''} {escape(versions)}",
        soft_wrap=True,
    )
    acknowledged = len(result.warnings) - len(result.unacknowledged)
    versions_of: dict[tuple[str, str], list[str]] = {}
    shown: dict[tuple[str, str], CompletenessWarning] = {}
    for version, warning in result.unacknowledged:
        versions_of.setdefault(warning.key, []).append(version)
        shown.setdefault(warning.key, warning)
    for key, warning in shown.items():
        where = ", ".join(versions_of[key])
        console.print(
            f"[yellow]warning[/] (version {where}) {escape(str(warning))}",
            highlight=False,
            soft_wrap=True,
        )
    if shown:
        console.print(
            "Fix each warning in the policy, or acknowledge it with its reason under "
            "'acknowledged_warnings:' in coverage.yaml (docs/policy.md).",
            soft_wrap=True,
        )
    for ack in result.stale_acknowledgements:
        console.print(
            f"[yellow]stale acknowledgement[/] {escape(ack.code)} {escape(f'[{ack.element}]')}: "
            "no such warning any more; remove it from coverage.yaml",
            highlight=False,
            soft_wrap=True,
        )
    acknowledged_note = f", {acknowledged} acknowledged in coverage.yaml" if acknowledged else ""
    console.print(f"completeness: {len(shown)} open warning(s){acknowledged_note}")
    if result.coverage is None:
        console.print("coverage: no coverage.yaml in the policy folder")
    elif result.coverage.is_complete:
        console.print(f"coverage: all {len(result.coverage.rows)} source paragraphs accounted for")
    else:
        console.print(
            f"[yellow]coverage incomplete[/]: {len(result.coverage.problems)} problem(s); "
            f"run `placet policy coverage {policy}`"
        )
    if strict and not result.is_clean:
        console.print("[red]--strict: warnings count as errors[/]")
        raise typer.Exit(1)


@policy_app.command("coverage")
def coverage(
    policy: str = POLICY_ARGUMENT,
    summary: bool = typer.Option(
        False, "--summary", help="Print the counts and the unmapped paragraphs only."
    ),
    readings: bool = typer.Option(
        False, "--readings", help="Print the reading chosen for each ambiguous text."
    ),
) -> None:
    """Print which policy elements encode each paragraph of the source texts."""
    policies = load_policy_set(policy)
    report = check_coverage(policies.directory, policies.latest)
    per_file: dict[str, list[int]] = {}
    for row in report.rows:
        counts = per_file.setdefault(row.paragraph.id.split("#")[0], [0, 0, 0])
        counts[0] += 1
        mapping = row.mapping
        if mapping is not None and mapping.elements:
            counts[1] += 1
            encoded = "encoded by " + ", ".join(mapping.elements)
        elif mapping is not None:
            counts[2] += 1
            encoded = f"informative: {mapping.informative}"
        else:
            encoded = "UNMAPPED"
        if not summary or mapping is None:
            text = " ".join(row.paragraph.text.split())
            shown = text[:100] + ("…" if len(text) > 100 else "")
            _plain(f"{row.paragraph.id}  {encoded}\n    {shown}")
    if readings:
        for reading in report.coverage.readings:
            _plain(
                f"reading {reading.id} ({', '.join(reading.paragraphs)}"
                f"{' -> ' + ', '.join(reading.elements) if reading.elements else ''}):"
                f"\n    {' '.join(reading.reading.split())}"
            )
    for source, (total, encoded_count, informative) in per_file.items():
        console.print(
            f"{source}: {total} paragraphs, {encoded_count} encoded, {informative} informative"
        )
    count = len(report.coverage.readings)
    console.print(
        f"{count} reading{'s' if count != 1 else ''} of ambiguous text recorded"
        + ("" if readings or not count else " (--readings prints them)")
    )
    for problem in report.problems:
        console.print(f"[red]problem[/] {escape(problem)}", highlight=False, soft_wrap=True)
    if not report.is_complete:
        raise typer.Exit(1)
    console.print("[green]every paragraph is accounted for[/]")


def _plain(text: str) -> None:
    """Print data as it is: no markup, no wrapping, so it can be read and grepped."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)


@policy_app.command("versions")
def versions(policy: str = POLICY_ARGUMENT, at: str | None = AT_OPTION) -> None:
    """List the versions of a policy and which one is in force."""
    policies = load_policy_set(policy)
    current = select_version(policies, None, at)
    for version in policies.versions:
        until = f" until {version.effective_until}" if version.effective_until else ""
        mark = " [green]in force[/]" if version is current else ""
        console.print(
            f"{escape(version.version)}: from {version.effective_from}{until}{mark}",
            highlight=False,
        )


@policy_app.command("notice")
def notice(
    policy: str = POLICY_ARGUMENT,
    lang: str | None = LANG_OPTION,
    fmt: NoticeFormat = typer.Option(NoticeFormat.HTML, "--format", help="md, html or pdf."),
    output: Path | None = OUTPUT_OPTION,
    version: str | None = VERSION_OPTION,
    at: str | None = AT_OPTION,
) -> None:
    """Render the published privacy notice from the policy."""
    chosen = select_version(load_policy_set(policy), version, at)
    write_output(render_notice(chosen, lang or chosen.source_language, fmt), output)


@policy_app.command("ropa")
def ropa(
    policy: str = POLICY_ARGUMENT,
    fmt: RopaFormat = typer.Option(RopaFormat.CSV, "--format", help="csv, xlsx or json."),
    lang: str | None = LANG_OPTION,
    output: Path | None = OUTPUT_OPTION,
    version: str | None = VERSION_OPTION,
    at: str | None = AT_OPTION,
    register: bool | None = REGISTER_OPTION,
) -> None:
    """Export the record of processing activities (GDPR Art. 30(1)), with the recipients'
    agreements and the transfers from the disclosure register."""
    chosen = select_version(load_policy_set(policy), version, at)
    kept = _ropa_register(chosen, instant(at), wanted=register)
    write_output(export_ropa(chosen, fmt, lang or chosen.source_language, kept), output)


def _ropa_register(policy: Policy, at: datetime, *, wanted: bool | None) -> RopaRegister | None:
    """The register of Placet's database beside the record, as of `at`. Asked for
    (`--register`), what stops it is an error; by default a database that is not there,
    holds no agreement or keeps another policy's register leaves the record to the policy
    alone, and one that cannot be read says so on standard error."""
    if wanted is False:
        return None
    url = get_settings().database_url
    if wanted is None and not _database_is_there(url):
        return None
    try:
        return _read_register(policy, url, at, wanted=wanted is True)
    except PlacetError as exc:
        if wanted:
            raise
        typer.echo(f"the record leaves out the disclosure register: {exc}", err=True)
        return None


def _read_register(policy: Policy, url: str, at: datetime, *, wanted: bool) -> RopaRegister | None:
    if not _database_is_there(url):
        raise typer.BadParameter(
            f"there is no database at {describe_database(url)}; set PLACET_DATABASE_URL to "
            "Placet's database",
            param_hint="--register",
        )
    engine = open_database(url, upgrade=False)
    try:
        book = SqlDisclosureBook(engine)
        agreements = book.agreements()
        if not agreements and not wanted:
            return None
        kept_for = load_policy_set(get_settings().policy).policy_id
        if kept_for != policy.policy_id:
            if not wanted:
                return None
            raise typer.BadParameter(
                f"the register in {describe_database(url)} is policy {kept_for}'s "
                f"(PLACET_POLICY), not {policy.policy_id}'s",
                param_hint="--register",
            )
        named = {recipient.id for recipient in policy.recipients}
        entries = recipient_register(policy, [a for a in agreements if a.recipient in named], at)
        since = at - COUNTED_FOR
        counted = Counter(
            disclosure.recipient
            for disclosure in book.disclosures(since=since, before=at)
            if disclosure.recipient is not None
        )
        return RopaRegister(entries, at, disclosures=dict(counted), counted_since=since)
    finally:
        engine.dispose()


def _database_is_there(url: str) -> bool:
    """Whether `url` names a database that may hold a register: a SQLite file that exists
    (opening one that does not would create it), or a server's."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return True  # opening it says what is wrong with the URL
    if parsed.get_backend_name() != "sqlite":
        return True
    database = parsed.database
    return database not in {None, "", ":memory:"} and Path(database or "").is_file()


@policy_app.command("export")
def export(
    policy: str = POLICY_ARGUMENT,
    fmt: ExportFormat = typer.Option(ExportFormat.JSONLD, "--format", help="jsonld (W3C DPV)."),
    output: Path | None = OUTPUT_OPTION,
    version: str | None = VERSION_OPTION,
    at: str | None = AT_OPTION,
) -> None:
    """Export the policy in the W3C Data Privacy Vocabulary (JSON-LD)."""
    chosen = select_version(load_policy_set(policy), version, at)
    write_output(export_jsonld(chosen), output)


@policy_app.command("diff")
def diff(
    policy: str = POLICY_ARGUMENT,
    old: str = typer.Option(..., "--from", help="The earlier version."),
    new: str = typer.Option(..., "--to", help="The later version."),
) -> None:
    """Show what changed between two versions: purposes, bases, retention, recipients."""
    policies = load_policy_set(policy)
    changes = diff_policies(policies.version(old), policies.version(new))
    if not changes:
        console.print(f"no changes between {old} and {new}")
        return
    for change in changes:
        console.print(str(change), markup=False, highlight=False, soft_wrap=True)
    console.print(f"{len(changes)} change(s) from {old} to {new}")
