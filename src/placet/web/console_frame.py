"""What every page of the DPO console shares: its route class (errors as console pages,
sign-in at `/console/sign-in`), the staff session in a cookie of its own, and who may do
what.

The console is in English whatever the policy's languages; the policy's own texts are
shown in English where the policy has it, else in its source language.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Annotated, Final

from fastapi import Depends, Request
from starlette.exceptions import HTTPException

from placet.dsr.verification import CodeChannel, mask_address
from placet.errors import RequestError
from placet.notices.wording import Wording
from placet.operations.staff import StaffAction, StaffMember, find_staff_member, may
from placet.policy import Policy
from placet.policy.terms import Channel
from placet.settings import PlacetSettings
from placet.stores.sql_staff import SqlStaffRoster
from placet.web.pages import (
    Form,
    PageContext,
    PageRoute,
    SignInNeededError,
    page_context_with,
)
from placet.web.sessions import SessionKeeper, session_keeper

__all__ = [
    "CONSOLE_COOKIE",
    "CONSOLE_PREFIX",
    "STAFF",
    "STAFF_SESSION",
    "ConsoleRoute",
    "Context",
    "Form",
    "consent_options",
    "console_context",
    "console_keeper",
    "masked",
    "policy_wording",
    "require",
    "roster_of",
    "signed_in_staff",
    "wording_of",
]

CONSOLE_PREFIX: Final = "/console"
CONSOLE_COOKIE: Final = "placet_console"
STAFF: Final = "staff"
STAFF_SESSION: Final = timedelta(hours=8)
"""How long a staff session lasts: a working day, then the password again."""
_CONSOLE_LANGUAGE: Final = "en"


def console_keeper(settings: PlacetSettings) -> SessionKeeper | None:
    """The keeper of staff sessions: its own cookie, sent only to `/console`, for
    `STAFF_SESSION`; None without `PLACET_WEB_SESSION_KEY`."""
    return session_keeper(
        settings, cookie=CONSOLE_COOKIE, path=CONSOLE_PREFIX, lifetime=STAFF_SESSION
    )


def console_context(request: Request) -> PageContext:
    """The context of a console page (a FastAPI dependency): the staff session, in English."""
    context = page_context_with(request, request.app.state.console_keeper)
    return replace(context, language=_CONSOLE_LANGUAGE, language_chosen=False)


class ConsoleRoute(PageRoute):
    """A console page: errors are console pages, a missing session goes to its sign-in."""

    sign_in_path = f"{CONSOLE_PREFIX}/sign-in"
    error_template = "console/error.html"

    @staticmethod
    def context_of(request: Request) -> PageContext:
        """The error page's context, with the staff member still named in its frame."""
        context = console_context(request)
        principal = context.session.signed_in(context.now, STAFF)
        if principal is not None and context.keeper is not None:
            member = find_staff_member(roster_of(context), principal.id)
            if member is not None and member.is_active:
                context.values["staff"] = member
        return context


Context = Annotated[PageContext, Depends(console_context)]


def roster_of(context: PageContext) -> SqlStaffRoster:
    """The staff accounts, in the ledger's database."""
    roster: SqlStaffRoster = context.request.app.state.staff_roster
    return roster


def signed_in_staff(context: PageContext) -> StaffMember:
    """The active staff member signed in to this session (also given to the templates as
    `staff`), or `SignInNeededError`: a redirect to the console's sign-in."""
    context.session_keeper()
    principal = context.session.signed_in(context.now, STAFF)
    member = None if principal is None else find_staff_member(roster_of(context), principal.id)
    if member is None or not member.is_active:
        raise SignInNeededError("the console")
    context.values["staff"] = member
    return member


def require(member: StaffMember, action: StaffAction) -> None:
    """Refuse with 403 unless `member`'s role may take `action`."""
    if not may(member.role, action):
        raise HTTPException(
            403, f"Your role ({member.role.value}) may not {action.value.replace('-', ' ')}."
        )


def masked(subscriber: str | None) -> str:
    """A subscriber's number, e-mail address or id with most of it hidden, for lists."""
    if not subscriber:
        return "—"
    try:
        if "@" in subscriber:
            return mask_address(CodeChannel.EMAIL, subscriber)
        if subscriber.startswith("+"):
            return mask_address(CodeChannel.SMS, subscriber)
    except RequestError:
        pass
    shown = max(2, len(subscriber) // 4)
    return f"{subscriber[:shown]}***{subscriber[-2:]}" if len(subscriber) > 6 else "***"


def consent_options(context: PageContext, *, cookies: bool = True) -> list[tuple[str, str]]:
    """The policy's consent options as (id, name), named as `policy_wording` names them;
    without `cookies`, only those a subscriber gives (the cookie banner's left out)."""
    wording = policy_wording(context)
    return [
        (option.id, wording.text(option.name) or option.id)
        for option in context.policy.consent_options
        if cookies or Channel.COOKIE_BANNER not in option.withdrawal_channels
    ]


def policy_wording(context: PageContext) -> Wording:
    """The texts of the policy in force, as `wording_of` gives them."""
    return wording_of(context.policy)


def wording_of(policy: Policy) -> Wording:
    """A policy's texts in English where it has them, else in its source language."""
    language = _CONSOLE_LANGUAGE if _CONSOLE_LANGUAGE in policy.languages else None
    return Wording.of(policy, language or policy.source_language)
