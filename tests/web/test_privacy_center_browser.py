"""The privacy center in Debian's chromium (issue 7, "Tests in a real browser" and
"Quality"): sign in with the code from the demo's outbox folder, withdraw a consent and
see the decision API deny; the Albanian notice; a phone-sized screen; the keyboard."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from placet.dsr.outbox import FolderOutbox
from tests.web.conftest import LiveServer, live_server, screenshot
from tests.web.privacy_fixtures import (
    SHOP,
    SUBSCRIBER,
    Center,
    code_in,
    known_subscriber,
    make_center,
)

SMS_MARKETING = {
    "subject": SUBSCRIBER,
    "purpose": "direct-marketing-current-offers",
    "categories": ["contact"],
    "channel": "sms",
}


@pytest.fixture
def served(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[Center, LiveServer, httpx.Client]]:
    """The site on loopback, codes written to an outbox folder as in the demo, and a
    subscriber who consented to current offers in a shop."""
    center = make_center(sqlite_url, tmp_path, folder_outbox=True)
    with live_server(center.app) as server, httpx.Client(base_url=server.url) as client:
        known_subscriber(center, client)
        consent = client.post(
            f"/v1/subjects/{SUBSCRIBER}/consents",
            json={**SHOP, "option": "current-offers"},
            headers=center.api_headers("events:write"),
        )
        assert consent.status_code == 201, consent.text
        center.clock.advance(60)
        yield center, server, client


def decide(center: Center, client: httpx.Client) -> str:
    response = client.post(
        "/v1/decisions", json=SMS_MARKETING, headers=center.api_headers("decide")
    )
    assert response.status_code == 200, response.text
    outcome: str = response.json()["outcome"]
    return outcome


def sign_in(center: Center, server: LiveServer, page: Any) -> None:
    """Sign in as the subscriber does: the number, then the code read from the outbox."""
    page.goto(f"{server.url}/privacy/sign-in?lang=en")
    screenshot(page, "privacy-sign-in")
    page.get_by_label("Mobile number or e-mail address").fill("+383 44 123 456")
    page.get_by_role("button", name="Send code").click()
    page.wait_for_url("**/privacy/sign-in/code")
    assert center.outbox is not None
    [message] = FolderOutbox(center.outbox).messages()
    assert message.to == SUBSCRIBER
    page.get_by_label("Code").fill(code_in(message.body))
    screenshot(page, "privacy-code")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/privacy/choices")


def test_a_subscriber_signs_in_withdraws_a_consent_and_the_decision_api_flips_to_deny(
    served: tuple[Center, LiveServer, httpx.Client], page: Any
) -> None:
    center, server, client = served
    page.goto(f"{server.url}/privacy?lang=en")
    screenshot(page, "privacy-home")
    before = decide(center, client)

    sign_in(center, server, page)
    screenshot(page, "privacy-choices")
    option = page.locator("#option-current-offers")
    option.get_by_role("button", name="Withdraw consent").click()
    page.get_by_text("Saved. Your change is recorded.").wait_for()
    screenshot(page, "privacy-choices-saved")
    center.clock.advance(60)
    after = decide(center, client)

    assert (before, after) == ("permit", "deny")
    assert option.get_by_role("button", name="Give consent").is_visible()
    page.get_by_role("link", name="History").click()
    page.wait_for_url("**/privacy/history")
    screenshot(page, "privacy-history")
    assert page.get_by_text("Consent withdrawn").first.is_visible()
    page.get_by_role("link", name="Requests").first.click()
    page.wait_for_url("**/privacy/requests")
    page.get_by_label("A copy of my data", exact=True).check()
    page.get_by_role("button", name="Send request").click()
    page.get_by_text("is received and your identity is confirmed").wait_for()
    screenshot(page, "privacy-requests")
    page.get_by_role("link", name="A copy of my data").click()
    page.wait_for_url("**/privacy/requests/DSR-*")
    screenshot(page, "privacy-request")


def test_the_language_switcher_shows_the_albanian_notice(
    served: tuple[Center, LiveServer, httpx.Client], page: Any
) -> None:
    _, server, _ = served
    page.goto(f"{server.url}/privacy/notice?lang=en")
    screenshot(page, "privacy-notice-en")

    page.get_by_role("navigation", name="Language").get_by_role("link", name="Shqip").click()
    page.wait_for_url("**/privacy/notice?lang=sq")

    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Politika e privatësisë e IPKO Telecommunications LLC"
    assert page.locator("html").get_attribute("lang") == "sq"
    assert page.get_by_role("link", name="Zgjedhjet tuaja").is_visible()
    screenshot(page, "privacy-notice-sq")


def test_the_privacy_center_fits_a_phone_sized_screen(
    served: tuple[Center, LiveServer, httpx.Client], page: Any
) -> None:
    center, server, _ = served
    page.set_viewport_size({"width": 375, "height": 740})

    sign_in(center, server, page)
    widths = {}
    for path in ("/privacy/choices", "/privacy/requests", "/privacy/notice", "/privacy"):
        page.goto(f"{server.url}{path}")
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
        screenshot(page, f"privacy-phone{path.replace('/', '-')}")

    assert all(width <= 375 for width in widths.values()), widths
    page.goto(f"{server.url}/privacy/choices")
    button = page.locator("#option-current-offers").get_by_role("button", name="Withdraw consent")
    box = button.bounding_box()
    assert box is not None
    assert box["height"] >= 36
    assert box["x"] + box["width"] <= 375


def test_the_keyboard_reaches_every_control_with_a_visible_focus(
    served: tuple[Center, LiveServer, httpx.Client], page: Any
) -> None:
    center, server, _ = served
    page.goto(f"{server.url}/privacy/sign-in?lang=en")

    page.keyboard.press("Tab")
    skip = page.evaluate("document.activeElement.textContent")
    ring = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    visible = page.locator(".skip-link").is_visible()
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate("document.activeElement.id || document.activeElement.textContent")
        )
        if reached[-1] == "address":
            break
    screenshot(page, "privacy-keyboard-focus")
    page.keyboard.type("+38344123456")
    page.keyboard.press("Enter")
    page.wait_for_url("**/privacy/sign-in/code")

    assert skip == "Skip to content"
    assert visible
    assert ring[0] != "none"
    assert ring[1] >= 2
    assert "Shqip" in reached
    assert reached[-1] == "address"
    assert center.outbox is not None
    assert len(FolderOutbox(center.outbox).messages()) == 1
