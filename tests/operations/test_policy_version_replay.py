"""Replays as of a past instant decide under the policy version in force at that instant.

IPKO ships one version; these tests add a second, in force from 1 April 2025, in which
current offers are no longer marketed by SMS. The ledger is the same for every question,
so a different answer before and after 1 April can only come from the version chosen.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from placet.api import create_app
from placet.ledger.receipts import generate_signing_key
from placet.operations import (
    DecisionRequest,
    decide_for_subject,
    decide_many,
    select_audience,
)
from placet.policy import PolicySet, load_policy_set
from placet.policy.loader import resolve_policy_dir
from placet.stores.sql_ledger import SqlLedger
from tests.api.conftest import SMS_MARKETING, Api, Clock, instant, make_settings
from tests.conftest import replace_once
from tests.operations.conftest import KEY, NOW, SUBSCRIBER, on
from tests.operations.test_deciding import SMS_OFFERS
from tests.operations.test_withdrawal_channels import consented

SMS_DROPPED_ON = on(4)
"""When version 2.0 takes effect: 1 April 2025, 00:00 UTC."""

CURRENT_OFFERS_CHANNELS = (
    "    channels: [sms, mms, email, post, call, video-call, tv, multimedia, app, web, social]\n"
    "    # Consent-based direct marketing"
)
"""The channels of the purpose `direct-marketing-current-offers` in IPKO's policy.yaml."""


def write_ipko_without_sms_from_april(folder: Path) -> Path:
    """A policy folder: IPKO's version 1.0 as shipped, and a version 2.0 from 1 April 2025
    whose purpose `direct-marketing-current-offers` no longer names the SMS channel."""
    shipped = (resolve_policy_dir("ipko") / "policy.yaml").read_text(encoding="utf-8")
    later = replace_once(
        shipped,
        'version: "1.0"\neffective_from: 2023-01-01',
        'version: "2.0"\neffective_from: 2025-04-01',
    )
    later = replace_once(
        later, CURRENT_OFFERS_CHANNELS, CURRENT_OFFERS_CHANNELS.replace("[sms, ", "[")
    )
    folder.mkdir()
    (folder / "policy.yaml").write_text(shipped, encoding="utf-8")
    (folder / "policy-2.0.yaml").write_text(later, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def ipko_folder_without_sms_from_april(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_ipko_without_sms_from_april(tmp_path_factory.mktemp("versions") / "ipko")


@pytest.fixture(scope="module")
def ipko_two_versions(ipko_folder_without_sms_from_april: Path) -> PolicySet:
    return load_policy_set(ipko_folder_without_sms_from_april)


def test_the_second_version_takes_effect_on_1_april(ipko_two_versions: PolicySet) -> None:
    assert [policy.version for policy in ipko_two_versions.versions] == ["1.0", "2.0"]
    # Midnight of 1 April in Pristina (IPKO's `controller.timezone`, summer time) is 22:00 UTC.
    assert ipko_two_versions.in_force(on(3, 31, 21)).version == "1.0"
    assert ipko_two_versions.in_force(on(3, 31, 22)).version == "2.0"
    assert ipko_two_versions.in_force(SMS_DROPPED_ON).version == "2.0"


def test_a_replay_as_of_a_past_instant_decides_under_the_policy_version_in_force_then(
    ledger: SqlLedger, ipko_two_versions: PolicySet, ipko: PolicySet
) -> None:
    consented(ledger, ipko_two_versions)

    in_march = decide_for_subject(
        ledger, ipko_two_versions, KEY, SUBSCRIBER, SMS_OFFERS, now=NOW, at=on(3, 15)
    )
    in_april = decide_for_subject(
        ledger, ipko_two_versions, KEY, SUBSCRIBER, SMS_OFFERS, now=NOW, at=on(4, 15)
    )
    # The control: the same ledger, in April, under version 1.0 alone still permits.
    in_april_under_1_0 = decide_for_subject(
        ledger, ipko, KEY, SUBSCRIBER, SMS_OFFERS, now=NOW, at=on(4, 15)
    )

    assert (in_march.policy_version, in_march.decision.reason) == ("1.0", "permitted")
    assert (in_april.policy_version, in_april.decision.reason) == ("2.0", "channel-not-covered")
    assert (in_april_under_1_0.policy_version, in_april_under_1_0.decision.reason) == (
        "1.0",
        "permitted",
    )


def test_a_replay_switches_version_at_midnight_in_pristina_of_the_effective_date(
    ledger: SqlLedger, ipko_two_versions: PolicySet
) -> None:
    consented(ledger, ipko_two_versions)
    last_second_of_march = datetime(2025, 3, 31, 21, 59, 59, tzinfo=UTC)  # 23:59:59 there
    first_of_april = datetime(2025, 3, 31, 22, tzinfo=UTC)  # 00:00 there

    before = decide_for_subject(
        ledger, ipko_two_versions, KEY, SUBSCRIBER, SMS_OFFERS, now=NOW, at=last_second_of_march
    )
    from_then = decide_for_subject(
        ledger, ipko_two_versions, KEY, SUBSCRIBER, SMS_OFFERS, now=NOW, at=first_of_april
    )

    assert (before.policy_version, before.decision.is_permitted) == ("1.0", True)
    assert (from_then.policy_version, from_then.decision.is_permitted) == ("2.0", False)


def test_a_batch_decides_each_question_under_the_version_in_force_at_its_own_instant(
    ledger: SqlLedger, ipko_two_versions: PolicySet
) -> None:
    consented(ledger, ipko_two_versions)
    requests = [
        DecisionRequest(SUBSCRIBER, SMS_OFFERS, at=on(4, 15)),
        DecisionRequest(SUBSCRIBER, SMS_OFFERS, at=on(3, 15)),
        DecisionRequest(SUBSCRIBER, SMS_OFFERS, at=on(3, 15), known_at=on(3, 15)),
    ]

    answers = decide_many(ledger, ipko_two_versions, KEY, requests, now=NOW)

    assert [(a.policy_version, a.decision.reason) for a in answers] == [
        ("2.0", "channel-not-covered"),
        ("1.0", "permitted"),
        ("1.0", "permitted"),
    ]


def test_an_audience_as_of_a_past_instant_is_selected_under_the_version_in_force_then(
    ledger: SqlLedger, ipko_two_versions: PolicySet
) -> None:
    table = [f"+383440000{index:02d}" for index in range(4)]
    for subscriber in table:
        consented(ledger, ipko_two_versions, subscriber=subscriber)

    in_march = select_audience(ledger, ipko_two_versions, KEY, table, SMS_OFFERS, at=on(3, 15))
    march_permitted = list(in_march.permitted())
    in_april = select_audience(ledger, ipko_two_versions, KEY, table, SMS_OFFERS, at=on(4, 15))
    april_permitted = list(in_april.permitted())

    assert (in_march.policy_version, march_permitted) == ("1.0", table)
    assert (in_april.policy_version, april_permitted) == ("2.0", [])
    assert in_april.counts.excluded == {"channel-not-covered": 4}


@pytest.fixture
def api_two_versions(
    sqlite_url: str, tmp_path: Path, ipko_folder_without_sms_from_april: Path
) -> Iterator[Api]:
    """The API on a fresh SQLite ledger, deciding under the two-version IPKO folder."""
    signing_key = generate_signing_key("ipko-test")
    settings = make_settings(sqlite_url, tmp_path, signing_key).model_copy(
        update={"policy": str(ipko_folder_without_sms_from_april)}
    )
    clock = Clock()
    app = create_app(settings, clock=clock)
    with TestClient(app) as client:
        yield Api(client, app, clock, signing_key)
    app.state.services.ledger.engine.dispose()


def test_the_decisions_endpoint_replays_under_the_policy_version_in_force_then(
    api_two_versions: Api,
) -> None:
    api = api_two_versions
    api.subscriber()
    api.record("consents", option="current-offers", effective_at=instant("03-01"))
    question = {"subject": SUBSCRIBER, **SMS_MARKETING}

    answers = {
        at: api.post("/v1/decisions", {**question, "at": instant(at)}, scope="decide").json()
        for at in ("03-15", "04-15")
    }

    assert answers["03-15"]["policy"] == {"id": "ipko", "version": "1.0"}
    assert answers["03-15"]["reason"] == "permitted"
    assert answers["04-15"]["policy"] == {"id": "ipko", "version": "2.0"}
    assert (answers["04-15"]["outcome"], answers["04-15"]["reason"]) == (
        "deny",
        "channel-not-covered",
    )
