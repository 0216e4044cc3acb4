"""What the benchmarks share: the machine line, and fresh databases to measure on.

Run from the repository root as `python bench/<name>.py`; this folder is then on the path.
"""

from __future__ import annotations

import os
import platform
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy

POSTGRES_URL = os.environ.get(
    "PLACET_TEST_POSTGRES_URL", "postgresql+psycopg://127.0.0.1:5432/test"
)


def machine_line(*versions: str) -> str:
    """`machine: host · arch · N cores · Python x.y.z · …` with the versions given."""
    parts = [
        platform.node(),
        platform.machine(),
        f"{os.cpu_count()} cores",
        f"Python {platform.python_version()}",
        *versions,
    ]
    return "machine: " + " · ".join(parts)


def databases(postgres_url: str, *, no_postgres: bool) -> list[str]:
    """SQLite, and PostgreSQL when asked for and a server answers (saying so when not)."""
    chosen = ["SQLite"]
    if not no_postgres and postgres_answers(postgres_url):
        chosen.append("PostgreSQL")
    elif not no_postgres:
        print(f"PostgreSQL left out: no server answers at {postgres_url}")
    return chosen


@contextmanager
def fresh_database(name: str, folder: Path, postgres_url: str) -> Iterator[str]:
    """The URL of an empty database: a new SQLite file, or a new PostgreSQL schema."""
    if name == "SQLite":
        yield f"sqlite:///{folder / f'ledger-{uuid.uuid4().hex[:8]}.db'}"
        return
    schema = f"placet_bench_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            sqlalchemy.make_url(postgres_url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as connection:
            connection.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def postgres_answers(url: str) -> bool:
    engine = sqlalchemy.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("SELECT 1"))
    except sqlalchemy.exc.SQLAlchemyError:
        return False
    finally:
        engine.dispose()
    return True
