"""Shared test set-up: hypothesis profiles, builders of policy folders, ledger databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
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


# ---------------------------------------------------------------- ledger databases

POSTGRES_URL = os.environ.get(
    "PLACET_TEST_POSTGRES_URL", "postgresql+psycopg://127.0.0.1:5432/test"
)
"""The PostgreSQL server the storage tests run against (trust authentication)."""


def _postgres_unavailable() -> str | None:
    """Why the test PostgreSQL server cannot be used, or None when it answers."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("SELECT 1"))
    except sqlalchemy.exc.SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        return f"no PostgreSQL server answers at {POSTGRES_URL} ({type(cause).__name__})"
    finally:
        engine.dispose()
    return None


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A ledger database URL: a fresh SQLite file."""
    return f"sqlite:///{tmp_path / 'ledger.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A ledger database URL: a fresh schema of the test PostgreSQL database, dropped after.

    Skips when no server answers, but fails under CI=true, where the server must be there.
    """
    import sqlalchemy

    problem = _postgres_unavailable()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{problem}; CI must run the storage tests against PostgreSQL")
        pytest.skip(f"{problem}; set PLACET_TEST_POSTGRES_URL to run these tests on PostgreSQL")
    schema = f"placet_test_{uuid.uuid4().hex[:16]}"
    admin = sqlalchemy.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    url = sqlalchemy.make_url(POSTGRES_URL).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh ledger database URL, once on SQLite and once on PostgreSQL."""
    fixture = {"sqlite": "sqlite_url", "postgresql": "postgres_url"}[request.param]
    return str(request.getfixturevalue(fixture))
