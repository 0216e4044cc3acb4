"""`placet demo`: the product tour. It checks both reference policies and writes everything
they publish into one folder, makes a small demo estate of one operator (thousands of
subscribers, a year of CDRs) with a consent history and a few requests, and serves the
privacy center, the DPO console, the cookie banner demo and the API on 127.0.0.1 until
stopped. A second run reuses what the first made."""

from __future__ import annotations

import hashlib
import html
import json
import os
import socket
import threading
import time
import webbrowser
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Final

import typer
from rich.console import Console
from rich.table import Table

import placet
from placet.cli.demo_site import DEMO_MONTHS, DEMO_SUBSCRIBERS, DemoSite, prepare_demo_site
from placet.notices import NoticeFormat, RopaFormat, export_jsonld, export_ropa, render_notice
from placet.policy import Policy, bundled_operators
from placet.policy.check import check_policy
from placet.settings import get_settings
from placet.synth import OperatorName

__all__ = ["demo"]

console = Console()


def demo(
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Folder to write into (default: placet-demo)."
    ),
    operator: OperatorName = typer.Option(
        OperatorName.IPKO, "--operator", help="Whose estate the tour serves."
    ),
    port: int = typer.Option(
        8000, "--port", help="Port to serve on, on 127.0.0.1 (0: any free port)."
    ),
    no_browser: bool = typer.Option(
        False, "--no-browser", help="Do not open a browser (for scripted use)."
    ),
    no_serve: bool = typer.Option(
        False, "--no-serve", help="Prepare everything, print how to serve it, and stop."
    ),
) -> None:
    """Check both reference policies, write what they publish, make a demo estate and serve
    the privacy center, the DPO console, the cookie banner and the API on 127.0.0.1."""
    folder = output or get_settings().demo_dir
    if folder.exists() and not folder.is_dir():
        raise typer.BadParameter(f"{folder} is a file, not a folder", param_hint="--output")
    if not 0 <= port <= 65535:
        raise typer.BadParameter(f"{port} is not a port (0 to 65535)", param_hint="--port")
    started = time.perf_counter()
    written, reused = _write_documents(folder)
    index = folder / "index.html"
    index.write_text(_index_page(written, folder), encoding="utf-8")
    _print_summary(written, reused, index, time.perf_counter() - started)
    started = time.perf_counter()
    with console.status(
        f"Preparing the {operator.value} demo estate ({DEMO_SUBSCRIBERS:,} subscribers, "
        f"{DEMO_MONTHS} months of traffic) and its ledger…"
    ):
        site = prepare_demo_site(folder, operator, now=datetime.now(UTC))
    how = "reused from an earlier run" if site.reused else "made"
    console.print(
        f"[green]✓[/] demo estate and ledger {how} in {time.perf_counter() - started:.1f} s: "
        f"{site.folder}"
    )
    if no_serve:
        console.print(f"Serve it with: placet demo --output {folder} --operator {operator.value}")
        return
    _serve(site, port, open_browser=not no_browser)


def _write_documents(folder: Path) -> tuple[list[tuple[str, str, Path]], int]:
    """Every notice, RoPA and DPV export of both reference policies, and how many of them
    were reused: a document is written again unless an earlier run wrote it from the same
    policy version and the same Placet (its code, templates and policies), and it is
    unchanged since (`DOCUMENTS_RECORD`). Rendering all of them takes half a minute, most of
    it the PDFs."""
    now = datetime.now(UTC)
    package = _package_digest()
    written: list[tuple[str, str, Path]] = []
    reused = 0
    for name in bundled_operators():
        result = check_policy(name)
        state = "clean" if result.is_clean else "[yellow]with open warnings[/]"
        console.print(f"[green]✓[/] policy [bold]{name}[/] is valid and {state}")
        policy = result.policies.in_force(now)
        target = folder / name
        target.mkdir(parents=True, exist_ok=True)
        made_from = hashlib.sha256(f"{package}\0{name}\0{policy.version}".encode()).hexdigest()
        paths, kept = _write_or_reuse(target, made_from, _documents(policy))
        written.extend((name, what, path) for what, path in paths)
        reused += kept
    return written, reused


def _documents(policy: Policy) -> list[tuple[str, str, Callable[[], bytes]]]:
    """What a policy publishes: (what it is, its file's name, how to make it)."""
    documents: list[tuple[str, str, Callable[[], bytes]]] = [
        (
            f"notice ({language}, {fmt.value})",
            f"notice-{language}.{fmt.value}",
            partial(render_notice, policy, language, fmt),
        )
        for language in policy.languages
        for fmt in NoticeFormat
    ]
    documents.extend(
        (
            f"record of processing ({ropa_format.value})",
            f"ropa.{ropa_format.value}",
            partial(export_ropa, policy, ropa_format, policy.source_language),
        )
        for ropa_format in RopaFormat
    )
    documents.append(("W3C DPV export (JSON-LD)", "policy.jsonld", partial(export_jsonld, policy)))
    return documents


def _write_or_reuse(
    target: Path, made_from: str, documents: list[tuple[str, str, Callable[[], bytes]]]
) -> tuple[list[tuple[str, Path]], int]:
    """Each document written into `target`, unless the record there says it was made from
    `made_from` and it is unchanged since; the record written anew. Returns (what, path) of
    each, and how many were reused."""
    record = target / DOCUMENTS_RECORD
    earlier = _read_record(record, made_from)
    digests: dict[str, str] = {}
    paths: list[tuple[str, Path]] = []
    reused = 0
    for what, file_name, make in documents:
        path = target / file_name
        # A file the record does not name is made again: no need to read it.
        digest = _file_digest(path) if file_name in earlier else None
        if digest is None or earlier[file_name] != digest:
            content = make()
            path.write_bytes(content)
            digest = hashlib.sha256(content).hexdigest()
        else:
            reused += 1
        digests[file_name] = digest
        paths.append((what, path))
    record.write_text(json.dumps({"made_from": made_from, "files": digests}, indent=1) + "\n")
    return paths, reused


DOCUMENTS_RECORD: Final = ".placet-demo-documents.json"
"""In each operator's folder: what its documents were made from (a digest of Placet's
package and the policy version) and each document's SHA-256, for the next run."""


def _package_digest() -> str:
    """A SHA-256 over every file of the installed Placet package (its code, templates and
    bundled policies, by relative path), so that any change to them renders anew."""
    root = Path(placet.__file__).parent
    paths: list[Path] = []
    for directory, subdirectories, files in os.walk(root, followlinks=True):
        subdirectories[:] = [name for name in subdirectories if name != "__pycache__"]
        paths.extend(Path(directory) / name for name in files)
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _read_record(record: Path, made_from: str) -> dict[str, str]:
    """The documents' digests an earlier run recorded, if it made them from the same;
    nothing otherwise (no record, another Placet or policy version, an unreadable file)."""
    try:
        recorded = json.loads(record.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(recorded, dict) or recorded.get("made_from") != made_from:
        return {}
    files = recorded.get("files")
    return files if isinstance(files, dict) else {}


def _file_digest(path: Path) -> str | None:
    try:
        with path.open("rb") as source:
            return hashlib.file_digest(source, "sha256").hexdigest()
    except OSError:
        return None


def _serve(site: DemoSite, port: int, *, open_browser: bool) -> None:
    """Serve the site on 127.0.0.1:`port` until interrupted."""
    import uvicorn

    from placet.web import create_site
    from placet.web.console_figures import warm_figures
    from placet.web.demo_outbox import OUTBOX_PATH, install_demo_outbox

    os.environ.update(site.environment)
    app = create_site(site.settings)
    install_demo_outbox(app, site.outbox)
    warm_figures(app)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(("127.0.0.1", port))
    except OSError as exc:
        raise typer.BadParameter(
            f"port {port} on 127.0.0.1 is taken ({exc.strerror}); choose another, or 0 for "
            "any free one",
            param_hint="--port",
        ) from exc
    # Listening before uvicorn starts: a browser told the URL waits instead of being refused.
    listener.listen(128)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    _print_urls(site, url, OUTBOX_PATH)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    if open_browser:
        threading.Thread(target=_open_when_up, args=(server, f"{url}/privacy"), daemon=True).start()
    server.run(sockets=[listener])


def _open_when_up(server: object, url: str) -> None:
    deadline = time.monotonic() + 30
    while not getattr(server, "started", False) and time.monotonic() < deadline:
        time.sleep(0.1)
    webbrowser.open(url)


def _print_urls(site: DemoSite, url: str, outbox_path: str) -> None:
    table = Table(title=f"Placet demo ({site.operator}) on {url}", show_header=False)
    table.add_column("what")
    table.add_column("where")
    table.add_row("Privacy center (subscribers)", f"{url}/privacy")
    table.add_row("DPO console (staff)", f"{url}/console")
    table.add_row("Cookie banner on a demo page", f"{url}/cookie-banner-demo")
    table.add_row("Demo outbox (one-time codes)", f"{url}{outbox_path}")
    table.add_row("API and its documentation", f"{url}/v1/docs")
    console.print(table)
    console.print(
        f"Sign in to the privacy center with the number [bold]{site.sign_in_number}[/]: the "
        f"code is in the demo outbox ({url}{outbox_path}, or the files in {site.outbox})."
    )
    accounts = " · ".join(f"{name} / {password}" for name, password in site.staff.items())
    console.print(f"Sign in to the console as one of: {accounts}", soft_wrap=True)
    # One line, never wrapped: it is meant to be copied.
    console.print(
        f"Try the API: curl -H 'Authorization: Bearer {site.api_key}' {url}/v1/ledger/verify",
        soft_wrap=True,
    )
    console.print("Press Ctrl+C to stop. A second `placet demo` reuses this estate and ledger.")


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


def _print_summary(
    written: list[tuple[str, str, Path]], reused: int, index: Path, seconds: float
) -> None:
    table = Table(title="Written by placet demo")
    table.add_column("operator")
    table.add_column("document")
    table.add_column("file")
    for operator, what, path in written:
        table.add_row(operator, what, str(path))
    console.print(table)
    again = f" ({reused} unchanged since an earlier run, reused)" if reused else ""
    console.print(f"{len(written)} files{again} in {seconds:.1f} s.")
    console.print(f"Open [bold]{index.resolve().as_uri()}[/] in a browser to read them all.")
    console.print(
        "Try: placet policy check ipko --strict · placet policy coverage ipnordic · "
        "placet policy notice ipko --lang sq --format md"
    )
