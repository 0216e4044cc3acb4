"""Shared test set-up: hypothesis profiles, builders of policy folders, ledger databases."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

settings.register_profile("ci", deadline=None, derandomize=True, max_examples=60)
settings.register_profile("dev", deadline=None, max_examples=40)
settings.register_profile("soak", deadline=None, max_examples=1000)
# `PLACET_HYPOTHESIS_PROFILE=soak pytest …` hunts for failures with many fresh examples.
settings.load_profile(
    os.environ.get("PLACET_HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)

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


def with_zone(text: str, zone: str) -> str:
    """The minimal policy's `text` with its controller's `timezone` set to `zone`."""
    return replace_once(text, "  languages: [en, sq]", f"  timezone: {zone}\n  languages: [en, sq]")


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
def empty_sqlite_url(tmp_path: Path) -> str:
    """A database URL naming a SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'ledger.db'}"


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database brought to this Placet's schema by its migrations, once a session."""
    from placet.stores.sql_database import open_database

    path = tmp_path_factory.mktemp("migrated") / "ledger.db"
    open_database(f"sqlite:///{path}").dispose()
    # Every connection closed, SQLite folded the write-ahead log into the file: a copy of
    # the file alone is the whole database.
    assert not path.with_name("ledger.db-wal").exists()
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, _migrated_sqlite: Path) -> str:
    """A ledger database URL: a SQLite file at this Placet's schema, nothing recorded.

    A copy of one the migrations made this session (opening it finds the schema current),
    not migrated again for every test: a tenth of the suite's time went on that.
    """
    path = tmp_path / "ledger.db"
    shutil.copyfile(_migrated_sqlite, path)
    return f"sqlite:///{path}"


@contextmanager
def _fresh_schema(admin: Any) -> Iterator[str]:
    """A new schema of the test PostgreSQL database (its name), dropped after."""
    import sqlalchemy

    schema = f"placet_test_{uuid.uuid4().hex[:16]}"
    with admin.begin() as connection:
        connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with admin.begin() as connection:
            connection.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))


def _url_on(schema: str) -> str:
    """A URL on the test PostgreSQL database whose connections work in `schema`."""
    import sqlalchemy

    url = sqlalchemy.make_url(POSTGRES_URL).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def _postgres_admin() -> Iterator[Any]:
    """An engine on the test PostgreSQL database; skips when no server answers, but fails
    under CI=true, where the server must be there."""
    import sqlalchemy

    problem = _postgres_unavailable()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{problem}; CI must run the storage tests against PostgreSQL")
        pytest.skip(f"{problem}; set PLACET_TEST_POSTGRES_URL to run these tests on PostgreSQL")
    admin = sqlalchemy.create_engine(POSTGRES_URL)
    yield admin
    admin.dispose()


@pytest.fixture
def empty_postgres_url(_postgres_admin: Any) -> Iterator[str]:
    """A database URL on a new, empty schema of the test PostgreSQL database, dropped after."""
    with _fresh_schema(_postgres_admin) as schema:
        yield _url_on(schema)


@pytest.fixture(scope="session")
def _migration_statements(_postgres_admin: Any) -> list[tuple[str, Any]]:
    """The statements the migrations run on an empty PostgreSQL schema, recorded once a
    session (reads left out), to be run again on each test's schema."""
    import sqlalchemy

    from placet.stores.sql_database import create_ledger_engine, upgrade_database

    recorded: list[tuple[str, Any]] = []

    def record(*args: Any) -> None:
        _, _, statement, parameters, _, executemany = args
        assert not executemany, statement
        if statement.lstrip().split(None, 1)[0].upper() not in {"SELECT", "SHOW"}:
            recorded.append((statement, parameters))

    with _fresh_schema(_postgres_admin) as schema:
        engine = create_ledger_engine(_url_on(schema))
        sqlalchemy.event.listen(engine, "before_cursor_execute", record)
        upgrade_database(engine)
        engine.dispose()
    # Nothing recorded names the schema: run on another, it makes the same tables there.
    assert not [statement for statement, _ in recorded if schema in statement]
    return recorded


@pytest.fixture
def postgres_url(
    _postgres_admin: Any, _migration_statements: list[tuple[str, Any]]
) -> Iterator[str]:
    """A ledger database URL: a new schema of the test PostgreSQL database at this Placet's
    schema, nothing recorded, dropped after. Made by the statements the migrations ran on
    another schema this session, in one transaction, rather than by the migrations again."""
    with _fresh_schema(_postgres_admin) as schema:
        with _postgres_admin.begin() as connection:
            cursor = connection.connection.cursor()
            cursor.execute(f'SET LOCAL search_path TO "{schema}"')
            for statement, parameters in _migration_statements:
                cursor.execute(statement, parameters)
        yield _url_on(schema)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """A ledger database URL at this Placet's schema, once on SQLite and once on PostgreSQL."""
    fixture = {"sqlite": "sqlite_url", "postgresql": "postgres_url"}[request.param]
    return str(request.getfixturevalue(fixture))


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest) -> str:
    """An empty database URL (no tables), once on SQLite and once on PostgreSQL: for the
    tests of the migrations themselves."""
    fixture = {"sqlite": "empty_sqlite_url", "postgresql": "empty_postgres_url"}[request.param]
    return str(request.getfixturevalue(fixture))
