"""The console's retention page, at `/console/retention`: the legal holds (a DPO places
and releases them), what retention would do now (planned when asked, touching nothing),
and every retention run with its steps.

A plan reads every dataset of the estate, which takes a while on a large one, so it runs
when asked (`POST /console/retention/plan`), never on a page view; the last one is kept
in the app's state, as the ledger's last verification is. Runs themselves are started by
`placet retention run`, scheduled by the operator: a run changes the stores and can take
longer than a web request should.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Final

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from placet.datamap import load_datamap
from placet.errors import PlacetError, RetentionError
from placet.operations.figures import retention_figures
from placet.operations.retention_plans import EstatePlan, plan_estate
from placet.operations.staff import StaffAction, may
from placet.retention.guard import HoldReason, HoldScope, LegalHold
from placet.stores.sql_retention import SqlRetentionBook
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

__all__ = ["router"]

router = APIRouter(prefix=CONSOLE_PREFIX, route_class=ConsoleRoute, include_in_schema=False)

_PAGE: Final = f"{CONSOLE_PREFIX}/retention"
_REASONS: Final = [
    (HoldReason.DISPUTE.value, "A dispute with the subscriber"),
    (HoldReason.COURT_ORDER.value, "A court order"),
    (HoldReason.LAW_ENFORCEMENT_REQUEST.value, "A law-enforcement request"),
    (HoldReason.REGULATOR_INQUIRY.value, "A regulator's inquiry"),
]
_HOLD_FIELDS: Final = (
    "hold_id",
    "reason",
    "description",
    "subject",
    "dataset",
    "records_from",
    "records_until",
    "until",
)


@dataclass(frozen=True, slots=True)
class PlanCheck:
    """One plan: what retention would do, for when, asked by whom."""

    plan: EstatePlan | None
    error: str | None
    planned_at: datetime
    planned_by: str


@router.get("/retention", response_class=HTMLResponse)
def retention(context: Context, done: str | None = None) -> Response:
    """The legal holds, the last plan made through this server, and the runs."""
    signed_in_staff(context)
    return _page(context, values={}, errors={}, done=done)


@router.post("/retention/plan")
def plan(context: Context, form: Form) -> Response:
    """Plan retention for now over the whole estate, keep the plan, show it."""
    checked(context, form)
    staff = signed_in_staff(context)
    services = context.services
    try:
        with services.estate() as estate:
            planned: EstatePlan | None = plan_estate(
                estate,
                context.policy,
                services.ledger,
                services.key(),
                at=context.now,
                holds=_book(context).holds(),
            )
        error = None
    except PlacetError as exc:
        planned, error = None, str(exc)
    context.request.app.state.retention_plan = PlanCheck(planned, error, context.now, staff.name)
    return redirect(context, f"{_PAGE}#plan")


@router.post("/retention/holds", response_class=HTMLResponse)
def place_hold(context: Context, form: Form) -> Response:
    """Place a legal hold (a DPO): its reason, what it keeps, until when."""
    checked(context, form)
    staff = signed_in_staff(context)
    require(staff, StaffAction.MANAGE_HOLDS)
    values = {name: form.get(name, "").strip() for name in _HOLD_FIELDS}
    errors = _hold_errors(values)
    if not errors:
        try:
            hold = LegalHold(
                hold_id=values["hold_id"],
                scope=HoldScope(
                    subject=values["subject"] or None,
                    dataset=values["dataset"] or None,
                    records_from=_day(values["records_from"]),
                    records_until=_day(values["records_until"]),
                ),
                reason=HoldReason(values["reason"]),
                description=values["description"],
                placed_by=staff.name,
                placed_at=context.now,
                until=_day(values["until"]),
            )
            _book(context).place(hold)
        except RetentionError as exc:
            errors[_field_of(exc)] = _sentence(exc)
    if errors:
        return _page(context, values=values, errors=errors, status=422)
    return redirect(context, f"{_PAGE}?done=placed#holds")


@router.post("/retention/holds/{hold_id}/release")
def release_hold(hold_id: str, context: Context, form: Form) -> Response:
    """Release a hold (a DPO): the deletions it deferred run at the next retention run."""
    checked(context, form)
    staff = signed_in_staff(context)
    require(staff, StaffAction.MANAGE_HOLDS)
    if _book(context).release(hold_id, context.now, staff.name) is None:
        raise HTTPException(404, f"There is no legal hold {hold_id}.")
    return redirect(context, f"{_PAGE}?done=released#holds")


def _page(
    context: PageContext,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    done: str | None = None,
    status: int = 200,
) -> Response:
    staff = signed_in_staff(context)
    book = _book(context)
    now = context.now
    holds = sorted(book.holds(), key=lambda hold: (not hold.is_in_force(now), hold.placed_at))
    datasets = _datasets(context)
    return render(
        context,
        "console/retention.html",
        status,
        holds=[(hold, hold.is_in_force(now), hold.scope.describe(masked)) for hold in holds],
        check=getattr(context.request.app.state, "retention_plan", None),
        runs=list(reversed(retention_figures(book, last=50))),
        may_manage=may(staff.role, StaffAction.MANAGE_HOLDS),
        reasons=_REASONS,
        datasets=[(name, name) for name in datasets],
        values=values,
        errors=errors,
        done={"placed": "The legal hold is placed.", "released": "The legal hold is released."}.get(
            done or ""
        ),
    )


def _book(context: PageContext) -> SqlRetentionBook:
    return context.services.retention_book()


def _datasets(context: PageContext) -> list[str]:
    """The estate's datasets, for the hold form's choice; none without a data map."""
    if context.services.datamap is None:
        return []
    loaded = load_datamap(context.services.datamap)
    return sorted(dataset.id for system in loaded.systems for dataset in system.datasets)


def _hold_errors(values: dict[str, str]) -> dict[str, str]:
    errors = {}
    if not values["hold_id"]:
        errors["hold_id"] = "Give the hold an id: the case or file number it is kept for."
    if values["reason"] not in {reason for reason, _ in _REASONS}:
        errors["reason"] = "Choose why the data must be kept."
    if not values["description"]:
        errors["description"] = "Say what the hold is for, for whoever reads it later."
    if not values["subject"] and not values["dataset"]:
        errors["subject"] = (
            "Name a subscriber or choose a dataset: a hold on everything would stop every deletion."
        )
    for name in ("records_from", "records_until", "until"):
        if values[name]:
            try:
                _day(values[name])
            except ValueError:
                errors[name] = "Write the date as YYYY-MM-DD, e.g. 2026-03-31."
    return errors


def _day(text: str) -> datetime | None:
    """A YYYY-MM-DD date as its first instant, UTC; None when empty."""
    if not text:
        return None
    return datetime.combine(datetime.strptime(text, "%Y-%m-%d").date(), time(), tzinfo=UTC)


def _field_of(error: RetentionError) -> str:
    text = str(error)
    if "exists already" in text:
        return "hold_id"
    if "records_until" in text:
        return "records_until"
    return "subject"


def _sentence(error: RetentionError) -> str:
    text = str(error)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
