"""Invariants of the policy core, over generated inputs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from placet.policy import load_policy_set
from placet.policy.diff import diff_policies
from placet.policy.model import Period, Policy
from placet.policy.versions import PolicySet
from tests.conftest import MINIMAL

BASE = load_policy_set(MINIMAL.parent).latest


def versions_from(starts: list[date]) -> PolicySet:
    versions = tuple(
        BASE.model_copy(update={"version": f"{n}.0", "effective_from": start})
        for n, start in enumerate(sorted(starts), 1)
    )
    return PolicySet(directory=Path("generated"), versions=versions)


@given(
    starts=st.lists(
        st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)),
        min_size=1,
        max_size=6,
        unique=True,
    ),
    offset=st.integers(min_value=0, max_value=20 * 365),
    minutes=st.integers(min_value=0, max_value=24 * 60 - 1),
)
def test_version_in_force_is_the_latest_that_has_taken_effect(
    starts: list[date], offset: int, minutes: int
) -> None:
    policies = versions_from(starts)
    day = min(starts) + timedelta(days=offset)
    at = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=minutes)
    chosen = policies.in_force(at)
    assert chosen.effective_from == max(start for start in starts if start <= day)


@given(
    amount=st.integers(min_value=0, max_value=500), unit=st.sampled_from(["day", "month", "year"])
)
def test_period_reads_back_what_it_writes(amount: int, unit: str) -> None:
    period = Period.model_validate(f"{amount} {unit}s")
    assert Period.model_validate(str(period)) == period


@given(version=st.text(min_size=1, max_size=8), day=st.dates())
def test_diff_ignores_version_name_and_dates(version: str, day: date) -> None:
    other: Policy = BASE.model_copy(update={"version": version, "effective_from": day})
    assert diff_policies(BASE, other) == []


@given(drop=st.sets(st.integers(min_value=0, max_value=1), min_size=1))
def test_diff_reports_each_removed_purpose(drop: set[int]) -> None:
    kept = [purpose for index, purpose in enumerate(BASE.purposes) if index not in drop]
    changes = diff_policies(BASE, BASE.model_copy(update={"purposes": kept}))
    removed = {change.element for change in changes if change.kind == "removed"}
    assert removed == {f"purposes.{BASE.purposes[index].id}" for index in drop}
