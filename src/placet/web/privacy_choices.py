"""The signed-in subscriber's choices in the privacy center: consent options given or
withdrawn with one click, objections to legitimate-interest purposes, the history of both
from the ledger, and the signed receipt of each consent change.

Every change goes through the same operations as `/v1/subjects/{subject}/consents`,
`/withdrawals` and `/objections`, collected via the web, given by the subscriber, with
how they signed in as the evidence.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException

from placet.decide import ConsentGrant, SubjectState
from placet.ledger import CollectedVia, EventType, GivenBy, LedgerEntry
from placet.notices.wording import Wording
from placet.operations import (
    Provenance,
    give_consent,
    issue_receipt,
    make_objection,
    subject_history,
    subject_ref,
    subject_state,
    withdraw_consent,
    withdraw_objection,
)
from placet.policy import ConsentOption, Policy, Purpose
from placet.policy.terms import Channel, LegalBasis, ObjectionEffect
from placet.web.pages import (
    Context,
    Form,
    PageContext,
    PageRoute,
    SignInNeededError,
    checked,
    redirect,
    render,
)
from placet.web.sessions import Principal

__all__ = ["router", "signed_in"]

router = APIRouter(prefix="/privacy", route_class=PageRoute, include_in_schema=False)

ALL_DIRECT_MARKETING: Final = "all-direct-marketing"
_CHANGES = frozenset(
    {
        EventType.CONSENT_GIVEN,
        EventType.CONSENT_WITHDRAWN,
        EventType.OBJECTION_MADE,
        EventType.OBJECTION_WITHDRAWN,
    }
)
_ONCE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def signed_in(context: PageContext, where: str) -> Principal:
    """The subscriber signed in to this session, or `SignInNeededError` (a redirect to sign-in)."""
    context.session_keeper()
    principal = context.session.signed_in(context.now, "subscriber")
    if principal is None:
        raise SignInNeededError(where)
    return principal


@dataclass(frozen=True, slots=True)
class OptionRow:
    """A consent option as the choices page shows it."""

    id: str
    name: str
    description: str
    channels: tuple[str, ...]
    is_given: bool


@dataclass(frozen=True, slots=True)
class PurposeRow:
    """A legitimate-interest purpose the subscriber may object to."""

    id: str
    name: str
    description: str
    is_objected: bool
    is_overridden: bool


@dataclass(frozen=True, slots=True)
class Change:
    """A consent or objection event in the history."""

    event_id: str
    when: str
    kind: str
    what: str
    via: str
    has_receipt: bool


@router.get("/choices", response_class=HTMLResponse)
def choices(context: Context, saved: str | None = None) -> Response:
    """The consent options and objections, each with its one-click switch."""
    principal = signed_in(context, "your choices")
    services = context.services
    state = subject_state(services.ledger, services.key(), principal.id, at=context.now)
    wording = Wording.of(context.policy, context.language)
    return render(
        context,
        "privacy/choices.html",
        options=_option_rows(context.policy, state, wording),
        purposes=_purpose_rows(context.policy, state, wording),
        objects_to_direct_marketing=state.objects_to_direct_marketing,
        saved=_saved(context, saved),
        once=_new_once(),
    )


@router.post("/consents/{option_id}")
def change_consent(option_id: str, context: Context, form: Form) -> Response:
    """Give the consent option (`action=give`) or withdraw it (`action=withdraw`)."""
    principal = signed_in(context, "your choices")
    checked(context, form)
    state = _state(context, principal)
    wording = Wording.of(context.policy, context.language)
    if option_id not in {row.id for row in _option_rows(context.policy, state, wording)}:
        raise HTTPException(404, f"No consent option {option_id} is offered here.")
    action = form.get("action")
    if action not in {"give", "withdraw"}:
        raise HTTPException(400, "Say whether to give or withdraw the consent (action).")
    record = give_consent if action == "give" else withdraw_consent
    services = context.services
    recorded = record(
        services.ledger,
        services.policies,
        services.key(),
        principal.id,
        option_id,
        provenance=_provenance(principal),
        recorded_at=context.now,
        idempotency_key=_idempotency_key(form),
    )
    return redirect(context, f"/privacy/choices?saved={recorded.entry.event.event_id}#consents")


@router.post("/objections/{purpose_id}")
def change_objection(purpose_id: str, context: Context, form: Form) -> Response:
    """Object to a purpose (`action=object`) or withdraw the objection (`action=withdraw`);
    `all-direct-marketing` stands for every direct-marketing purpose (Art. 21(2))."""
    principal = signed_in(context, "your choices")
    checked(context, form)
    state = _state(context, principal)
    wording = Wording.of(context.policy, context.language)
    offered = {row.id for row in _purpose_rows(context.policy, state, wording)}
    if purpose_id not in offered | {ALL_DIRECT_MARKETING}:
        raise HTTPException(404, f"No purpose {purpose_id} takes objections here.")
    action = form.get("action")
    if action not in {"object", "withdraw"}:
        raise HTTPException(400, "Say whether to object or withdraw the objection (action).")
    every = purpose_id == ALL_DIRECT_MARKETING
    record = make_objection if action == "object" else withdraw_objection
    services = context.services
    recorded = record(
        services.ledger,
        services.policies,
        services.key(),
        principal.id,
        provenance=_provenance(principal),
        purpose=None if every else purpose_id,
        all_direct_marketing=every,
        recorded_at=context.now,
        idempotency_key=_idempotency_key(form),
    )
    return redirect(context, f"/privacy/choices?saved={recorded.entry.event.event_id}#objections")


@router.get("/history", response_class=HTMLResponse)
def history(context: Context) -> Response:
    """Every consent and objection recorded about the subscriber, newest first."""
    principal = signed_in(context, "your history")
    services = context.services
    entries = subject_history(services.ledger, services.key(), principal.id)
    wording = Wording.of(context.policy, context.language)
    changes = [_change(entry, context.policy, wording) for entry in reversed(entries)]
    return render(
        context,
        "privacy/history.html",
        changes=[change for change in changes if change is not None],
    )


@router.get("/receipts/{event_id}")
def receipt(event_id: UUID, context: Context) -> Response:
    """The signed receipt of one of the subscriber's consent events, as a JSON file."""
    principal = signed_in(context, "your receipts")
    services = context.services
    entry = services.ledger.entry(event_id)
    if entry is None or entry.event.subject != subject_ref(principal.id, services.key()):
        raise HTTPException(404, "No such receipt.")
    keys = services.receipts()
    signed = issue_receipt(
        services.ledger,
        services.policies,
        keys,
        event_id,
        issued_at=context.now,
        language=context.language,
        notice_url=services.notice_url,
    )
    document = {
        "event_id": str(event_id),
        "receipt_id": str(signed.receipt.receipt_id),
        "kid": signed.kid,
        "keys": "/v1/receipts/keys",
        "token": signed.token,
        "receipt": signed.receipt.model_dump(mode="json"),
    }
    return JSONResponse(
        document,
        headers={
            "Content-Disposition": f'attachment; filename="receipt-{event_id}.json"',
            "Cache-Control": "no-store",
        },
    )


def _state(context: PageContext, principal: Principal) -> SubjectState:
    services = context.services
    return subject_state(services.ledger, services.key(), principal.id, at=context.now)


def _provenance(principal: Principal) -> Provenance:
    return Provenance(
        collected_via=CollectedVia.WEB,
        actor="subscriber",
        given_by=GivenBy.SUBJECT,
        evidence=principal.proof or None,
    )


def _idempotency_key(form: dict[str, str]) -> str | None:
    """The form's one-time token as the idempotency key, so that a form sent twice (a
    double click, a retry) records one event."""
    once = form.get("once", "")
    return f"privacy-center:{once}" if _ONCE.match(once) else None


def _new_once() -> str:
    return secrets.token_urlsafe(12)


def _option_rows(policy: Policy, state: SubjectState, wording: Wording) -> list[OptionRow]:
    given: dict[str, ConsentGrant] = {grant.option: grant for grant in state.consents}
    rows = []
    for option in policy.consent_options:
        if not _offered(option, state):
            continue
        grant = given.get(option.id)
        channels = option.channels if grant is None or not grant.channels else grant.channels
        rows.append(
            OptionRow(
                id=option.id,
                name=wording.text(option.name),
                description=wording.text(option.description),
                channels=tuple(wording.words(Channel(channel)) for channel in channels),
                is_given=grant is not None,
            )
        )
    return rows


def _offered(option: ConsentOption, state: SubjectState) -> bool:
    # Cookie options belong to a browser, not a subscriber: the cookie banner manages them.
    if Channel.COOKIE_BANNER in option.withdrawal_channels:
        return False
    return _for_type(option.subject_types, state)


def _purpose_rows(policy: Policy, state: SubjectState, wording: Wording) -> list[PurposeRow]:
    return [
        PurposeRow(
            id=purpose.id,
            name=wording.text(purpose.name),
            description=wording.text(purpose.description),
            is_objected=purpose.id in state.objections,
            is_overridden=purpose.conditions.objection is ObjectionEffect.OVERRIDES,
        )
        for purpose in policy.purposes
        if _objectable(purpose) and _for_type(purpose.subject_types, state)
    ]


def _objectable(purpose: Purpose) -> bool:
    # Art. 21(1) GDPR: the right to object applies to processing on legitimate interests.
    return (
        purpose.legal_basis is LegalBasis.LEGITIMATE_INTEREST
        and purpose.conditions.objection is not ObjectionEffect.NOT_APPLICABLE
    )


def _for_type(subject_types: Sequence[str], state: SubjectState) -> bool:
    return not subject_types or state.subject_type is None or state.subject_type in subject_types


def _saved(context: PageContext, saved: str | None) -> dict[str, object] | None:
    """The change just made, to confirm it and offer its receipt; None for anything else."""
    if saved is None:
        return None
    try:
        event_id = UUID(saved)
    except ValueError:
        return None
    entry = context.services.ledger.entry(event_id)
    return {
        "event_id": str(event_id),
        "has_receipt": entry is not None
        and entry.event.type in {EventType.CONSENT_GIVEN, EventType.CONSENT_WITHDRAWN},
    }


def _change(entry: LedgerEntry, policy: Policy, wording: Wording) -> Change | None:
    event = entry.event
    if event.type not in _CHANGES:
        return None
    data = event.data
    option = getattr(data, "option", None)
    if option is not None:
        what = _name_of_option(policy, wording, str(option))
    elif getattr(data, "all_direct_marketing", False):
        what = ""
    else:
        what = _name_of_purpose(policy, wording, str(getattr(data, "purpose", "")))
    return Change(
        event_id=str(event.event_id),
        when=wording.day_of(event.effective_at),
        kind=str(event.type),
        what=what,
        via=str(event.collected_via),
        has_receipt=option is not None,
    )


def _name_of_option(policy: Policy, wording: Wording, option_id: str) -> str:
    names = {option.id: option.name for option in policy.consent_options}
    return wording.text(names[option_id]) if option_id in names else option_id


def _name_of_purpose(policy: Policy, wording: Wording, purpose_id: str) -> str:
    names = {purpose.id: purpose.name for purpose in policy.purposes}
    return wording.text(names[purpose_id]) if purpose_id in names else purpose_id
