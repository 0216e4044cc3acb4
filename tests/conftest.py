"""Shared test set-up: hypothesis profiles and builders of policy folders."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("ci", deadline=None, derandomize=True, max_examples=60)
settings.register_profile("dev", deadline=None, max_examples=40)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

FIXTURES = Path(__file__).parent / "fixtures"
MINIMAL = FIXTURES / "minimal" / "policy.yaml"

PolicyWriter = Callable[..., Path]


def minimal_text() -> str:
    """The YAML of a small valid policy, for tests to break one thing in."""
    return MINIMAL.read_text(encoding="utf-8")


@pytest.fixture
def write_policy(tmp_path: Path) -> PolicyWriter:
    """Write policy YAML into a folder: `write_policy(text, name="policy.yaml") -> folder`."""

    def write(text: str | None = None, name: str = "policy.yaml") -> Path:
        folder = tmp_path / "policy"
        folder.mkdir(exist_ok=True)
        (folder / name).write_text(minimal_text() if text is None else text, encoding="utf-8")
        return folder

    return write


def replace_once(text: str, old: str, new: str) -> str:
    """Replace `old` exactly once, so a broken fixture breaks what the test says it breaks."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)
