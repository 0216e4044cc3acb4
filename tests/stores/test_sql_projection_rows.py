"""A stored projection row read back: the consents sorted by option, as the fold expects."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace

from placet.ledger import ConsentGiven, LedgerEvent, apply_event
from placet.stores.sql_projection import EMPTY_SET, projection_from_row

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
