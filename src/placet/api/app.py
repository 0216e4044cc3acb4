"""`create_app(settings)`: the one place where settings become the API's wiring.

It loads the policy, opens the ledger and the request book in its database (upgrading its
schema), reads the pseudonym key and the receipt keys, and mounts the routes under `/v1`
with one problem-details handler.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from placet import __version__
from placet.api.context import Services, opened_estate
from placet.api.problems import PROBLEM_RESPONSES, Problem, problem_response
from placet.api.routes import (
    audiences,
    channels,
    cookie_consents,
    decisions,
    disclosures,
    events,
    fulfilment,
    law_enforcement,
    opendsr,
    receipts,
    recipients,
    records,
    requests,
    service,
    subjects,
)
from placet.datamap import KeyKind
from placet.errors import PlacetError
from placet.ledger import PseudonymKey
from placet.operations import configured_receipt_keys
from placet.operations.opendsr import StatusCallbacks, callback_key_from_hex
from placet.operations.recipient_channels import load_recipient_notifier
from placet.operations.requests import terms_of
from placet.operations.sms_keywords import MsisdnHolder
from placet.operations.subject_data import key_holder
from placet.operations.unsubscribe_links import UnsubscribeKey
from placet.operations.verification import code_key_from_hex, open_outboxes
from placet.policy import load_policy_set
from placet.settings import PlacetSettings, get_settings
from placet.stores.sql_api_keys import SqlApiKeys
from placet.stores.sql_callbacks import SqlCallbackBook
from placet.stores.sql_disclosures import SqlDisclosureBook
from placet.stores.sql_ledger import open_ledger
from placet.stores.sql_requests import SqlRequestBook
from placet.stores.sql_retention import SqlRetentionBook

__all__ = ["API_PREFIX", "app_from_environment", "build_api", "create_app"]

API_PREFIX = "/v1"

_DESCRIPTION = """\
Placet decides every use of a subscriber's data from the operator's privacy policy, and
records consents, objections, restrictions and contracts in a hash-chained ledger.

Authenticate with an API key (`Authorization: Bearer <key>` or `X-API-Key`), created with
`placet keys create`. Errors are RFC 9457 problem details (`application/problem+json`).
"""


def create_app(settings: PlacetSettings, *, clock: Callable[[], datetime] | None = None) -> FastAPI:
    """The HTTP API, wired from `settings`. `clock` gives "now" (tests pass a fixed one)."""
    app = build_api()
    ledger = open_ledger(settings.database_url)
    policies = load_policy_set(settings.policy)
    wired = Services(
        ledger=ledger,
        requests=SqlRequestBook(ledger.engine, terms_of(policies)),
        policies=policies,
        api_keys=SqlApiKeys(ledger.engine),
        clock=clock or _now,
        pseudonym_key=_pseudonym_key(settings),
        receipt_keys=configured_receipt_keys(settings),
        notice_url=settings.notice_url,
        unsubscribe_key=_unsubscribe_key(settings),
        code_key=_code_key(settings),
        outboxes=open_outboxes(settings.outbox, sms_gateway=settings.sms_gateway),
        msisdn_holder=_msisdn_holder(settings.datamap),
        retention=SqlRetentionBook(ledger.engine),
        disclosures=SqlDisclosureBook(ledger.engine),
        notifier=load_recipient_notifier(settings.recipient_notifier),
        datamap=settings.datamap,
        answers_dir=settings.answers_dir,
        status_callbacks=StatusCallbacks(SqlCallbackBook(ledger.engine), _callback_key(settings)),
    )
    app.state.services = wired
    app.state.cookie_gate = cookie_consents.cookie_gate(settings)
    return app


def app_from_environment() -> FastAPI:
    """The API wired from the environment's settings (`PLACET_…`), for uvicorn:

    uvicorn --factory placet.api:app_from_environment
    """
    return create_app(get_settings())


def build_api() -> FastAPI:
    """The routes, the problem handler and the OpenAPI document, not yet wired to services."""
    app = FastAPI(
        title="Placet",
        version=__version__,
        description=_DESCRIPTION,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        responses=PROBLEM_RESPONSES,
    )
    for error in (PlacetError, RequestValidationError, HTTPException, Exception):
        app.add_exception_handler(error, problem_response)
    for module in (
        decisions,
        audiences,
        events,
        subjects,
        requests,
        fulfilment,
        receipts,
        records,
        service,
        channels,
        cookie_consents,
        recipients,  # before disclosures: /disclosures/recipients is not a disclosure's id
        disclosures,
        law_enforcement,
    ):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(opendsr.router, prefix="/opendsr")
    _publish_problem_schema(app)
    return app


def _publish_problem_schema(app: FastAPI) -> None:
    """Add the `Problem` schema, which every operation's 4XX and 5XX answers refer to."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        first = app.openapi_schema is None
        document = generate()
        if first:
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(problem.pop("$defs", {}))
            schemas["Problem"] = problem
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _now() -> datetime:
    return datetime.now(UTC)


def _pseudonym_key(settings: PlacetSettings) -> PseudonymKey | None:
    if settings.pseudonym_key is None:
        return None
    return PseudonymKey.from_hex(settings.pseudonym_key.get_secret_value())


def _unsubscribe_key(settings: PlacetSettings) -> UnsubscribeKey | None:
    if settings.unsubscribe_key is None:
        return None
    return UnsubscribeKey.from_hex(settings.unsubscribe_key.get_secret_value())


def _msisdn_holder(datamap: Path | None) -> MsisdnHolder | None:
    """Who holds a number, read from the estate's MSISDN identity (None without a map)."""
    if datamap is None:
        return None

    def holder(msisdn: str, at: datetime) -> str | None:
        with opened_estate(datamap) as estate:
            return key_holder(estate, KeyKind.MSISDN, msisdn, at)

    return holder


def _code_key(settings: PlacetSettings) -> bytes | None:
    if settings.code_key is None:
        return None
    return code_key_from_hex(settings.code_key.get_secret_value())


def _callback_key(settings: PlacetSettings) -> bytes | None:
    if settings.opendsr_callback_key is None:
        return None
    return callback_key_from_hex(settings.opendsr_callback_key.get_secret_value())
