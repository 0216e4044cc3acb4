"""/opendsr: the OpenDSR 2.0 endpoints (github.com/opengdpr/OpenDSR), so that request tools
that speak it can submit access, portability and erasure requests to Placet, follow them
and cancel them, and be told of each change by signed status callbacks.

Each request is a request of Placet's book, under the tool's `subject_request_id`, and is
verified and carried out as any other (on /v1). The same endpoints also answer under
`/opendsr/v2`, for tools that put the major version in the URL (spec §3.4). A malformed
request is answered as the spec says, 400 with its error object; every other error is
Placet's problem details. Answers and callbacks are signed with
`PLACET_OPENDSR_CALLBACK_KEY` (HMAC-SHA-256), not with a certificate (see docs/api.md).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import AwareDatetime, BaseModel, Field, StringConstraints, WithJsonSchema
from starlette.exceptions import HTTPException

from placet.api.context import Services, services
from placet.api.security import require
from placet.errors import NoVersionInForceError, RequestError
from placet.ledger import pseudonymise_subject
from placet.operations import ApiKey, Scope
from placet.operations.opendsr import (
    API_VERSION,
    CANCELLATION_REASON,
    REQUEST_TYPES,
    SUPPORTED_IDENTITIES,
    OpenDsrStatus,
    StatusReport,
    SubjectIdentity,
    opendsr_status,
    register_callbacks,
    sign_body,
    signing_callbacks,
    status_report,
    subscriber_named,
)
from placet.operations.requests import load_request, open_subject_request, reject_request
from placet.policy.terms import Channel

__all__ = ["router"]

UUID_V4: Final = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
"""A lowercase UUID v4, as the spec requires every GUID to be (§1.1)."""


class OpenDsrErrorDetail(BaseModel):
    domain: str
    reason: str
    message: str


class OpenDsrErrorBody(BaseModel):
    code: int = Field(description="The HTTP status.")
    message: str
    errors: list[OpenDsrErrorDetail] = []


class OpenDsrError(BaseModel):
    """A malformed request (spec §7.5–7.6): never the identities it carried."""

    error: OpenDsrErrorBody


def _invalid(message: str, errors: list[OpenDsrErrorDetail] | None = None) -> JSONResponse:
    body = OpenDsrError(error=OpenDsrErrorBody(code=400, message=message, errors=errors or []))
    return JSONResponse(
        body.model_dump(),
        status_code=400,
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


class _OpenDsrRoute(APIRoute):
    """A route that answers a body, path or header it cannot read with OpenDSR's 400
    error object instead of /v1's 422 problem (or 400 problem, for a body that is not JSON
    text at all)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handle(request)
            except HTTPException as exc:
                if exc.status_code != 400:
                    raise
                return _invalid(f"the body cannot be read as JSON: {exc.detail}")
            except RequestValidationError as exc:
                details = [
                    OpenDsrErrorDetail(
                        domain="Validation",
                        reason=str(error.get("type", "invalid")),
                        message=f"{'.'.join(str(part) for part in error.get('loc', ()))}: "
                        f"{error.get('msg', 'is not valid')}",
                    )
                    for error in exc.errors()
                ]
                return _invalid("; ".join(detail.message for detail in details), details)

        return answer


router = APIRouter(tags=["opendsr"], route_class=_OpenDsrRoute)

Wired = Annotated[Services, Depends(services)]
Reader = Annotated[ApiKey, Depends(require(Scope.REQUESTS_READ))]
Writer = Annotated[ApiKey, Depends(require(Scope.REQUESTS_WRITE))]
SubjectRequestId = Annotated[
    str, Path(pattern=UUID_V4, description="The request's `subject_request_id` (a UUID v4).")
]


async def _raw_body(request: Request) -> bytes:
    """The body exactly as sent, for `encoded_request` (read once; FastAPI keeps it)."""
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]
CallbackUrl = Annotated[
    str, StringConstraints(pattern=r"^https?://[^\s/?#]+[^\s]*$", max_length=2000)
]


class IdentityType(BaseModel):
    identity_type: str
    identity_format: str


class DiscoveryOut(BaseModel):
    """What Placet supports of OpenDSR (spec §6.3)."""

    api_version: str
    supported_identities: list[IdentityType]
    supported_subject_request_types: list[str]
    processor_certificate: str | None = Field(
        description="Always null: Placet signs with a shared key (HMAC-SHA-256 under "
        "`PLACET_OPENDSR_CALLBACK_KEY`), not with an X.509 certificate."
    )


class IdentityIn(BaseModel):
    """One identity of the subject (spec §5.3)."""

    identity_type: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        description="`controller_customer_id`, `email`, `android_advertising_id`, … (§5.1)."
    )
    identity_value: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="The identity: for `controller_customer_id`, the subscriber id."
    )
    identity_format: Literal["raw", "sha1", "md5", "sha256"] = Field(
        description="How the value is encoded (§5.2)."
    )


class OpenDsrRequestIn(BaseModel):
    """An OpenDSR request (spec §7.1). Fields the spec does not name are ignored."""

    subject_request_id: Annotated[str, StringConstraints(pattern=UUID_V4)] = Field(
        description="The tool's id of the request, a lowercase UUID v4; Placet's request id."
    )
    subject_request_type: Literal["access", "portability", "erasure"] = Field(
        description="What the subject asks: Placet's `access`, `portability` or `erasure`."
    )
    submitted_time: AwareDatetime = Field(
        description="When the subject asked: the request's receipt, from which its deadline counts."
    )
    regulation: Literal["gdpr"] = Field(
        "gdpr",
        description="Placet answers GDPR requests only. Required by the spec; taken as "
        "`gdpr` when left out.",
    )
    subject_identities: list[IdentityIn] = Field(
        [],
        max_length=20,
        description="Who the subject is; one must be a `controller_customer_id` (`raw`): the "
        "operator's subscriber id.",
    )
    api_version: str | None = Field(
        None, description="The version the tool speaks; Placet answers in 2.0."
    )
    status_callback_urls: list[CallbackUrl] = Field(
        [],
        max_length=10,
        description="Where each change of the request's status is POSTed (http or https), "
        "kept exactly as given.",
    )
    extensions: Annotated[dict[str, Any], WithJsonSchema({"type": "object"})] | None = Field(
        None, description="Processor-specific elements; Placet has none and ignores them."
    )


class SubmittedOut(BaseModel):
    """The receipt of an OpenDSR request (spec §7.3)."""

    controller_id: str
    expected_completion_time: datetime = Field(description="The request's due date.")
    received_time: datetime = Field(description="When Placet recorded the request.")
    encoded_request: str = Field(description="The request's body, base64-encoded.")
    subject_request_id: str


class CancelledOut(BaseModel):
    """The receipt of a cancellation (spec §9.2)."""

    controller_id: str
    received_time: datetime
    subject_request_id: str
    api_version: str = API_VERSION


_BAD_REQUEST: Final[dict[int | str, dict[str, Any]]] = {
    400: {"model": OpenDsrError, "description": "A malformed request (OpenDSR's error object)."}
}


@router.get("/v2/discovery", include_in_schema=False)
@router.get("/discovery", summary="What Placet supports of OpenDSR")
def discovery() -> DiscoveryOut:
    """The OpenDSR version, the identities that name a subscriber and the request types
    Placet accepts. Needs no key."""
    return DiscoveryOut(
        api_version=API_VERSION,
        supported_identities=[
            IdentityType(identity_type=kind, identity_format=form)
            for kind, form in SUPPORTED_IDENTITIES
        ],
        supported_subject_request_types=list(REQUEST_TYPES),
        processor_certificate=None,
    )


@router.post("/v2/requests", status_code=201, include_in_schema=False)
@router.post(
    "/requests",
    status_code=201,
    summary="Submit an OpenDSR request",
    response_model=SubmittedOut,
    responses=_BAD_REQUEST,
)
def submit_request(
    body: OpenDsrRequestIn, raw: RawBody, http: Request, wired: Wired, caller: Writer
) -> Response:
    """Open an access, portability or erasure request for the subscriber its
    `controller_customer_id` names, received when the subject asked (`submitted_time`),
    under `subject_request_id`. The same id sent again answers the first receipt."""
    now = wired.clock()
    kind = REQUEST_TYPES[body.subject_request_type]
    try:
        subscriber = subscriber_named(
            [
                SubjectIdentity(one.identity_type, one.identity_value, one.identity_format)
                for one in body.subject_identities
            ]
        )
    except RequestError as exc:
        return _invalid(str(exc))
    request = wired.requests.get(body.subject_request_id)
    if request is None:
        urls = body.status_callback_urls
        callbacks = signing_callbacks(wired.status_callbacks) if urls else None
        try:
            request = open_subject_request(
                wired.requests, wired.policies, wired.key(), subscriber, kind,
                channel=Channel.WEB, received_at=body.submitted_time, actor=caller.name,
                at=now, request_id=body.subject_request_id,
            )  # fmt: skip
        except (RequestError, NoVersionInForceError) as exc:
            return _invalid(str(exc))
        if callbacks is not None:
            register_callbacks(callbacks, request.request_id, urls, api_url=str(http.base_url))
    elif request.kind is not kind or request.subject != pseudonymise_subject(
        subscriber, wired.key()
    ):
        raise RequestError(
            f"Request {request.request_id} exists already, for another request type or "
            "subject. A new request needs a new subject_request_id."
        )
    wired.announce(request)
    receipt = SubmittedOut(
        controller_id=wired.policies.policy_id,
        expected_completion_time=request.due_as_of(now),
        received_time=request.steps[0].at,
        encoded_request=base64.b64encode(raw).decode("ascii"),
        subject_request_id=request.request_id,
    )
    return _signed(receipt, http, wired, status_code=201)


@router.get("/v2/requests/{subject_request_id}", include_in_schema=False)
@router.get(
    "/requests/{subject_request_id}",
    summary="An OpenDSR request's status",
    response_model=StatusReport,
    response_model_exclude_none=True,
    responses=_BAD_REQUEST,
)
def request_status(
    subject_request_id: SubjectRequestId, http: Request, wired: Wired, _caller: Reader
) -> Response:
    """`pending` until work starts (received, verifying, verified, awaiting
    clarification), `in_progress`, `completed` (with `results_url` for access and
    portability) or `cancelled` (with the `reason`)."""
    request = load_request(wired.requests, subject_request_id)
    report = status_report(
        request,
        controller_id=wired.policies.policy_id,
        api_url=str(http.base_url),
        at=wired.clock(),
    )
    return _signed(report, http, wired)


@router.delete("/v2/requests/{subject_request_id}", status_code=202, include_in_schema=False)
@router.delete(
    "/requests/{subject_request_id}",
    status_code=202,
    summary="Cancel a pending OpenDSR request",
    response_model=CancelledOut,
    responses=_BAD_REQUEST,
)
def cancel_request(
    subject_request_id: SubjectRequestId, http: Request, wired: Wired, caller: Writer
) -> Response:
    """Reject a `pending` request with the reason "cancelled by the requester's tool"; one
    already cancelled is answered again. Once work has started, or the request is
    completed, it can no longer be cancelled (409)."""
    now = wired.clock()
    request = load_request(wired.requests, subject_request_id)
    status = opendsr_status(request)
    if status is OpenDsrStatus.PENDING:
        request = reject_request(
            wired.requests, subject_request_id, actor=caller.name, at=now,
            reason=CANCELLATION_REASON,
        )  # fmt: skip
        wired.announce(request)
    elif status is not OpenDsrStatus.CANCELLED:
        raise RequestError(
            f"Request {subject_request_id} is {status.value}: OpenDSR lets a request be "
            "cancelled only while it is pending. Ask the operator's privacy team if it must "
            "stop."
        )
    receipt = CancelledOut(
        controller_id=wired.policies.policy_id,
        received_time=now,
        subject_request_id=subject_request_id,
    )
    return _signed(receipt, http, wired, status_code=202)


def _signed(payload: BaseModel, http: Request, wired: Services, status_code: int = 200) -> Response:
    """`payload` as JSON, with the processor's domain and, when the server has the key,
    the body's signature (spec §7.4, §8.3)."""
    content = payload.model_dump_json(exclude_none=True).encode("utf-8")
    headers = {"X-OpenDSR-Processor-Domain": http.url.hostname or "", "Cache-Control": "no-store"}
    if wired.status_callbacks is not None and wired.status_callbacks.key is not None:
        headers["X-OpenDSR-Signature"] = sign_body(content, wired.status_callbacks.key)
    return Response(
        content, status_code=status_code, media_type="application/json", headers=headers
    )
