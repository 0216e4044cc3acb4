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

from placet.api.context import opened_estate
from placet.dsr import RequestKind
from placet.operations.requests import (
    fulfil_request,
    reject_request,
    start_request_work,
    verify_request,
)
from placet.operations.retention_runs import run_retention
from placet.retention.guard import HoldReason, HoldScope, LegalHold
from placet.stores.consent_import import import_consent_history
from placet.synth.estate import CONSENT_HISTORY_FILE
from tests.api.conftest import estate_settings, estate_subscriber
from tests.operations.estate_fixtures import ESTATE_PLAN, MAP
from tests.web.conftest import LiveServer, live_server, screenshot
from tests.web.console_fixtures import PASSWORD, STAFF, add_staff, open_request, three_versions
from tests.web.privacy_fixtures import Center, make_center


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


@pytest.fixture
def served_a_year_on(
    served: tuple[Center, LiveServer, str], sqlite_url: str, tmp_path: Path
) -> tuple[Center, LiveServer, str]:
    """The `served` site at the estate's now (June 2026) with what the demo seeds: the
    estate's consent history imported from its CRM file, requests answered over the year
    (one late, one rejected), a legal hold and a first retention run three months ago."""
    center, _, _ = served
    services = center.services
    now = ESTATE_PLAN.now + timedelta(hours=9)
    import_consent_history(
        services.ledger,
        tmp_path / "estate" / CONSENT_HISTORY_FILE,
        policies=services.policies,
        key=services.key(),
        recorded_at=now,
    )
    center.clock.now = now
    for kind, days, took, fulfilled in (
        (RequestKind.ACCESS, 300, 21, True),
        (RequestKind.ERASURE, 220, 9, True),
        (RequestKind.ACCESS, 150, 41, True),
        (RequestKind.ERASURE, 90, 14, False),
        (RequestKind.OBJECTION, 45, 1, True),
        (RequestKind.PORTABILITY, 10, 0, False),
    ):
        received = now - timedelta(days=days)
        request_id = open_request(center, kind, received, verified=True)
        closed = received + timedelta(days=took)
        if took and fulfilled:
            start_request_work(services.requests, request_id, actor="dpo", at=received)
            fulfil_request(services.requests, request_id, actor="dpo", at=closed)
        elif took:
            reject_request(
                services.requests, request_id, actor="dpo", at=closed, reason="kept by law"
            )
    book = services.retention_book()
    book.place(
        LegalHold(
            hold_id="D-2026-114",
            scope=HoldScope(subject=estate_subscriber(sqlite_url)),
            reason=HoldReason.DISPUTE,
            description="The subscriber disputes the March invoices in court.",
            placed_by=STAFF["dpo"],
            placed_at=now - timedelta(days=120),
        )
    )
    ran = now - timedelta(days=91)
    with opened_estate(MAP) as estate:
        run_retention(
            estate,
            services.policies.in_force(ran),
            services.ledger,
            services.key(),
            book,
            at=ran,
            actor="nightly",
            datamap_sha256="0" * 64,
            holds=book.holds(),
            now=lambda: ran,
        )
    return served


def sign_in(page: Any, server: LiveServer, role: str) -> None:
    """Sign the account of `role` in, through the form, and land on the queue."""
    page.goto(f"{server.url}/console/sign-in")
    page.get_by_label("Staff name").fill(STAFF[role])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}/console")


FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {text: element.innerText.trim(), tag: element.tagName.toLowerCase(),
          name: element.getAttribute("name"), outline: style.outlineStyle,
          outlineWidth: parseFloat(style.outlineWidth)};
}"""
"""What has the keyboard's focus: its text, tag, name and outline."""


def tab_to(page: Any, text: str, most: int) -> int:
    """Press Tab until the element whose text is `text` has the focus, at most `most`
    times; how many presses it took. The focus must be visible on it."""
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["text"] == text:
            assert focused["outline"] != "none", focused
            assert focused["outlineWidth"] >= 2, focused
            return presses
    raise AssertionError(f"{text!r} was not reached in {most} presses of Tab")


def test_the_console_is_usable_with_the_keyboard_alone(
    served: tuple[Center, LiveServer, str], page: Any
) -> None:
    center, server, _ = served
    page.goto(f"{server.url}/console/sign-in")
    page.get_by_label("Staff name").focus()
    page.keyboard.type(STAFF["dpo"])
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.url}/console")

    # Each page starts the focus at its top: the skip link, the brand, Sign out, then the
    # nav's Requests, Record a choice, Figures, Retention, Policy.
    for link, presses, heading in (
        ("Figures", 6, "Figures"),
        ("Retention", 7, "Retention"),
        ("Policy", 8, "Policy versions"),
        ("Retention", 7, "Retention"),
    ):
        assert tab_to(page, link, most=presses) == presses
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/console/{link.lower()}")
        assert page.locator("h1").inner_text() == heading

    tab_to(page, "Place a legal hold", most=20)
    page.keyboard.press("Enter")
    assert (
        page.locator("details:has(> summary:text-is('Place a legal hold'))").get_attribute("open")
        is not None
    )
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["name"] == "hold_id"
    page.keyboard.type("C-2026-031")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # from "Choose…" to the first reason
    assert page.get_by_label("Reason").input_value() == "dispute"
    page.keyboard.press("Tab")
    page.keyboard.type("Invoices asked for by the court in case C-2026-031.")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["name"] == "dataset"
    page.keyboard.type("invoices")
    assert page.get_by_label("Dataset (optional)").input_value() == "invoices"
    page.keyboard.press("Tab")
    page.keyboard.type("2025-01-01")
    assert tab_to(page, "Place the hold", most=3) == 3
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/retention?done=placed*")
    page.get_by_text("The legal hold is placed.").wait_for()
    row = page.locator("tr", has=page.get_by_role("rowheader", name="C-2026-031"))
    assert "in force" in row.inner_text()
    assert "invoices" in row.inner_text()
    screenshot(page, "console-retention-hold")
    holds = center.services.retention_book().holds()
    assert [hold.placed_by for hold in holds if hold.hold_id == "C-2026-031"] == [STAFF["dpo"]]


SIDEWAYS = """() => ({
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  wider: [...document.querySelectorAll("body *")]
    .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1
      && (!element.closest(".table-wrap, .chart-wrap")
          || getComputedStyle(element).position === "absolute"))
    .slice(0, 5).map((element) => element.outerHTML.slice(0, 120)),
})"""
"""How wide the document is against the window, and the first elements that stick out:
outside a wrap that scrolls, or inside one but placed against the page (`position:
absolute`), which the wrap does not hold in."""


def test_every_console_page_fits_a_phone_screen(
    served_a_year_on: tuple[Center, LiveServer, str], page: Any
) -> None:
    center, server, request_id = served_a_year_on
    page.set_viewport_size({"width": 390, "height": 844})
    version = center.services.policies.in_force(center.clock()).version

    def fits(name: str) -> None:
        measured = page.evaluate(SIDEWAYS)
        assert measured["scrollWidth"] <= measured["innerWidth"] + 1, (name, measured)
        screenshot(page, f"console-phone-{name}")

    page.goto(f"{server.url}/console/sign-in")
    fits("sign-in")
    sign_in(page, server, "dpo")
    for name, path in (
        ("queue", "/console"),
        ("request", f"/console/requests/{request_id}"),
        ("care", "/console/care"),
        ("figures", "/console/figures"),
        ("policy", "/console/policy"),
        ("policy-diff", f"/console/policy/diff?from={version}&to={version}"),
        ("ledger", "/console/ledger"),
    ):
        page.goto(f"{server.url}{path}")
        fits(name)
    page.goto(f"{server.url}/console/retention")
    page.get_by_role("button", name="Plan now").click()
    page.get_by_text("rows would be deleted, anonymised or restricted").wait_for()
    page.get_by_text("Place a legal hold").click()
    fits("retention")


def test_the_figures_and_retention_pages_in_the_browser(
    served_a_year_on: tuple[Center, LiveServer, str], page: Any
) -> None:
    center, server, _ = served_a_year_on
    sign_in(page, server, "dpo")

    page.get_by_role("link", name="Figures").click()
    page.wait_for_url("**/console/figures")
    for heading, title in (
        ("Consent rates per option", "Customers holding each consent"),
        ("Consents withdrawn", "Consents withdrawn each month"),
        ("Requests by kind", "Requests received each month"),
        ("Retention runs", "Rows changed by each retention run"),
    ):
        section = page.locator("section.figure", has=page.get_by_role("heading", name=heading))
        chart = section.locator("svg.chart")
        assert chart.get_attribute("role") == "img"
        assert chart.locator("title").text_content() == title
        assert chart.bounding_box()["height"] > 100
        assert section.locator(".legend li").count() > 0
    rates = page.locator("section.figure").first
    numbers = rates.locator("details")
    assert not rates.get_by_role("table").is_visible()
    numbers.locator("summary").click()
    assert rates.get_by_role("table").is_visible()
    assert rates.get_by_role("columnheader", name="At the start of").is_visible()
    assert rates.locator("tbody tr").count() == 13
    assert "%" in rates.locator("tbody tr").last.inner_text()
    screenshot(page, "console-figures")

    page.get_by_role("link", name="Retention").click()
    page.wait_for_url("**/console/retention")
    assert page.get_by_role("rowheader", name="D-2026-114").is_visible()
    assert page.locator("article.run").count() == 1
    page.get_by_role("button", name="Plan now").click()
    page.get_by_text(f"by {STAFF['dpo']}, under policy").wait_for()
    plan = page.locator("#plan table")
    assert plan.locator("tbody tr").count() > 0
    screenshot(page, "console-retention")

    page.get_by_role("link", name="Policy").click()
    page.wait_for_url("**/console/policy")
    assert page.locator("h1").inner_text() == "Policy versions"
    if len(center.services.policies.versions) == 1:
        page.get_by_role("heading", name="Nothing to compare yet").wait_for()
    screenshot(page, "console-policy")


def test_the_policy_versions_and_their_diff_in_the_browser(
    sqlite_url: str, tmp_path: Path, page: Any
) -> None:
    folder = three_versions(tmp_path)
    center = make_center(sqlite_url, tmp_path, policy=str(folder))
    add_staff(center)
    with live_server(center.app) as server:
        sign_in(page, server, "auditor")
        page.get_by_role("link", name="Policy", exact=True).click()
        page.wait_for_url(f"{server.url}/console/policy")
        screenshot(page, "console-policy-versions")
        page.get_by_role("link", name="What changed from 1.0").click()
        page.wait_for_url(f"{server.url}/console/policy/diff**")

        assert page.get_by_role("heading", name="What changed from 1.0 to 1.1").is_visible()
        assert page.get_by_role("heading", name="Added (1)").is_visible()
        assert page.locator("ins").first.is_visible()
        assert page.locator("del").first.is_visible()
        screenshot(page, "console-policy-diff")
    center.services.ledger.engine.dispose()  # type: ignore[attr-defined]
