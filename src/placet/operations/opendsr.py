"""OpenDSR 2.0 (github.com/opengdpr/OpenDSR) over Placet's requests: the request types and
identities it accepts, the status a request shows, and the signed status callbacks.

The mapping is pure: it takes the request, the instant and Placet's address. Callbacks
leave the process only through the sender passed in (`StatusCallbacks.send`; by default
`post_callback`, an HTTP POST).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final, Protocol
from urllib.parse import quote, urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field

from placet.dsr import RequestKind, RequestState, SubjectRequest
from placet.errors import RequestError, SettingsError
from placet.settings import secret_from_hex
from placet.stores.sql_callbacks import StatusCallback

__all__ = [
    "API_VERSION",
    "CALLBACK_TIMEOUT_S",
    "CANCELLATION_REASON",
    "REQUEST_TYPES",
    "RESULT_FILES",
    "SUPPORTED_IDENTITIES",
    "CallbackBody",
    "CallbackBook",
    "CallbackSender",
    "OpenDsrStatus",
    "StatusCallbacks",
    "StatusReport",
    "SubjectIdentity",
    "callback_key_from_hex",
    "notify_callbacks",
    "opendsr_status",
    "post_callback",
    "register_callbacks",
    "results_url",
    "sign_body",
    "signing_callbacks",
    "status_report",
    "subscriber_named",
]

log = logging.getLogger(__name__)

API_VERSION: Final = "2.0"
"""The version of the OpenDSR specification Placet answers to."""

REQUEST_TYPES: Final[Mapping[str, RequestKind]] = {
    "access": RequestKind.ACCESS,
    "portability": RequestKind.PORTABILITY,
    "erasure": RequestKind.ERASURE,
}
"""OpenDSR's `subject_request_type`s (spec §6.2), as Placet's request kinds. Placet's
other kinds (rectification, restriction, objection, …) are opened on /v1 only."""

CONTROLLER_CUSTOMER_ID: Final = "controller_customer_id"
SUPPORTED_IDENTITIES: Final[tuple[tuple[str, str], ...]] = ((CONTROLLER_CUSTOMER_ID, "raw"),)
"""The `identity_type` and `identity_format` pairs that name a subscriber: the operator's
own subscriber id, as given. Placet keeps no e-mail addresses or advertising ids to
resolve the spec's other identity types, and cannot reverse a hashed id."""

RESULT_FILES: Final[Mapping[RequestKind, str]] = {
    RequestKind.ACCESS: "answer.zip",
    RequestKind.PRINTED_COPY: "answer.zip",
    RequestKind.PORTABILITY: "portability.zip",
}
"""The answer file a fulfilled request's `results_url` points at."""

ANSWER_PATH: Final = "v1/requests/{request_id}/answer/{name}"
"""Where the API serves a request's answer files, under its base address."""

CANCELLATION_REASON: Final = "cancelled by the requester's tool"
"""The reason recorded when a request is rejected because its tool cancelled it."""

CALLBACK_TIMEOUT_S: Final = 5.0
"""How long one callback may take (connect, send and answer) before it counts as failed."""

MIN_CALLBACK_KEY_BYTES: Final = 16


class OpenDsrStatus(StrEnum):
    """A request's status as OpenDSR names it (spec §8)."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


_STATUSES: Final[Mapping[RequestState, OpenDsrStatus]] = {
    RequestState.RECEIVED: OpenDsrStatus.PENDING,
    RequestState.VERIFYING: OpenDsrStatus.PENDING,
    RequestState.VERIFIED: OpenDsrStatus.PENDING,
    RequestState.AWAITING_CLARIFICATION: OpenDsrStatus.PENDING,
    RequestState.IN_PROGRESS: OpenDsrStatus.IN_PROGRESS,
    RequestState.FULFILLED: OpenDsrStatus.COMPLETED,
    RequestState.REJECTED: OpenDsrStatus.CANCELLED,
}


def opendsr_status(request: SubjectRequest) -> OpenDsrStatus:
    """The request's state as an OpenDSR status: every state before work starts is
    `pending` (so a pending request may be cancelled), and a rejection is `cancelled`."""
    return _STATUSES[request.state]


@dataclass(frozen=True, slots=True)
class SubjectIdentity:
    """One of an OpenDSR request's `subject_identities` (spec §5.3)."""

    identity_type: str
    identity_value: str
    identity_format: str


def subscriber_named(identities: Sequence[SubjectIdentity]) -> str:
    """The subscriber id the identities give (`controller_customer_id`, `raw`); others
    are ignored. None usable, or two different subscribers, is a `RequestError`."""
    named = {
        identity.identity_value.strip()
        for identity in identities
        if (identity.identity_type, identity.identity_format) in SUPPORTED_IDENTITIES
        and identity.identity_value.strip()
    }
    supported = ", ".join(f"{kind} ({form})" for kind, form in SUPPORTED_IDENTITIES)
    if not named:
        given = ", ".join(
            sorted({f"{one.identity_type} ({one.identity_format})" for one in identities})
        )
        raise RequestError(
            f"None of the request's subject_identities names a subscriber Placet can find "
            f"(given: {given or 'none'}). Placet finds subscribers by {supported}: the "
            "operator's subscriber id, as GET /opendsr/discovery lists."
        )
    if len(named) > 1:
        raise RequestError(
            f"The request's subject_identities name {len(named)} different subscribers by "
            f"{supported}. A request is for one subject: send one request per subscriber."
        )
    return named.pop()


class StatusReport(BaseModel):
    """A request's status, as OpenDSR's status response gives it (spec §8.3)."""

    model_config = ConfigDict(frozen=True)

    controller_id: str = Field(description="The controller: the id of the operator's policy.")
    expected_completion_time: datetime = Field(
        description="The request's due date as it stands now (pauses included)."
    )
    subject_request_id: str
    request_status: OpenDsrStatus
    api_version: str = API_VERSION
    results_url: str | None = Field(
        None,
        description="A completed access or portability request: where its answer is "
        "downloaded (an API key with `requests:read`).",
    )
    reason: str | None = Field(
        None,
        description="Placet's addition: why a cancelled request was cancelled or refused, "
        "as told to the subject.",
    )


class CallbackBody(StatusReport):
    """What a status callback POSTs (spec §8.6): the status, and the URL it was sent to."""

    status_callback_url: str


def results_url(request: SubjectRequest, api_url: str) -> str | None:
    """Where a fulfilled access or portability request's answer is downloaded, under the
    API's base address `api_url`; None for anything else."""
    name = RESULT_FILES.get(request.kind)
    if name is None or request.state is not RequestState.FULFILLED:
        return None
    path = ANSWER_PATH.format(request_id=quote(request.request_id, safe=""), name=name)
    return f"{api_url.rstrip('/')}/{path}"


def status_report(
    request: SubjectRequest, *, controller_id: str, api_url: str, at: datetime
) -> StatusReport:
    """The request's OpenDSR status at `at`, its answer under `api_url` when it has one."""
    status = opendsr_status(request)
    return StatusReport(
        controller_id=controller_id,
        expected_completion_time=request.due_as_of(at),
        subject_request_id=request.request_id,
        request_status=status,
        results_url=results_url(request, api_url),
        reason=request.steps[-1].reason if status is OpenDsrStatus.CANCELLED else None,
    )


def sign_body(body: bytes, key: bytes) -> str:
    """The `X-OpenDSR-Signature` of a body: base64 of its HMAC-SHA-256 under `key`."""
    return base64.b64encode(hmac.digest(key, body, hashlib.sha256)).decode("ascii")


def callback_key_from_hex(text: str) -> bytes:
    """The callback key as `PLACET_OPENDSR_CALLBACK_KEY` holds it: hex, at least 16 bytes."""
    return secret_from_hex(
        text,
        "PLACET_OPENDSR_CALLBACK_KEY",
        least=MIN_CALLBACK_KEY_BYTES,
        needed_for="signing callbacks needs",
        fix="Set it to a key made with `python -c 'import secrets; "
        "print(secrets.token_hex(32))'`, give it to the tools that verify callbacks, and restart",
    )


CallbackSender = Callable[[str, bytes, Mapping[str, str]], None]
"""POSTs a body with headers to a URL; raises `httpx.HTTPError` when it fails."""


def post_callback(url: str, body: bytes, headers: Mapping[str, str]) -> None:
    """POST a callback; an error status, a timeout or no answer raises `httpx.HTTPError`."""
    response = httpx.post(url, content=body, headers=dict(headers), timeout=CALLBACK_TIMEOUT_S)
    response.raise_for_status()


class CallbackBook(Protocol):
    """Where each request's status callbacks are kept, with what each was last told."""

    def add_callbacks(self, request_id: str, urls: Sequence[str], *, api_url: str) -> None: ...
    def callbacks(self, request_id: str) -> list[StatusCallback]: ...
    def mark_announced(
        self, request_id: str, callback_no: int, status: str, at: datetime
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class StatusCallbacks:
    """What status callbacks need: where they are kept, the key that signs them, and how
    they are sent."""

    book: CallbackBook
    key: bytes | None = None
    """`PLACET_OPENDSR_CALLBACK_KEY`; without it no callback can be accepted or sent."""
    send: CallbackSender = post_callback


def signing_callbacks(callbacks: StatusCallbacks | None) -> StatusCallbacks:
    """The server's status callbacks when it can sign them; otherwise a `SettingsError`,
    since the spec wants every callback signed."""
    if callbacks is None or callbacks.key is None:
        raise SettingsError(
            "PLACET_OPENDSR_CALLBACK_KEY",
            "is not set, so status callbacks cannot be signed",
            "Set it to a key in hex, give the key to the tools that verify callbacks and "
            "restart, or send the request without status_callback_urls and poll its status",
        )
    return callbacks


def register_callbacks(
    callbacks: StatusCallbacks, request_id: str, urls: Sequence[str], *, api_url: str
) -> None:
    """Keep a request's `status_callback_urls`, with the API's address as the tool reached
    it (`api_url`), unless the request has callbacks already."""
    if urls and not callbacks.book.callbacks(request_id):
        callbacks.book.add_callbacks(request_id, urls, api_url=api_url)


def notify_callbacks(
    callbacks: StatusCallbacks, request: SubjectRequest, *, controller_id: str, at: datetime
) -> int:
    """POST the request's status to each of its callbacks not yet told that status, signed;
    how many were told. A callback that fails is logged and tried again at the next change
    or call; it never fails the request."""
    status = opendsr_status(request)
    told = 0
    for callback in callbacks.book.callbacks(request.request_id):
        if callback.announced_status == status.value:
            continue
        where = {"request": request.request_id, "callback": callback.callback_no}
        if callbacks.key is None:
            log.warning("status callback not sent: no signing key", extra=where)
            continue
        report = status_report(
            request, controller_id=controller_id, api_url=callback.api_url, at=at
        )
        body = CallbackBody(**report.model_dump(), status_callback_url=callback.url)
        content = body.model_dump_json(exclude_none=True).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "X-OpenDSR-Processor-Domain": urlsplit(callback.api_url).hostname or "",
            "X-OpenDSR-Signature": sign_body(content, callbacks.key),
        }
        try:
            callbacks.send(callback.url, content, headers)
        except httpx.HTTPError as exc:
            log.warning(
                "status callback failed",
                extra={**where, "status": status.value, "error": type(exc).__name__},
            )
            continue
        callbacks.book.mark_announced(request.request_id, callback.callback_no, status.value, at)
        log.info("status callback sent", extra={**where, "status": status.value})
        told += 1
    return told
