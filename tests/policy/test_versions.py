"""Several versions in one folder: the one in force is resolvable, overlaps are refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from placet.errors import NoVersionInForceError, PolicyError, PolicyValidationError
from placet.policy import load_policy_set
from tests.conftest import PolicyWriter, minimal_text, replace_once, with_zone


def second_version(effective_from: str = "2025-06-01", version: str = "2.0") -> str:
    text = replace_once(minimal_text(), 'version: "1.0"', f'version: "{version}"')
    return replace_once(text, "effective_from: 2024-01-01", f"effective_from: {effective_from}")


def test_version_in_force_is_the_latest_that_took_effect(write_policy: PolicyWriter) -> None:
    write_policy()
    folder = write_policy(second_version(), name="policy-2.0.yaml")
    policies = load_policy_set(folder)
    assert policies.in_force(datetime(2025, 5, 31, 23, 59, tzinfo=UTC)).version == "1.0"
    assert policies.in_force(datetime(2025, 6, 1, 0, 0, tzinfo=UTC)).version == "2.0"
    assert policies.latest.version == "2.0"


def test_a_version_takes_effect_at_midnight_on_the_controllers_clock(
    write_policy: PolicyWriter,
) -> None:
    write_policy(with_zone(minimal_text(), "Europe/Copenhagen"))
    later = with_zone(second_version(), "Europe/Copenhagen")
    policies = load_policy_set(write_policy(later, name="policy-2.0.yaml"))

    # Midnight of 1 June in Copenhagen (summer time) is 22:00 UTC on 31 May.
    assert policies.in_force(datetime(2025, 5, 31, 21, 59, tzinfo=UTC)).version == "1.0"
    assert policies.in_force(datetime(2025, 5, 31, 22, 0, tzinfo=UTC)).version == "2.0"


def test_no_version_is_in_force_before_the_first_takes_effect(write_policy: PolicyWriter) -> None:
    policies = load_policy_set(write_policy())
    with pytest.raises(NoVersionInForceError, match="2024-01-01"):
        policies.in_force(datetime(2023, 12, 31, tzinfo=UTC))


def test_version_ended_by_effective_until_is_not_in_force_after(write_policy: PolicyWriter) -> None:
    text = replace_once(
        minimal_text(),
        "effective_from: 2024-01-01",
        "effective_from: 2024-01-01\neffective_until: 2024-12-31",
    )
    policies = load_policy_set(write_policy(text))
    assert policies.in_force(datetime(2024, 12, 31, 12, tzinfo=UTC)).version == "1.0"
    with pytest.raises(NoVersionInForceError):
        policies.in_force(datetime(2025, 1, 1, tzinfo=UTC))


def test_overlapping_version_dates_are_refused(write_policy: PolicyWriter) -> None:
    text = replace_once(
        minimal_text(),
        "effective_from: 2024-01-01",
        "effective_from: 2024-01-01\neffective_until: 2025-12-31",
    )
    write_policy(text)
    folder = write_policy(second_version("2025-06-01"), name="policy-2.0.yaml")
    with pytest.raises(PolicyValidationError) as caught:
        load_policy_set(folder)
    assert [issue.code for issue in caught.value.issues] == ["overlapping-versions"]


def test_two_versions_taking_effect_the_same_day_are_refused(write_policy: PolicyWriter) -> None:
    write_policy()
    folder = write_policy(second_version("2024-01-01"), name="policy-2.0.yaml")
    with pytest.raises(PolicyValidationError) as caught:
        load_policy_set(folder)
    assert [issue.code for issue in caught.value.issues] == ["overlapping-versions"]


def test_duplicate_version_names_are_refused(write_policy: PolicyWriter) -> None:
    write_policy()
    folder = write_policy(second_version(version="1.0"), name="policy-2.0.yaml")
    with pytest.raises(PolicyValidationError) as caught:
        load_policy_set(folder)
    assert [issue.code for issue in caught.value.issues] == ["duplicate-version"]


def test_naive_instant_is_refused() -> None:
    policies = load_policy_set("tests/fixtures/minimal")
    with pytest.raises(ValueError, match="timezone-aware"):
        policies.in_force(datetime(2025, 1, 1))


def test_unknown_version_name_lists_the_known_ones(write_policy: PolicyWriter) -> None:
    policies = load_policy_set(write_policy())
    with pytest.raises(PolicyError, match=r"versions are 1\.0"):
        policies.version("9.9")


def test_version_ending_before_it_starts_is_refused_at_effective_until(
    write_policy: PolicyWriter,
) -> None:
    text = replace_once(
        minimal_text(),
        "effective_from: 2024-01-01",
        "effective_from: 2024-01-01\neffective_until: 2023-12-31",
    )
    with pytest.raises(PolicyValidationError) as caught:
        load_policy_set(write_policy(text))
    issue = caught.value.issues[0]
    assert (issue.line, issue.path, issue.code) == (5, "effective_until", "invalid-date")


def test_overlap_is_reported_at_the_line_of_effective_from(write_policy: PolicyWriter) -> None:
    write_policy()
    folder = write_policy(second_version("2024-01-01"), name="policy-2.0.yaml")
    with pytest.raises(PolicyValidationError) as caught:
        load_policy_set(folder)
    issue = caught.value.issues[0]
    assert (issue.line, issue.path) == (4, "effective_from")
