"""`placet datamap …`: check an estate's data map against its policy."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from placet.cli.wiring import instant
from placet.datamap import DataMapProblem, check_datamap, load_datamap
from placet.policy import load_policy_set

__all__ = ["datamap_app"]

datamap_app = typer.Typer(
    help="Check the data map: where the estate keeps personal data.", no_args_is_help=True
)
console = Console()

_STYLE = {"error": "bold red", "warning": "yellow"}


@datamap_app.callback()
def _datamap() -> None:
    """Check the data map: where the estate keeps personal data."""
    # A callback keeps `check` a sub-command while it is the only one.


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
