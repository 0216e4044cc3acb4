"""`placet datamap …`: check an estate's data map against its policy, and against the estate."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from placet.cli.wiring import instant
from placet.datamap import DataMapProblem, check_datamap, load_datamap
from placet.datamap.model import DataMap, SystemKind
from placet.datamap.scan import find_unmapped, system_locations
from placet.operations import EstateStores
from placet.policy import load_policy_set
from placet.stores.connect import open_stores
from placet.stores.estate_tables import SAMPLE_ROWS, observe_estate

__all__ = [
    "CONNECT_OPTION",
    "ESTATE_OPTION",
    "datamap_app",
    "open_estate",
    "system_overrides",
]

datamap_app = typer.Typer(
    help="Check the data map (where the estate keeps personal data) against the policy and "
    "against the estate.",
    no_args_is_help=True,
)
console = Console()

_STYLE = {"error": "bold red", "warning": "yellow"}

CONNECT_OPTION = typer.Option(
    [],
    "--connect",
    help="SYSTEM=URL_OR_FOLDER: where a system of the map is (default: its connection).",
)
ESTATE_OPTION = typer.Option(
    None,
    "--estate",
    help="A folder written by `placet synth`: its estate.db for every SQL system, its lake/ "
    "for the others.",
)


@datamap_app.command("check")
def check(
    file: Path = typer.Argument(..., metavar="FILE", help="The data map (YAML)."),
    policy: str | None = typer.Option(
        None,
        "--policy",
        help="A policy folder or bundled operator (default: the policy the map names).",
    ),
    at: str | None = typer.Option(
        None, "--at", help="Check against the version in force at this instant (default: now)."
    ),
) -> None:
    """Validate a data map against the policy: categories, retention rules, subject keys."""
    datamap = load_datamap(file)
    policies = load_policy_set(policy or datamap.policy)
    version = policies.in_force(instant(at))
    problems = check_datamap(datamap, version)
    for problem in problems:
        _print(problem)
    errors = sum(problem.is_error for problem in problems)
    warnings = len(problems) - errors
    datasets = sum(len(system.datasets) for system in datamap.systems)
    against = f"policy '{escape(version.policy_id)}' version {escape(version.version)}"
    counts = f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning" + (
        "s" if warnings != 1 else ""
    )
    if errors:
        console.print(
            f"[red]invalid[/]: data map '{escape(datamap.estate)}' against {against}: {counts}. "
            "Fix each error in the line named (docs/datamap.md explains every code).",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1)
    console.print(
        f"[green]valid[/]: data map '{escape(datamap.estate)}' ({len(datamap.systems)} systems, "
        f"{datasets} datasets, {len(datamap.identities)} identities) against {against}; "
        f"{counts}",
        highlight=False,
        soft_wrap=True,
    )


@datamap_app.command("scan")
def scan(
    file: Path = typer.Argument(..., metavar="FILE", help="The data map (YAML)."),
    connect: list[str] = CONNECT_OPTION,
    estate: Path | None = ESTATE_OPTION,
    sample: int = typer.Option(SAMPLE_ROWS, "--sample", min=1, help="Rows read per table."),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON."),
) -> None:
    """List columns of the estate that look personal but that the map does not map.

    Exits 1 when it finds any, so that a pipeline can stop on a map gone stale.
    """
    datamap = load_datamap(file)
    locations = system_locations(datamap, system_overrides(datamap, estate, connect), os.environ)
    findings = find_unmapped(datamap, locations, observe_estate(locations, sample_rows=sample))
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "where": finding.where,
                        "table": finding.location,
                        "column": finding.column,
                        "looks_like": finding.looks_like,
                        "by": finding.evidence.value,
                        "dataset": finding.dataset,
                    }
                    for finding in findings
                ],
                indent=2,
            )
        )
    else:
        for finding in findings:
            console.print(
                f"[yellow]unmapped[/] {escape(finding.message)}", highlight=False, soft_wrap=True
            )
        places = len({location.where for location in locations})
        verdict = "[red]stale[/]" if findings else "[green]up to date[/]"
        console.print(
            f"{verdict}: data map '{escape(datamap.estate)}' against {places} database(s) and "
            f"lake(s): {len(findings)} column(s) look personal and are not mapped",
            highlight=False,
            soft_wrap=True,
        )
    if findings:
        raise typer.Exit(1)


def system_overrides(datamap: DataMap, estate: Path | None, connect: list[str]) -> dict[str, str]:
    """Where the systems are, from `--estate` and `--connect` (the latter wins)."""
    return _estate_locations(datamap, estate) | _connections(connect)


def _connections(pairs: list[str]) -> dict[str, str]:
    found = {}
    for pair in pairs:
        system, _, where = pair.partition("=")
        if not system or not where:
            raise typer.BadParameter(
                f"'{pair}' is not SYSTEM=URL_OR_FOLDER", param_hint="--connect"
            )
        found[system] = where
    return found


def _estate_locations(datamap: DataMap, estate: Path | None) -> dict[str, str]:
    if estate is None:
        return {}
    database = f"sqlite:///{(estate / 'estate.db').resolve()}"
    lake = str((estate / "lake").resolve())
    return {
        system.id: database if system.kind is SystemKind.SQL else lake for system in datamap.systems
    }


def _print(problem: DataMapProblem) -> None:
    style = _STYLE[problem.level.value]
    where = problem.file or ""
    if problem.line is not None:
        where += f":{problem.line}"
    path = f" [{problem.path}]" if problem.path else ""
    console.print(
        f"[{style}]{problem.level.value}[/] {escape(where + path)} "
        f"{escape(problem.code)}: {escape(problem.message)}",
        highlight=False,
        soft_wrap=True,
    )


@contextmanager
def open_estate(
    file: Path, connect: list[str], estate: Path | None, spark: str | None = None
) -> Iterator[tuple[EstateStores, str]]:
    """The data map's stores, opened (and closed after), and the map's SHA-256."""
    datamap = load_datamap(file)
    locations = system_locations(datamap, system_overrides(datamap, estate, connect), os.environ)
    stores = open_stores(datamap, locations, spark=spark)
    try:
        yield EstateStores(datamap, stores), hashlib.sha256(file.read_bytes()).hexdigest()
    finally:
        for store in stores.values():
            store.close()
