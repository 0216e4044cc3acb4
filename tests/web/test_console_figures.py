"""The console's figures page (issue 7, "charts"): consent rates per option over time,
withdrawals, requests by kind with their on-time rate and the retention runs, each a
server-drawn SVG with its numbers in a table; kept between views and computed again in
the background once the ledger moves on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from placet.dsr import RequestKind
from placet.operations.requests import fulfil_request, start_request_work
from placet.web.console_figures import figure_keeper
from tests.web.console_fixtures import add_staff, open_request, sign_in_staff
from tests.web.privacy_fixtures import SHOP, SUBSCRIBER, Center, known_subscriber, make_center

OTHER = "+38344123457"


@pytest.fixture
def console(database_url: str, tmp_path: Path) -> Iterator[tuple[Center, TestClient]]:
    """The site on a fresh ledger (SQLite, PostgreSQL): two customers, a DPO signed in."""
    made = make_center(database_url, tmp_path)
    with TestClient(made.app, base_url="https://testserver") as client:
        known_subscriber(made, client)
        known_subscriber(made, client, OTHER)
        add_staff(made)
        sign_in_staff(client, "dpo")
        yield made, client
    made.services.ledger.engine.dispose()  # type: ignore[attr-defined]


def consent(center: Center, client: TestClient, subject: str, path: str, when: str) -> None:
    response = client.post(
        f"/v1/subjects/{subject}/{path}",
        json={**SHOP, "option": "current-offers", "effective_at": when},
        headers=center.api_headers("events:write"),
    )
    assert response.status_code == 201, response.text


def row_cells(html: str, header: str) -> list[str]:
    """The cells of the table row headed `header`, as text."""
    found = re.search(rf'<th scope="row">{re.escape(header)}</th>(.*?)</tr>', html, re.S)
    assert found is not None, header
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", found.group(1), re.S)
    ]


def test_consent_rates_per_option_over_time_are_charted_with_their_numbers(
    console: tuple[Center, TestClient],
) -> None:
    center, client = console
    consent(center, client, SUBSCRIBER, "consents", "2025-02-10T00:00:00Z")
    consent(center, client, OTHER, "consents", "2025-03-10T00:00:00Z")

    page = client.get("/console/figures")

    assert page.status_code == 200
    assert 'aria-labelledby="rates-title rates-desc"' in page.text
    # The clock is 1 May 2025: customers since 1 January, one consent from February,
    # two from March; the months before January have no customer.
    assert row_cells(page.text, "Feb 2025")[:2] == ["2", "0.0 %"]
    assert row_cells(page.text, "Mar 2025")[:2] == ["2", "50.0 %"]
    assert row_cells(page.text, "Apr 2025")[:2] == ["2", "100.0 %"]
    assert row_cells(page.text, "today")[:2] == ["2", "100.0 %"]
    assert row_cells(page.text, "Dec 2024")[:2] == ["0", "—"]


def test_withdrawals_are_counted_in_the_month_they_took_effect(
    console: tuple[Center, TestClient],
) -> None:
    center, client = console
    consent(center, client, SUBSCRIBER, "consents", "2025-02-10T00:00:00Z")
    consent(center, client, SUBSCRIBER, "withdrawals", "2025-04-02T00:00:00Z")

    page = client.get("/console/figures")

    cells = row_cells(page.text, "Current offers")
    assert cells[:2] == ["1", "1"]  # given, withdrawn
    assert cells[2:][-2:] == ["1", "0"]  # April, then May
    assert 'aria-labelledby="withdrawals-title withdrawals-desc"' in page.text


def test_requests_by_type_and_their_on_time_rate(console: tuple[Center, TestClient]) -> None:
    center, client = console
    now = center.clock()
    book = center.services.requests
    on_time = open_request(center, RequestKind.ACCESS, now - timedelta(days=60), verified=True)
    late = open_request(center, RequestKind.ACCESS, now - timedelta(days=90), verified=True)
    for request_id, took in ((on_time, 10), (late, 45)):
        received = book.get(request_id).received_at  # type: ignore[union-attr]
        start_request_work(book, request_id, actor="dpo", at=received + timedelta(days=1))
        fulfil_request(book, request_id, actor="dpo", at=received + timedelta(days=took))
    open_request(center, RequestKind.ERASURE, now - timedelta(days=40))

    page = client.get("/console/figures")

    # received, closed, on time, on-time rate, open, overdue
    assert row_cells(page.text, "access") == ["2", "2", "1", "50.0 %", "0", "0"]
    assert row_cells(page.text, "erasure") == ["1", "0", "0", "—", "1", "1"]
    assert row_cells(page.text, "All") == ["3", "2", "1", "50.0 %", "1", "1"]
    # Received per month, June 2024 to May 2025: 31 January and 2 March.
    assert row_cells(page.text, "Received: access")[-5:] == ["1", "0", "1", "0", "0"]
    assert 'aria-labelledby="requests-title requests-desc"' in page.text


def test_no_retention_run_yet_says_how_to_run_one(console: tuple[Center, TestClient]) -> None:
    _, client = console

    page = client.get("/console/figures")

    assert "No retention run yet" in page.text
    assert "placet retention run" in page.text


def test_figures_are_kept_and_computed_again_in_the_background_when_the_ledger_moves_on(
    console: tuple[Center, TestClient],
) -> None:
    center, client = console
    client.get("/console/figures")
    consent(center, client, SUBSCRIBER, "consents", "2025-04-10T00:00:00Z")

    stale = client.get("/console/figures")
    figure_keeper(center.app).wait(30)
    fresh = client.get("/console/figures")

    assert row_cells(stale.text, "today")[:2] == ["2", "0.0 %"]
    assert "newer ones are being computed" in stale.text
    assert row_cells(fresh.text, "today")[:2] == ["2", "50.0 %"]
    assert "newer ones are being computed" not in fresh.text


def test_every_role_reads_the_figures_and_none_without_a_session(
    console: tuple[Center, TestClient],
) -> None:
    _center, client = console
    for role in ("auditor", "care-agent"):
        client.cookies.clear()
        sign_in_staff(client, role)
        assert client.get("/console/figures").status_code == 200
    client.cookies.clear()

    anonymous = client.get("/console/figures", follow_redirects=False)

    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/console/sign-in")


def test_the_charts_need_no_script_and_no_inline_style(console: tuple[Center, TestClient]) -> None:
    center, client = console
    consent(center, client, SUBSCRIBER, "consents", "2025-02-10T00:00:00Z")

    page = client.get("/console/figures")

    assert page.text.count('<svg class="chart"') >= 2
    assert "<script" not in page.text.split("<main", 1)[1]
    assert "style=" not in page.text
    assert "style-src 'self'" in page.headers["content-security-policy"]
