"""The cookie banner in a real browser: it asks, records the choice in the ledger through
the public endpoint, keeps it, and can be reopened; in the page's language, with the
keyboard alone, on a phone-sized screen, and embedded on another site (CORS)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from placet.ledger import (
    CollectedVia,
    ConsentGiven,
    ConsentWithdrawn,
    PseudonymKey,
    SubjectFactsRecorded,
)
from placet.operations import subject_ref
from placet.settings import PlacetSettings
from placet.web import create_site
from placet.web.banner import DEMO_PATH
from tests.web.conftest import LiveServer, live_server, screenshot

PSEUDONYM_KEY = "0f" * 32
"""The tests' pseudonym key, in hex; never a production key."""


def _settings(database_url: str, policy: str, origins: list[str] | None = None) -> PlacetSettings:
    return PlacetSettings(
        database_url=database_url,
        policy=policy,
        pseudonym_key=PSEUDONYM_KEY,
        cookie_origins=origins or [],
    )


@pytest.fixture
def ipko_site(database_url: str) -> Iterator[tuple[LiveServer, FastAPI]]:
    """IPKO's site on loopback, its ledger once on SQLite and once on PostgreSQL."""
    site = create_site(_settings(database_url, "ipko"))
    with live_server(site) as server:
        yield server, site
    site.state.services.ledger.engine.dispose()


def _banner(page: Any) -> Any:
    return page.get_by_role("dialog")


def _wait_for_choice(page: Any) -> dict[str, Any]:
    page.wait_for_function("() => window.PlacetCookies && window.PlacetCookies.choice()")
    choice: dict[str, Any] = page.evaluate("() => window.PlacetCookies.choice()")
    return choice


def test_the_cookie_banner_records_a_refusal_and_does_not_show_again(
    ipko_site: tuple[LiveServer, FastAPI], page: Any
) -> None:
    server, site = ipko_site
    page.goto(f"{server.url}{DEMO_PATH}?lang=en")
    banner = _banner(page)
    banner.wait_for()
    screenshot(page, "cookie-banner-ipko-en")
    assert "ID cookies" in banner.inner_text()

    banner.get_by_role("button", name="Refuse").click()
    choice = _wait_for_choice(page)

    assert choice["categories"] == {"id-cookies": False}
    assert len(choice["receipts"]) == 1
    assert not banner.is_visible()
    history = _visitor_history(site, page)
    assert [type(event.data) for event in history] == [SubjectFactsRecorded, ConsentWithdrawn]
    assert {event.collected_via for event in history} == {CollectedVia.COOKIE_BANNER}
    assert history[1].data.option == "id-cookies"

    page.reload()
    page.get_by_role("button", name="Cookie settings", exact=True).wait_for()
    screenshot(page, "cookie-banner-after-refusal")
    assert not _banner(page).is_visible()
    assert page.locator("[data-category=id-cookies]").inner_text() == "no"


def test_the_banner_speaks_danish_with_ok_and_nej_tak_for_ipnordic(
    sqlite_url: str, page: Any
) -> None:
    site = create_site(_settings(sqlite_url, "ipnordic"))
    with live_server(site) as server:
        page.goto(f"{server.url}{DEMO_PATH}?lang=da")
        banner = _banner(page)
        banner.wait_for()
        screenshot(page, "cookie-banner-ipnordic-da")
        assert "Hos ipnordic elsker vi småkager" in banner.inner_text()
        assert banner.get_by_role("button", name="OK", exact=True).is_visible()
        assert banner.get_by_role("button", name="Nej tak").is_visible()
        banner.get_by_role("button", name="OK", exact=True).click()
        choice = _wait_for_choice(page)
    assert choice["categories"] == {
        "website-optimisation": True,
        "analysis": True,
        "statistics": True,
        "marketing": True,
    }
    assert len(choice["receipts"]) == 4


def test_the_banner_is_used_with_the_keyboard_alone(
    ipko_site: tuple[LiveServer, FastAPI], page: Any
) -> None:
    server, site = ipko_site
    page.goto(f"{server.url}{DEMO_PATH}?lang=sq")
    banner = _banner(page)
    banner.wait_for()
    focused = "() => { const host = document.activeElement; const inner = "
    focused += "host && host.shadowRoot && host.shadowRoot.activeElement; "
    focused += "return inner ? (inner.getAttribute('data-action') || inner.getAttribute('role') "
    focused += "|| inner.id) : null; }"
    assert page.evaluate(focused) == "dialog"  # focus moved into the banner

    page.keyboard.press("Escape")  # Escape decides nothing: the banner stays
    assert banner.is_visible()
    assert page.evaluate("() => window.PlacetCookies.choice()") is None

    page.keyboard.press("Tab")  # the link to the notice
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "accept"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "choose"
    page.keyboard.press("Enter")
    assert page.evaluate(focused) == "placet-cb-id-cookies"
    page.keyboard.press("Space")
    screenshot(page, "cookie-banner-keyboard-choose")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "save"
    page.keyboard.press("Enter")
    choice = _wait_for_choice(page)
    assert choice["categories"] == {"id-cookies": True}
    history = _visitor_history(site, page)
    assert isinstance(history[-1].data, ConsentGiven)


def test_reopening_the_banner_changes_the_choice(
    ipko_site: tuple[LiveServer, FastAPI], page: Any
) -> None:
    server, site = ipko_site
    page.goto(f"{server.url}{DEMO_PATH}?lang=sr")
    banner = _banner(page)
    banner.get_by_role("button", name="Prihvatam").click()
    assert _wait_for_choice(page)["categories"] == {"id-cookies": True}

    page.get_by_role("button", name="Podešavanja kolačića").click()
    banner.wait_for()
    assert banner.get_by_role("checkbox", name="ID kolačići").is_checked()
    screenshot(page, "cookie-banner-reopened")
    page.keyboard.press("Escape")  # closes unchanged once a choice is made
    assert not banner.is_visible()

    page.evaluate("() => window.PlacetCookies.open()")
    banner.get_by_role("checkbox", name="ID kolačići").uncheck()
    banner.get_by_role("button", name="Sačuvaj moj izbor").click()
    page.wait_for_function("() => window.PlacetCookies.choice().categories['id-cookies'] === false")
    history = _visitor_history(site, page)
    kinds = [type(event.data) for event in history]
    assert kinds == [SubjectFactsRecorded, ConsentGiven, ConsentWithdrawn]


def test_the_banner_fits_a_phone_sized_screen(
    ipko_site: tuple[LiveServer, FastAPI], page: Any
) -> None:
    server, _ = ipko_site
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{server.url}{DEMO_PATH}?lang=en")
    banner = _banner(page)
    banner.wait_for()
    screenshot(page, "cookie-banner-phone")
    box = banner.bounding_box()
    refuse = banner.get_by_role("button", name="Refuse").bounding_box()
    assert box["x"] >= 0
    assert box["y"] >= 0
    assert box["x"] + box["width"] <= 360
    assert box["y"] + box["height"] <= 740
    assert refuse["height"] >= 44  # a finger-sized target
    assert refuse["x"] + refuse["width"] <= 360


def test_the_banner_records_from_an_allowed_site_of_another_origin(
    sqlite_url: str, page: Any
) -> None:
    shop = FastAPI()
    embed: dict[str, str] = {}

    @shop.get("/")
    def home() -> HTMLResponse:
        return HTMLResponse(
            '<!doctype html><html lang="da"><head><title>Shop</title></head><body>'
            f'<h1>Shop</h1><script src="{embed["placet"]}/static/cookie-banner.js" '
            f'data-placet="{embed["placet"]}" defer></script></body></html>'
        )

    shop_server = LiveServer(shop)
    site = create_site(_settings(sqlite_url, "ipnordic", [shop_server.url]))
    with live_server(site) as placet, shop_server:
        embed["placet"] = placet.url
        page.goto(shop_server.url)
        banner = _banner(page)
        banner.get_by_role("button", name="Nej tak").click()
        choice = _wait_for_choice(page)
    assert set(choice["categories"].values()) == {False}
    history = _visitor_history(site, page)
    assert history[-1].evidence == f"cookie banner on {shop_server.url}, in 'da'"


def _visitor_history(site: FastAPI, page: Any) -> list[Any]:
    """The ledger's events about the visitor whose id this browser keeps."""
    visitor = page.evaluate("() => localStorage.getItem('placet-visitor')")
    subject = subject_ref(f"website-visitor:{visitor}", PseudonymKey.from_hex(PSEUDONYM_KEY))
    return [entry.event for entry in site.state.services.ledger.history(subject)]
