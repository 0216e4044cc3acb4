"""The library API that `placet/__init__.py` promises."""

from __future__ import annotations

import subprocess
import sys

import placet
import placet.policy


def test_package_exports_exactly_the_library_api() -> None:
    assert sorted(placet.__all__) == sorted(
        [
            "PlacetError",
            "Policy",
            "PolicyError",
            "PolicySet",
            "PolicyValidationError",
            "__version__",
            "bundled_operators",
            "load_policy",
            "load_policy_set",
        ]
    )
    for name in placet.__all__:
        assert hasattr(placet, name), name


def test_every_policy_export_exists() -> None:
    for name in placet.policy.__all__:
        assert hasattr(placet.policy, name), name


def test_both_reference_policies_are_bundled() -> None:
    assert placet.bundled_operators() == ["ipko", "ipnordic"]


def test_the_command_line_starts_without_loading_what_few_of_its_commands_need() -> None:
    # Every `placet` command imports the whole command line first: what it loads at start
    # every command pays for (pyarrow.dataset alone brings pandas, half a second; alembic is
    # needed only once a database is opened).
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, placet.cli.main; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()

    unwanted = {"pandas", "pyarrow.dataset", "alembic", "openpyxl"}
    unwanted |= {"fastapi", "uvicorn", "weasyprint"}
    assert not unwanted & set(loaded)
