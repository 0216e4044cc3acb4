"""The console's disclosure register, at `/console/disclosures`: the policy's recipients with
their agreements and what the DPO should look at, the disclosures recorded (latest first),
and the law-enforcement requests with their stage; a DPO carries a request on from here.

Every member of staff reads the page. Carrying a request on (check its legal ground,
approve it, extract its data from the estate, mark it delivered, record it as a
disclosure) takes `APPROVE_DISCLOSURES`, which only a DPO has; an action posted without it
is refused (403). Each action goes through `placet.operations.law_enforcement`, with the
staff member's name as the actor, so that the four-eyes rule of an approval holds here as
on the command line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from placet.disclosures import (
    Agreement,
    AgreementStatus,
    Disclosure,
    LawEnforcementRequest,
    LawEnforcementStage,
    RecipientEntry,
)
from placet.errors import PlacetError
from placet.operations.disclosures import register_entries
from placet.operations.law_enforcement import (
    approve_request,
    check_request_ground,
    deliver_request,
    extract_request,
    record_request,
)
from placet.operations.staff import StaffAction, StaffMember, may
from placet.stores.sql_disclosures import SqlDisclosureBook
from placet.web.console_frame import (
    CONSOLE_PREFIX,
    ConsoleRoute,
    Context,
    Form,
    masked,
    require,
    signed_in_staff,
    wording_of,
)
from placet.web.pages import PageContext, checked, redirect, render

__all__ = ["router"]

router = APIRouter(prefix=CONSOLE_PREFIX, route_class=ConsoleRoute, include_in_schema=False)

_PAGE: Final = f"{CONSOLE_PREFIX}/disclosures"
_SHOWN: Final = 100
"""The latest disclosures the page lists (`placet disclosures list` lists them all)."""
_DONE: Final = {
    "ground": "The legal ground is checked.",
    "refused": "The request is refused: its legal ground does not hold.",
    "approve": "The request is approved.",
    "extract": "The data is extracted.",
    "deliver": "The delivery is recorded.",
    "record": "The request is recorded as a disclosure.",
}
_CLOSED: Final = frozenset({LawEnforcementStage.RECORDED, LawEnforcementStage.REFUSED})
_NEXT: Final = {
    LawEnforcementStage.RECEIVED: LawEnforcementStage.GROUND_CHECKED,
    LawEnforcementStage.GROUND_CHECKED: LawEnforcementStage.APPROVED,
    LawEnforcementStage.APPROVED: LawEnforcementStage.EXTRACTED,
    LawEnforcementStage.EXTRACTED: LawEnforcementStage.DELIVERED,
    LawEnforcementStage.DELIVERED: LawEnforcementStage.RECORDED,
}
"""The step a DPO takes next on a request at each stage."""
_STATUS: Final = {
    AgreementStatus.IN_FORCE: ("in force", "on"),
    AgreementStatus.EXPIRING: ("ends soon", "warn"),
    AgreementStatus.EXPIRED: ("expired", "bad"),
    AgreementStatus.NOT_YET: ("not yet in force", "off"),
}
"""Each status in words, and the pill it is shown in: the words say it, the colour repeats it."""


@dataclass(frozen=True, slots=True)
class RecipientRow:
    """A recipient of the policy as the register shows it."""

    id: str
    name: str
    kind: str
    country: str
    agreements: list[AgreementRow]
    flags: list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class AgreementRow:
    agreement: Agreement
    status: str
    tone: str
    """The pill's class: on, warn, bad, off."""
    safeguard: str


@dataclass(frozen=True, slots=True)
class DisclosureRow:
    disclosure: Disclosure
    to: str
    """The recipient's id and kind, or "a network abroad" for a transfer inherent to the
    service (its party names the network)."""
    purpose: str
    confidential_until: datetime | None


@dataclass(frozen=True, slots=True)
class RequestRow:
    request: LawEnforcementRequest
    subscribers: str
    is_open: bool
    next_step: LawEnforcementStage | None


@router.get("/disclosures", response_class=HTMLResponse)
def disclosures(context: Context, done: str | None = None) -> Response:
    """The recipients and their agreements, the disclosures, the law-enforcement requests."""
    signed_in_staff(context)
    return _page(context, done=done)


@router.post("/disclosures/requests/{request_id}/ground", response_class=HTMLResponse)
def check_ground(request_id: str, context: Context, form: Form) -> Response:
    """Record whether the request's legal ground holds, and why; refused if it does not."""
    staff = _acting(context, form, request_id)
    holds = form.get("holds", "")
    if holds not in {"yes", "no"}:
        return _refused(context, request_id, "holds", "Say whether the legal ground holds.", form)
    note = form.get("note", "").strip()
    if not note:
        return _refused(context, request_id, "note", "Say why, for whoever reads it later.", form)
    return _step(
        context,
        form,
        request_id,
        "ground" if holds == "yes" else "refused",
        lambda book: check_request_ground(
            book, request_id, holds=holds == "yes", note=note, actor=staff.name, at=context.now
        ),
    )


@router.post("/disclosures/requests/{request_id}/approve", response_class=HTMLResponse)
def approve(request_id: str, context: Context, form: Form) -> Response:
    """Approve the disclosure as a DPO (who neither received the request nor checked it)."""
    staff = _acting(context, form, request_id)
    note = form.get("note", "").strip()
    if not note:
        return _refused(context, request_id, "note", "Say what you approve, and why.", form)
    return _step(
        context,
        form,
        request_id,
        "approve",
        lambda book: approve_request(
            book, request_id, role=staff.role.value, note=note, actor=staff.name, at=context.now
        ),
    )


@router.post("/disclosures/requests/{request_id}/extract", response_class=HTMLResponse)
def extract(request_id: str, context: Context, form: Form) -> Response:
    """Extract the approved request's data from the estate, into the answers folder."""
    staff = _acting(context, form, request_id)
    services = context.services

    def extracted(book: SqlDisclosureBook) -> LawEnforcementRequest:
        with services.estate() as estate:
            return extract_request(
                book,
                estate,
                services.policies,
                request_id,
                services.answers_dir,
                actor=staff.name,
                at=context.now,
            ).request

    return _step(context, form, request_id, "extract", extracted)


@router.post("/disclosures/requests/{request_id}/deliver", response_class=HTMLResponse)
def deliver(request_id: str, context: Context, form: Form) -> Response:
    """Record how the extraction reached the authority, and who received it."""
    staff = _acting(context, form, request_id)
    how = form.get("how", "").strip()
    if not how:
        message = "Say how the data reached the authority, and who received it."
        return _refused(context, request_id, "how", message, form)
    return _step(
        context,
        form,
        request_id,
        "deliver",
        lambda book: deliver_request(book, request_id, how=how, actor=staff.name, at=context.now),
    )


@router.post("/disclosures/requests/{request_id}/record", response_class=HTMLResponse)
def record(request_id: str, context: Context, form: Form) -> Response:
    """Record the delivered request as a disclosure of its subscribers' data."""
    staff = _acting(context, form, request_id)
    services = context.services
    return _step(
        context,
        form,
        request_id,
        "record",
        lambda book: record_request(
            book,
            services.ledger,
            services.policies,
            services.key(),
            request_id,
            actor=staff.name,
            at=context.now,
        )[0],
    )


def _acting(context: PageContext, form: Mapping[str, str], request_id: str) -> StaffMember:
    """The staff member acting, once the session, the form's token and the role allow it."""
    staff = signed_in_staff(context)
    checked(context, form)
    require(staff, StaffAction.APPROVE_DISCLOSURES)
    if _book(context).request(request_id) is None:
        raise HTTPException(404, f"There is no law-enforcement request {request_id}.")
    return staff


def _step(
    context: PageContext,
    form: Mapping[str, str],
    request_id: str,
    done: str,
    take: Callable[[SqlDisclosureBook], LawEnforcementRequest],
) -> Response:
    """Take the step; what the register refuses (four eyes, the wrong stage, no estate) is
    said next to the step's form, which keeps what was typed."""
    try:
        take(_book(context))
    except PlacetError as exc:
        return _refused(context, request_id, "step", _sentence(exc), form)
    return redirect(context, f"{_PAGE}?done={done}#request-{request_id}")


def _refused(
    context: PageContext, request_id: str, field: str, message: str, form: Mapping[str, str]
) -> Response:
    values = {f"{request_id}-{name}": form.get(name, "") for name in ("holds", "note", "how")}
    return _page(context, errors={f"{request_id}-{field}": message}, values=values, status=422)


def _page(
    context: PageContext,
    *,
    done: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    staff = signed_in_staff(context)
    book = _book(context)
    now = context.now
    recipients = [
        _recipient_row(context, entry, now)
        for entry in register_entries(book, context.services.policies, now)
    ]
    requests = sorted(
        book.requests(), key=lambda r: (r.stage in _CLOSED, -r.received_at.timestamp())
    )
    return render(
        context,
        "console/disclosures.html",
        status,
        recipients=recipients,
        flagged=sum(1 for row in recipients if row.flags),
        disclosures=[_disclosure_row(context, d) for d in book.latest_disclosures(_SHOWN)],
        disclosure_count=book.count_disclosures(),
        requests=[_request_row(request) for request in requests],
        open_requests=sum(1 for request in requests if request.stage not in _CLOSED),
        may_approve=may(staff.role, StaffAction.APPROVE_DISCLOSURES),
        now=now,
        done=_DONE.get(done or ""),
        errors=errors or {},
        values=values or {},
    )


def _recipient_row(context: PageContext, entry: RecipientEntry, now: datetime) -> RecipientRow:
    wording = wording_of(context.policy)
    recipient = entry.recipient
    agreements = []
    for agreement in entry.agreements:
        words, tone = _STATUS[agreement.status(now)]
        safeguard = "" if agreement.safeguard is None else agreement.safeguard.value
        agreements.append(AgreementRow(agreement, words, tone, safeguard))
    return RecipientRow(
        id=recipient.id,
        name=wording.text(recipient.name) or recipient.id,
        kind=recipient.kind.value,
        country=recipient.country or ("third country" if recipient.third_country else ""),
        agreements=agreements,
        flags=[(flag.value, detail) for flag, detail in entry.flags],
    )


def _disclosure_row(context: PageContext, disclosure: Disclosure) -> DisclosureRow:
    wording = wording_of(context.policy)
    names = {recipient.id: recipient for recipient in context.policy.recipients}
    recipient = names.get(disclosure.recipient or "")
    to = (
        f"{recipient.id} ({recipient.kind.value})"
        if recipient is not None
        else disclosure.recipient or "a network abroad"
    )
    purposes = {purpose.id: purpose for purpose in context.policy.purposes}
    purpose = purposes.get(disclosure.proposed.purpose)
    confidentiality = disclosure.proposed.confidentiality
    return DisclosureRow(
        disclosure=disclosure,
        to=to,
        purpose=(wording.text(purpose.name) if purpose else "") or disclosure.proposed.purpose,
        confidential_until=None if confidentiality is None else confidentiality.until,
    )


def _request_row(request: LawEnforcementRequest) -> RequestRow:
    return RequestRow(
        request=request,
        subscribers=", ".join(masked(subscriber) for subscriber in request.subscribers),
        is_open=request.stage not in _CLOSED,
        next_step=_NEXT.get(request.stage),
    )


def _book(context: PageContext) -> SqlDisclosureBook:
    return context.services.disclosure_book()


def _sentence(error: PlacetError) -> str:
    text = str(error)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
