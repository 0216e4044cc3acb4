"""The estate's consent history is a file `placet ledger import` accepts as it is."""

from __future__ import annotations

import polars as pl
import pytest

from placet.ledger.importing import IMPORT_COLUMNS
from placet.policy import load_policy_set
from placet.stores.consent_import import check_consent_file
from placet.synth import CONSENT_HISTORY_FILE, EstateReport, OperatorName
from tests.synth.conftest import sql_frame


@pytest.mark.parametrize("operator", list(OperatorName))
def test_the_consent_history_passes_every_import_check(
    estates: dict[OperatorName, EstateReport], operator: OperatorName
) -> None:
    report = estates[operator]
    checked = check_consent_file(
        report.out / CONSENT_HISTORY_FILE,
        policies=load_policy_set(operator.value),
        recorded_at=report.plan.now,
    )
    assert checked.problems == ()
    assert checked.rows > 0
    assert checked.good.height == checked.rows


@pytest.mark.parametrize("operator", list(OperatorName))
def test_the_consent_history_names_only_subscribers_of_the_estate(
    estates: dict[OperatorName, EstateReport], operator: OperatorName
) -> None:
    report = estates[operator]
    history = pl.read_csv(report.out / CONSENT_HISTORY_FILE, infer_schema=False)
    subscribers = sql_frame(report.database_url, "subscribers")["subscriber_id"]
    assert history.columns == [str(column) for column in IMPORT_COLUMNS]
    assert history["subject"].is_in(subscribers.implode()).all()
    assert set(history["event"]) >= {"consent-given", "consent-withdrawn", "objection-made"}


def test_a_minor_s_consent_is_given_by_a_representative(
    estates: dict[OperatorName, EstateReport],
) -> None:
    report = estates[OperatorName.IPKO]
    history = pl.read_csv(report.out / CONSENT_HISTORY_FILE, infer_schema=False)
    minors = sql_frame(report.database_url, "subscribers").filter(
        pl.col("subscriber_type") == "minor"
    )["subscriber_id"]
    of_minors = history.filter(pl.col("subject").is_in(minors.implode()))
    assert of_minors.height > 0
    assert (of_minors["given_by"] == "representative").all()
