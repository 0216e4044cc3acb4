"""The DPO console, under `/console`: staff sign in with a name and password, and the
ledger's page: its verification, the decisions recorded (a disclosure or an erasure replayed
on request) and signed checkpoints to download.

`install_console(app, settings)` wires it into the site: the staff sessions' keeper (a
cookie of its own, for 8 hours, under `PLACET_WEB_SESSION_KEY`) and the staff accounts
in Placet's database (`placet console add-user`). The request queue and the actions on a
request are in `console_requests`, the care agents' form in `console_care`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final
from uuid import UUID

from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from placet.api.context import Services
from placet.ledger import ChainReport
from placet.operations.checkpoints import issue_checkpoint
from placet.operations.replays import REPLAYED_KINDS
from placet.operations.staff import (
    LOCKOUT_WINDOW,
    StaffSignInOutcome,
    sign_in_staff,
)
from placet.settings import PlacetSettings
from placet.stores.sql_ledger import SqlLedger
from placet.stores.sql_staff import SqlStaffRoster
from placet.web import (
    console_care,
    console_disclosures,
    console_figures,
    console_policy,
    console_requests,
    console_retention,
)
from placet.web.console_frame import (
    CONSOLE_PREFIX,
    STAFF,
    ConsoleRoute,
    Context,
    Form,
    console_keeper,
    roster_of,
    signed_in_staff,
)
from placet.web.pages import checked, redirect, render
from placet.web.sessions import Principal

__all__ = ["install_console", "router"]

router = APIRouter(prefix=CONSOLE_PREFIX, route_class=ConsoleRoute, include_in_schema=False)

_WRONG: Final = "The name or the password is wrong."
_LOCKED: Final = (
    "Too many wrong passwords for this name. Wait "
    f"{int(LOCKOUT_WINDOW.total_seconds() // 60)} minutes, or ask a DPO to check the account."
)


def install_console(app: FastAPI, settings: PlacetSettings) -> None:
    """Mount the DPO console on the site `app` (made by `create_app`)."""
    services: Services = app.state.services
    ledger = services.ledger
    if not isinstance(ledger, SqlLedger):  # pragma: no cover - create_app opens a SqlLedger
        raise TypeError("the console keeps its staff accounts in the ledger's database")
    app.state.console_keeper = console_keeper(settings)
    app.state.staff_roster = SqlStaffRoster(ledger.engine)
    app.include_router(router)
    app.include_router(console_requests.router)
    app.include_router(console_care.router)
    app.include_router(console_policy.router)
    app.include_router(console_figures.router)
    app.include_router(console_retention.router)
    app.include_router(console_disclosures.router)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(context: Context) -> Response:
    """Ask for the staff name and password."""
    context.session_keeper()
    return render(context, "console/sign_in.html", name="", errors={})


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(context: Context, form: Form) -> Response:
    """Sign the staff member in when the password is right; otherwise say so next to the
    field, the same for a wrong name and a wrong password."""
    checked(context, form)
    name = form.get("name", "").strip().lower()
    password = form.get("password", "")
    errors = {
        key: message
        for key, message in (
            ("name", "Enter your staff name." if not name else ""),
            ("password", "Enter your password." if not password else ""),
        )
        if message
    }
    if errors:
        return render(context, "console/sign_in.html", 422, name=name, errors=errors)
    attempt = sign_in_staff(roster_of(context), name, password, at=context.now)
    if attempt.outcome is StaffSignInOutcome.LOCKED:
        errors = {"password": _LOCKED}
        return render(context, "console/sign_in.html", 429, name=name, errors=errors)
    if attempt.member is None:
        errors = {"password": _WRONG}
        return render(context, "console/sign_in.html", 422, name=name, errors=errors)
    principal = Principal(STAFF, attempt.member.name, "password")
    context.keep(context.session_keeper().sign_in(context.session, principal, context.now))
    return redirect(context, CONSOLE_PREFIX)


@router.post("/sign-out")
def sign_out(context: Context, form: Form) -> Response:
    """End the staff session and go back to the sign-in page."""
    checked(context, form)
    response = RedirectResponse(f"{CONSOLE_PREFIX}/sign-in", status_code=303)
    context.session_keeper().clear(context.request, response)
    return response


@dataclass(frozen=True, slots=True)
class LedgerCheck:
    """One verification of both hash chains: its reports, when and by whom."""

    events: ChainReport
    decisions: ChainReport
    checked_at: datetime
    checked_by: str


@dataclass(frozen=True, slots=True)
class ReplayCheck:
    """A recorded decision decided again through this server: what differs, when, by whom."""

    differences: tuple[str, ...]
    checked_at: datetime
    checked_by: str


RECORDS_SHOWN: Final = 20
"""How many of the last decision records the ledger page lists."""


@router.get("/ledger", response_class=HTMLResponse)
def ledger_status(context: Context) -> Response:
    """The last verification of the ledger's hash chains (events and decision records)
    made through this server, and how many events were appended since; the last decisions
    recorded, with the last replay of each made here. Reading every entry takes a while
    on a large ledger, so it runs when asked (`POST /console/ledger/verify`), never on a
    page view."""
    signed_in_staff(context)
    check: LedgerCheck | None = getattr(context.request.app.state, "ledger_check", None)
    ledger = context.services.ledger
    head = ledger.head()
    appended = None if check is None else head.seq - check.events.head.seq
    return render(
        context,
        "console/ledger.html",
        check=check,
        head=head,
        appended=appended,
        records=list(reversed(ledger.decisions(last=RECORDS_SHOWN))),
        shown=RECORDS_SHOWN,
        replays=_replays(context),
        replayable=REPLAYED_KINDS,
        can_sign=context.services.receipt_keys is not None,
    )


@router.post("/ledger/replay")
def replay_record(context: Context, form: Form) -> Response:
    """Decide a recorded disclosure or erasure again (`replay_disclosure`,
    `replay_erasure`), keep what differs, show it beside the record."""
    checked(context, form)
    staff = signed_in_staff(context)
    try:
        record_id = UUID(form.get("record", ""))
    except ValueError as exc:
        raise HTTPException(400, "Choose a decision record from the list.") from exc
    services = context.services
    record = services.ledger.decision(record_id)
    if record is None or record.record.kind not in REPLAYED_KINDS:
        raise HTTPException(404, "No disclosure or erasure is recorded under that id.")
    differences = services.replay(record_id).differences
    _replays(context)[str(record_id)] = ReplayCheck(differences, context.now, staff.name)
    return redirect(context, f"{CONSOLE_PREFIX}/ledger#record-{record_id}")


@router.post("/ledger/checkpoint")
def sign_checkpoint(context: Context, form: Form) -> Response:
    """The ledger's chain heads signed with the operator's receipt key, as a file to keep
    outside the database (`placet ledger verify --checkpoint FILE --keys JWKS`)."""
    checked(context, form)
    signed_in_staff(context)
    services = context.services
    issued = issue_checkpoint(
        services.ledger,
        services.receipts(),
        issuer=services.policies.latest.controller.legal_name,
        at=context.now,
    )
    name = f"placet-checkpoint-{issued.checkpoint.events.seq}.jws"
    return Response(
        issued.token + "\n",
        media_type="application/jose",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _replays(context: Context) -> dict[str, ReplayCheck]:
    """The replays made through this server, by record id."""
    state = context.request.app.state
    if getattr(state, "ledger_replays", None) is None:
        state.ledger_replays = {}
    replays: dict[str, ReplayCheck] = state.ledger_replays
    return replays


@router.post("/ledger/verify")
def verify_ledger(context: Context, form: Form) -> Response:
    """Verify both hash chains from the first entry, keep the result, show it."""
    checked(context, form)
    staff = signed_in_staff(context)
    ledger = context.services.ledger
    context.request.app.state.ledger_check = LedgerCheck(
        events=ledger.verify(),
        decisions=ledger.verify_decisions(),
        checked_at=context.now,
        checked_by=staff.name,
    )
    return redirect(context, f"{CONSOLE_PREFIX}/ledger")
