"""Connect to the ledger's database (SQLite or PostgreSQL) and bring its schema to this version.

SQLite connections run in WAL mode with a busy timeout, and a connection marked
`placet_write` opens its transactions with `BEGIN IMMEDIATE`, so that appends from many
processes queue for the write lock instead of failing half-way. PostgreSQL URLs without a
driver use psycopg 3. The Alembic migrations ship inside the package
(`placet/stores/migrations`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from placet.errors import LedgerSchemaError, StoreError

if TYPE_CHECKING:
    # Alembic is imported where the schema is read or upgraded: a command that opens no
    # database (`placet policy …`, `--help`) starts without it.
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext, RevisionStep
    from alembic.script import ScriptDirectory

__all__ = [
    "WRITE",
    "check_schema",
    "create_ledger_engine",
    "database_cause",
    "database_transaction",
    "describe_database",
    "head_revision",
    "is_postgresql",
    "open_database",
    "schema_revision",
    "upgrade_database",
]

log = logging.getLogger(__name__)

WRITE = "placet_write"
"""Execution option that makes a SQLite transaction start with `BEGIN IMMEDIATE`."""

MIGRATIONS = "placet.stores:migrations"
SQLITE_BUSY_TIMEOUT_S = 60.0
"""How long a SQLite append waits for another process's write lock before it fails."""
SQLITE_POOL_SIZE = 40
SQLITE_PAGE_SIZE = 16384
"""Bytes a page of a new SQLite ledger (SQLite's default is 4096)."""
SQLITE_WRITER_CACHE_KIB = 65536
"""Page cache of a connection that has written (KiB); readers keep SQLite's 2 MiB."""
_MIGRATION_LOCK = 0x706C6163
"""PostgreSQL advisory lock key taken while migrating ('plac')."""


def create_ledger_engine(url: str | URL) -> Engine:
    """An engine for the ledger at `url`: `sqlite:///placet.db`, `sqlite://`, `postgresql://…`."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(
            f"'{url}' is not a database URL. Give one like sqlite:///placet.db or "
            "postgresql://user@host/database in PLACET_DATABASE_URL."
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend in {"postgresql", "postgres"}:
        if "+" not in parsed.drivername:
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True)
    raise StoreError(
        f"the ledger runs on SQLite or PostgreSQL, not {backend} ({describe_database(parsed)}). "
        "Set PLACET_DATABASE_URL to a sqlite:/// or postgresql:// URL."
    )


def is_postgresql(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "postgresql"


def describe_database(url: str | URL | Engine) -> str:
    """The database's URL without its password, for messages."""
    if isinstance(url, Engine):
        url = url.url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an unreadable URL)"


@contextmanager
def database_transaction(engine: Engine, what: str, *, write: bool = False) -> Iterator[Connection]:
    """One transaction on `engine` (a SQLite writer takes the write lock up front, so a
    read-then-write queues behind another writer instead of failing half-way); a database
    error is a `StoreError` saying `what` could not be used and that nothing was changed."""
    try:
        with engine.connect() as connection:
            connection.execution_options(**{WRITE: write})
            with connection.begin():
                yield connection
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot use the {what} in {describe_database(engine)}: "
            f"{database_cause(exc)}. Nothing was changed. Check that the database is "
            "reachable and upgraded (`placet ledger upgrade`), then retry."
        ) from exc


def database_cause(exc: Exception) -> str:
    """What the database driver said, without SQLAlchemy's wrapping and statement."""
    cause = getattr(exc, "orig", None) or exc
    return str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__


def _sqlite_engine(url: URL) -> Engine:
    in_memory = url.database in {None, "", ":memory:"}
    # As many pooled connections as the API's worker threads (40), so that a busy server
    # does not open and close connections per request.
    options: dict[str, Any] = {
        "connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_S},
        "pool_size": SQLITE_POOL_SIZE,
        "max_overflow": 10,
    }
    if in_memory:
        options = {"connect_args": {"check_same_thread": False}, "poolclass": StaticPool}
    engine = create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL is kept in the database file: set it once, not on every new connection
        # (setting it takes a lock).
        if not in_memory and cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            # Pages of 16 KiB rather than 4: a batch of events then touches a quarter as many
            # index pages (twice the appends a second, measured). Only an empty database
            # takes it, so it is set before the first table, here.
            cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A writer takes the write lock up front: a deferred BEGIN that reads first and
        # writes later could fail with SQLITE_BUSY half-way, after its reads were used.
        immediate = connection.get_execution_options().get(WRITE, False)
        if immediate:
            # A writer's batch touches random pages of three indexes: keep them in memory.
            connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_WRITER_CACHE_KIB}")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def _migrations() -> ScriptDirectory:
    """The migrations, read once a process: Alembic's own commands load every revision's
    module again each time, most of what opening a database took."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config())


def _upgrade_to_head(connection: Connection) -> None:
    """`alembic upgrade head` on `connection`, from the migrations read once."""
    from alembic.runtime.environment import EnvironmentContext

    migrations = _migrations()

    def steps(revision: Any, _context: MigrationContext) -> list[RevisionStep]:
        return list(migrations._upgrade_revs("head", revision))

    with EnvironmentContext(
        _alembic_config(connection), migrations, fn=steps, destination_rev="head"
    ):
        migrations.run_env()


def head_revision() -> str:
    """The schema revision this version of Placet needs."""
    head = _migrations().get_current_head()
    if head is None:  # pragma: no cover - the package ships its migrations
        raise StoreError("the ledger's migrations are missing from the installed package")
    return head


def schema_revision(engine: Engine) -> str | None:
    """The database's schema revision, or None when it has no ledger tables yet."""
    try:
        with engine.connect() as connection:
            from alembic.runtime.migration import MigrationContext

            return MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot read the ledger database {describe_database(engine)}: {database_cause(exc)}. "
            "Check that the server is running and PLACET_DATABASE_URL names it."
        ) from exc


def check_schema(engine: Engine) -> None:
    """Raise `LedgerSchemaError` unless the database is at the revision this Placet needs."""
    expected = head_revision()
    found = schema_revision(engine)
    if found != expected:
        raise LedgerSchemaError(describe_database(engine), found, expected)


def upgrade_database(engine: Engine) -> str:
    """Create the ledger tables, or bring them to this version of Placet; returns the revision.

    Safe to run from several processes at once: they take turns.
    """
    if engine.dialect.name == "sqlite" and engine.url.database not in {None, "", ":memory:"}:
        Path(engine.url.database or "").parent.mkdir(parents=True, exist_ok=True)
    try:
        with engine.connect() as connection:
            connection.execution_options(**{WRITE: True})
            with connection.begin():
                if is_postgresql(connection):
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK}
                    )
                _upgrade_to_head(connection)
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot upgrade the ledger database {describe_database(engine)}: "
            f"{database_cause(exc)}. Check that it is reachable and writable."
        ) from exc
    revision = head_revision()
    log.info("ledger schema upgraded", extra={"revision": revision})
    return revision


def open_database(url: str, *, upgrade: bool = True) -> Engine:
    """An engine on Placet's database at `url`, its schema upgraded first (or only checked
    to be at this version's revision): what every store of Placet's own tables opens."""
    engine = create_ledger_engine(url)
    if upgrade:
        upgrade_database(engine)
    else:
        check_schema(engine)
    return engine
