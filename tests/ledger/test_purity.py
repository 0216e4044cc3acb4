"""The ledger core is pure: no database library, no clock, no environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

LEDGER = Path(__file__).resolve().parents[2] / "src" / "placet" / "ledger"


def test_ledger_core_imports_no_database_library() -> None:
    probe = (
        "import sys, placet.ledger; "
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'psycopg') if m in sys.modules))"
    )

    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "[]"


def test_ledger_core_reads_neither_the_clock_nor_the_environment() -> None:
    sources = {path.name: path.read_text() for path in LEDGER.glob("*.py")}

    offenders = [
        name
        for name, text in sources.items()
        for call in ("datetime.now(", "os.environ", "getenv(", "date.today(", "time.time(")
        if call in text
    ]

    assert offenders == []
