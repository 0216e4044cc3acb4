"""The web tests' set-up: a server on loopback (port 0) running the whole site, and Debian's
chromium driven by Playwright, with a screenshot of each page a test looks at.

Chromium is `/usr/bin/chromium` (`PLACET_TEST_CHROMIUM` to point elsewhere): `playwright
install` cannot download browsers here. Without it the browser tests skip, except in CI
(`CI=true`), where they fail: the README's test command installs it.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

CHROMIUM = Path(os.environ.get("PLACET_TEST_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
"""Where the browser tests save a picture of each page (git ignores `build/`)."""


class LiveServer:
    """A uvicorn server running `app` in a thread, on a free loopback port."""

    def __init__(self, app: FastAPI) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the test server did not start on {self.url}")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()


@contextmanager
def live_server(app: FastAPI) -> Iterator[LiveServer]:
    """Serve `app` on loopback for the duration of the block."""
    with LiveServer(app) as server:
        yield server


def _no_chromium() -> str | None:
    if CHROMIUM.exists():
        return None
    return f"no chromium at {CHROMIUM} (`apt-get install -y chromium`, or PLACET_TEST_CHROMIUM)"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, for the whole session."""
    reason = _no_chromium()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI runs the browser tests: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies, no storage) and page, phone or desktop sized by
    the test (`page.set_viewport_size`)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page picture of `page` as `build/screenshots/<name>.png`."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
    for _ in range(_SCREENSHOT_TRIES - 1):
        try:
            page.screenshot(path=str(path), full_page=True)
            return path
        except Exception as exc:
            # Chromium now and then answers "Unable to capture screenshot" on a loaded
            # machine (seen once in CI's 2,527 tests); the page is there, so try again.
            if "Unable to capture screenshot" not in str(exc):
                raise
            time.sleep(0.5)
    page.screenshot(path=str(path), full_page=True)
    return path


_SCREENSHOT_TRIES = 3
