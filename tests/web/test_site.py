"""The site serves the API and the static files from one app, to a real browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from placet.settings import PlacetSettings
from placet.web import STATIC_PREFIX, create_site
from tests.web.conftest import live_server, screenshot


def _settings(tmp_path: Path) -> PlacetSettings:
    return PlacetSettings(database_url=f"sqlite:///{tmp_path / 'placet.db'}", policy="ipko")


def test_site_serves_the_api_and_static_files_on_one_port(tmp_path: Path) -> None:
    site = create_site(_settings(tmp_path))
    with live_server(site) as server:
        health = httpx.get(f"{server.url}/v1/health", timeout=10)
        missing = httpx.get(f"{server.url}{STATIC_PREFIX}/no-such-file.js", timeout=10)
    assert health.status_code == 200, health.text
    assert missing.status_code == 404


def test_browser_opens_the_api_documentation(tmp_path: Path, page: Any) -> None:
    site = create_site(_settings(tmp_path))
    with live_server(site) as server:
        page.goto(f"{server.url}/v1/docs")
        screenshot(page, "api-docs")
        assert "Placet" in page.title()
