"""POST /v1/cookie-consents and GET /v1/cookie-banner/{language}: the cookie banner's public
endpoints, which a web page calls with no API key (a page cannot keep one secret).

Only the web sites the operator allows (`PLACET_COOKIE_ORIGINS`) and Placet's own pages may
record a choice: CORS answers those origins and no others (no wildcard), and a request from
any other origin, or with none, is refused (403 `origin-not-allowed`). One client address
may send `PLACET_COOKIE_RATE_LIMIT` choices a minute (429 `too-many-requests` past that,
with `Retry-After`). Problems carry the CORS headers too, so that the banner can read them.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from placet.api.context import Services, services
from placet.api.problems import problem_response
from placet.api.throttle import SlidingWindowLimit
from placet.operations.cookie_consents import (
    VISITOR_PATTERN,
    CookieChoice,
    CookieChoiceError,
    allowed_origin,
    banner_texts,
    record_cookie_choice,
)
from placet.settings import PlacetSettings

__all__ = ["CookieGate", "cookie_gate", "router"]

_WINDOW: Final = 60.0
"""The rate limit counts requests over the last minute."""
_PREFLIGHT: Final = {
    "Access-Control-Allow-Methods": "POST",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "600",
}


@dataclass(frozen=True, slots=True)
class CookieGate:
    """Who may call the banner's endpoints: the allowed origins, and the per-address limit."""

    origins: frozenset[str]
    limit: SlidingWindowLimit


def cookie_gate(settings: PlacetSettings) -> CookieGate:
    """The gate of the banner's endpoints, from `PLACET_COOKIE_ORIGINS` and
    `PLACET_COOKIE_RATE_LIMIT` (`create_app` keeps it in `app.state.cookie_gate`)."""
    return CookieGate(
        frozenset(settings.cookie_origins), SlidingWindowLimit(settings.cookie_rate_limit, _WINDOW)
    )


def _gate(request: Request) -> CookieGate:
    gate: CookieGate | None = getattr(request.app.state, "cookie_gate", None)
    if gate is None:  # an app built without create_app: only Placet's own pages
        limit = PlacetSettings.model_fields["cookie_rate_limit"].default
        gate = CookieGate(frozenset(), SlidingWindowLimit(limit, _WINDOW))
        request.app.state.cookie_gate = gate
    return gate


def _own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def _allowed(request: Request) -> str:
    """The request's origin, when it may call the banner's endpoints (a dependency)."""
    return allowed_origin(
        request.headers.get("origin"), _gate(request).origins, _own_origin(request)
    )


def _admitted(request: Request, origin: Annotated[str, Depends(_allowed)]) -> str:
    """The origin, once the client's address is within its limit (a dependency)."""
    _gate(request).limit.admit(request.client.host if request.client else "unknown")
    return origin


class _CorsRoute(APIRoute):
    """A route whose answers, problems included, carry the CORS headers of an allowed
    origin, and `Vary: Origin` always."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_with_cors(request: Request) -> Response:
            try:
                response = await handle(request)
            except Exception as exc:
                response = problem_response(request, exc)
            _add_cors(request, response)
            return response

        return handle_with_cors


def _add_cors(request: Request, response: Response) -> None:
    response.headers.append("Vary", "Origin")
    origin = request.headers.get("origin")
    if origin is None:
        return
    normal = origin.strip().lower().removesuffix("/")
    if normal in _gate(request).origins or normal == _own_origin(request):
        response.headers["Access-Control-Allow-Origin"] = origin


router = APIRouter(tags=["cookie banner"], route_class=_CorsRoute)

Wired = Annotated[Services, Depends(services)]
Language = Annotated[
    str,
    Path(
        pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$",
        description="The page's language (`<html lang>`: `da`, `en-GB`); the policy's own "
        "language when it has not this one.",
    ),
]


class BannerCategoryOut(BaseModel):
    id: str
    name: str
    description: str
    necessary: bool = Field(description="Set without consent; the banner shows it always on.")


class BannerOut(BaseModel):
    """What the cookie banner shows, in one language."""

    policy_id: str
    policy_version: str
    language: str = Field(description="The language of the texts (the nearest the policy has).")
    controller: str
    text: str
    accept_label: str
    reject_label: str
    more_label: str | None = Field(description="The label of the link to the notice.")
    more_url: str | None = Field(description="Where the notice is.")
    categories: list[BannerCategoryOut]
    words: dict[str, str] = Field(
        description="The banner's own words: title, choose, save, settings, always_on, "
        "categories, saved, failed."
    )


class CookieChoiceBody(BaseModel):
    """A visitor's choice in the cookie banner."""

    model_config = ConfigDict(extra="forbid")

    visitor: str = Field(
        pattern=VISITOR_PATTERN,
        description="The random id the banner keeps for this browser (first-party storage): "
        "22 to 64 letters, digits, `-` or `_`. Never an IP address or a subscriber number.",
    )
    choice_id: UUID = Field(
        description="Made once per choice: sending it again records nothing new and returns "
        "what was first recorded."
    )
    language: str = Field(pattern=r"^[a-z]{2,3}$", description="The banner's language.")
    categories: dict[str, bool] = Field(
        max_length=50,
        description="Each kind of cookie that needs consent, by id: `true` accepted, "
        "`false` refused. Necessary ones are left out.",
    )


class CookieReceiptOut(BaseModel):
    option: str = Field(description="The consent option.")
    status: Literal["given", "withdrawn"] = Field(
        description="`given` for an accepted kind of cookie; `withdrawn` for a refused one."
    )
    event_id: UUID = Field(description="The ledger event (`GET /v1/events/{event_id}`).")
    receipt_id: UUID = Field(
        description="The id of its consent receipt (`GET /v1/receipts/{event_id}`)."
    )


class CookieChoiceOut(BaseModel):
    """The choice as the ledger holds it, with a receipt per consent option."""

    policy_id: str
    policy_version: str = Field(description="The policy version in force when it was made.")
    recorded_at: AwareDatetime = Field(description="When the choice took effect.")
    categories: dict[str, bool] = Field(description="Each kind of cookie asked for, as answered.")
    receipts: list[CookieReceiptOut]


@router.get("/cookie-banner/{language}", summary="The cookie banner's texts (public)")
def get_banner(language: Language, response: Response, wired: Wired) -> BannerOut:
    """The banner's text, buttons and kinds of cookies from the policy in force, in the
    page's language; no API key. The banner script holds no texts of its own."""
    texts = banner_texts(
        wired.policies.in_force(wired.clock()), language, notice_url=wired.notice_url
    )
    response.headers["Cache-Control"] = "public, max-age=300"
    return BannerOut(
        policy_id=texts.policy_id,
        policy_version=texts.policy_version,
        language=texts.language,
        controller=texts.controller,
        text=texts.text,
        accept_label=texts.accept_label,
        reject_label=texts.reject_label,
        more_label=texts.more_label,
        more_url=texts.more_url,
        categories=[
            BannerCategoryOut(
                id=c.id, name=c.name, description=c.description, necessary=c.necessary
            )
            for c in texts.categories
        ],
        words=dict(texts.words),
    )


@router.options(
    "/cookie-consents",
    status_code=204,
    summary="CORS preflight of a cookie choice",
    responses={204: {"description": "The origin may post choices."}},
)
def preflight_cookie_consent(origin: Annotated[str, Depends(_allowed)]) -> Response:
    """Answered for the allowed origins only; any other gets 403 and no CORS headers."""
    return Response(status_code=204, headers=_PREFLIGHT)


@router.post(
    "/cookie-consents",
    status_code=201,
    summary="Record a visitor's cookie choice (public)",
    responses={
        200: {"description": "Already recorded under this choice_id: the original choice."},
        201: {"description": "Recorded."},
    },
)
def post_cookie_consent(
    body: CookieChoiceBody,
    response: Response,
    wired: Wired,
    origin: Annotated[str, Depends(_admitted)],
) -> CookieChoiceOut:
    """For the cookie banner; no API key. Each kind of cookie accepted is a consent given,
    each refused a consent withdrawn, collected via `cookie-banner`, under the policy
    version in force, for the visitor (a subject of type `website-visitor`, named by the
    banner's random id, pseudonymised). Every kind that needs consent must be answered."""
    choice = CookieChoice(
        visitor=body.visitor,
        choice_id=body.choice_id,
        categories=body.categories,
        language=body.language,
        origin=origin,
    )
    try:
        recorded = record_cookie_choice(
            wired.ledger, wired.policies, wired.key(), choice, at=wired.clock()
        )
    except CookieChoiceError as exc:
        raise _field_problem(exc) from exc
    response.status_code = 201 if recorded.created else 200
    if not recorded.created:
        response.headers["Idempotent-Replayed"] = "true"
    return CookieChoiceOut(
        policy_id=recorded.policy_id,
        policy_version=recorded.policy_version,
        recorded_at=recorded.effective_at,
        categories={answer.category: answer.accepted for answer in recorded.answers},
        receipts=[
            CookieReceiptOut(
                option=receipt.option,
                status="given" if receipt.given else "withdrawn",
                event_id=receipt.event_id,
                receipt_id=receipt.receipt_id,
            )
            for receipt in recorded.receipts
        ],
    )


def _field_problem(exc: CookieChoiceError) -> RequestValidationError:
    """The choice's problem as the field it is about, like any invalid body."""
    location = ("body", *exc.field.split(".", 1))
    message = str(exc).removeprefix(f"{exc.field}: ")
    return RequestValidationError([{"loc": location, "msg": message, "type": "cookie-choice"}])
