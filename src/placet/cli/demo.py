"""`placet demo`: check the reference policies and write everything they publish into one folder."""

from __future__ import annotations

import html
import time
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from placet.notices import NoticeFormat, RopaFormat, export_jsonld, export_ropa, render_notice
from placet.policy import bundled_operators
from placet.policy.check import check_policy
from placet.settings import get_settings

__all__ = ["demo"]

console = Console()


def demo(
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Folder to write into (default: placet-demo)."
    ),
    operator: list[str] | None = typer.Option(
        None, "--operator", help="Only this bundled operator (repeatable)."
    ),
) -> None:
    """Check both reference policies and write their notices, RoPA and DPV export."""
    folder = output or get_settings().demo_dir
    if folder.exists() and not folder.is_dir():
        raise typer.BadParameter(f"{folder} is a file, not a folder", param_hint="--output")
    started = time.perf_counter()
    now = datetime.now(UTC)
    written: list[tuple[str, str, Path]] = []
    for name in operator or bundled_operators():
        result = check_policy(name)
        state = "clean" if result.is_clean else "[yellow]with open warnings[/]"
        console.print(f"[green]✓[/] policy [bold]{name}[/] is valid and {state}")
        policy = result.policies.in_force(now)
        target = folder / name
        target.mkdir(parents=True, exist_ok=True)
        for language in policy.languages:
            for fmt in NoticeFormat:
                path = target / f"notice-{language}.{fmt.value}"
                path.write_bytes(render_notice(policy, language, fmt))
                written.append((name, f"notice ({language}, {fmt.value})", path))
        for ropa_format in RopaFormat:
            path = target / f"ropa.{ropa_format.value}"
            path.write_bytes(export_ropa(policy, ropa_format, policy.source_language))
            written.append((name, f"record of processing ({ropa_format.value})", path))
        path = target / "policy.jsonld"
        path.write_bytes(export_jsonld(policy))
        written.append((name, "W3C DPV export (JSON-LD)", path))
    index = folder / "index.html"
    index.write_text(_index_page(written, folder), encoding="utf-8")
    _print_summary(written, index, time.perf_counter() - started)


def _index_page(written: list[tuple[str, str, Path]], folder: Path) -> str:
    sections = []
    for operator in dict.fromkeys(operator for operator, _, _ in written):
        items = "\n".join(
            f'<li><a href="{html.escape(path.relative_to(folder).as_posix())}">'
            f"{html.escape(what)}</a></li>"
            for owner, what, path in written
            if owner == operator
        )
        sections.append(f"<section><h2>{html.escape(operator)}</h2><ul>{items}</ul></section>")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Placet demo</title><style>"
        "body{font-family:'DejaVu Sans','Noto Sans',sans-serif;max-width:46rem;margin:2rem auto;"
        "padding:0 1rem;line-height:1.5;color:#1d2330}"
        "h1{font-size:1.5rem}h2{font-size:1.15rem;border-bottom:1px solid #ccd;margin-top:2rem}"
        "a{color:#1a4d8f}li{margin:.2rem 0}"
        "</style></head><body>"
        "<h1>Placet demo: what the reference policies publish</h1>"
        "<p>Each notice is rendered from the operator's policy file in every language it "
        "declares; the record of processing (GDPR Art. 30) and the W3C DPV export come from "
        "the same file.</p>"
        f"{''.join(sections)}</body></html>\n"
    )


def _print_summary(written: list[tuple[str, str, Path]], index: Path, seconds: float) -> None:
    table = Table(title="Written by placet demo")
    table.add_column("operator")
    table.add_column("document")
    table.add_column("file")
    for operator, what, path in written:
        table.add_row(operator, what, str(path))
    console.print(table)
    console.print(f"{len(written)} files in {seconds:.1f} s.")
    console.print(f"Open [bold]{index.resolve().as_uri()}[/] in a browser to read them all.")
    console.print(
        "Try: placet policy check ipko --strict · placet policy coverage ipnordic · "
        "placet policy notice ipko --lang sq --format md"
    )
