"""Factories of the SQL connectors for the store contract (conftest.Factory): the fixture
table in a fresh SQLite file, a fresh PostgreSQL schema and a fresh MariaDB database.

Columns take the types the synthetic estate gives them (`synth/sinks.py`): text, BIGINT,
and instants as timestamps (SQLite keeps them as text, MariaDB as DATETIME(6) in UTC).
PostgreSQL and MariaDB skip when no server answers, and fail instead under CI=true.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from placet.stores.protocol import Store, TimePartition
from placet.stores.sql_store import open_sql_store
from tests.conftest import POSTGRES_URL

MARIADB_URL = os.environ.get("PLACET_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test")
"""The MariaDB server the storage tests run against (root, no password)."""


def sql_type(kind: pa.DataType) -> sa.types.TypeEngine[Any]:
    """The column type of an Arrow type, as the synthetic estate declares it."""
    if pa.types.is_timestamp(kind):
        return sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
    if pa.types.is_integer(kind):
        return sa.BigInteger()
    return sa.Text()


def load_table(url: str | sa.URL, name: str, rows: pa.Table) -> None:
    """Create table `name` in the database at `url` and insert `rows`."""
    table = sa.Table(
        name,
        sa.MetaData(),
        *(sa.Column(field.name, sql_type(field.type)) for field in rows.schema),
    )
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            table.create(connection)
            connection.execute(table.insert(), rows.to_pylist())
    finally:
        engine.dispose()


def require_server(url: str | sa.URL, name: str) -> None:
    """Skip unless the server at `url` answers; under CI=true, fail instead."""
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        problem = f"no {name} server answers at {url} ({type(cause).__name__})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{problem}; CI must run the store contract against {name}")
        pytest.skip(problem)
    finally:
        engine.dispose()


def sqlite_store(
    request: pytest.FixtureRequest, tmp_path: Path, name: str, rows: pa.Table, _: TimePartition
) -> Store:
    path = tmp_path / "estate.db"
    load_table(f"sqlite:///{path}", name, rows)
    return open_sql_store(f"sqlite:///{path}")


def postgresql_store(
    request: pytest.FixtureRequest, tmp_path: Path, name: str, rows: pa.Table, _: TimePartition
) -> Store:
    require_server(POSTGRES_URL, "PostgreSQL")
    schema = f"placet_test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    request.addfinalizer(drop)
    url = sa.make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    load_table(url, name, rows)
    return open_sql_store(url.render_as_string(hide_password=False))


def mariadb_store(
    request: pytest.FixtureRequest, tmp_path: Path, name: str, rows: pa.Table, _: TimePartition
) -> Store:
    require_server(MARIADB_URL, "MariaDB")
    database = f"placet_test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(MARIADB_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE DATABASE `{database}`"))

    def drop() -> None:
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP DATABASE `{database}`"))
        admin.dispose()

    request.addfinalizer(drop)
    url = sa.make_url(MARIADB_URL).set(database=database)
    load_table(url, name, rows)
    return open_sql_store(url.render_as_string(hide_password=False))


FACTORIES = {"sqlite": sqlite_store, "postgresql": postgresql_store, "mariadb": mariadb_store}
