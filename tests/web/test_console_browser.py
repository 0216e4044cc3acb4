"""The DPO console in Debian's chromium (issue 7, "DPO console" and "Tests in a real
browser"): the DPO signs in, finds a subscriber's access request in the queue behind an
overdue one, carries it out on a small synthetic estate, and the answer's files appear."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from placet.dsr import RequestKind
from placet.operations.requests import verify_request
from tests.api.conftest import estate_settings
from tests.operations.estate_fixtures import MAP
from tests.web.conftest import LiveServer, live_server, screenshot
from tests.web.console_fixtures import PASSWORD, STAFF, add_staff, open_request
from tests.web.privacy_fixtures import Center, make_center


def estate_subscriber(database_url: str) -> str:
    """A subscriber of the synthetic estate with a contract and invoices."""
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        found: str = connection.execute(
            sa.text(
                "SELECT c.subscriber_id FROM contracts c JOIN invoices i "
                "ON i.subscriber_id = c.subscriber_id ORDER BY c.subscriber_id LIMIT 1"
            )
        ).scalar_one()
    engine.dispose()
    return found


@pytest.fixture
def served(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Center, LiveServer, str]]:
    """The site on loopback over a small IPKO estate, staff of each role, an overdue
    erasure request and a subscriber's access request made in the privacy center."""
    estate_settings(sqlite_url, tmp_path, monkeypatch)
    center = make_center(sqlite_url, tmp_path, datamap=MAP)
    add_staff(center)
    subscriber = estate_subscriber(sqlite_url)
    now = center.clock()
    open_request(center, RequestKind.ERASURE, now - timedelta(days=40), subscriber="+38344555666")
    open_request(center, RequestKind.OBJECTION, now - timedelta(days=25), verified=True)
    request_id = open_request(
        center, RequestKind.ACCESS, now - timedelta(days=1), subscriber=subscriber
    )
    verify_request(
        center.services.requests,
        request_id,
        actor="privacy-center",
        at=now - timedelta(days=1),
        how="signed in to the privacy center by a one-time code sent by SMS",
    )
    with live_server(center.app) as server:
        yield center, server, request_id


def test_the_dpo_signs_in_and_fulfils_a_subscribers_access_request(
    served: tuple[Center, LiveServer, str], page: Any
) -> None:
    center, server, request_id = served

    page.goto(f"{server.url}/console")
    page.wait_for_url("**/console/sign-in")
    page.get_by_label("Staff name").fill(STAFF["dpo"])
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("The name or the password is wrong.").wait_for()
    screenshot(page, "console-sign-in-wrong")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}/console")
    screenshot(page, "console-queue")
    rows = page.locator("tbody tr")
    assert rows.count() == 3
    assert "overdue" in rows.nth(0).inner_text()

    page.get_by_role("link", name=request_id).click()
    page.wait_for_url(f"**/console/requests/{request_id}")
    screenshot(page, "console-request")
    page.get_by_label("Language of the answer").select_option("sq")
    page.get_by_role("button", name="Carry out").click()
    page.get_by_text("Request carried out.").wait_for()
    screenshot(page, "console-request-fulfilled")

    assert page.get_by_role("link", name="printed-copy.pdf").is_visible()
    request = center.services.requests.get(request_id)
    assert request is not None
    assert request.state.value == "fulfilled"
    assert request.steps[-1].actor == STAFF["dpo"]
    pdf = httpx.get(
        f"{server.url}/console/requests/{request_id}/answer/printed-copy.pdf",
        cookies={cookie["name"]: cookie["value"] for cookie in page.context.cookies()},
    )
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert "0 rows from 0 datasets" not in page.content()


def test_the_care_form_and_the_ledger_page_in_the_browser(
    served: tuple[Center, LiveServer, str], page: Any
) -> None:
    _, server, _ = served
    page.goto(f"{server.url}/console/sign-in")
    page.get_by_label("Staff name").fill(STAFF["care-agent"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}/console")

    page.get_by_role("link", name="Record a choice").click()
    page.wait_for_url("**/console/care")
    page.get_by_role("button", name="Record").click()
    page.get_by_text("Choose what the subscriber said.").wait_for()
    screenshot(page, "console-care-errors")
    page.get_by_label("Subscriber").fill("+38344123456")
    page.get_by_label("Consent withdrawn").check()
    page.get_by_label("Consent option (for a consent)").select_option("current-offers")
    page.get_by_label("By phone (call centre)").check()
    page.get_by_role("button", name="Record").click()
    page.get_by_text("Recorded in the ledger: consent-withdrawn").wait_for()
    screenshot(page, "console-care")

    page.get_by_role("link", name="Ledger").click()
    page.wait_for_url("**/console/ledger")
    page.get_by_role("button", name="Verify now").click()
    page.get_by_text("✓ Intact").first.wait_for()
    screenshot(page, "console-ledger")
    assert page.get_by_text("✓ Intact").count() == 2
