"""Factories of the lake connectors for the store contract (conftest.Factory)."""

from __future__ import annotations

from typing import Any

FACTORIES: dict[str, Any] = {}
