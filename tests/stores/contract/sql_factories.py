"""Factories of the sql connectors for the store contract (conftest.Factory)."""

from __future__ import annotations

from typing import Any

FACTORIES: dict[str, Any] = {}
