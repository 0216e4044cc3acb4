"""`placet dsr carry-out`: do what a verified request asks, in the estate and the ledger,
and record the answer (see `placet.operations.fulfilment`)."""

from __future__ import annotations

from pathlib import Path

import typer

from placet.cli.datamap import CONNECT_OPTION, ESTATE_OPTION, open_estate
from placet.cli.wiring import ACTOR_OPTION, instant, wiring
from placet.dsr import RequestKind
from placet.errors import SettingsError
from placet.ledger.events import RestrictionGround
from placet.operations.fulfilment import (
    Carried,
    answer_access,
    answer_portability,
    carry_out_complaint,
    carry_out_erasure,
    carry_out_ledger_request,
    carry_out_rectification,
)
from placet.operations.requests import load_request, terms_of
from placet.settings import get_settings
from placet.stores.sql_requests import SqlRequestBook
from placet.stores.sql_retention import SqlRetentionBook

__all__ = ["carry_out"]

_IN_ESTATE = frozenset(
    {
        RequestKind.ACCESS,
        RequestKind.PRINTED_COPY,
        RequestKind.PORTABILITY,
        RequestKind.ERASURE,
        RequestKind.RECTIFICATION,
    }
)
_IN_LEDGER = frozenset(
    {
        RequestKind.RESTRICTION,
        RequestKind.OBJECTION,
        RequestKind.WITHDRAW_CONSENT,
        RequestKind.BUSINESS_OPT_OUT,
    }
)


def carry_out(
    request_id: str = typer.Argument(..., help="The request's id (DSR-2026-000123)."),
    datamap: Path | None = typer.Option(
        None, "--map", help="The estate's data map (default: PLACET_DATAMAP)."
    ),
    connect: list[str] = CONNECT_OPTION,
    estate: Path | None = ESTATE_OPTION,
    answers: Path | None = typer.Option(
        None, "--answers", help="Where answers are written (default: PLACET_ANSWERS_DIR)."
    ),
    language: str | None = typer.Option(
        None, "--language", help="The subject's language (default: the policy's first)."
    ),
    options: list[str] = typer.Option(
        [], "--option", help="Withdrawal: the consent option (default: every one held)."
    ),
    purposes: list[str] = typer.Option(
        [], "--purpose", help="Objection: the purpose (default: all direct marketing)."
    ),
    ground: RestrictionGround | None = typer.Option(
        None, "--ground", help="Restriction: its ground (Art. 18(1))."
    ),
    until: str | None = typer.Option(
        None, "--until", help="Business opt-out: until when (ISO 8601; default: for good)."
    ),
    values: list[str] = typer.Option(
        [], "--set", help="Rectification: COLUMN=VALUE, the corrected value (repeatable)."
    ),
    actor: str = ACTOR_OPTION,
    at: str | None = typer.Option(
        None, "--at", help="When it is done (ISO 8601; UTC if no zone; default: now)."
    ),
) -> None:
    """Do what a verified request asks and record the answer.

    Access and printed copy: the answer (JSON, CSV, HTML and PDF) is written. Portability:
    the package (JSON and CSV in a zip, with a manifest). Erasure: erased everywhere the law
    and legal holds allow, the rest restricted, lakes purged (the request stays in
    progress until every purge is complete: carry it out again). Restriction, objection,
    withdrawal, business opt-out (--until): recorded in the ledger at once. Complaint:
    routed to the DPO, with the supervisory authority's contact. Rectification: set in the
    SQL datasets (--set).
    """
    when = instant(at)
    settings = get_settings()
    wired = wiring()
    book = SqlRequestBook(wired.ledger.engine, terms_of(wired.policies))
    kind = load_request(book, request_id).kind
    if kind in _IN_LEDGER:
        carried = carry_out_ledger_request(
            book, wired.policies, wired.ledger, wired.key, request_id,
            options=options, purposes=purposes, ground=ground,
            until=instant(until) if until else None, actor=actor, at=when,
        )  # fmt: skip
        _echo(carried)
        return
    if kind is RequestKind.COMPLAINT:
        _echo(
            carry_out_complaint(
                book, wired.policies, request_id, language=language, actor=actor, at=when
            )
        )
        return
    if kind not in _IN_ESTATE:
        raise typer.BadParameter(
            f"request {request_id} asks for {kind.value}: record its answer with "
            "`placet dsr fulfil`"
        )
    file = datamap or settings.datamap
    if file is None:
        raise SettingsError(
            "PLACET_DATAMAP",
            "is not set, so Placet does not know where the subject's data is",
            "Give the estate's data map with --map, or set PLACET_DATAMAP",
        )
    folder = answers or settings.answers_dir
    with open_estate(file, connect, estate) as (stores, _):
        if kind in {RequestKind.ACCESS, RequestKind.PRINTED_COPY}:
            carried = answer_access(
                book, stores, wired.policies, request_id, folder,
                language=language, actor=actor, at=when,
            )  # fmt: skip
        elif kind is RequestKind.PORTABILITY:
            carried = answer_portability(
                book, stores, wired.policies, request_id, folder, actor=actor, at=when
            )
        elif kind is RequestKind.ERASURE:
            retention = SqlRetentionBook(wired.ledger.engine)
            carried = carry_out_erasure(
                book, stores, wired.policies, wired.ledger, wired.key,
                journal=retention, request_id=request_id, holds=retention.holds(),
                actor=actor, at=when,
            )  # fmt: skip
        else:
            carried = carry_out_rectification(
                book, stores, wired.policies, request_id,
                values=dict(_assignment(value) for value in values), actor=actor, at=when,
            )  # fmt: skip
    _echo(carried)


def _echo(carried: Carried) -> None:
    request = carried.request
    typer.echo(f"{request.request_id} ({request.kind.value}): {carried.summary}")
    if carried.answer is not None:
        typer.echo(f"answer: {carried.answer.deliverable}")
        for entry in carried.answer.files:
            typer.echo(f"  {entry.name}  {entry.bytes:,} bytes  sha256 {entry.sha256}")
    for dataset in carried.restricted:
        typer.echo(f"kept and restricted: {dataset}")
    typer.echo(f"now {request.state.value}" + ("" if carried.done else " (not yet fulfilled)"))


def _assignment(text: str) -> tuple[str, str]:
    column, sign, value = text.partition("=")
    if not sign or not column.strip():
        raise typer.BadParameter(f"--set takes COLUMN=VALUE, not '{text}'")
    return column.strip(), value
