"""The reference estate the law-enforcement tests extract from."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def reference_estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic IPKO estate with its ledger history, written once per process."""
    from tests.operations.estate_fixtures import write_reference_estate

    return write_reference_estate(tmp_path_factory.mktemp("reference") / "estate")
