"""The console's figures, at `/console/figures`: consent rates per option month by month,
consents given and withdrawn, subjects' requests by kind with their on-time rate, and the
retention runs, each as a chart drawn on the server with its numbers in a table beside it.

The consent figures fold the ledger's consent and contract events at each month's start,
which takes seconds on a large ledger: a `FigureKeeper` in the app's state keeps the last
set and computes the next in the background once the ledger has moved on, so a view
never waits for a fold but the very first (which `warm_figures` runs at start).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, Response

from placet.api.context import Services
from placet.operations.figures import (
    ConsentFigures,
    RunFigures,
    consent_figures,
    request_figures,
    retention_figures,
)
from placet.stores.sql_ledger import SqlLedger
from placet.web.charts import Chart, Series, bar_chart, line_chart
from placet.web.console_frame import (
    CONSOLE_PREFIX,
    ConsoleRoute,
    Context,
    consent_options,
    signed_in_staff,
)
from placet.web.pages import render

__all__ = ["FigureKeeper", "figure_keeper", "router", "warm_figures"]

log = logging.getLogger(__name__)

router = APIRouter(prefix=CONSOLE_PREFIX, route_class=ConsoleRoute, include_in_schema=False)

MONTHS: Final = 12
"""How far back the figures go."""


@dataclass(frozen=True, slots=True)
class _Kept:
    key: tuple[int, str, str]
    figures: ConsentFigures


@router.get("/figures", response_class=HTMLResponse)
def figures(context: Context) -> Response:
    """Consent rates, consents given and withdrawn, requests and retention runs over the
    last twelve months."""
    signed_in_staff(context)
    now = context.now
    consents, fresh = figure_keeper(context.request.app).get(context.services, now)
    names = dict(consent_options(context))
    subscriber_options = [option for option, _ in consent_options(context, cookies=False)]
    months = [_month(start) for start in consents.instants[:-1]]
    rate_labels = [*months, "today"]
    rates = consents.rate_series()
    rate_chart = line_chart(
        "rates",
        "Customers holding each consent",
        f"The share of customers (subscribers with a contract in force) holding each consent "
        f"option at the start of each month from {months[0]} and today.",
        rate_labels,
        [Series(names[option], rates[option]) for option in subscriber_options],
        percent=True,
    )
    withdrawn = consents.per_month("withdrawn")
    given = consents.per_month("given")
    changed = [
        option for option in consents.options if any(given[option]) or any(withdrawn[option])
    ]
    withdrawal_chart = bar_chart(
        "withdrawals",
        "Consents withdrawn each month",
        f"Consent withdrawals that took effect in each month from {months[0]}, stacked by option.",
        months,
        [Series(names[option], tuple(map(float, withdrawn[option]))) for option in changed],
    )
    requests = request_figures(context.services.requests.all(), at=now, months=MONTHS)
    request_chart = bar_chart(
        "requests",
        "Requests received each month",
        f"Subjects' requests received in each month from {months[0]}, stacked by kind.",
        [_month(start) for start in requests.months],
        [
            Series(kind.value, tuple(map(float, counts)))
            for kind, counts in requests.received.items()
        ],
    )
    runs = (
        () if context.services.retention is None else retention_figures(context.services.retention)
    )
    run_chart = _run_chart(runs)
    return render(
        context,
        "console/figures.html",
        months=months,
        rate_labels=rate_labels,
        names=names,
        subscriber_options=subscriber_options,
        consents=consents,
        fresh=fresh,
        rates=rates,
        customers=consents.customers(),
        given=given,
        withdrawn=withdrawn,
        changed=changed,
        requests=requests,
        runs=runs,
        charts={
            "rates": rate_chart,
            "withdrawals": withdrawal_chart,
            "requests": request_chart,
            "runs": run_chart,
        },
    )


def _run_chart(shown: Sequence[RunFigures]) -> Chart | None:
    if not shown:
        return None
    actions = [action for action in shown[0].actions if any(run.rows(action) for run in shown)]
    return bar_chart(
        "runs",
        "Rows changed by each retention run",
        "The rows each retention run deleted, anonymised, restricted or purged, stacked by "
        "action, oldest run first.",
        [run.run.started_at.strftime("%d %b") for run in shown],
        [Series(action, tuple(float(run.rows(action)) for run in shown)) for action in actions],
    )


class FigureKeeper:
    """Keeps the consent figures of one site: computed on the first view (or at start,
    `warm_figures`), then served as they are while a fresh set is computed in the
    background once the ledger, the day or the policy in force has moved on. A fold over
    a year of a large ledger takes longer than a page may, so no view but the very first
    waits for one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: _Kept | None = None
        self._worker: threading.Thread | None = None

    def get(self, services: Services, at: datetime) -> tuple[ConsentFigures, bool]:
        """The figures, and whether they are those of the ledger, day and policy now."""
        key = _key(services, at)
        with self._lock:
            kept = self._kept
            if kept is not None:
                if kept.key != key and not self.is_computing:
                    self._worker = threading.Thread(
                        target=self._compute,
                        args=(services, at, key),
                        name="placet-figures",
                        daemon=True,
                    )
                    self._worker.start()
                return kept.figures, kept.key == key
        return self._compute(services, at, key), True

    @property
    def is_computing(self) -> bool:
        return self._worker is not None and self._worker.is_alive()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a computation running in the background to end (for tests and shutdown)."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)

    def _compute(
        self, services: Services, at: datetime, key: tuple[int, str, str]
    ) -> ConsentFigures:
        try:
            figures = _consent_figures(services, at)
        except Exception:
            log.exception("the consent figures could not be computed")
            raise
        with self._lock:
            self._kept = _Kept(key, figures)
        log.info("consent figures computed", extra={"position": figures.position})
        return figures


def figure_keeper(app: FastAPI) -> FigureKeeper:
    """The site's keeper of consent figures, made on first use."""
    keeper: FigureKeeper | None = getattr(app.state, "figure_keeper", None)
    if keeper is None:
        keeper = app.state.figure_keeper = FigureKeeper()
    return keeper


def warm_figures(app: FastAPI) -> threading.Thread:
    """Compute the consent figures in the background now, so that the first view of the
    figures page does not wait for them (`placet serve` and `placet demo` call it)."""
    services: Services = app.state.services
    keeper = figure_keeper(app)
    worker = threading.Thread(
        target=keeper.get, args=(services, services.clock()), name="placet-figures", daemon=True
    )
    worker.start()
    return worker


def _key(services: Services, at: datetime) -> tuple[int, str, str]:
    return (
        services.ledger.head().seq,
        at.date().isoformat(),
        services.policies.in_force(at).version,
    )


def _consent_figures(services: Services, at: datetime) -> ConsentFigures:
    ledger = services.ledger
    if not isinstance(ledger, SqlLedger):  # pragma: no cover - the console needs a SqlLedger
        raise TypeError("the figures read the ledger's database")
    options = [option.id for option in services.policies.in_force(at).consent_options]
    return consent_figures(ledger, options, at=at, months=MONTHS)


def _month(start: datetime) -> str:
    return start.strftime("%b %Y")
