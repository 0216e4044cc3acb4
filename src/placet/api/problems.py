"""Errors as RFC 9457 problem details, from one handler: `problem_response`.

Every `PlacetError` has a status and a problem code here; request validation errors list
each field at fault. The `detail` is the error's own message, which says what to fix.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Final

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from placet.api.throttle import TooManyRequestsError
from placet.errors import (
    AccessError,
    AuthenticationError,
    ChainBrokenError,
    DecisionNotFoundError,
    DecisionNotReplayableError,
    DisclosureError,
    DisclosureRefusedError,
    DuplicateEventError,
    EventNotFoundError,
    IdempotencyConflictError,
    InvalidEventError,
    LedgerError,
    LedgerSchemaError,
    NoVersionInForceError,
    PermissionDeniedError,
    PlacetError,
    PolicyError,
    PseudonymKeyError,
    ReceiptError,
    RequestError,
    RequestNotFoundError,
    SettingsError,
    StoreError,
    UnknownApiKeyError,
    UnknownReferenceError,
)
from placet.operations.cookie_consents import OriginNotAllowedError
from placet.operations.unsubscribe_links import UnsubscribeLinkError

__all__ = [
    "PROBLEM_RESPONSES",
    "PROBLEM_TYPES",
    "Problem",
    "ProblemType",
    "problem_response",
    "problem_type_uri",
]

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class FieldProblem(BaseModel):
    field: str = Field(description="Where: `body.decisions[1].channel`, `query.at`.")
    pointer: str | None = Field(None, description="A JSON pointer into the body.")
    message: str
    code: str


class RefusalReason(BaseModel):
    code: str = Field(description="The reason's code (`no-agreement`, `no-safeguard`, …).")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem: what went wrong and what to do, as `application/problem+json`."""

    type: str = Field(description="The problem type, a URI under the API (`GET` describes it).")
    title: str
    status: int
    detail: str = Field(description="What happened and what to do.")
    instance: str = Field(description="The path asked.")
    code: str = Field(description="The problem code (docs/api.md).")
    errors: list[FieldProblem] | None = Field(None, description="Each field at fault.")
    problems: list[RefusalReason] | None = Field(
        None, description="Each reason the policy refuses a disclosure (`disclosure-refused`)."
    )


PROBLEM_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    status: {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for status, description in (
        ("4XX", "A problem with the request: see `code` and `detail`."),
        ("5XX", "A problem on the server: see `code` and `detail`."),
    )
}
"""The problem answers every operation may give, for the OpenAPI document."""


@dataclass(frozen=True, slots=True)
class ProblemType:
    """One kind of problem the API answers with: its code, HTTP status and title."""

    code: str
    status: int
    title: str


PROBLEM_TYPES: Final[dict[str, ProblemType]] = {
    problem.code: problem
    for problem in (
        ProblemType("invalid-request", 422, "The request is not valid"),
        ProblemType("invalid-event", 422, "The event cannot be recorded as given"),
        ProblemType("unknown-reference", 422, "The request names something the policy lacks"),
        ProblemType("no-version-in-force", 422, "No policy version is in force at that instant"),
        ProblemType("idempotency-conflict", 422, "The idempotency key was used for another event"),
        ProblemType("duplicate-event", 409, "The event id is already in the ledger"),
        ProblemType("event-not-found", 404, "No such event"),
        ProblemType("decision-not-found", 404, "No such decision record"),
        ProblemType("decision-not-replayable", 422, "This decision record cannot be replayed"),
        ProblemType("request-not-found", 404, "No such subject request"),
        ProblemType("receipt-unavailable", 422, "No receipt can be issued for this event"),
        ProblemType("request-refused", 409, "The subject's request cannot proceed as asked"),
        ProblemType("disclosure-refused", 422, "The policy does not allow this disclosure"),
        ProblemType("disclosure-invalid", 422, "The disclosure register cannot record this"),
        ProblemType("unauthenticated", 401, "No valid API key"),
        ProblemType("forbidden", 403, "The API key lacks the scope needed"),
        ProblemType("invalid-unsubscribe-link", 400, "The unsubscribe link is not valid"),
        ProblemType("origin-not-allowed", 403, "The web page's origin is not allowed"),
        ProblemType("too-many-requests", 429, "Too many requests from this address"),
        ProblemType("api-key-not-found", 404, "No such API key"),
        ProblemType("not-configured", 503, "The server is not configured for this"),
        ProblemType("chain-broken", 409, "The ledger's hash chain is broken"),
        ProblemType("ledger-error", 422, "The ledger cannot do what was asked"),
        ProblemType("store-unavailable", 503, "The database cannot be used"),
        ProblemType("policy-error", 500, "The operator's policy cannot be used"),
        ProblemType("internal-error", 500, "Something went wrong on the server"),
        ProblemType("not-found", 404, "No such resource"),
        ProblemType("method-not-allowed", 405, "The resource does not accept this method"),
        ProblemType("http-error", 400, "The request cannot be served"),
    )
}
"""Every problem code the API answers with (listed in docs/api.md)."""

_BY_ERROR: Final[tuple[tuple[type[PlacetError], str], ...]] = (
    # Most specific first: the first class the error is an instance of gives its code.
    (InvalidEventError, "invalid-event"),
    (UnknownReferenceError, "unknown-reference"),
    (NoVersionInForceError, "no-version-in-force"),
    (IdempotencyConflictError, "idempotency-conflict"),
    (DuplicateEventError, "duplicate-event"),
    (EventNotFoundError, "event-not-found"),
    (DecisionNotFoundError, "decision-not-found"),
    (DecisionNotReplayableError, "decision-not-replayable"),
    (ReceiptError, "receipt-unavailable"),
    (RequestNotFoundError, "request-not-found"),
    (RequestError, "request-refused"),
    (DisclosureRefusedError, "disclosure-refused"),
    (DisclosureError, "disclosure-invalid"),
    (UnsubscribeLinkError, "invalid-unsubscribe-link"),
    (OriginNotAllowedError, "origin-not-allowed"),
    (TooManyRequestsError, "too-many-requests"),
    (AuthenticationError, "unauthenticated"),
    (PermissionDeniedError, "forbidden"),
    (UnknownApiKeyError, "api-key-not-found"),
    (AccessError, "forbidden"),
    (PseudonymKeyError, "not-configured"),
    (SettingsError, "not-configured"),
    (ChainBrokenError, "chain-broken"),
    (LedgerError, "ledger-error"),
    (LedgerSchemaError, "store-unavailable"),
    (StoreError, "store-unavailable"),
    (PolicyError, "policy-error"),
)

_HTTP_CODES: Final = {404: "not-found", 405: "method-not-allowed"}


def problem_type_uri(code: str) -> str:
    """The problem's `type`: a URI under the API that describes it (GET answers)."""
    return f"/v1/problems/{code}"


def problem_response(request: Request, exc: Exception) -> JSONResponse:
    """The one exception handler: any error → `application/problem+json`."""
    extra: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if isinstance(exc, RequestValidationError):
        errors = [_field_error(error) for error in exc.errors()]
        code = "invalid-request"
        count = len(errors)
        listed = "; ".join(f"{error['field']}: {error['message']}" for error in errors)
        detail = (
            f"The request has {count} problem{'s' if count != 1 else ''}: {listed}. "
            "Fix each field named and send the request again."
        )
        extra["errors"] = errors
    elif isinstance(exc, PlacetError):
        code = next((code for kind, code in _BY_ERROR if isinstance(exc, kind)), "internal-error")
        detail = str(exc)
        if isinstance(exc, AuthenticationError):
            headers["WWW-Authenticate"] = 'Bearer realm="placet"'
        if isinstance(exc, TooManyRequestsError):
            headers["Retry-After"] = str(exc.retry_after)
        if isinstance(exc, DisclosureRefusedError):
            extra["problems"] = [
                {"code": code, "message": message} for code, message in exc.problems
            ]
    elif isinstance(exc, HTTPException):
        code = _HTTP_CODES.get(exc.status_code, "http-error")
        detail = _http_detail(exc, request)
        headers.update(exc.headers or {})
    else:
        log.exception("unhandled error", extra={"path": request.url.path})
        code = "internal-error"
        detail = "An unexpected error occurred; it was logged. Retry, and report it if it lasts."
    problem = PROBLEM_TYPES[code]
    status = exc.status_code if isinstance(exc, HTTPException) else problem.status
    if status >= 500:
        log.warning("request failed", extra={"path": request.url.path, "problem": code})
    body = {
        "type": problem_type_uri(code),
        "title": problem.title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _http_detail(exc: HTTPException, request: Request) -> str:
    """Starlette's bare "Not Found" and "Method Not Allowed", said with what to do."""
    routes = "The API's routes are in /v1/openapi.json (readable at /v1/docs)."
    if exc.status_code == 404 and exc.detail == "Not Found":
        return f"There is nothing at {request.url.path}. {routes}"
    if exc.status_code == 405 and exc.detail == "Method Not Allowed":
        return f"{request.url.path} does not accept {request.method}. {routes}"
    return str(exc.detail)


def _field_error(error: Any) -> dict[str, str]:
    """One validation error: the field as a dotted path and as a JSON pointer, and why."""
    location = [str(part) for part in error.get("loc", ())]
    where, path = (location[0], location[1:]) if location else ("body", [])
    dotted = where
    for part in path:
        dotted += f"[{part}]" if part.isdigit() else f".{part}"
    field: dict[str, str] = {
        "field": dotted,
        "message": str(error.get("msg", "is not valid")),
        "code": str(error.get("type", "invalid")),
    }
    if where == "body":
        field["pointer"] = "/" + "/".join(
            part.replace("~", "~0").replace("/", "~1") for part in path
        )
    return field
