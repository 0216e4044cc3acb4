"""What `placet demo` serves: a small synthetic estate of one operator, its ledger with the
estate's consent history imported as from a CRM, subjects' requests (open ones and a year
of answered ones), a legal hold and a first retention run, a disclosure register
(`demo_register`), the keys the server needs, an API key and a console account a role,
all under one folder; made once and reused by the next run.

Everything here is for a demonstration on one machine: the keys are written in clear into
the folder (`demo.json`), the outbox is a folder of `.eml` files that shows the one-time
codes, and nothing listens beyond loopback.
"""

from __future__ import annotations

import csv
import json
import secrets
import shutil
import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from placet.cli.datamap import open_estate
from placet.cli.demo_register import seed_register
from placet.dsr import RequestKind, SubjectRequest
from placet.errors import SettingsError
from placet.ledger import PseudonymKey
from placet.ledger.receipts.signing import generate_signing_key
from placet.operations import create_key
from placet.operations.requests import (
    fulfil_request,
    open_subject_request,
    reject_request,
    start_request_work,
    terms_of,
    verify_request,
)
from placet.operations.retention_runs import run_retention
from placet.operations.staff import StaffRole, add_staff_member
from placet.policy import Channel, PolicySet, load_policy_set
from placet.retention.guard import HoldReason, HoldScope, LegalHold
from placet.settings import PlacetSettings
from placet.stores.consent_import import import_consent_history
from placet.stores.sql_api_keys import SqlApiKeys
from placet.stores.sql_disclosures import SqlDisclosureBook
from placet.stores.sql_ledger import open_ledger
from placet.stores.sql_requests import SqlRequestBook
from placet.stores.sql_retention import SqlRetentionBook
from placet.stores.sql_staff import SqlStaffRoster
from placet.synth import EstatePlan, OperatorName, write_estate
from placet.synth.estate import CONSENT_HISTORY_FILE, SQLITE_FILE
from placet.synth.history import record_estate_history

__all__ = [
    "DEMO_MONTHS",
    "DEMO_SUBSCRIBERS",
    "DemoSite",
    "datamap_of",
    "prepare_demo_site",
]

DEMO_SUBSCRIBERS: Final = 3_000
"""Subscribers of the demo estate: thousands, written in seconds."""
DEMO_MONTHS: Final = 12
"""A year of traffic data."""
DEMO_SEED: Final = 1
STATE_FORMAT: Final = 6
"""Bumped when what the demo writes changes, so that an older folder is made again."""
_SYSTEMS: Final = ("CRM", "BILLING", "CARE", "NETWORK")
"""The SQL systems of the reference data maps (`env:PLACET_<SYSTEM>_URL`)."""


@dataclass(frozen=True, slots=True)
class DemoSite:
    """A prepared demo: where it lives, how the server is configured, and what a visitor
    needs to sign in."""

    folder: Path
    operator: str
    settings: PlacetSettings
    environment: dict[str, str]
    """The data map's connections (`PLACET_CRM_URL`, `PLACET_LAKE_PATH`, …)."""
    api_key: str
    """An admin API key, for trying the API (`Authorization: Bearer …`)."""
    sign_in_number: str
    """A subscriber's number to sign in to the privacy center with."""
    staff: dict[str, str]
    """The console's accounts, one a role (`dpo`, `care-agent`, `auditor`): name -> password."""
    outbox: Path
    """The folder the one-time codes are written to."""
    reused: bool
    """Whether an earlier run's estate and ledger were used as they were."""


def datamap_of(operator: str) -> Path:
    """The reference data map of `operator`'s synthetic estate (in the checkout's
    `examples/datamap/`)."""
    path = Path(__file__).resolve().parents[3] / "examples" / "datamap" / f"{operator}.yaml"
    if not path.is_file():
        raise SettingsError(
            "placet demo",
            f"needs the data map {path}, which this installation does not have",
            "Run it from a clone of the repository (`pip install -e .`)",
        )
    return path


def prepare_demo_site(folder: Path, operator: OperatorName, *, now: datetime) -> DemoSite:
    """The demo of `operator` under `folder/<operator>/`: made unless an earlier run made it
    with the same plan (`demo.json`), then reused as it is."""
    home = folder / operator.value
    # The estate's year of traffic ends at the start of this month, so that the console's
    # figures and the retention rules meet data of the last months; a demo made in an
    # earlier month is made again.
    month_start = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    plan = EstatePlan(operator, DEMO_SUBSCRIBERS, DEMO_MONTHS, seed=DEMO_SEED, now=month_start)
    marker = {"format": STATE_FORMAT, "plan": _plan_of(plan)}
    state_file = home / "demo.json"
    state = _read_state(state_file)
    reused = state is not None and state.get("marker") == marker
    if not reused:
        shutil.rmtree(home / "state", ignore_errors=True)
        state = _make(home / "state", plan, now=now)
        state["marker"] = marker
        home.mkdir(parents=True, exist_ok=True)
        state_file.write_text(json.dumps(state, indent=2), encoding="utf-8")
    assert state is not None
    return _site(home, operator.value, state, reused=reused)


def _plan_of(plan: EstatePlan) -> dict[str, Any]:
    return json.loads(json.dumps(asdict(plan), default=str))  # type: ignore[no-any-return]


def _read_state(path: Path) -> dict[str, Any] | None:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def _make(state: Path, plan: EstatePlan, *, now: datetime) -> dict[str, Any]:
    """Write the estate, record its history and a few requests, make the keys."""
    state.mkdir(parents=True)
    write_estate(plan, state / "estate")
    keys = {
        "pseudonym": secrets.token_hex(32),
        "code": secrets.token_hex(32),
        "session": secrets.token_hex(32),
        "unsubscribe": secrets.token_hex(32),
    }
    signing_key = generate_signing_key(f"{plan.operator.value}-demo")
    (state / "receipt-key.pem").write_text(signing_key.to_pem(), encoding="utf-8")
    pseudonym_key = PseudonymKey.from_hex(keys["pseudonym"])
    policies = load_policy_set(plan.operator.value)
    ledger = open_ledger(_database_url(state))
    try:
        recorded_at = max(now, plan.now)
        record_estate_history(ledger, plan, pseudonym_key, recorded_at=recorded_at)
        import_consent_history(
            ledger,
            state / "estate" / CONSENT_HISTORY_FILE,
            policies=policies,
            key=pseudonym_key,
            recorded_at=recorded_at,
        )
        api_key = create_key(SqlApiKeys(ledger.engine), ["admin"], name="demo", now=now)
        staff = _staff_accounts(SqlStaffRoster(ledger.engine), now=now)
        book = SqlRequestBook(ledger.engine, terms_of(policies))
        subscribers = _demo_subscribers(state / "estate")
        _open_requests(book, policies, pseudonym_key, subscribers, now=now)
        _closed_requests(book, policies, pseudonym_key, subscribers, now=now)
        retention = SqlRetentionBook(ledger.engine)
        retention.place(_demo_hold(subscribers[-1][0], now=now))
        with open_estate(datamap_of(plan.operator.value), [], state / "estate") as (
            stores,
            digest,
        ):
            run_retention(
                stores,
                policies.in_force(now),
                ledger,
                pseudonym_key,
                retention,
                at=now,
                actor="demo-scheduler",
                datamap_sha256=digest,
                holds=retention.holds(),
            )
            seed_register(
                SqlDisclosureBook(ledger.engine),
                ledger,
                policies,
                pseudonym_key,
                stores,
                state / "estate",
                list(dict.fromkeys(subscriber for subscriber, _ in subscribers)),
                requests_folder=state / "answers",
                now=now,
            )
    finally:
        ledger.engine.dispose()
    return {
        "keys": keys,
        "receipt_key_id": signing_key.kid,
        "api_key": api_key.plaintext,
        "sign_in_number": subscribers[0][1],
        "staff": staff,
    }


def _staff_accounts(roster: SqlStaffRoster, *, now: datetime) -> dict[str, str]:
    """One console account a role, named after it, with a random password: name -> password."""
    accounts = {role.value: secrets.token_urlsafe(12) for role in StaffRole}
    for name, password in accounts.items():
        add_staff_member(roster, name, StaffRole(name), password, at=now)
    return accounts


def _demo_subscribers(estate: Path) -> list[tuple[str, str]]:
    """Subscribers with a live contract (consumers, where the estate tells them apart) and
    the number they hold now, (id, number): first one who gave a consent (the visitor signs
    in as them and finds choices made), then more, whose requests the DPO finds waiting."""
    with (estate / CONSENT_HISTORY_FILE).open(encoding="utf-8", newline="") as history:
        consenting = {
            row["subject"] for row in csv.DictReader(history) if row["event"] == "consent-given"
        }
    with sqlite3.connect(estate / SQLITE_FILE) as connection:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(subscribers)")}
        # ipko's subscribers have a type (consumers first); ipnordic's are all businesses.
        consumers = "WHERE s.subscriber_type = 'consumer' " if "subscriber_type" in columns else ""
        rows = connection.execute(
            "SELECT s.subscriber_id, m.msisdn FROM subscribers s "
            "JOIN contracts c ON c.subscriber_id = s.subscriber_id AND c.ended_at IS NULL "
            "JOIN msisdn_assignments m ON m.subscriber_id = s.subscriber_id "
            f"AND m.valid_to IS NULL {consumers}ORDER BY s.subscriber_id LIMIT 200"
        ).fetchall()
    live = [(str(subscriber), str(number)) for subscriber, number in rows]
    first = next((row for row in live if row[0] in consenting), None)
    wanted = len(_SEEDED) + len(_CLOSED) + 1
    others = [row for row in live if row != first][:wanted]
    if first is None or len(others) < wanted:
        raise RuntimeError("the demo estate has too few live consumers to seed requests with")
    return [first, *others]


_SEEDED: Final = (
    # (kind, days before now it was received, verified then, channel)
    (RequestKind.ACCESS, 2, True, Channel.EMAIL),
    (RequestKind.ERASURE, 12, True, Channel.SHOP),
    (RequestKind.OBJECTION, 5, False, Channel.CALL),
    (RequestKind.PORTABILITY, 27, True, Channel.EMAIL),
    (RequestKind.ACCESS, 40, True, Channel.POST),
    (RequestKind.COMPLAINT, 1, False, Channel.EMAIL),
    (RequestKind.RECTIFICATION, 9, True, Channel.SHOP),
)
"""The requests the DPO finds waiting: new ones, ones due soon and one overdue."""


def _open_requests(
    book: SqlRequestBook,
    policies: PolicySet,
    key: PseudonymKey,
    subscribers: list[tuple[str, str]],
    *,
    now: datetime,
) -> None:
    # The first subscriber is the one the visitor signs in as: their requests are theirs
    # to open, so the queue is seeded with the others'.
    for (kind, days, verified, channel), (subscriber, _) in zip(
        _SEEDED, subscribers[1:], strict=False
    ):
        received = now - timedelta(days=days)
        request = _received(book, policies, key, subscriber, kind, channel, received)
        if verified:
            verify_request(
                book,
                request.request_id,
                actor="care-agent-demo",
                at=received + timedelta(hours=2),
                how="ID card seen in the shop" if channel is Channel.SHOP else "call-back",
            )


def _received(
    book: SqlRequestBook,
    policies: PolicySet,
    key: PseudonymKey,
    subscriber: str,
    kind: RequestKind,
    channel: Channel,
    received: datetime,
) -> SubjectRequest:
    """A request of `subscriber`'s opened as received at `received`."""
    return open_subject_request(
        book,
        policies,
        key,
        subscriber,
        kind,
        channel=channel,
        received_at=received,
        actor="demo",
        at=received,
    )


_CLOSED: Final = (
    # (kind, days before now it was received, days it took, fulfilled (else rejected))
    (RequestKind.ACCESS, 300, 21, True),
    (RequestKind.OBJECTION, 260, 2, True),
    (RequestKind.ERASURE, 220, 9, True),
    (RequestKind.ACCESS, 190, 41, True),
    (RequestKind.RECTIFICATION, 150, 4, True),
    (RequestKind.ERASURE, 120, 14, False),
    (RequestKind.ACCESS, 95, 17, True),
    (RequestKind.PORTABILITY, 70, 25, True),
    (RequestKind.OBJECTION, 45, 1, True),
    (RequestKind.ACCESS, 20, 6, True),
)
"""The requests answered in the past year, for the console's figures: most in days, one
access answered after its month had passed (late: no extension was recorded), one
erasure rejected."""


def _closed_requests(
    book: SqlRequestBook,
    policies: PolicySet,
    key: PseudonymKey,
    subscribers: list[tuple[str, str]],
    *,
    now: datetime,
) -> None:
    answered = subscribers[1 + len(_SEEDED) :]
    for (kind, days, took, fulfilled), (subscriber, _) in zip(_CLOSED, answered, strict=False):
        received = now - timedelta(days=days)
        request = _received(book, policies, key, subscriber, kind, Channel.EMAIL, received)
        verify_request(
            book,
            request.request_id,
            actor="care-agent-demo",
            at=received + timedelta(hours=3),
            how="call-back",
        )
        closed = received + timedelta(days=took)
        if fulfilled:
            start_request_work(
                book, request.request_id, actor="dpo", at=received + timedelta(hours=4)
            )
            fulfil_request(book, request.request_id, actor="dpo", at=closed, notified_at=closed)
        else:
            reject_request(
                book,
                request.request_id,
                actor="dpo",
                at=closed,
                reason="The invoices asked to be erased are kept for the tax law's ten years.",
            )


def _demo_hold(subscriber: str, *, now: datetime) -> LegalHold:
    """A legal hold on one subscriber's records, disputed before a court."""
    return LegalHold(
        hold_id="D-2026-114",
        scope=HoldScope(subject=subscriber),
        reason=HoldReason.DISPUTE,
        description="The subscriber disputes the March invoices in court: keep their records.",
        placed_by="dpo",
        placed_at=now - timedelta(days=30),
    )


def _database_url(state: Path) -> str:
    return f"sqlite:///{state / 'placet.db'}"


def _site(home: Path, operator: str, state: dict[str, Any], *, reused: bool) -> DemoSite:
    folder = home / "state"
    estate = folder / "estate"
    environment = {
        f"PLACET_{system}_URL": f"sqlite:///{estate / 'estate.db'}" for system in _SYSTEMS
    }
    environment["PLACET_LAKE_PATH"] = str(estate / "lake")
    keys = state["keys"]
    outbox = folder / "outbox"
    settings = PlacetSettings(
        database_url=_database_url(folder),
        policy=operator,
        pseudonym_key=keys["pseudonym"],
        receipt_signing_key=str(folder / "receipt-key.pem"),
        receipt_key_id=state["receipt_key_id"],
        code_key=keys["code"],
        web_session_key=keys["session"],
        unsubscribe_key=keys["unsubscribe"],
        outbox=f"folder:{outbox}",
        datamap=datamap_of(operator),
        answers_dir=folder / "answers",
    )
    return DemoSite(
        folder=home,
        operator=operator,
        settings=settings,
        environment=environment,
        api_key=state["api_key"],
        sign_in_number=state["sign_in_number"],
        staff=state["staff"],
        outbox=outbox,
        reused=reused,
    )
