"""`placet disclosures le …`: a law-enforcement request, step by step: received, its legal
ground checked, approved by a DPO or legal counsel (four eyes), its data extracted from the
estate, delivered, and recorded as a disclosure (see `placet.operations.law_enforcement`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from placet.cli.datamap import CONNECT_OPTION, ESTATE_OPTION, open_estate
from placet.cli.disclosures import JSON_OPTION, counted, moment, open_register
from placet.cli.wiring import ACTOR_OPTION, instant, wiring
from placet.disclosures import (
    APPROVER_ROLES,
    Confidentiality,
    LawEnforcementRequest,
    LawEnforcementStage,
)
from placet.errors import SettingsError
from placet.operations.law_enforcement import (
    approve_request,
    check_request_ground,
    deliver_request,
    extract_request,
    load_request,
    receive_request,
    record_request,
)
from placet.settings import get_settings
from placet.stores.sql_disclosures import SqlDisclosureBook

__all__ = ["le_app"]

le_app = typer.Typer(
    help="Law-enforcement requests: receive, check the ground, approve, extract, deliver, record.",
    no_args_is_help=True,
)

REQUEST_ARGUMENT = typer.Argument(..., help="The request's id (LE-…).")
NOTE_OPTION = typer.Option(..., "--note", help="Why: what was checked or decided.")
AT_OPTION = typer.Option(
    None, "--at", help="When the step is taken (ISO 8601; UTC if no zone; default: now)."
)

_NEXT = {
    LawEnforcementStage.RECEIVED: "check its legal ground: placet disclosures le check",
    LawEnforcementStage.GROUND_CHECKED: "approve it (a DPO or legal counsel who has not "
    "received or checked it): placet disclosures le approve",
    LawEnforcementStage.APPROVED: "extract its data: placet disclosures le extract",
    LawEnforcementStage.EXTRACTED: "deliver the extraction: placet disclosures le deliver",
    LawEnforcementStage.DELIVERED: "record the disclosure: placet disclosures le record",
}


@le_app.command("receive")
def receive(
    authority: str = typer.Option(
        ..., "--authority", help="The authority's recipient id in the policy (law-enforcement)."
    ),
    party: str = typer.Option(..., "--party", help="The requesting body, as its order names it."),
    reference: str = typer.Option(..., "--reference", help="The order's number."),
    legal_ground: str = typer.Option(
        ..., "--legal-ground", help="The provision that obliges the disclosure."
    ),
    subscribers: list[str] = typer.Option(
        ..., "--subscriber", help="A subscriber the order asks about (repeatable)."
    ),
    categories: list[str] = typer.Option(
        ..., "--category", help="A data category the order asks (repeatable)."
    ),
    purpose: str | None = typer.Option(
        None, "--purpose", help="The purpose (default: the authority's in the policy)."
    ),
    data_from: str | None = typer.Option(
        None, "--from", help="The span of data asked: its first instant (ISO 8601)."
    ),
    data_until: str | None = typer.Option(
        None, "--until", help="The span of data asked: the instant after it (ISO 8601)."
    ),
    confidential_ground: str | None = typer.Option(
        None, "--confidential-ground", help="The law that forbids telling the subject."
    ),
    confidential_until: str | None = typer.Option(
        None, "--confidential-until", help="Until when the subject may not be told (ISO 8601)."
    ),
    actor: str = ACTOR_OPTION,
    at: str | None = AT_OPTION,
    request_id: str | None = typer.Option(
        None, "--id", help="The request's id (default: a new LE-… id)."
    ),
) -> None:
    """Record a request received from an authority the policy names."""
    if (confidential_ground is None) != (confidential_until is None):
        raise typer.BadParameter(
            "a confidentiality flag names the law that imposes it and its end: give both "
            "--confidential-ground and --confidential-until",
            param_hint="--confidential-ground",
        )
    until = moment(confidential_until, "--confidential-until")
    book, policies = open_register()
    request = receive_request(
        book,
        policies,
        recipient=authority,
        party=party,
        reference=reference,
        legal_ground=legal_ground,
        subscribers=tuple(subscribers),
        categories=tuple(categories),
        actor=actor,
        at=instant(at),
        purpose=purpose,
        data_from=moment(data_from, "--from"),
        data_until=moment(data_until, "--until"),
        confidentiality=None
        if confidential_ground is None or until is None
        else Confidentiality(confidential_ground, until),
        request_id=request_id,
    )
    typer.echo(
        f"{request.request_id} received from {request.party} ({request.reference}): "
        f"{counted(len(request.subscribers), 'subscriber')}, {', '.join(request.categories)}"
    )
    _echo_next(request)


@le_app.command("check")
def check(
    request_id: str = REQUEST_ARGUMENT,
    holds: bool = typer.Option(
        ..., "--holds/--fails", help="Whether the legal ground holds (--fails refuses it)."
    ),
    note: str = NOTE_OPTION,
    actor: str = ACTOR_OPTION,
    at: str | None = AT_OPTION,
) -> None:
    """Record whether the request's legal ground holds; a ground that fails refuses it."""
    book, _ = open_register()
    request = check_request_ground(
        book, request_id, holds=holds, note=note, actor=actor, at=instant(at)
    )
    _echo_next(request)


@le_app.command("approve")
def approve(
    request_id: str = REQUEST_ARGUMENT,
    role: str = typer.Option(
        ..., "--role", help=f"The approver's role: {', '.join(APPROVER_ROLES)}."
    ),
    note: str = NOTE_OPTION,
    actor: str = ACTOR_OPTION,
    at: str | None = AT_OPTION,
) -> None:
    """Approve the disclosure: a DPO or legal counsel, not who received or checked it."""
    book, _ = open_register()
    request = approve_request(book, request_id, role=role, note=note, actor=actor, at=instant(at))
    _echo_next(request)


@le_app.command("extract")
def extract(
    request_id: str = REQUEST_ARGUMENT,
    datamap: Path | None = typer.Option(
        None, "--map", help="The estate's data map (default: PLACET_DATAMAP)."
    ),
    connect: list[str] = CONNECT_OPTION,
    estate: Path | None = ESTATE_OPTION,
    out: Path | None = typer.Option(
        None, "--out", help="Where the extraction is written (default: PLACET_ANSWERS_DIR)."
    ),
    actor: str = ACTOR_OPTION,
    at: str | None = AT_OPTION,
) -> None:
    """Extract the approved request's data from the estate into <out>/<id>/extraction.zip.

    Only the categories and span asked; other parties' numbers masked; never a row past its
    retention period (those are counted and held back).
    """
    settings = get_settings()
    file = datamap or settings.datamap
    if file is None:
        raise SettingsError(
            "PLACET_DATAMAP",
            "is not set, so Placet does not know where the subscribers' data is",
            "Give the estate's data map with --map, or set PLACET_DATAMAP",
        )
    book, policies = open_register()
    load_request(book, request_id)  # an unknown id is said before the estate is opened
    with open_estate(file, connect, estate) as (stores, _):
        extracted = extract_request(
            book,
            stores,
            policies,
            request_id,
            out or settings.answers_dir,
            actor=actor,
            at=instant(at),
        )
    extraction = extracted.request.extraction
    assert extraction is not None  # an extracted request carries its extraction
    typer.echo(f"wrote {extracted.file} (sha256 {extraction.sha256})")
    for dataset in extraction.datasets:
        held = (
            f", {dataset.beyond_retention:,} past retention held back"
            if dataset.beyond_retention
            else ""
        )
        typer.echo(f"  {dataset.dataset:<24} {dataset.rows:>10,} rows{held}")
    _echo_next(extracted.request)


@le_app.command("deliver")
def deliver(
    request_id: str = REQUEST_ARGUMENT,
    how: str = typer.Option(
        ..., "--how", help="How the extraction reached the authority, and who received it."
    ),
    actor: str = ACTOR_OPTION,
    at: str | None = AT_OPTION,
) -> None:
    """Record the extraction's delivery to the authority."""
    book, _ = open_register()
    _echo_next(deliver_request(book, request_id, how=how, actor=actor, at=instant(at)))


@le_app.command("record")
def record(
    request_id: str = REQUEST_ARGUMENT,
    actor: str = ACTOR_OPTION,
    at: str | None = AT_OPTION,
) -> None:
    """Record the delivered request as a disclosure of its subscribers' data.

    Its confidentiality flag, if any, keeps it out of their access answers until its date.
    """
    wired = wiring()
    request, recorded = record_request(
        SqlDisclosureBook(wired.ledger.engine),
        wired.ledger,
        wired.policies,
        wired.key,
        request_id,
        actor=actor,
        at=instant(at),
    )
    disclosure = recorded.disclosure
    typer.echo(
        f"{request.request_id} recorded as disclosure {disclosure.disclosure_id} "
        f"({counted(disclosure.subjects, 'subject')}, transfer basis {disclosure.transfer})"
    )
    for code, message in recorded.check.flags:
        typer.echo(f"  flag [{code.value}]: {message}")


@le_app.command("show")
def show(request_id: str = REQUEST_ARGUMENT, as_json: bool = JSON_OPTION) -> None:
    """One request: what it asks, each step taken, and what is next."""
    book, _ = open_register()
    request = load_request(book, request_id)
    if as_json:
        typer.echo(json.dumps(_request_json(request), indent=2, ensure_ascii=False))
        return
    span = " to ".join(
        f"{when:%Y-%m-%d}" if when else "…" for when in (request.data_from, request.data_until)
    )
    lines = [
        ("request", request.request_id),
        ("authority", f"{request.recipient}: {request.party}"),
        ("reference", request.reference),
        ("legal ground", request.legal_ground),
        ("purpose", request.purpose),
        ("subscribers", ", ".join(request.subscribers)),
        ("categories", ", ".join(request.categories)),
        ("span asked", span if request.data_from or request.data_until else "all"),
    ]
    if request.confidentiality is not None:
        lines.append(
            (
                "confidential",
                f"until {request.confidentiality.until:%Y-%m-%d} "
                f"({request.confidentiality.ground})",
            )
        )
    if request.extraction is not None:
        lines.append(("extraction", f"{request.extraction.file} ({request.extraction.rows} rows)"))
    if request.disclosure_id:
        lines.append(("disclosure", request.disclosure_id))
    for name, value in lines:
        typer.echo(f"{name:<14} {value}")
    for step in request.steps:
        role = f" ({step.role})" if step.role else ""
        typer.echo(
            f"  {step.at:%Y-%m-%d %H:%M}  {step.stage.value:<15} {step.actor}{role}: {step.note}"
        )
    _echo_next(request)


@le_app.command("list")
def list_requests(as_json: bool = JSON_OPTION) -> None:
    """The law-enforcement requests, with the step each is at."""
    book, _ = open_register()
    requests = book.requests()
    if as_json:
        typer.echo(json.dumps([_request_json(r) for r in requests], indent=2, ensure_ascii=False))
        return
    if not requests:
        typer.echo("No law-enforcement request is recorded.")
        return
    table = Table(title="Law-enforcement requests")
    for column in ("id", "received", "authority", "reference", "subscribers", "stage"):
        table.add_column(column, overflow="fold")
    for request in requests:
        table.add_row(
            request.request_id,
            f"{request.received_at:%Y-%m-%d}",
            request.party,
            request.reference,
            str(len(request.subscribers)),
            request.stage.value,
        )
    Console().print(table)


def _echo_next(request: LawEnforcementRequest) -> None:
    step = _NEXT.get(request.stage)
    typer.echo(
        f"{request.request_id} is {request.stage.value}"
        + (f"; next, {step} {request.request_id}" if step else "")
    )


def _request_json(request: LawEnforcementRequest) -> dict[str, Any]:
    extraction = request.extraction
    confidentiality = request.confidentiality
    return {
        "id": request.request_id,
        "stage": request.stage.value,
        "authority": request.recipient,
        "party": request.party,
        "reference": request.reference,
        "legal_ground": request.legal_ground,
        "purpose": request.purpose,
        "subscribers": list(request.subscribers),
        "categories": list(request.categories),
        "data_from": request.data_from.isoformat() if request.data_from else None,
        "data_until": request.data_until.isoformat() if request.data_until else None,
        "received_at": request.received_at.isoformat(),
        "confidential": None
        if confidentiality is None
        else {"ground": confidentiality.ground, "until": confidentiality.until.isoformat()},
        "steps": [
            {
                "stage": step.stage.value,
                "actor": step.actor,
                "role": step.role,
                "at": step.at.isoformat(),
                "note": step.note,
            }
            for step in request.steps
        ],
        "extraction": None
        if extraction is None
        else {
            "file": extraction.file,
            "sha256": extraction.sha256,
            "datasets": [
                {"dataset": d.dataset, "rows": d.rows, "held_back": d.beyond_retention}
                for d in extraction.datasets
            ],
        },
        "delivery": request.delivery,
        "disclosure": request.disclosure_id,
    }
