"""The console's retention page (issue 7, "retention plans, runs and legal holds"): a DPO
places and releases legal holds, anyone on staff plans retention (touching nothing) and
reads every run with its steps. What touches the database runs on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from placet.api.context import opened_estate
from placet.operations.retention_runs import run_retention
from tests.api.conftest import estate_settings
from tests.operations.estate_fixtures import MAP
from tests.web.console_fixtures import add_staff, error_next_to, sign_in_staff, staff_csrf
from tests.web.privacy_fixtures import SUBSCRIBER, Center, make_center

PAGE = "/console/retention"
HOLD = {
    "hold_id": "D-2025-007",
    "reason": "dispute",
    "description": "The subscriber disputes the March invoice.",
    "subject": SUBSCRIBER,
    "dataset": "",
    "records_from": "2025-03-01",
    "records_until": "2025-04-01",
    "until": "",
}
LATER = datetime(2027, 6, 1, tzinfo=UTC)
"""A year after the small estate's last month: its traffic data is past retention."""


@pytest.fixture
def console(database_url: str, tmp_path: Path) -> Iterator[tuple[Center, TestClient]]:
    """The site on a fresh ledger (SQLite, PostgreSQL) with staff of each role."""
    made = make_center(database_url, tmp_path)
    with TestClient(made.app, base_url="https://testserver") as client:
        add_staff(made)
        yield made, client
    made.services.ledger.engine.dispose()  # type: ignore[attr-defined]


@pytest.fixture
def estate_console(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Center, TestClient]]:
    """The site over a small IPKO estate, its clock a year after the estate's last month."""
    estate_settings(sqlite_url, tmp_path, monkeypatch)
    made = make_center(sqlite_url, tmp_path, datamap=MAP)
    made.clock.now = LATER
    with TestClient(made.app, base_url="https://testserver") as client:
        add_staff(made)
        yield made, client
    made.services.ledger.engine.dispose()  # type: ignore[attr-defined]


def place(client: TestClient, **changes: str) -> Any:
    return client.post(
        f"{PAGE}/holds",
        data={"csrf": staff_csrf(client, PAGE), **HOLD, **changes},
        follow_redirects=True,
    )


def hold_row(html: str, hold_id: str) -> str:
    found = re.search(rf'<th scope="row">{re.escape(hold_id)}<br>.*?</tr>', html, re.S)
    assert found is not None, hold_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))


def test_a_dpo_places_a_legal_hold_and_it_is_listed_in_force(
    console: tuple[Center, TestClient],
) -> None:
    center, client = console
    sign_in_staff(client, "dpo")

    page = place(client)

    assert page.status_code == 200
    assert "The legal hold is placed." in page.text
    row = hold_row(page.text, "D-2025-007")
    assert "in force" in row
    assert "dispute" in row
    assert "records from 2025-03-01; records before 2025-04-01" in row
    assert SUBSCRIBER not in page.text  # masked in the list
    (hold,) = center.services.retention_book().holds()
    assert hold.placed_by == "jana.dpo"
    assert hold.scope.subject == SUBSCRIBER


def test_a_hold_on_everything_is_answered_next_to_the_subscriber_field(
    console: tuple[Center, TestClient],
) -> None:
    center, client = console
    sign_in_staff(client, "dpo")

    page = place(client, subject="")

    assert page.status_code == 422
    assert "a hold on everything" in error_next_to(page.text, "subject")
    assert center.services.retention_book().holds() == []


def test_each_bad_field_of_a_hold_is_answered_next_to_it(
    console: tuple[Center, TestClient],
) -> None:
    center, client = console
    sign_in_staff(client, "dpo")

    page = place(client, hold_id="", reason="whim", description="", records_from="01/03/2025")

    html = page.text
    assert "case or file number" in error_next_to(html, "hold_id")
    assert "Choose why" in error_next_to(html, "reason")
    assert "what the hold is for" in error_next_to(html, "description")
    assert "YYYY-MM-DD" in error_next_to(html, "records_from")
    assert 'value="The subscriber' not in html  # the description field was empty
    assert center.services.retention_book().holds() == []


def test_records_ending_before_they_begin_are_answered_next_to_records_before(
    console: tuple[Center, TestClient],
) -> None:
    _, client = console
    sign_in_staff(client, "dpo")

    page = place(client, records_until="2025-02-01")

    assert "must be after" in error_next_to(page.text, "records_until")


def test_a_hold_id_in_use_is_answered_next_to_the_hold_id(
    console: tuple[Center, TestClient],
) -> None:
    _, client = console
    sign_in_staff(client, "dpo")
    place(client)

    page = place(client)

    assert "exists already" in error_next_to(page.text, "hold_id")


def test_a_dpo_releases_a_hold(console: tuple[Center, TestClient]) -> None:
    center, client = console
    sign_in_staff(client, "dpo")
    place(client)

    page = client.post(
        f"{PAGE}/holds/D-2025-007/release",
        data={"csrf": staff_csrf(client, PAGE)},
        follow_redirects=True,
    )

    assert "The legal hold is released." in page.text
    assert "released by jana.dpo" in hold_row(page.text, "D-2025-007")
    (hold,) = center.services.retention_book().holds()
    assert not hold.is_in_force(center.clock())


@pytest.mark.parametrize("role", ["care-agent", "auditor"])
def test_care_agents_and_auditors_read_the_holds_but_may_not_place_or_release_them(
    console: tuple[Center, TestClient], role: str
) -> None:
    center, client = console
    sign_in_staff(client, "dpo")
    place(client)
    client.cookies.clear()
    sign_in_staff(client, role)

    page = client.get(PAGE)
    placed = place(client, hold_id="D-2025-008")
    released = client.post(
        f"{PAGE}/holds/D-2025-007/release", data={"csrf": staff_csrf(client, PAGE)}
    )

    assert "D-2025-007" in page.text
    assert "Place a legal hold" not in page.text
    assert "Release hold" not in page.text
    assert placed.status_code == 403
    assert released.status_code == 403
    assert [hold.hold_id for hold in center.services.retention_book().holds()] == ["D-2025-007"]
    assert center.services.retention_book().holds()[0].released_at is None


def test_plan_now_shows_what_retention_would_do_and_changes_nothing(
    estate_console: tuple[Center, TestClient],
) -> None:
    center, client = estate_console
    sign_in_staff(client, "auditor")

    first, second = (
        client.post(f"{PAGE}/plan", data={"csrf": staff_csrf(client, PAGE)}, follow_redirects=True)
        for _ in range(2)
    )

    html = first.text
    assert "Planned" in html
    assert "by mira.audit" in html
    assert f"policy ipko {center.services.policies.latest.version}" in html
    due = planned_cdrs(html)
    assert due > 0
    assert planned_cdrs(second.text) == due  # the first plan deleted nothing
    assert center.services.retention_book().runs() == []


def planned_cdrs(html: str) -> int:
    found = re.search(
        r'<th scope="row">cdrs</th><td>delete</td><td class="num">([\d,]+)</td>', html
    )
    assert found is not None, html[:3000]
    return int(found.group(1).replace(",", ""))


def test_plan_without_a_data_map_says_which_setting_is_missing(
    console: tuple[Center, TestClient],
) -> None:
    _, client = console
    sign_in_staff(client, "dpo")

    page = client.post(
        f"{PAGE}/plan", data={"csrf": staff_csrf(client, PAGE)}, follow_redirects=True
    )

    assert "PLACET_DATAMAP" in page.text
    assert "failed" in page.text


def test_runs_are_listed_with_their_steps_and_charted_on_the_figures_page(
    estate_console: tuple[Center, TestClient],
) -> None:
    center, client = estate_console
    services = center.services
    with opened_estate(MAP) as estate:
        report = run_retention(
            estate,
            services.policies.in_force(LATER),
            services.ledger,
            services.key(),
            services.retention_book(),
            at=LATER,
            actor="nightly",
            datamap_sha256="0" * 64,
        )
    sign_in_staff(client, "dpo")

    page = client.get(PAGE)
    figures = client.get("/console/figures")

    run_id = report.run.run_id
    assert f'id="run-{run_id}"' in page.text
    assert "by nightly" in page.text
    assert "verified" in page.text
    deleted = sum(step.changed_rows or 0 for step in report.steps if step.action == "delete")
    assert deleted > 0
    assert f'<td class="num">{deleted:,}</td>' in figures.text
    assert 'aria-labelledby="runs-title runs-desc"' in figures.text
