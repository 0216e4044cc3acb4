"""The privacy center for subscribers, under `/privacy`: the landing page, the notice
rendered from the policy in force, and sign-in by a one-time code.

`install_privacy_center(app, settings)` wires it into the site: the session keeper of
`PLACET_WEB_SESSION_KEY`, the book of sign-in codes in Placet's database, and the
directory that says which subscriber an address signs in. The pages for signed-in
subscribers are in `privacy_choices` (consents, objections, history, receipts) and
`privacy_requests` (requests and their answers).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Final

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from placet.api.context import Services
from placet.dsr import CodeChannel
from placet.errors import RequestError
from placet.notices.document import build_notice
from placet.operations.sign_in import (
    SignInLimitError,
    SubscriberDirectory,
    confirm_sign_in_code,
    send_sign_in_code,
    subscriber_directory,
)
from placet.settings import PlacetSettings
from placet.stores.sql_ledger import SqlLedger
from placet.stores.sql_sign_in import SqlSignInBook
from placet.web import privacy_choices, privacy_requests
from placet.web.pages import (
    Context,
    Form,
    PageContext,
    PageRoute,
    checked,
    redirect,
    render,
)
from placet.web.sessions import Principal, Session, session_keeper

__all__ = ["PRIVACY_PREFIX", "install_privacy_center", "router"]

PRIVACY_PREFIX: Final = "/privacy"
SUBSCRIBER: Final = "subscriber"

router = APIRouter(prefix=PRIVACY_PREFIX, route_class=PageRoute, include_in_schema=False)


_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def install_privacy_center(
    app: FastAPI, settings: PlacetSettings, *, directory: SubscriberDirectory | None = None
) -> None:
    """Mount the privacy center on the site `app` (made by `create_app`). `directory` says
    which subscriber an address signs in; by default numbers are resolved by the estate's
    MSISDN identity (with `PLACET_DATAMAP`) and other addresses by the ledger."""
    services: Services = app.state.services
    ledger = services.ledger
    if not isinstance(ledger, SqlLedger):  # pragma: no cover - create_app opens a SqlLedger
        raise TypeError("the privacy center keeps its sign-in codes in the ledger's database")
    app.state.session_keeper = session_keeper(settings)
    app.state.sign_ins = SqlSignInBook(ledger.engine)
    app.state.directory = directory
    app.include_router(router)
    app.include_router(privacy_choices.router)
    app.include_router(privacy_requests.router)


@router.get("", response_class=HTMLResponse)
def landing(context: Context) -> Response:
    """What the center offers: the notice, choices, history and requests."""
    return render(context, "privacy/home.html")


@router.get("/notice", response_class=HTMLResponse)
def notice(context: Context) -> Response:
    """The privacy notice of the policy in force, in the page's language."""
    document = build_notice(context.policy, context.language)
    return render(context, "privacy/notice.html", notice=document)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(context: Context) -> Response:
    """Ask for the number or e-mail address to send a code to."""
    context.session_keeper()
    return render(context, "privacy/sign_in.html", address="", error=None)


@router.post("/sign-in", response_class=HTMLResponse)
def send_code(context: Context, form: Form) -> Response:
    """Send a code when the address is a subscriber's; answer the same either way."""
    checked(context, form)
    address = form.get("address", "").strip()
    words = context.words
    channel = _channel_of(address)
    if channel is None:
        error = words("address_missing") if not address else words("address_bad")
        return render(context, "privacy/sign_in.html", 422, address=address, error=error)
    services = context.services
    try:
        asked = send_sign_in_code(
            context.request.app.state.sign_ins,
            _directory(context),
            channel,
            address,
            outbox=services.outboxes.for_channel(channel),
            key=services.codes_key(),
            at=context.now,
            controller=context.policy.controller.short_name,
            language=context.language,
        )
    except SignInLimitError:
        error = words("too_many_codes")
        return render(context, "privacy/sign_in.html", 429, address=address, error=error)
    except RequestError:
        return render(
            context, "privacy/sign_in.html", 422, address=address, error=words("address_bad")
        )
    context.keep(_with_pending(context, asked.challenge_id, asked.sent_to))
    return redirect(context, f"{PRIVACY_PREFIX}/sign-in/code")


@router.get("/sign-in/code", response_class=HTMLResponse)
def code_form(context: Context) -> Response:
    """Ask for the code sent."""
    if context.session.pending is None:
        return redirect(context, f"{PRIVACY_PREFIX}/sign-in")
    return render(context, "privacy/code.html", error=None, sent_to=context.session.pending_to)


@router.post("/sign-in/code", response_class=HTMLResponse)
def confirm_code(context: Context, form: Form) -> Response:
    """Sign the subscriber in when the code is right; otherwise say it is wrong or old."""
    checked(context, form)
    words = context.words
    pending = context.session.pending
    if pending is None:
        return redirect(context, f"{PRIVACY_PREFIX}/sign-in")
    offered = form.get("code", "").strip()
    sent_to = context.session.pending_to
    if not offered:
        error = words("code_missing")
        return render(context, "privacy/code.html", 422, error=error, sent_to=sent_to)
    book = context.request.app.state.sign_ins
    confirmed = confirm_sign_in_code(
        book, pending, offered, key=context.services.codes_key(), at=context.now
    )
    if confirmed.subscriber is None:
        error = words("code_wrong")
        return render(context, "privacy/code.html", 422, error=error, sent_to=sent_to)
    proof = f"signed in to the privacy center by a {confirmed.how_verified}"
    principal = Principal(SUBSCRIBER, confirmed.subscriber, proof)
    context.keep(context.session_keeper().sign_in(context.session, principal, context.now))
    return redirect(context, f"{PRIVACY_PREFIX}/choices")


@router.post("/sign-out")
def sign_out(context: Context, form: Form) -> Response:
    """End the session and go back to the landing page."""
    checked(context, form)
    response = RedirectResponse(PRIVACY_PREFIX, status_code=303)
    context.session_keeper().clear(context.request, response)
    return response


def _channel_of(address: str) -> CodeChannel | None:
    if _EMAIL.match(address):
        return CodeChannel.EMAIL
    number = re.sub(r"[\s().-]", "", address)
    number = "+" + number[2:] if number.startswith("00") else number
    return CodeChannel.SMS if _E164.match(number) else None


def _directory(context: PageContext) -> SubscriberDirectory:
    chosen: SubscriberDirectory | None = context.request.app.state.directory
    if chosen is not None:
        return chosen
    services = context.services
    return subscriber_directory(services.ledger, services.key(), services.msisdn_holder)


def _with_pending(context: PageContext, challenge_id: str, sent_to: str) -> Session:
    return replace(context.session, pending=challenge_id, pending_to=sent_to)
