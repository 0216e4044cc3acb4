"""Projection rows: written from columns as from objects, read back sorted as the fold expects."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace

from hypothesis import given

from placet.ledger import ConsentGiven, LedgerEvent, apply_event, project_events
from placet.ledger.columnar import events_frame, fold_projections
from placet.stores.sql_projection import (
    EMPTY_SET,
    PROJECTION_COLUMNS,
    projection_from_row,
    projection_row,
    projection_rows,
)
from tests.ledger.builders import MSISDNS, histories

AT = datetime(2025, 3, 1, tzinfo=UTC)


def stored_row(consents: list[dict[str, object]]) -> SimpleNamespace:
    return SimpleNamespace(
        subject_ref="a" * 64,
        subject_type=None,
        birth_date=None,
        consents=json.dumps(consents),
        withdrawn=EMPTY_SET,
        objections=EMPTY_SET,
        objects_to_direct_marketing=False,
        restricted=False,
        contracts=EMPTY_SET,
        last_contract_end=None,
        debts=EMPTY_SET,
        debt_settled_at=None,
        business_opt_out=False,
        business_opt_out_until=None,
        effective_through=AT,
    )


def test_consents_stored_out_of_order_are_read_sorted_and_folded_without_a_duplicate() -> None:
    grant = {"given_at": "2025-01-01T00:00:00.000000Z", "channels": []}
    row = stored_row([{"option": "profiling", **grant}, {"option": "current-offers", **grant}])

    projection = projection_from_row(row)
    again = apply_event(
        projection,
        LedgerEvent(
            subject="a" * 64,
            data=ConsentGiven(option="profiling"),
            effective_at=AT,
            recorded_at=AT,
            collected_via="web",
            actor="test",
            policy_id="ipko",
            policy_version="1",
        ),
    )

    assert [grant.option for grant in projection.consents] == ["current-offers", "profiling"]
    assert [grant.option for grant in again.consents] == ["current-offers", "profiling"]


@given(history=histories(subjects=MSISDNS[:3], max_size=20))
def test_rows_of_projections_folded_in_columns_are_the_rows_projection_row_writes(
    history: list[LedgerEvent],
) -> None:
    # The import writes the rows of new subjects from columns: the same text, byte for byte,
    # as the one-by-one fold (queries compare the lists' text with EMPTY_SET).
    folded = fold_projections(events_frame(history).lazy()).collect().sort("subject")

    rows = projection_rows(folded)

    expected = []
    for who in sorted({event.subject for event in history}):
        positions = [seq for seq, event in enumerate(history, start=1) if event.subject == who]
        mine = [event for event in history if event.subject == who]
        expected.append(projection_row(project_events(who, mine), max(positions)))
    assert rows.columns == list(PROJECTION_COLUMNS)
    assert rows.rows() == expected
