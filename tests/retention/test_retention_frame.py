"""`retention_frame` decides every row of a dataset as `retention_action` decides each one."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placet.policy import Policy, load_policy_set
from placet.policy.model import CategoryId, SubjectTypeId
from placet.policy.terms import Anchor, LegalBasis, RetentionAction
from placet.retention import (
    FACT_COLUMNS,
    RETENTION_COLUMNS,
    RetainedRecord,
    RetentionFacts,
    retention_action,
    retention_frame,
)
from placet.retention.rules import ANCHOR_FACTS

POLICIES = {name: load_policy_set(name).latest for name in ("ipko", "ipnordic")}
FACT_NAMES = [field.name for field in fields(RetentionFacts)]
START = datetime(2015, 1, 1, tzinfo=UTC)
# Whole days and some month ends, so that calendar months clamp (31 Jan + 1 month).
INSTANTS = st.builds(
    lambda days, hours: START + timedelta(days=days, hours=hours),
    st.integers(0, 15 * 365),
    st.sampled_from([0, 0, 13, 23]),
)
OPTIONAL = st.none() | INSTANTS


@st.composite
def datasets(draw: st.DrawFn) -> tuple[Policy, str, tuple[CategoryId, ...], LegalBasis | None]:
    policy = POLICIES[draw(st.sampled_from(sorted(POLICIES)))]
    rule = draw(st.sampled_from(policy.retention_rules))
    categories = draw(
        st.lists(st.sampled_from([category.id for category in policy.data_categories]), max_size=3)
    )
    basis = draw(st.none() | st.sampled_from(list(LegalBasis)))
    return policy, rule.id, tuple(categories), basis


@st.composite
def rows(
    draw: st.DrawFn, policy: Policy
) -> list[tuple[SubjectTypeId | None, datetime | None, RetentionFacts]]:
    types = [subject_type.id for subject_type in policy.subject_types]
    return [
        (
            draw(st.none() | st.sampled_from(types)),
            draw(OPTIONAL),
            RetentionFacts(
                **{
                    name: draw(st.booleans() if name == "never_had_contract" else OPTIONAL)
                    for name in FACT_NAMES
                }
            ),
        )
        for _ in range(draw(st.integers(1, 12)))
    ]


@settings(max_examples=120)
@given(dataset=datasets(), data=st.data(), at=INSTANTS)
def test_bulk_retention_equals_the_single_decision_for_every_row(
    dataset: tuple[Policy, str, tuple[CategoryId, ...], LegalBasis | None],
    data: st.DataObject,
    at: datetime,
) -> None:
    policy, record_type, categories, basis = dataset
    drawn = data.draw(rows(policy))
    frame = pl.DataFrame(
        {
            "made_at": [collected for _, collected, _ in drawn],
            "subject_type": [subject_type for subject_type, _, _ in drawn],
            **{name: [getattr(facts, name) for _, _, facts in drawn] for name in FACT_NAMES},
        },
        schema={"made_at": FACT_COLUMNS["last_contract_end"], **FACT_COLUMNS},
    )

    bulk = retention_frame(
        policy,
        frame.lazy(),
        record_type=record_type,
        categories=categories,
        legal_basis=basis,
        time_column="made_at",
        at=at,
    ).collect()

    for row, (subject_type, collected, facts) in zip(
        bulk.iter_rows(named=True), drawn, strict=True
    ):
        single = retention_action(
            policy,
            RetainedRecord(record_type, categories, subject_type, collected, basis),
            facts,
            at,
        )
        assert row["retention_action"] == single.action.value
        assert row["retention_rule"] == single.rule
        assert row["due_since"] == single.due_since
        assert row["next_cutoff"] == single.next_cutoff
        assert row["delete_at"] == single.delete_at


def test_the_frame_has_the_documented_columns() -> None:
    ipko = POLICIES["ipko"]
    rows_ = pl.LazyFrame({"made_at": [START]}, schema={"made_at": pl.Datetime("us", "UTC")})

    out = retention_frame(
        ipko, rows_, record_type="traffic-and-location-data", time_column="made_at", at=START
    )

    schema = out.collect_schema()
    assert {name: schema[name] for name in RETENTION_COLUMNS} == RETENTION_COLUMNS
    assert set(FACT_COLUMNS) <= set(schema.names())


def test_a_cdr_table_is_decided_row_by_row_by_its_time_column() -> None:
    ipko = POLICIES["ipko"]
    made = [datetime(2025, 3, 31, 10, tzinfo=UTC), datetime(2025, 7, 1, tzinfo=UTC)]
    cdrs = pl.LazyFrame({"start_time": made}, schema={"start_time": pl.Datetime("us", "UTC")})

    out = retention_frame(
        ipko,
        cdrs,
        record_type="traffic-and-location-data",
        categories=[CategoryId("mobile-traffic-data")],
        time_column="start_time",
        at=datetime(2026, 4, 1, tzinfo=UTC),
    ).collect()

    assert out["retention_action"].to_list() == [RetentionAction.DELETE.value, "keep"]
    assert out["delete_at"].to_list() == [
        datetime(2026, 3, 31, 10, tzinfo=UTC),
        datetime(2026, 7, 1, tzinfo=UTC),
    ]


INVOICE = (CategoryId("billing-and-payment"),)


def invoices_in_bulk(
    made: list[datetime], facts: list[RetentionFacts], at: datetime
) -> pl.DataFrame:
    """IPKO invoices made at `made`, of subjects with `facts`, decided in bulk at `at`;
    each row checked against `retention_action` on the same record."""
    ipko = POLICIES["ipko"]
    frame = pl.DataFrame(
        {"made_at": made, "subject_type": [None] * len(made)}
        | {name: [getattr(fact, name) for fact in facts] for name in FACT_NAMES},
        schema={"made_at": FACT_COLUMNS["last_contract_end"], **FACT_COLUMNS},
    )
    bulk = retention_frame(
        ipko,
        frame.lazy(),
        record_type="invoices",
        categories=INVOICE,
        time_column="made_at",
        at=at,
    ).collect()
    for row, collected, fact in zip(bulk.iter_rows(named=True), made, facts, strict=True):
        single = retention_action(
            ipko, RetainedRecord("invoices", INVOICE, None, collected), fact, at
        )
        assert (row["retention_action"], row["delete_at"]) == (
            single.action.value,
            single.delete_at,
        )
    return bulk


def test_invoices_of_subjects_who_never_had_a_contract_are_decided_in_bulk_as_one_by_one() -> None:
    facts = [
        RetentionFacts(never_had_contract=True),
        RetentionFacts(),  # a contract runs, or the ledger does not know the subject
        RetentionFacts(last_contract_end=datetime(2024, 2, 1, tzinfo=UTC)),
    ]
    made = [datetime(2019, 5, 3, tzinfo=UTC)] * len(facts)

    bulk = invoices_in_bulk(made, facts, datetime(2026, 1, 1, tzinfo=UTC))

    # Years end on IPKO's clock: 1 January 2026 began at 23:00 UTC the day before.
    assert bulk["delete_at"].to_list() == [
        datetime(2025, 12, 31, 23, tzinfo=UTC),
        None,
        datetime(2030, 2, 1, tzinfo=UTC),
    ]


def test_a_records_year_ends_on_the_controllers_clock_in_bulk_as_one_by_one() -> None:
    # 23:30 and 22:30 UTC on 31 December 2019: 00:30 in 2020 and 23:30 in 2019 in Pristina.
    made = [datetime(2019, 12, 31, 23, 30, tzinfo=UTC), datetime(2019, 12, 31, 22, 30, tzinfo=UTC)]
    facts = [RetentionFacts(never_had_contract=True)] * 2

    bulk = invoices_in_bulk(made, facts, datetime(2026, 6, 1, tzinfo=UTC))

    assert bulk["delete_at"].to_list() == [
        datetime(2026, 12, 31, 23, tzinfo=UTC),
        datetime(2025, 12, 31, 23, tzinfo=UTC),
    ]
    assert bulk["retention_action"].to_list() == ["keep", "delete"]


def test_an_unknown_record_type_fails_before_any_row_is_read() -> None:
    with pytest.raises(Exception, match="'cdr-archive' is not declared"):
        retention_frame(POLICIES["ipko"], pl.LazyFrame(), record_type="cdr-archive", at=START)


def test_every_fact_column_is_a_field_of_the_facts_and_every_subject_anchor_has_one() -> None:
    assert set(FACT_COLUMNS) == {"subject_type", *FACT_NAMES}
    assert set(ANCHOR_FACTS.values()) == set(FACT_NAMES) - {"never_had_contract"}
    assert set(ANCHOR_FACTS) == set(Anchor) - {Anchor.COLLECTION, Anchor.END_OF_YEAR}
