"""What every page of the web shells shares: the templates, the language a page is shown
in, the session it carries, the forms it reads back, and errors shown as pages.

A page route (`PageRoute`) answers a `PlacetError` with a page that says what went wrong
in the visitor's language, never with a stack trace. Forms are read as
`application/x-www-form-urlencoded` (what a plain HTML form sends), at most 16 KiB.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from typing import Annotated, Any, ClassVar, Final
from urllib.parse import parse_qsl

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, select_autoescape
from starlette.exceptions import HTTPException

from placet.api.context import Services
from placet.errors import (
    EventNotFoundError,
    PlacetError,
    RequestNotFoundError,
    SettingsError,
)
from placet.policy import Policy
from placet.web.catalogue import LANGUAGE_NAMES, Words
from placet.web.sessions import CsrfError, Session, SessionKeeper, missing_key_error, new_session

__all__ = [
    "LANGUAGE_COOKIE",
    "Context",
    "Form",
    "PageContext",
    "PageRoute",
    "SignInNeededError",
    "page_context",
    "page_context_with",
    "read_form",
    "redirect",
    "render",
]

log = logging.getLogger(__name__)

LANGUAGE_COOKIE: Final = "placet_lang"
MAX_FORM_BYTES: Final = 16 * 1024
_SECURITY_HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class SignInNeededError(PlacetError):
    """A page for signed-in subscribers was asked for without a live session."""

    def __init__(self, where: str) -> None:
        super().__init__(f"Sign in to see {where}.")
        self.where = where


@dataclass(slots=True)
class PageContext:
    """One page being answered: the services, the policy in force, the language, the
    session (changed by sign-in and sign-out), and "now"."""

    request: Request
    services: Services
    keeper: SessionKeeper | None
    policy: Policy
    language: str
    language_chosen: bool
    """The language came from `?lang=`, so the answer remembers it in a cookie."""
    session: Session
    session_changed: bool
    now: datetime
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def words(self) -> Words:
        return Words(self.language)

    def keep(self, session: Session) -> None:
        """Answer with `session` in the cookie."""
        self.session = session
        self.session_changed = True

    def session_keeper(self) -> SessionKeeper:
        """The keeper, or `SettingsError` naming `PLACET_WEB_SESSION_KEY` when unset."""
        if self.keeper is None:
            raise missing_key_error()
        return self.keeper


def page_context(request: Request) -> PageContext:
    """The context of the page `request` asks for (a FastAPI dependency)."""
    return page_context_with(request, request.app.state.session_keeper)


def page_context_with(request: Request, keeper: SessionKeeper | None) -> PageContext:
    """The context of the page `request` asks for, its session kept by `keeper` (the
    console keeps its staff sessions apart from the subscribers')."""
    services: Services = request.app.state.services
    now = services.clock()
    policy = services.policies.in_force(now)
    language, chosen = _language(request, policy)
    session = keeper.read(request) if keeper is not None else new_session()
    fresh = keeper is not None and request.cookies.get(keeper.cookie) is None
    return PageContext(request, services, keeper, policy, language, chosen, session, fresh, now)


def render(context: PageContext, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """The page `template` rendered in the context's language, with its cookies set."""
    request = context.request
    html = (
        _environment()
        .get_template(template)
        .render(
            words=context.words,
            language=context.language,
            languages=[(code, LANGUAGE_NAMES.get(code, code)) for code in context.policy.languages],
            policy=context.policy,
            controller=context.policy.controller.short_name,
            csrf=context.session.csrf,
            path=request.url.path,
            principal=context.session.signed_in(context.now, "subscriber"),
            **context.values,
            **values,
        )
    )
    response = HTMLResponse(html, status_code=status, headers=_SECURITY_HEADERS)
    _set_cookies(context, response)
    return response


def redirect(context: PageContext, to: str) -> RedirectResponse:
    """See Other to `to` (after a form), with the context's cookies set."""
    response = RedirectResponse(to, status_code=303, headers={"Cache-Control": "no-store"})
    _set_cookies(context, response)
    return response


async def read_form(request: Request) -> dict[str, str]:
    """The fields of a posted HTML form (a FastAPI dependency); the last value of a
    repeated field wins. A body too large or of another type is refused."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise HTTPException(415, "Send the form as application/x-www-form-urlencoded.")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise HTTPException(413, f"A form may hold at most {MAX_FORM_BYTES} bytes.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HTTPException(400, "Send the form in UTF-8.") from exc
    return dict(parse_qsl(text, keep_blank_values=True))


def checked(context: PageContext, form: Mapping[str, str]) -> None:
    """Refuse the form with `CsrfError` unless it carries the session's CSRF token."""
    context.session_keeper()
    if context.session_changed and context.keeper is not None:
        # No session cookie came with the form: no token can match.
        raise CsrfError()
    context.session.check_csrf(form.get("csrf"))


class PageRoute(APIRoute):
    """A route whose errors are pages in the visitor's language, not problem documents.
    A part of the site with its own sign-in and error page (the console) subclasses it."""

    sign_in_path: ClassVar[str] = "/privacy/sign-in"
    error_template: ClassVar[str] = "privacy/error.html"

    @staticmethod
    def context_of(request: Request) -> PageContext:
        """The context an error page is rendered in."""
        return page_context(request)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInNeededError:
                return RedirectResponse(self.sign_in_path, status_code=303)
            except (PlacetError, HTTPException, RequestValidationError) as exc:
                return _error_page(self.context_of(request), exc, self.error_template)

        return answer


def _error_page(context: PageContext, error: Exception, template: str) -> Response:
    request = context.request
    words = context.words
    status, message = 400, str(error)
    if isinstance(error, CsrfError):
        status, message = 403, words("csrf")
        context.keep(replace(context.session))
    elif isinstance(error, SettingsError):
        log.warning("web page needs a setting", extra={"path": request.url.path})
        status, message = 503, f"{words('unavailable')} {error}"
    elif isinstance(error, HTTPException):
        status = error.status_code
        message = words("not_found") if status == 404 else str(error.detail)
    elif isinstance(error, RequestValidationError | RequestNotFoundError | EventNotFoundError):
        status, message = 404, words("not_found")
    return render(context, template, status, message=message)


def _set_cookies(context: PageContext, response: Response) -> None:
    if context.session_changed and context.keeper is not None:
        context.keeper.write(context.request, response, context.session)
    if context.language_chosen:
        response.set_cookie(
            LANGUAGE_COOKIE,
            context.language,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="lax",
            secure=context.request.url.scheme == "https",
        )


def _language(request: Request, policy: Policy) -> tuple[str, bool]:
    """The language asked by `?lang=`, else the cookie's, else the browser's first one the
    policy has, else the policy's first; and whether `?lang=` chose it."""
    languages = policy.languages
    asked = request.query_params.get("lang")
    if asked in languages:
        return str(asked), True
    remembered = request.cookies.get(LANGUAGE_COOKIE)
    if remembered in languages:
        return str(remembered), False
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in languages:
            return code, False
    return languages[0], False


@cache
def _environment() -> Environment:
    loader = ChoiceLoader(
        [
            PackageLoader("placet.web", "templates"),
            PrefixLoader({"notices": PackageLoader("placet.notices", "templates")}),
        ]
    )
    return Environment(
        loader=loader,
        autoescape=select_autoescape(enabled_extensions=("html",), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


Context = Annotated[PageContext, Depends(page_context)]
"""The context of a page, as its route takes it (a FastAPI dependency)."""
Form = Annotated[dict[str, str], Depends(read_form)]
"""The fields of the form a route is posted, as it takes them (a FastAPI dependency)."""
