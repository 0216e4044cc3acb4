"""Signed session cookies and CSRF tokens for the web pages.

A session says who is signed in (a principal: its kind, such as `subscriber` or `staff`,
its id, and how they proved it) and until when, plus the CSRF token that every POST form
carries back and a sign-in waiting for its code. It lives in one cookie, signed with
HMAC-SHA-256 under `PLACET_WEB_SESSION_KEY`: HttpOnly, SameSite=Lax, Secure over https.
Nothing is kept on the server, so signing out clears the cookie and a session ends at
its expiry at the latest.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from fastapi import Request, Response

from placet.errors import PlacetError, SettingsError
from placet.settings import PlacetSettings, secret_from_hex

__all__ = [
    "SESSION_COOKIE",
    "CsrfError",
    "Principal",
    "Session",
    "SessionKeeper",
    "session_keeper",
]

SESSION_COOKIE: Final = "placet_session"
MIN_SESSION_KEY_BYTES: Final = 16
_VERSION: Final = 1


class CsrfError(PlacetError):
    """A form came back without the token of the session it was shown in."""

    def __init__(self) -> None:
        super().__init__(
            "The form was not sent from this site's page, or the page is too old. Reload "
            "the page and send the form again."
        )


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is signed in: `kind` (`subscriber`, `staff`), their `id`, and how they proved
    it (`one-time code sent by SMS to +383 44 *** 456`)."""

    kind: str
    id: str
    proof: str = ""


@dataclass(frozen=True, slots=True)
class Session:
    """One browser's session: its CSRF token, who is signed in until when, and a sign-in
    challenge waiting for its code."""

    csrf: str
    principal: Principal | None = None
    expires_at: datetime | None = None
    pending: str | None = None
    pending_to: str | None = None
    """Where the pending sign-in's code went, masked, to show on the code form."""

    def signed_in(self, at: datetime, kind: str) -> Principal | None:
        """The principal of `kind` signed in at `at`; None when nobody is, or no longer."""
        if self.principal is None or self.expires_at is None or at >= self.expires_at:
            return None
        return self.principal if self.principal.kind == kind else None

    def check_csrf(self, offered: str | None) -> None:
        """Raise `CsrfError` unless `offered` is this session's token."""
        if not offered or not hmac.compare_digest(offered.encode(), self.csrf.encode()):
            raise CsrfError()


def new_session() -> Session:
    """A session with a fresh CSRF token and nobody signed in."""
    return Session(csrf=secrets.token_urlsafe(24))


class SessionKeeper:
    """Reads and writes sessions in a cookie signed with `key`."""

    def __init__(
        self,
        key: bytes,
        *,
        cookie: str = SESSION_COOKIE,
        path: str = "/",
        lifetime: timedelta = timedelta(minutes=30),
    ) -> None:
        if len(key) < MIN_SESSION_KEY_BYTES:
            raise SettingsError(
                "PLACET_WEB_SESSION_KEY",
                f"has {len(key)} bytes; sessions need at least {MIN_SESSION_KEY_BYTES}",
                _KEY_FIX,
            )
        self._key = key
        self.cookie = cookie
        self.path = path
        self.lifetime = lifetime

    def read(self, request: Request) -> Session:
        """The request's session, or a new one when it has none or it was tampered with."""
        text = request.cookies.get(self.cookie)
        if text is None:
            return new_session()
        payload = self._verified(text)
        if payload is None:
            return new_session()
        try:
            return _session(payload)
        except (KeyError, TypeError, ValueError):
            return new_session()

    def sign_in(self, session: Session, principal: Principal, at: datetime) -> Session:
        """The session with `principal` signed in for the keeper's lifetime, and a new CSRF
        token (a token seen before sign-in is not trusted after it)."""
        return Session(
            csrf=secrets.token_urlsafe(24), principal=principal, expires_at=at + self.lifetime
        )

    def write(self, request: Request, response: Response, session: Session) -> None:
        """Set the session cookie on `response`, Secure when the request came over https."""
        response.set_cookie(
            self.cookie,
            self._signed(_payload(session)),
            max_age=int(self.lifetime.total_seconds()),
            path=self.path,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )

    def clear(self, request: Request, response: Response) -> None:
        """Sign out: the cookie is replaced by an empty, expired one."""
        response.delete_cookie(
            self.cookie,
            path=self.path,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )

    def _signed(self, payload: dict[str, Any]) -> str:
        body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode())
        mac = hmac.new(self._key, body, hashlib.sha256).digest()
        return f"{body.decode().rstrip('=')}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"

    def _verified(self, text: str) -> dict[str, Any] | None:
        body, _, mac = text.partition(".")
        if not body or not mac:
            return None
        expected = hmac.new(self._key, _padded(body), hashlib.sha256).digest()
        try:
            offered = base64.urlsafe_b64decode(_padded(mac))
            decoded: object = json.loads(base64.urlsafe_b64decode(_padded(body)))
        except ValueError:
            return None
        if not hmac.compare_digest(expected, offered) or not isinstance(decoded, dict):
            return None
        return decoded if decoded.get("v") == _VERSION else None


def session_keeper(
    settings: PlacetSettings,
    *,
    cookie: str = SESSION_COOKIE,
    path: str = "/",
    lifetime: timedelta = timedelta(minutes=30),
) -> SessionKeeper | None:
    """The keeper of the settings' session key, writing `cookie` for `path`; None when
    `PLACET_WEB_SESSION_KEY` is unset (then the pages that need a session say so)."""
    if settings.web_session_key is None:
        return None
    key = secret_from_hex(
        settings.web_session_key.get_secret_value(),
        "PLACET_WEB_SESSION_KEY",
        least=MIN_SESSION_KEY_BYTES,
        needed_for="sessions need a key of",
        fix=_KEY_FIX,
    )
    return SessionKeeper(key, cookie=cookie, path=path, lifetime=lifetime)


def missing_key_error() -> SettingsError:
    """What a page that needs a session says when the server has no session key."""
    return SettingsError(
        "PLACET_WEB_SESSION_KEY", "is not set, so nobody can sign in to the web pages", _KEY_FIX
    )


_KEY_FIX = (
    "Set it to a key made with `python -c 'import secrets; print(secrets.token_hex(32))'` "
    "and restart"
)


def _padded(text: str) -> bytes:
    return (text + "=" * (-len(text) % 4)).encode()


def _payload(session: Session) -> dict[str, Any]:
    payload: dict[str, Any] = {"v": _VERSION, "csrf": session.csrf}
    if session.principal is not None and session.expires_at is not None:
        payload["who"] = [session.principal.kind, session.principal.id, session.principal.proof]
        payload["exp"] = int(session.expires_at.timestamp())
    if session.pending is not None:
        payload["pending"] = [session.pending, session.pending_to or ""]
    return payload


def _session(payload: dict[str, Any]) -> Session:
    session = Session(csrf=str(payload["csrf"]))
    if "who" in payload:
        kind, identifier, proof = (str(part) for part in payload["who"])
        expires_at = datetime.fromtimestamp(int(payload["exp"]), UTC)
        session = replace(
            session, principal=Principal(kind, identifier, proof), expires_at=expires_at
        )
    if "pending" in payload:
        pending, pending_to = (str(part) for part in payload["pending"])
        session = replace(session, pending=pending, pending_to=pending_to)
    return session
