"""`create_site(settings)`: the API of `placet.api` with the web pages and their static
files mounted beside it, in one FastAPI app (one process, one set of services)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Final

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from placet.api import create_app
from placet.settings import PlacetSettings
from placet.web import banner
from placet.web.console import install_console
from placet.web.privacy import install_privacy_center

__all__ = ["STATIC_DIR", "STATIC_PREFIX", "create_site"]

STATIC_PREFIX: Final = "/static"
STATIC_DIR: Final = Path(__file__).parent / "static"
"""Vendored scripts and styles, served as they are (no build step, no CDN)."""


def create_site(
    settings: PlacetSettings, *, clock: Callable[[], datetime] | None = None
) -> FastAPI:
    """The API and the web pages, wired from `settings`. `clock` gives "now" (tests pass
    a fixed one)."""
    app = create_app(settings, clock=clock)
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(banner.router)
    install_privacy_center(app, settings)
    install_console(app, settings)
    return app
