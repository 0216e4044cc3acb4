"""A business entity's opt-out of direct marketing denies it from the instant it is recorded:
IPKO's policy gives the operator 15 days to act on it, a deadline Placet beats, not a grace
period during which marketing may go on."""

from __future__ import annotations

from datetime import timedelta

import pytest

from placet.decide import Use
from placet.operations import decide_for_subject, record_business_opt_out
from placet.operations.recording import record_subject_facts, start_contract
from placet.policy import PolicySet
from placet.policy.model import CategoryId, PurposeId
from placet.policy.terms import Channel
from placet.stores.sql_ledger import SqlLedger
from tests.operations.conftest import KEY, NOW, SHOP, on

BUSINESS = "+38344900100"
BUSINESS_EMAIL = Use(
    purpose=PurposeId("business-direct-marketing"),
    categories=(CategoryId("contact"),),
    channel=Channel.EMAIL,
)
OPTED_OUT = on(3, 10, 9)
"""When the business's opt-out reached the call centre and was recorded."""


def business_customer(ledger: SqlLedger, ipko: PolicySet) -> None:
    """A business entity with a contract since 1 January 2025, which opts out on 10 March."""
    record_subject_facts(
        ledger,
        ipko,
        KEY,
        BUSINESS,
        provenance=SHOP,
        subject_type="business-entity",
        recorded_at=on(1),
    )
    start_contract(ledger, ipko, KEY, BUSINESS, "c-b-100", provenance=SHOP, recorded_at=on(1))
    record_business_opt_out(ledger, ipko, KEY, BUSINESS, provenance=SHOP, recorded_at=OPTED_OUT)


def reason_at(ledger: SqlLedger, ipko: PolicySet, offset: timedelta) -> str:
    answer = decide_for_subject(
        ledger, ipko, KEY, BUSINESS, BUSINESS_EMAIL, now=NOW, at=OPTED_OUT + offset
    )
    return answer.decision.reason


def test_direct_marketing_to_the_business_is_permitted_until_it_opts_out(
    ledger: SqlLedger, ipko: PolicySet
) -> None:
    business_customer(ledger, ipko)

    assert reason_at(ledger, ipko, -timedelta(seconds=1)) == "permitted"


@pytest.mark.parametrize(
    "offset",
    [timedelta(0), timedelta(hours=1), timedelta(days=1), timedelta(days=14), timedelta(days=15)],
    ids=["at-the-instant", "an-hour-later", "a-day-later", "fourteen-days-later", "after-15-days"],
)
def test_a_business_opt_out_denies_direct_marketing_from_the_instant_recorded_not_after_15_days(
    ledger: SqlLedger, ipko: PolicySet, offset: timedelta
) -> None:
    business_customer(ledger, ipko)

    assert reason_at(ledger, ipko, offset) == "business-opt-out"
