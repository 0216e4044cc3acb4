"""`placet dsr carry-out`: do what a verified request asks, in the estate and the ledger,
and record the answer (see `placet.operations.fulfilment`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from placet.cli.datamap import CONNECT_OPTION, ESTATE_OPTION, open_estate
from placet.cli.wiring import ACTOR_OPTION, instant, wiring
from placet.errors import SettingsError
from placet.ledger.events import RestrictionGround
from placet.operations import EstateStores
from placet.operations.fulfilment import Asked, Carried
from placet.operations.fulfilment import carry_out as carry_out_request
from placet.operations.recipient_channels import load_recipient_notifier, recipient_notifier
from placet.operations.requests import terms_of
from placet.operations.verification import open_outboxes
from placet.settings import get_settings
from placet.stores.sql_disclosures import SqlDisclosureBook
from placet.stores.sql_requests import SqlRequestBook
from placet.stores.sql_retention import SqlRetentionBook

__all__ = ["carry_out"]


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

    After a rectification, an erasure or a restriction, every recipient the disclosure
    register shows received the data is told (GDPR Art. 19): by PLACET_RECIPIENT_NOTIFIER,
    else by e-mail through PLACET_OUTBOX. A recipient that could not be told keeps the
    request in progress: carry it out again to tell them.
    """
    when = instant(at)
    settings = get_settings()
    wired = wiring()

    @contextmanager
    def stores() -> Iterator[EstateStores]:
        file = datamap or settings.datamap
        if file is None:
            raise SettingsError(
                "PLACET_DATAMAP",
                "is not set, so Placet does not know where the subject's data is",
                "Give the estate's data map with --map, or set PLACET_DATAMAP",
            )
        with open_estate(file, connect, estate) as (opened, _):
            yield opened

    carried = carry_out_request(
        SqlRequestBook(wired.ledger.engine, terms_of(wired.policies)),
        wired.policies,
        wired.ledger,
        wired.key,
        request_id,
        asked=Asked(
            language=language,
            options=tuple(options),
            purposes=tuple(purposes),
            ground=ground,
            until=instant(until) if until else None,
            values=dict(_assignment(value) for value in values),
        ),
        estate=stores,
        answers=answers or settings.answers_dir,
        retention=SqlRetentionBook(wired.ledger.engine),
        disclosures=SqlDisclosureBook(wired.ledger.engine),
        notifier=recipient_notifier(
            plugged=load_recipient_notifier(settings.recipient_notifier),
            email=open_outboxes(settings.outbox).email,
            controller=wired.policies.latest.controller.legal_name,
        ),
        actor=actor,
        at=when,
    )
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
