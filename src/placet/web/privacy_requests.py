"""The signed-in subscriber's requests in the privacy center: make one of any kind the
policy offers, follow its status and due date, and download the answer once fulfilled.

A request made here is opened and verified at once, by the same operations as
`/v1/requests`: the subscriber proved who they are by the one-time code they signed in
with, and the `verified` step records how.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.exceptions import HTTPException

from placet.dsr import RequestKind, RequestState, StepKind, SubjectRequest
from placet.notices.wording import Wording
from placet.operations import subject_ref
from placet.operations.requests import open_subject_request, verify_request
from placet.policy import Policy
from placet.policy.terms import Channel
from placet.web.pages import (
    Context,
    Form,
    PageContext,
    PageRoute,
    checked,
    redirect,
    render,
)
from placet.web.privacy_choices import signed_in
from placet.web.sessions import Principal

__all__ = ["ANSWER_FILES", "router"]

router = APIRouter(prefix="/privacy", route_class=PageRoute, include_in_schema=False)


ANSWER_FILES: Final = {
    "printed-copy.pdf": "application/pdf",
    "printed-copy.html": "text/html; charset=utf-8",
    "answer.zip": "application/zip",
    "portability.zip": "application/zip",
    "answer.json": "application/json",
}
"""The files of an answer a subscriber may download, in the order the page lists them."""
_EXPLAINED_STEPS = frozenset({StepKind.EXTENDED, StepKind.REJECTED, StepKind.CLARIFICATION_ASKED})
"""Steps whose reason the subscriber is owed (Art. 12(3) and (4) GDPR)."""


@dataclass(frozen=True, slots=True)
class RequestRow:
    """One of the subscriber's requests as the pages show it."""

    id: str
    kind: str
    state: str
    received: str
    due: str
    is_overdue: bool
    is_final: bool
    files: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StepRow:
    when: str
    state: str
    reason: str


@router.get("/requests", response_class=HTMLResponse)
def requests_page(context: Context, sent: str | None = None) -> Response:
    """The subscriber's requests, newest first, and the form to make a new one."""
    principal = signed_in(context, "your requests")
    return _page(context, principal, sent=sent)


@router.post("/requests", response_class=HTMLResponse)
def make_request(context: Context, form: Form) -> Response:
    """Open a request of the kind chosen, verified by the subscriber's sign-in."""
    principal = signed_in(context, "your requests")
    checked(context, form)
    kind = form.get("kind", "")
    if kind not in {offered.value for offered in offered_kinds(context.policy)}:
        return _page(context, principal, error=context.words("kind_missing"), status=422)
    services = context.services
    request = open_subject_request(
        services.requests,
        services.policies,
        services.key(),
        principal.id,
        RequestKind(kind),
        channel=Channel.WEB,
        received_at=context.now,
        actor="subscriber",
        at=context.now,
    )
    verified = verify_request(
        services.requests,
        request.request_id,
        actor="privacy-center",
        at=context.now,
        how=principal.proof or "signed in to the privacy center by a one-time code",
    )
    services.announce(verified)
    return redirect(context, f"/privacy/requests?sent={request.request_id}")


@router.get("/requests/{request_id}", response_class=HTMLResponse)
def request_page(request_id: str, context: Context) -> Response:
    """One request: its status, due date, every step, and the answer's files."""
    principal = signed_in(context, "your requests")
    request = _own_request(context, principal, request_id)
    wording = Wording.of(context.policy, context.language)
    steps = [
        StepRow(
            when=wording.day_of(step.at),
            state=context.words(f"state-{step.to_state.value}"),
            reason=(step.reason or "") if step.kind in _EXPLAINED_STEPS else "",
        )
        for step in request.steps
    ]
    return render(
        context,
        "privacy/request.html",
        request=_row(context, request, wording),
        steps=steps,
    )


@router.get("/requests/{request_id}/answer/{name}")
def answer_file(request_id: str, name: str, context: Context) -> Response:
    """A file of the answer to one of the subscriber's fulfilled requests."""
    principal = signed_in(context, "your requests")
    request = _own_request(context, principal, request_id)
    if name not in ANSWER_FILES or name not in _files(context, request):
        raise HTTPException(404, "No such file in this answer.")
    return FileResponse(
        context.services.answers_dir / request.request_id / name,
        media_type=ANSWER_FILES[name],
        filename=f"{request.request_id}-{name}",
        headers={"Cache-Control": "no-store"},
    )


def offered_kinds(policy: Policy) -> list[RequestKind]:
    """The kinds of request the policy offers: each right it names, and the business
    opt-out where a purpose allows one."""
    rights = {right.kind for right in policy.rights}
    has_opt_out = any(purpose.conditions.business_opt_out for purpose in policy.purposes)
    return [
        kind
        for kind in RequestKind
        if (kind.right in rights) or (kind is RequestKind.BUSINESS_OPT_OUT and has_opt_out)
    ]


def _page(
    context: PageContext,
    principal: Principal,
    *,
    sent: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    wording = Wording.of(context.policy, context.language)
    mine = _requests_of(context, principal)
    rows = [_row(context, request, wording) for request in mine]
    kinds = [(kind.value, context.words(kind.value)) for kind in offered_kinds(context.policy)]
    return render(
        context,
        "privacy/requests.html",
        status,
        rows=rows,
        kinds=kinds,
        sent=sent if sent in {row.id for row in rows} else None,
        error=error,
    )


def _requests_of(context: PageContext, principal: Principal) -> list[SubjectRequest]:
    pseudonym = subject_ref(principal.id, context.services.key())
    mine = [request for request in context.services.requests.all() if request.subject == pseudonym]
    return sorted(mine, key=lambda request: request.received_at, reverse=True)


def _own_request(context: PageContext, principal: Principal, request_id: str) -> SubjectRequest:
    request = context.services.requests.get(request_id)
    pseudonym = subject_ref(principal.id, context.services.key())
    if request is None or request.subject != pseudonym:
        raise HTTPException(404, "No such request.")
    return request


def _row(context: PageContext, request: SubjectRequest, wording: Wording) -> RequestRow:
    return RequestRow(
        id=request.request_id,
        kind=context.words(request.kind.value),
        state=context.words(f"state-{request.state.value}"),
        received=wording.day_of(request.received_at),
        due=wording.day_of(request.due_as_of(context.now)),
        is_overdue=request.is_overdue(context.now),
        is_final=request.is_final,
        files=_files(context, request),
    )


def _files(context: PageContext, request: SubjectRequest) -> tuple[str, ...]:
    if request.state is not RequestState.FULFILLED:
        return ()
    folder: Path = context.services.answers_dir / request.request_id
    return tuple(name for name in ANSWER_FILES if (folder / name).is_file())
