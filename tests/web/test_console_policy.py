"""The policy in the DPO console over HTTP: every version with the one in force marked, and
what changed between two versions, readable by every staff role.

The policy folder is IPKO's bundled policy (1.0, from 2023-01-01) plus 1.1 (from
2024-07-01: a purpose added, traffic data kept 6 months instead of 12, the summary's last
words changed) and 2.0 (from 2025-06-01, the same as 1.1). The tests' clock says
2025-05-01, so 1.1 is in force and 2.0 scheduled. Nothing here depends on the database, so
it runs on SQLite only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.console_fixtures import (
    ADDED_PURPOSE,
    TRAFFIC_RULE,
    add_staff,
    sign_in_staff,
    three_versions,
)
from tests.web.privacy_fixtures import Center, make_center


@pytest.fixture
def policy_folder(tmp_path: Path) -> Path:
    """IPKO's policy in three versions (`three_versions`)."""
    return three_versions(tmp_path)


def console_over(sqlite_url: str, tmp_path: Path, policy: str) -> Iterator[TestClient]:
    made: Center = make_center(sqlite_url, tmp_path, policy=policy)
    with TestClient(made.app, base_url="https://testserver") as client:
        add_staff(made)
        yield client
    made.services.ledger.engine.dispose()  # type: ignore[attr-defined]


@pytest.fixture
def client(sqlite_url: str, tmp_path: Path, policy_folder: Path) -> Iterator[TestClient]:
    """The site over the three-version policy, with an account of each role."""
    yield from console_over(sqlite_url, tmp_path, str(policy_folder))


@pytest.fixture
def single_client(sqlite_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """The site over IPKO's bundled policy, which has one version."""
    yield from console_over(sqlite_url, tmp_path, "ipko")


def version_rows(html: str) -> dict[str, str]:
    """Each row of the versions table by the version in its row header."""
    rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\"[^>]*>([^<]+)</th>(.*?)</tr>", html, re.S)
    return dict(rows)


def state_in(row: str) -> str:
    found = re.search(r'<span class="pill [a-z]+">([^<]+)</span>', row)
    assert found is not None, row
    return found.group(1)


def section(html: str, kind: str) -> str:
    """The section of the diff page listing the `kind` changes ('' when it has none)."""
    found = re.search(rf'<section aria-labelledby="{kind}-title".*?</section>', html, re.S)
    return found.group(0) if found else ""


def test_versions_page_lists_each_version_and_marks_the_one_in_force(
    client: TestClient,
) -> None:
    sign_in_staff(client, "dpo")
    page = client.get("/console/policy")
    assert page.status_code == 200
    rows = version_rows(page.text)
    assert list(rows) == ["1.0", "1.1", "2.0"]
    assert {version: state_in(row) for version, row in rows.items()} == {
        "1.0": "ended",
        "1.1": "in force",
        "2.0": "scheduled",
    }
    assert "30 Jun 2024" in rows["1.0"]
    assert "19 purposes" in rows["1.1"]
    assert "18 purposes" in rows["1.0"]


def test_versions_page_links_each_later_version_to_what_changed(client: TestClient) -> None:
    sign_in_staff(client, "dpo")
    rows = version_rows(client.get("/console/policy").text)
    assert "What changed" not in rows["1.0"]
    assert 'href="/console/policy/diff?from=1.0&amp;to=1.1">What changed from 1.0' in rows["1.1"]
    assert 'href="/console/policy/diff?from=1.1&amp;to=2.0">What changed from 1.1' in rows["2.0"]


def test_versions_page_links_the_published_notice(client: TestClient) -> None:
    sign_in_staff(client, "dpo")
    page = client.get("/console/policy")
    assert 'href="/privacy/notice"' in page.text
    assert client.get("/privacy/notice").status_code == 200


def test_single_version_says_there_is_nothing_to_compare_and_how_to_add_one(
    single_client: TestClient,
) -> None:
    sign_in_staff(single_client, "dpo")
    page = single_client.get("/console/policy")
    assert list(version_rows(page.text)) == ["1.0"]
    assert "Nothing to compare yet" in page.text
    assert "placet policy check" in page.text
    assert "What changed from" not in page.text


def test_diff_page_shows_an_added_purpose_and_a_changed_retention_period_before_and_after(
    client: TestClient,
) -> None:
    sign_in_staff(client, "dpo")
    page = client.get("/console/policy/diff", params={"from": "1.0", "to": "1.1"})
    assert page.status_code == 200
    added = section(page.text, "added")
    assert f"purposes.{ADDED_PURPOSE}" in added
    assert "Customer research" in added
    changed = section(page.text, "changed")
    assert f"retention_rules.{TRAFFIC_RULE}.period" in changed
    assert re.search(r"Before \(1\.0\)</dt>\s*<dd><del>12 months</del>", changed)
    assert re.search(r"After \(1\.1\)</dt>\s*<dd><ins>6 months</ins>", changed)
    assert section(page.text, "removed") == ""


def test_diff_page_shows_a_long_text_whole_where_the_cli_cuts_it(client: TestClient) -> None:
    sign_in_staff(client, "dpo")
    page = client.get("/console/policy/diff", params={"from": "1.0", "to": "1.1"})
    changed = section(page.text, "changed")
    assert "summary.en" in changed
    assert "how you can exercise your rights and whom to ask.</ins>" in changed
    assert "…" not in changed


def test_diff_between_versions_that_promise_the_same_says_no_changes(client: TestClient) -> None:
    sign_in_staff(client, "dpo")
    page = client.get("/console/policy/diff", params={"from": "1.1", "to": "2.0"})
    assert page.status_code == 200
    assert "No changes" in page.text
    assert section(page.text, "changed") == ""


def test_diff_of_a_version_with_itself_says_no_changes(client: TestClient) -> None:
    sign_in_staff(client, "dpo")
    page = client.get("/console/policy/diff", params={"from": "1.0", "to": "1.0"})
    assert page.status_code == 200
    assert "No changes: these are the same version" in page.text


def test_diff_without_versions_shows_what_the_latest_changed(client: TestClient) -> None:
    sign_in_staff(client, "dpo")
    page = client.get("/console/policy/diff")
    assert "What changed from 1.1 to 2.0" in page.text


def test_unknown_version_is_a_404_naming_it_and_the_known_versions(client: TestClient) -> None:
    sign_in_staff(client, "dpo")
    page = client.get("/console/policy/diff", params={"from": "0.9", "to": "1.1"})
    assert page.status_code == 404
    assert "There is no version &#39;0.9&#39; of policy &#39;ipko&#39;" in page.text
    assert "The versions are 1.0, 1.1, 2.0." in page.text


def test_unknown_version_page_does_not_show_the_policy_folder(
    client: TestClient, policy_folder: Path
) -> None:
    sign_in_staff(client, "dpo")
    page = client.get("/console/policy/diff", params={"from": "1.0", "to": "3.0"})
    assert page.status_code == 404
    assert "&#39;3.0&#39;" in page.text
    assert str(policy_folder) not in page.text


@pytest.mark.parametrize("role", ["auditor", "care-agent", "dpo"])
def test_every_role_including_the_auditor_may_read_both_policy_pages(
    client: TestClient, role: str
) -> None:
    sign_in_staff(client, role)
    versions = client.get("/console/policy")
    changes = client.get("/console/policy/diff", params={"from": "1.0", "to": "1.1"})
    assert (versions.status_code, changes.status_code) == (200, 200)
    assert "Policy versions" in versions.text
    assert f"purposes.{ADDED_PURPOSE}" in changes.text


@pytest.mark.parametrize("path", ["/console/policy", "/console/policy/diff?from=1.0&to=1.1"])
def test_policy_pages_need_a_staff_session(client: TestClient, path: str) -> None:
    page = client.get(path, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/console/sign-in"
