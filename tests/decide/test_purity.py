"""The decision engine is a pure function: no database, web or file library, no clock, no
environment, and nothing read or written while it decides."""

from __future__ import annotations

import builtins
import io
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, NoReturn

import pytest

from placet.decide import decide_use
from placet.decide.bulk import decide_bulk, states_frame
from placet.policy.terms import Channel
from tests.decide.builders import NOW, make_subject, make_use, reference

DECIDE = Path(__file__).resolve().parents[2] / "src" / "placet" / "decide"
LIBRARIES = ("sqlalchemy", "alembic", "psycopg", "fastapi", "httpx", "uvicorn", "duckdb")


def test_the_decision_engine_imports_no_database_web_or_query_library() -> None:
    probe = (
        f"import sys, placet.decide; print(sorted(m for m in {LIBRARIES!r} if m in sys.modules))"
    )

    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "[]"


def test_the_decision_engine_reads_neither_the_clock_nor_the_environment() -> None:
    calls = ("datetime.now(", "os.environ", "getenv(", "date.today(", "time.time(", "open(")
    sources = {path.name: path.read_text() for path in DECIDE.glob("*.py")}

    offenders = [(name, call) for name, text in sources.items() for call in calls if call in text]

    assert offenders == []


def test_deciding_one_use_and_a_whole_table_does_no_input_or_output(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    policy = reference("ipko")
    use = make_use("direct-marketing-current-offers", "contact", channel=Channel.SMS)
    subjects = [make_subject(consents=("current-offers",)), make_subject()]
    table = states_frame(subjects).lazy()

    def refuse(*args: Any, **kwargs: Any) -> NoReturn:
        raise AssertionError(f"the decision engine did input or output: {args!r}")

    for target, name in [
        (builtins, "open"),
        (io, "open"),
        (os, "open"),
        (os, "listdir"),
        (os, "scandir"),
        (socket, "socket"),
        (socket, "create_connection"),
        (subprocess, "Popen"),
    ]:
        monkeypatch.setattr(target, name, refuse)
    single = [decide_use(policy, subject, use, NOW) for subject in subjects]
    bulk = decide_bulk(policy, table, use, NOW).collect()
    monkeypatch.undo()

    assert [decision.reason for decision in single] == ["permitted", "no-consent"]
    assert bulk["reason"].cast(str).to_list() == ["permitted", "no-consent"]
