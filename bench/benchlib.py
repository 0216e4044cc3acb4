"""What the benchmarks share: the machine line, fresh databases to measure on, and running a
step in a fresh process to know its own peak memory.

Run from the repository root as `python bench/<name>.py`; this folder is then on the path.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import platform
import resource
import shutil
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.csv as pacsv
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
    with scratch_schema(postgres_url) as url:
        yield url


@contextmanager
def scratch_schema(postgres_url: str) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL schema (the connection's `search_path`), dropped
    with everything in it afterwards."""
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


IN_PROCESS: Final = "PLACET_BENCH_IN_PROCESS"
"""Set to 1, every step runs in the benchmark's own process: the test suite's small runs,
which check that a benchmark works end to end, spawn no process a step (about two seconds
each, most of it imports). The peak memory reported is then the process's so far, not the
step's own: such a run measures nothing."""


def in_fresh_process(step: Callable[..., Any], *args: Any) -> tuple[Any, int]:
    """`step(*args)` run in a fresh (spawned) process: what it returned, and that process's
    peak memory in bytes. Exits the benchmark if the step fails. (In this process where
    `PLACET_BENCH_IN_PROCESS` is 1.)"""
    if os.environ.get(IN_PROCESS) == "1":
        return step(*args), peak_memory()
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_run, args=(step, args, queue))
    process.start()
    result = queue.get()
    process.join()
    if process.exitcode != 0:
        sys.exit(f"{step.__name__} failed (exit {process.exitcode})")
    return result  # type: ignore[no-any-return]


def _run(step: Callable[..., Any], args: tuple[Any, ...], queue: Any) -> None:
    result = step(*args)
    queue.put((result, peak_memory()))
    queue.close()
    queue.join_thread()
    # Leave without the interpreter's teardown: native thread pools (deltalake's, pyarrow's)
    # have been seen to abort a process at exit ("terminate called without an active
    # exception") after its work was done and reported.
    os._exit(0)


def peak_memory() -> int:
    """This process's peak resident memory in bytes: VmHWM, which, unlike ru_maxrss, does
    not carry over the parent's peak into a process it starts."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def hard_link_copy(source: Path, target: Path) -> None:
    """A copy of a Delta table sharing its data files: Delta never changes a file in place."""
    shutil.rmtree(target, ignore_errors=True)
    for path in source.rglob("*"):
        copied = target / path.relative_to(source)
        if path.is_dir():
            copied.mkdir(parents=True, exist_ok=True)
        else:
            copied.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, copied)


def copy_cdrs(
    url: str,
    plan: Any,
    rows: int,
    *,
    adjust: Callable[[dict[str, pa.Array], int], dict[str, pa.Array]] | None = None,
) -> int:
    """The plan's CDRs, up to `rows`, `COPY`-ed into a new table `cdrs_load` (text for the
    dictionary columns); `adjust` may change each chunk's columns, given the position of
    its first row. Returns the rows loaded."""
    from placet.synth import draw_population, index_traffic, traffic_chunks

    index = index_traffic(draw_population(plan))
    engine = sqlalchemy.create_engine(url)
    loaded = 0
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(
            "CREATE TABLE cdrs_load (a_number text, b_number text, start_time timestamptz, "
            "duration_s bigint, service text, cell_id text)"
        ))  # fmt: skip
        raw = connection.connection.dbapi_connection
        assert raw is not None
        with raw.cursor() as cursor:  # type: ignore[attr-defined]
            for month in plan.traffic_months:
                for bucket in range(index.buckets):
                    for drawn in traffic_chunks(index, "cdrs", month, bucket, 500_000):
                        chunk = drawn.slice(0, max(0, rows - loaded))
                        if chunk.num_rows == 0:
                            continue
                        plain = {
                            name: column.cast(pa.string())
                            if pa.types.is_dictionary(column.type) else column
                            for name, column in zip(chunk.column_names, chunk.columns, strict=True)
                        }  # fmt: skip
                        if adjust is not None:
                            plain = adjust(plain, loaded)
                        buffer = io.BytesIO()
                        pacsv.write_csv(
                            pa.table(plain), buffer, pacsv.WriteOptions(include_header=False)
                        )
                        with cursor.copy("COPY cdrs_load FROM STDIN (FORMAT csv)") as copy:
                            copy.write(buffer.getvalue())
                        loaded += chunk.num_rows
    engine.dispose()
    return loaded
