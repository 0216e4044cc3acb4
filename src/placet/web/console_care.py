"""The care agents' form in the console: record a consent given or withdrawn, or an
objection made or withdrawn, that a subscriber stated by phone or in a shop.

Each goes through the same operations as the privacy center's switches, collected via the
call centre or the shop, given by the subject, with the agent's name as the actor and the
call's or form's reference as the evidence.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Final
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from placet.errors import LedgerError, RequestError
from placet.ledger import CollectedVia, GivenBy
from placet.operations import (
    Provenance,
    Recorded,
    give_consent,
    make_objection,
    withdraw_consent,
    withdraw_objection,
)
from placet.operations.staff import StaffAction, StaffMember, may
from placet.policy.terms import LegalBasis, ObjectionEffect
from placet.web.console_frame import (
    CONSOLE_PREFIX,
    ConsoleRoute,
    Context,
    Form,
    consent_options,
    policy_wording,
    require,
    signed_in_staff,
)
from placet.web.pages import PageContext, checked, redirect, render

__all__ = ["CHOICES", "router"]

router = APIRouter(prefix=CONSOLE_PREFIX, route_class=ConsoleRoute, include_in_schema=False)

CHOICES: Final = {
    "consent-given": "Consent given",
    "consent-withdrawn": "Consent withdrawn",
    "objection-made": "Objection made",
    "objection-withdrawn": "Objection withdrawn",
}
"""What the subscriber said, as the form offers it."""
VIA: Final = {"call-centre": "By phone (call centre)", "shop": "In a shop"}
ALL_DIRECT_MARKETING: Final = "all-direct-marketing"
_ONCE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@router.get("/care", response_class=HTMLResponse)
def care_form(context: Context, saved: str | None = None) -> Response:
    """The form, and what was just recorded."""
    member = signed_in_staff(context)
    return _page(context, member, values={}, errors={}, saved=_saved(context, saved))


@router.post("/care", response_class=HTMLResponse)
def record_choice(context: Context, form: Form) -> Response:
    """Record what the subscriber stated; a missing or wrong field is said next to it."""
    member = signed_in_staff(context)
    checked(context, form)
    require(member, StaffAction.RECORD_CHOICE)
    errors = _problems(context, form)
    if errors:
        return _page(context, member, values=form, errors=errors, status=422)
    try:
        recorded = _record(context, member, form)
    except (RequestError, LedgerError) as exc:
        return _page(context, member, values=form, errors={"choice": str(exc)}, status=422)
    return redirect(context, f"{CONSOLE_PREFIX}/care?saved={recorded.entry.event.event_id}")


def _problems(context: PageContext, form: Mapping[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not form.get("subscriber", "").strip():
        errors["subscriber"] = "Enter the subscriber's number or customer id."
    choice = form.get("choice", "")
    if choice not in CHOICES:
        errors["choice"] = "Choose what the subscriber said."
    elif choice.startswith("consent") and form.get("option") not in dict(
        consent_options(context, cookies=False)
    ):
        errors["option"] = "Choose the consent option."
    elif choice.startswith("objection") and form.get("purpose") not in dict(_purposes(context)):
        errors["purpose"] = "Choose the purpose objected to."
    if form.get("via") not in VIA:
        errors["via"] = "Say whether it was by phone or in a shop."
    return errors


def _record(context: PageContext, member: StaffMember, form: Mapping[str, str]) -> Recorded:
    services = context.services
    subscriber = form["subscriber"].strip()
    reference = form.get("reference", "").strip()
    provenance = Provenance(
        collected_via=CollectedVia(form["via"]),
        actor=member.name,
        given_by=GivenBy.SUBJECT,
        evidence=reference or f"stated to {member.name}, recorded in the console",
    )
    once = form.get("once", "")
    key = f"console-care:{once}" if _ONCE.match(once) else None
    choice = form["choice"]
    if choice.startswith("consent"):
        record_consent = give_consent if choice == "consent-given" else withdraw_consent
        return record_consent(
            services.ledger,
            services.policies,
            services.key(),
            subscriber,
            form["option"],
            provenance=provenance,
            recorded_at=context.now,
            idempotency_key=key,
        )
    record_objection = make_objection if choice == "objection-made" else withdraw_objection
    every = form["purpose"] == ALL_DIRECT_MARKETING
    return record_objection(
        services.ledger,
        services.policies,
        services.key(),
        subscriber,
        provenance=provenance,
        purpose=None if every else form["purpose"],
        all_direct_marketing=every,
        recorded_at=context.now,
        idempotency_key=key,
    )


def _purposes(context: PageContext) -> list[tuple[str, str]]:
    """All direct marketing (Art. 21(2)), then each legitimate-interest purpose that takes
    objections (Art. 21(1))."""
    wording = policy_wording(context)
    return [(ALL_DIRECT_MARKETING, "All direct marketing")] + [
        (purpose.id, wording.text(purpose.name) or purpose.id)
        for purpose in context.policy.purposes
        if purpose.legal_basis is LegalBasis.LEGITIMATE_INTEREST
        and purpose.conditions.objection is not ObjectionEffect.NOT_APPLICABLE
    ]


def _page(
    context: PageContext,
    member: StaffMember,
    *,
    values: Mapping[str, str],
    errors: dict[str, str],
    saved: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return render(
        context,
        "console/care.html",
        status,
        values=values,
        errors=errors,
        saved=saved,
        choices=list(CHOICES.items()),
        via=list(VIA.items()),
        options=consent_options(context, cookies=False),
        purposes=_purposes(context),
        may_record=may(member.role, StaffAction.RECORD_CHOICE),
        once=secrets.token_urlsafe(12),
    )


def _saved(context: PageContext, saved: str | None) -> dict[str, str] | None:
    """The event just recorded, to confirm it; None for anything else."""
    if saved is None:
        return None
    try:
        entry = context.services.ledger.entry(UUID(saved))
    except ValueError:
        return None
    if entry is None:
        return None
    event = entry.event
    data = event.data
    what = getattr(data, "option", None) or getattr(data, "purpose", None)
    if getattr(data, "all_direct_marketing", False):
        what = ALL_DIRECT_MARKETING
    return {
        "event_id": str(event.event_id),
        "kind": str(event.type),
        "what": str(what or ""),
        "via": str(event.collected_via),
    }
