"""The estate's ledger history agrees with its tables, subscriber by subscriber, and
recording it again adds nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import astuple
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
import typer
from sqlalchemy import text
from typer.testing import CliRunner

from placet.cli.synth import synth
from placet.decide.state import SubjectState
from placet.ledger import EventType, PseudonymKey, SubjectRef, pseudonymise_subject
from placet.policy import load_policy_set
from placet.settings import get_settings
from placet.stores.sql_ledger import SqlLedger, open_ledger
from placet.synth import (
    SUBJECT_TYPES,
    EstatePlan,
    EstateReport,
    OperatorName,
    draw_history,
    draw_population,
    record_estate_history,
)
from placet.synth.history import history_batches, in_pseudonym_order
from tests.synth.conftest import sql_frame

KEY = PseudonymKey(bytes(range(32)))
IPKO_TYPES = dict(
    zip(
        ("consumer", "business", "minor", "prospect"), SUBJECT_TYPES[OperatorName.IPKO], strict=True
    )
)

Recorded = tuple[SqlLedger, EstateReport]


@pytest.fixture(scope="module")
def recorded(
    estates: dict[OperatorName, EstateReport], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[OperatorName, Recorded]]:
    """Each tiny estate's history, recorded once in its own SQLite ledger."""
    ledgers: dict[OperatorName, Recorded] = {}
    for operator, report in estates.items():
        folder = tmp_path_factory.mktemp(f"ledger-{operator.value}")
        ledger = open_ledger(f"sqlite:///{folder / 'l.db'}")
        record_estate_history(ledger, report.plan, KEY, recorded_at=report.plan.now)
        ledgers[operator] = (ledger, report)
    yield ledgers
    for ledger, _ in ledgers.values():
        ledger.engine.dispose()


def _naive(instant: datetime | None) -> datetime | None:
    return None if instant is None else instant.astimezone(UTC).replace(tzinfo=None)


def ledger_states(found: Recorded, at: datetime | None = None) -> pl.DataFrame:
    """Every subscriber's state in the ledger (now, or as of `at`), by customer number."""
    ledger, report = found
    customers = sql_frame(report.database_url, "subscribers")["subscriber_id"].to_list()
    subjects = [pseudonymise_subject(customer, KEY) for customer in customers]
    states: list[SubjectState] = (
        ledger.states(subjects, report.plan.now)
        if at is None
        else ledger.states_as_of(subjects, at)
    )
    return pl.DataFrame(
        {
            "subscriber_id": customers,
            "subject_type": [state.subject_type for state in states],
            "birth_date": [state.birth_date for state in states],
            "active_contracts": [state.active_contracts for state in states],
            "last_contract_end": [_naive(state.last_contract_end) for state in states],
            "debt_outstanding": [state.debt_outstanding for state in states],
            "debt_settled_at": [_naive(state.debt_settled_at) for state in states],
        },
        schema_overrides={
            "last_contract_end": pl.Datetime("us"),
            "debt_settled_at": pl.Datetime("us"),
        },
    )


def contract_facts(report: EstateReport, at: datetime) -> pl.DataFrame:
    """From the tables, at `at`: each subscriber's running contracts, and the latest end
    once every contract has ended."""
    moment = _naive(at)
    contracts = sql_frame(report.database_url, "contracts").filter(pl.col("started_at") <= moment)
    has_ended = pl.col("ended_at").is_not_null() & (pl.col("ended_at") <= moment)
    per_subscriber = contracts.group_by("subscriber_id").agg(
        (~has_ended).sum().alias("running"),
        pl.col("ended_at").filter(has_ended).max().alias("latest_end"),
    )
    return (
        sql_frame(report.database_url, "subscribers")
        .select("subscriber_id")
        .join(per_subscriber, on="subscriber_id", how="left")
        .with_columns(
            pl.col("running").fill_null(0),
            pl.when(pl.col("running").fill_null(0) == 0).then(pl.col("latest_end")),
        )
    )


def debt_facts(report: EstateReport, at: datetime) -> pl.DataFrame:
    """From the tables, at `at`: whether each subscriber has an invoice past its due date and
    not paid by then."""
    moment = _naive(at)
    payments = sql_frame(report.database_url, "payments").select("invoice_id", "paid_at")
    unpaid = (
        sql_frame(report.database_url, "invoices")
        .join(payments, on="invoice_id", how="left")
        .filter(
            (pl.col("due_at") <= moment)
            & (pl.col("paid_at").is_null() | (pl.col("paid_at") > moment))
        )
    )
    return sql_frame(report.database_url, "subscribers").select(
        "subscriber_id",
        pl.col("subscriber_id").is_in(unpaid["subscriber_id"].implode()).alias("in_debt"),
    )


def _past(report: EstateReport) -> datetime:
    return report.plan.now - timedelta(days=45)


@pytest.mark.parametrize("operator", list(OperatorName))
def test_each_subscriber_s_active_contracts_are_those_without_an_end(
    recorded: dict[OperatorName, Recorded], operator: OperatorName
) -> None:
    found = recorded[operator]
    expected = contract_facts(found[1], found[1].plan.now)

    states = ledger_states(found).join(expected, on="subscriber_id")

    assert (states["active_contracts"] == states["running"]).all()
    assert states["active_contracts"].sum() > 0


@pytest.mark.parametrize("operator", list(OperatorName))
def test_the_last_contract_end_is_the_latest_end_once_every_contract_has_ended(
    recorded: dict[OperatorName, Recorded], operator: OperatorName
) -> None:
    found = recorded[operator]
    expected = contract_facts(found[1], found[1].plan.now)

    states = ledger_states(found).join(expected, on="subscriber_id")

    assert states["last_contract_end"].eq_missing(states["latest_end"]).all()
    assert states["last_contract_end"].is_not_null().sum() > 0


@pytest.mark.parametrize("operator", list(OperatorName))
def test_a_debt_is_outstanding_exactly_when_an_invoice_is_unpaid_past_its_due_date(
    recorded: dict[OperatorName, Recorded], operator: OperatorName
) -> None:
    found = recorded[operator]
    expected = debt_facts(found[1], found[1].plan.now)

    states = ledger_states(found).join(expected, on="subscriber_id")

    assert (states["debt_outstanding"] == states["in_debt"]).all()
    assert states["debt_outstanding"].sum() > 0


@pytest.mark.parametrize("operator", list(OperatorName))
def test_a_subscriber_out_of_debt_settled_it_with_their_latest_late_payment(
    recorded: dict[OperatorName, Recorded], operator: OperatorName
) -> None:
    ledger, report = recorded[operator]
    invoices = sql_frame(report.database_url, "invoices")
    payments = sql_frame(report.database_url, "payments").select("invoice_id", "paid_at")
    late = (
        invoices.join(payments, on="invoice_id")
        .filter(pl.col("paid_at") > pl.col("due_at"))
        .group_by("subscriber_id")
        .agg(pl.col("paid_at").max().alias("latest_late_payment"))
    )

    states = ledger_states((ledger, report)).join(late, on="subscriber_id", how="left")
    out_of_debt = states.filter(~pl.col("debt_outstanding"))

    assert out_of_debt["debt_settled_at"].eq_missing(out_of_debt["latest_late_payment"]).all()
    assert out_of_debt["debt_settled_at"].is_not_null().sum() > 0


@pytest.mark.parametrize("operator", list(OperatorName))
def test_the_ledger_agrees_with_the_tables_as_of_a_past_instant(
    recorded: dict[OperatorName, Recorded], operator: OperatorName
) -> None:
    found = recorded[operator]
    past = _past(found[1])
    expected = contract_facts(found[1], past).join(debt_facts(found[1], past), on="subscriber_id")

    states = ledger_states(found, at=past).join(expected, on="subscriber_id")

    assert (states["active_contracts"] == states["running"]).all()
    assert states["last_contract_end"].eq_missing(states["latest_end"]).all()
    assert (states["debt_outstanding"] == states["in_debt"]).all()


def test_each_ipko_subscriber_type_is_recorded_as_its_policy_subject_type(
    recorded: dict[OperatorName, Recorded],
) -> None:
    found = recorded[OperatorName.IPKO]
    subscribers = sql_frame(found[1].database_url, "subscribers")

    states = ledger_states(found).join(subscribers, on="subscriber_id")

    expected = states["subscriber_type"].replace_strict(IPKO_TYPES)
    assert (states["subject_type"] == expected).all()


def test_each_ipnordic_subscriber_is_a_business_customer_an_employee_or_a_meeting_contact(
    recorded: dict[OperatorName, Recorded],
) -> None:
    found = recorded[OperatorName.IPNORDIC]
    subscribers = sql_frame(found[1].database_url, "subscribers")
    with_lines = sql_frame(found[1].database_url, "contracts")["subscriber_id"].implode()

    states = ledger_states(found).join(subscribers, on="subscriber_id")
    expected = (
        pl.when(pl.col("cvr_number").is_not_null())
        .then(pl.lit("business-customer"))
        .when(pl.col("subscriber_id").is_in(with_lines))
        .then(pl.lit("employee-user"))
        .otherwise(pl.lit("meeting-contact"))
    )

    assert states.select((pl.col("subject_type") == expected).all()).item()


def test_only_a_minor_s_birth_date_is_recorded(recorded: dict[OperatorName, Recorded]) -> None:
    found = recorded[OperatorName.IPKO]
    subscribers = sql_frame(found[1].database_url, "subscribers").rename(
        {"birth_date": "table_birth_date"}
    )

    states = ledger_states(found).join(subscribers, on="subscriber_id")
    minors = states.filter(pl.col("subscriber_type") == "minor")

    assert minors.height > 0
    assert (minors["birth_date"] == minors["table_birth_date"]).all()
    assert states.filter(pl.col("subscriber_type") != "minor")["birth_date"].is_null().all()


@pytest.mark.parametrize("operator", list(OperatorName))
def test_every_subject_type_recorded_is_declared_by_the_operator_s_policy(
    operator: OperatorName,
) -> None:
    declared = {
        subject_type.id for subject_type in load_policy_set(operator.value).latest.subject_types
    }

    assert set(SUBJECT_TYPES[operator]) <= declared


@pytest.mark.parametrize("operator", list(OperatorName))
def test_subscribers_without_a_contract_have_only_their_facts_recorded(
    recorded: dict[OperatorName, Recorded], operator: OperatorName
) -> None:
    ledger, report = recorded[operator]
    with_lines = set(sql_frame(report.database_url, "contracts")["subscriber_id"])
    prospects = [
        customer
        for customer in sql_frame(report.database_url, "subscribers")["subscriber_id"]
        if customer not in with_lines
    ]

    histories = [ledger.history(pseudonymise_subject(customer, KEY)) for customer in prospects]

    assert prospects
    assert all(
        [entry.event.type for entry in history] == [EventType.SUBJECT_FACTS_RECORDED]
        for history in histories
    )


@pytest.mark.parametrize("operator", list(OperatorName))
def test_the_ledger_holding_the_history_verifies(
    recorded: dict[OperatorName, Recorded], operator: OperatorName
) -> None:
    ledger, _ = recorded[operator]

    report = ledger.verify()

    assert report.problem is None
    assert report.verified == ledger.head().seq > 0


@pytest.mark.parametrize("operator", list(OperatorName))
def test_recording_the_history_twice_adds_nothing(
    recorded: dict[OperatorName, Recorded], operator: OperatorName
) -> None:
    ledger, report = recorded[operator]
    head = ledger.head()

    again = record_estate_history(ledger, report.plan, KEY, recorded_at=report.plan.now)

    assert again.recorded == 0
    assert again.already_recorded == again.events
    assert ledger.head() == head


def test_each_batch_is_ordered_by_when_its_events_take_effect(
    estates: dict[OperatorName, EstateReport],
) -> None:
    plan = estates[OperatorName.IPKO].plan
    population = draw_population(plan)

    batches = list(
        history_batches(
            population, draw_history(population), KEY, recorded_at=plan.now, batch_size=500
        )
    )

    instants = [event.effective_at for batch in batches for event in batch]
    assert len(batches) > 1
    assert instants == sorted(instants)


def test_the_history_is_recorded_subscriber_by_subscriber_in_the_order_of_their_pseudonyms(
    recorded: dict[OperatorName, Recorded],
) -> None:
    # Each subscriber's events together, in the order they take effect (so none is folded
    # onto a later one), subscribers in the order of their pseudonyms (so a batch names a
    # narrow range of them).
    ledger, report = recorded[OperatorName.IPKO]
    population = draw_population(report.plan)
    history = draw_history(population)
    with ledger.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT subject_ref, effective_at FROM ledger_events ORDER BY seq")
        ).all()

    subjects = [subject for subject, _ in rows]
    assert len(rows) == len(history)
    assert subjects == sorted(subjects)
    for subject in set(subjects):
        instants = [instant for of, instant in rows if of == subject]
        assert instants == sorted(instants)

    reordered = in_pseudonym_order(history, KEY)
    assert sorted(zip(*map(list, astuple(reordered)), strict=True)) == sorted(
        zip(*map(list, astuple(history)), strict=True)
    )


def test_recording_before_the_estate_s_now_is_refused(tmp_path: Path) -> None:
    plan = EstatePlan(OperatorName.IPKO, 10, 1, 1)
    ledger = open_ledger(f"sqlite:///{tmp_path / 'l.db'}")

    with pytest.raises(ValueError, match="estate's now"):
        record_estate_history(ledger, plan, KEY, recorded_at=plan.now - timedelta(days=1))

    assert ledger.head().seq == 0


# ---------------------------------------------------------------- placet synth --ledger

runner = CliRunner()


def synth_app() -> typer.Typer:
    app = typer.Typer()
    app.command(name="synth")(synth)

    @app.command(name="other")
    def other() -> None:
        """Makes `synth` a named command, as it is under `placet`."""

    return app


@pytest.fixture
def ledger_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The ledger and key `placet synth --ledger` records into, for ipnordic."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    monkeypatch.setenv("PLACET_DATABASE_URL", url)
    monkeypatch.setenv("PLACET_PSEUDONYM_KEY", KEY.secret.hex())
    monkeypatch.setenv("PLACET_POLICY", "ipnordic")
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def synth_ipnordic(out: Path) -> tuple[int, str]:
    result = runner.invoke(
        synth_app(),
        ["synth", "--operator", "ipnordic", "--subscribers", "120", "--months", "1",
         "--seed", "5", "--out", str(out), "--ledger"],
    )  # fmt: skip
    return result.exit_code, result.output


def test_synth_with_ledger_records_the_history_and_the_consents_once(
    ledger_settings: str, tmp_path: Path
) -> None:
    first = synth_ipnordic(tmp_path / "estate")
    ledger = open_ledger(ledger_settings)
    head = ledger.head()

    second = synth_ipnordic(tmp_path / "estate")

    assert first[0] == 0, first[1]
    assert second[0] == 0, second[1]
    assert "0 already recorded" in first[1]
    assert "Recorded 0 events" in second[1]
    assert ledger.head() == head
    assert ledger.verify().problem is None
    types = {entry.event.type for entry in ledger.history(_first_subscriber())}
    assert EventType.SUBJECT_FACTS_RECORDED in types


def _first_subscriber() -> SubjectRef:
    return pseudonymise_subject("C000000001", KEY)


def test_synth_with_ledger_refuses_the_policy_of_another_operator(
    ledger_settings: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLACET_POLICY", "ipko")
    get_settings.cache_clear()

    code, output = synth_ipnordic(tmp_path / "estate")

    assert code == 2
    assert "PLACET_POLICY=ipnordic" in output
    assert open_ledger(ledger_settings).head().seq == 0
