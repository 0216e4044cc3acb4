"""Policy elements said in words: retention periods, deadlines, refused languages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from placet.errors import PolicyError
from placet.notices.wording import Wording
from placet.policy import load_policy_set
from placet.policy.model import Period, Requests, RetentionRule
from tests.notices.builders import minimal_policy, rich_policy, with_languages


def rule(**fields: object) -> RetentionRule:
    return RetentionRule.model_validate(
        {"id": "rule", "record_type": {"en": "Records"}, "action": "delete", **fields}
    )


def test_retention_with_two_anchors_runs_from_the_later() -> None:
    wording = Wording.of(rich_policy(), "en")
    invoices = rule(period="6 years", anchors=["end-of-year", "end-of-last-contract"])

    said = wording.retention_period(invoices)

    assert said == (
        "At most 6 years from the end of the year the record belongs to or from the end of "
        "the last contract, whichever is later"
    )


def test_retention_without_a_period_reads_until_its_anchor() -> None:
    wording = Wording.of(minimal_policy(), "en")

    said = wording.retention_period(rule(anchors=["consent-withdrawn"], criteria={"en": "x"}))

    assert said == "Until consent is withdrawn"


def test_retention_in_serbian_counts_months_in_the_right_form() -> None:
    wording = Wording.of(with_languages(minimal_policy(), ["sr"]), "sr")

    said = wording.retention_period(rule(period="24 months", anchors=["end-of-last-contract"]))

    assert said == "Najduže 24 meseca od prestanka poslednjeg ugovora"


def test_minimum_retention_says_at_least() -> None:
    wording = Wording.of(minimal_policy(), "en")

    assert wording.retention_period(rule(period="1 year", maximum=False)) == "At least 1 year"


def test_deadline_mentions_the_extension_and_its_reason_only_when_set() -> None:
    wording = Wording.of(minimal_policy(), "en")
    contact = {"email": "dpo@example.test"}
    plain = Requests(deadline=Period.model_validate("1 month"), identification={}, contact=contact)
    extended = plain.model_copy(update={"extension_total": Period.model_validate("3 months")})

    assert wording.deadline(plain) == "We answer within 1 month of receiving your request."
    assert wording.deadline(extended).endswith(
        "This can be extended to 3 months in total, and we tell you why."
    )


def test_unknown_language_is_refused_with_the_policy_languages() -> None:
    with pytest.raises(PolicyError, match=r"'de'.*its languages are en, sq"):
        Wording.of(minimal_policy(), "de")


def test_a_policy_language_without_phrases_is_refused() -> None:
    policy = with_languages(minimal_policy(), ["de"])

    with pytest.raises(PolicyError, match=r"no phrases for 'de'"):
        Wording.of(policy, "de")


def test_an_instant_is_dated_by_the_controllers_day() -> None:
    ipnordic = load_policy_set("ipnordic").latest
    wording = Wording.of(ipnordic, "en")

    # 23:30 UTC on 15 March is 00:30 on 16 March in Copenhagen.
    assert wording.day_of(datetime(2025, 3, 15, 23, 30, tzinfo=UTC)) == wording.date(
        date(2025, 3, 16)
    )
    assert wording.day_of(datetime(2025, 3, 15, 22, 30, tzinfo=UTC)) == wording.date(
        date(2025, 3, 15)
    )
