"""The console's request queue and the actions on one request: verify (saying how), extend
(with the reason told to the subject, as the policy allows), fulfil (carry it out as the
API's fulfilment does) and reject (with the reason).

The queue lists every open request, the most urgent first: overdue ones (longest overdue
first), then by the time left. Each action goes through the same operations as
`/v1/requests/{id}/steps` and `/fulfilment`, with the staff member's name as the actor;
an auditor sees the request but no action, and an action posted anyway is refused (403).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final, Protocol

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.exceptions import HTTPException

from placet.dsr import RequestKind, RequestState, StepKind, SubjectRequest, allowed_steps
from placet.errors import RequestError, SettingsError
from placet.ledger.events import RestrictionGround
from placet.operations.fulfilment import Asked, carry_out
from placet.operations.requests import (
    RequestBook,
    extend_request,
    fulfil_request,
    load_request,
    reject_request,
    verify_request,
)
from placet.operations.staff import StaffAction, StaffMember, StaffRole, may
from placet.web.catalogue import LANGUAGE_NAMES
from placet.web.console_frame import (
    CONSOLE_PREFIX,
    ConsoleRoute,
    Context,
    Form,
    masked,
    require,
    signed_in_staff,
)
from placet.web.pages import PageContext, checked, redirect, render
from placet.web.privacy_requests import ANSWER_FILES

__all__ = ["QueueRow", "queue_rows", "router"]

router = APIRouter(prefix=CONSOLE_PREFIX, route_class=ConsoleRoute, include_in_schema=False)

_WORKABLE: Final = frozenset({RequestState.VERIFIED, RequestState.IN_PROGRESS})
_SOON: Final = timedelta(days=7)
_DONE: Final = {
    "verify": "Identity verified.",
    "extend": "Deadline extended.",
    "fulfil": "Request carried out.",
    "reject": "Request rejected.",
}
VERIFY_METHODS: Final = (
    "identity card shown in a shop",
    "one-time code sent to the number on record",
    "call-back to the number on record",
    "signed in to the privacy center",
)
"""Suggestions for how an identity was verified (staff may write another)."""


@dataclass(frozen=True, slots=True)
class QueueRow:
    """An open request as the queue shows it."""

    id: str
    kind: str
    state: str
    subject: str
    received: str
    due: str
    clock: str
    is_overdue: bool
    is_soon: bool


@router.get("", response_class=HTMLResponse)
def queue(context: Context) -> Response:
    """Every open request, overdue first, with its due-date clock."""
    signed_in_staff(context)
    rows = queue_rows(context)
    return render(
        context,
        "console/queue.html",
        rows=rows,
        overdue=sum(row.is_overdue for row in rows),
        soon=sum(row.is_soon for row in rows),
    )


def queue_rows(context: PageContext) -> list[QueueRow]:
    """The open requests, the least time left first (so overdue ones lead)."""
    book = context.services.requests
    now = context.now
    requests = sorted(book.all(open_only=True), key=lambda request: request.remaining(now))
    return [
        QueueRow(
            id=request.request_id,
            kind=request.kind.value,
            state=request.state.value,
            subject=masked(book.subscriber(request.request_id)),
            received=_day(request.received_at),
            due=_day(request.due_as_of(now)),
            clock=clock_text(request, now),
            is_overdue=request.is_overdue(now),
            is_soon=not request.is_overdue(now) and request.remaining(now) <= _SOON,
        )
        for request in requests
    ]


def clock_text(request: SubjectRequest, at: datetime) -> str:
    """The due-date clock: "3 days left", "due today", "overdue by 2 days", "paused"."""
    remaining = request.remaining(at)
    paused = " (paused)" if request.is_paused else ""
    if remaining < timedelta():
        days = (-remaining).days
        return f"overdue by {_days(days)}" if days else "overdue since today"
    return f"{_days(remaining.days)} left{paused}" if remaining.days else f"due today{paused}"


@router.get("/requests/{request_id}", response_class=HTMLResponse)
def request_page(request_id: str, context: Context, done: str | None = None) -> Response:
    """One request: its facts, every step, and the actions the staff member's role allows."""
    signed_in_staff(context)
    return _page(context, _request(context, request_id), done=_DONE.get(done or ""))


@router.post("/requests/{request_id}/verify", response_class=HTMLResponse)
def verify(request_id: str, context: Context, form: Form) -> Response:
    """Record that the requester's identity was verified, and how."""
    request = _acting(context, form, request_id, StaffAction.VERIFY)
    how = form.get("how", "").strip()
    if not how:
        return _page(context, request, errors={"how": "Say how the identity was verified."})
    return _step(
        context,
        request,
        "verify",
        "how",
        lambda actor: verify_request(
            context.services.requests, request.request_id, actor=actor, at=context.now, how=how
        ),
    )


@router.post("/requests/{request_id}/extend", response_class=HTMLResponse)
def extend(request_id: str, context: Context, form: Form) -> Response:
    """Extend the deadline as the policy allows, with the reason told to the subject now."""
    missing = "Give the reason for the delay, as told to the subject."
    return _told(
        context, form, request_id, StaffAction.EXTEND, missing=missing, take=extend_request
    )


@router.post("/requests/{request_id}/reject", response_class=HTMLResponse)
def reject(request_id: str, context: Context, form: Form) -> Response:
    """Refuse the request, with the reason told to the subject (Art. 12(4))."""
    missing = "Give the reason for refusing, as told to the subject."
    return _told(
        context, form, request_id, StaffAction.REJECT, missing=missing, take=reject_request
    )


class _ToldStep(Protocol):
    """A step whose reason is told to the subject when it is taken (extend, reject)."""

    def __call__(
        self,
        book: RequestBook,
        request_id: str,
        *,
        actor: str,
        at: datetime,
        reason: str,
        notified_at: datetime,
    ) -> SubjectRequest: ...


def _told(
    context: PageContext,
    form: Mapping[str, str],
    request_id: str,
    action: StaffAction,
    *,
    missing: str,
    take: _ToldStep,
) -> Response:
    """Take `action` with the reason of its form field (`<action>_reason`), told to the
    subject now; without one, say `missing` next to the field."""
    request = _acting(context, form, request_id, action)
    field = f"{action.value}_reason"
    reason = form.get(field, "").strip()
    if not reason:
        return _page(context, request, errors={field: missing})
    return _step(
        context,
        request,
        action.value,
        field,
        lambda actor: take(
            context.services.requests,
            request.request_id,
            actor=actor,
            at=context.now,
            reason=reason,
            notified_at=context.now,
        ),
    )


@router.post("/requests/{request_id}/fulfil", response_class=HTMLResponse)
def fulfil(request_id: str, context: Context, form: Form) -> Response:
    """Carry the request out (write the answer, erase, record in the ledger, …); an
    in-progress complaint is fulfilled with the DPO's answer."""
    request = _acting(context, form, request_id, StaffAction.FULFIL)
    if request.kind is RequestKind.COMPLAINT and request.state is RequestState.IN_PROGRESS:
        answer = form.get("answer", "").strip()
        if not answer:
            return _page(context, request, errors={"fulfil": "Write the answer to the complaint."})
        return _step(
            context,
            request,
            "fulfil",
            "fulfil",
            lambda actor: fulfil_request(
                context.services.requests,
                request.request_id,
                actor=actor,
                at=context.now,
                reason=answer,
                notified_at=context.now,
            ),
        )
    asked, problem = _asked(context, request, form)
    if problem is not None:
        return _page(context, request, errors=problem)
    return _step(
        context, request, "fulfil", "fulfil", lambda actor: _carried(context, request, asked, actor)
    )


@router.get("/requests/{request_id}/answer/{name}")
def answer_file(request_id: str, name: str, context: Context) -> Response:
    """A file of the answer written for a fulfilled request."""
    signed_in_staff(context)
    request = _request(context, request_id)
    if name not in _files(context, request):
        raise HTTPException(404, "No such file in this answer.")
    return FileResponse(
        context.services.answers_dir / request.request_id / name,
        media_type=ANSWER_FILES[name],
        filename=f"{request.request_id}-{name}",
        headers={"Cache-Control": "no-store"},
    )


def _carried(
    context: PageContext, request: SubjectRequest, asked: Asked, actor: str
) -> SubjectRequest:
    services = context.services
    carried = carry_out(
        services.requests,
        services.policies,
        services.ledger,
        services.key(),
        request.request_id,
        asked=asked,
        estate=services.estate,
        answers=services.answers_dir,
        retention=services.retention_book(),
        disclosures=services.disclosure_book(),
        notifier=services.recipient_notifier(),
        actor=actor,
        at=context.now,
    )
    return carried.request


def _asked(
    context: PageContext, request: SubjectRequest, form: Mapping[str, str]
) -> tuple[Asked, dict[str, str] | None]:
    """What the fulfil form says beyond the request, or the field's problem."""
    language = form.get("language") or None
    if language is not None and language not in context.policy.languages:
        return Asked(), {"language": "Choose one of the policy's languages."}
    ground_text = form.get("ground") or None
    grounds = {ground.value for ground in RestrictionGround}
    if ground_text is not None and ground_text not in grounds:
        return Asked(), {"ground": "Choose one of the grounds of Art. 18(1)."}
    values: dict[str, str] = {}
    for line in form.get("values", "").splitlines():
        if not line.strip():
            continue
        column, equals, value = line.partition("=")
        if not equals or not column.strip():
            return Asked(), {"values": f"Write each correction as column = value: {line!r}."}
        values[column.strip()] = value.strip()
    if request.kind is RequestKind.RECTIFICATION and not values:
        return Asked(), {"values": "Say which field to correct, and its new value."}
    ground = RestrictionGround(ground_text) if ground_text else None
    return Asked(language=language, ground=ground, values=values), None


def _acting(
    context: PageContext, form: Mapping[str, str], request_id: str, action: StaffAction
) -> SubjectRequest:
    """The request to act on, once the session, the form's token and the role allow it."""
    member = signed_in_staff(context)
    checked(context, form)
    require(member, action)
    return _request(context, request_id)


def _step(
    context: PageContext,
    request: SubjectRequest,
    action: str,
    field: str,
    move: Callable[[str], SubjectRequest],
) -> Response:
    """Take the step; a step the lifecycle or the policy refuses is said next to `field`."""
    member: StaffMember = context.values["staff"]
    try:
        moved = move(member.name)
    except (RequestError, SettingsError) as exc:
        return _page(
            context,
            load_request(context.services.requests, request.request_id),
            errors={field: str(exc)},
        )
    context.services.announce(moved)
    return redirect(context, f"{CONSOLE_PREFIX}/requests/{request.request_id}?done={action}")


def _request(context: PageContext, request_id: str) -> SubjectRequest:
    request = context.services.requests.get(request_id)
    if request is None:
        raise HTTPException(404, "No such request.")
    return request


@dataclass(frozen=True, slots=True)
class Actions:
    """The actions the request's state and the staff member's role allow now."""

    verify: bool
    extend: bool
    extension_refused: str
    fulfil: bool
    reject: bool

    @property
    def any(self) -> bool:
        return self.verify or self.extend or self.fulfil or self.reject


def _actions(member: StaffMember, request: SubjectRequest) -> Actions:
    steps = allowed_steps(request.state)
    refused = ""
    if request.terms.extension_total is None:
        refused = f"The policy ({request.terms.policy_version}) allows no extension."
    elif request.is_extended:
        refused = "Already extended (Art. 12(3) allows it once)."
    return Actions(
        verify=StepKind.VERIFIED in steps and may(member.role, StaffAction.VERIFY),
        extend=StepKind.EXTENDED in steps and not refused and may(member.role, StaffAction.EXTEND),
        extension_refused=refused if StepKind.EXTENDED in steps else "",
        fulfil=request.state in _WORKABLE and may(member.role, StaffAction.FULFIL),
        reject=StepKind.REJECTED in steps and may(member.role, StaffAction.REJECT),
    )


def _page(
    context: PageContext,
    request: SubjectRequest,
    *,
    errors: dict[str, str] | None = None,
    done: str | None = None,
) -> Response:
    member: StaffMember = context.values["staff"]
    subscriber = context.services.requests.subscriber(request.request_id)
    shows_subscriber = member.role is not StaffRole.AUDITOR
    now = context.now
    return render(
        context,
        "console/request.html",
        422 if errors else 200,
        request=request,
        kind=request.kind.value,
        state=request.state.value,
        subscriber=subscriber if shows_subscriber else masked(subscriber),
        received=_day(request.received_at),
        due=_day(request.due_as_of(now)),
        clock="" if request.is_final else clock_text(request, now),
        is_overdue=request.is_overdue(now),
        steps=[
            (f"{step.at:%d %b %Y %H:%M}", step.kind.value, step.actor, step.reason or "")
            for step in request.steps
        ],
        actions=_actions(member, request),
        is_complaint_answer=request.kind is RequestKind.COMPLAINT
        and request.state is RequestState.IN_PROGRESS,
        asks_language=request.kind
        in {RequestKind.ACCESS, RequestKind.PRINTED_COPY, RequestKind.COMPLAINT},
        asks_ground=request.kind is RequestKind.RESTRICTION,
        asks_values=request.kind is RequestKind.RECTIFICATION,
        grounds=[(ground.value, ground.value) for ground in RestrictionGround],
        language_options=[
            (code, LANGUAGE_NAMES.get(code, code)) for code in context.policy.languages
        ],
        verify_methods=VERIFY_METHODS,
        files=_files(context, request),
        errors=errors or {},
        done=done,
    )


def _files(context: PageContext, request: SubjectRequest) -> tuple[str, ...]:
    if request.state is not RequestState.FULFILLED:
        return ()
    folder: Path = context.services.answers_dir / request.request_id
    return tuple(name for name in ANSWER_FILES if (folder / name).is_file())


def _day(instant: datetime) -> str:
    return f"{instant:%d %b %Y}"


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"
