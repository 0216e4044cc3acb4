"""Factories of the Spark connectors for the store contract (conftest.Factory): Delta tables on
Sail (a Spark Connect server in Rust, `pysail`) and Parquet tables on Spark in local mode, each
engine started once per test process (once per xdist worker) and stopped when it exits.

Both engines run in a child process and are reached at `sc://127.0.0.1:<port>`, as a cluster
would be. Spark's own local Connect server (`SparkSession.builder.remote("local[2]")`) binds the
fixed port 15002, which two xdist workers cannot share, so the child starts the same server
(Spark's Connect plugin in local mode) on a free port. pysail 0.7.2 knows PySpark clients up to
4.2 and refuses a session when the pyspark installed beside it is newer; its child reports the
PySpark version as 4.2, the nearest configuration it has, to serve the 4.3 client.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import select
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from placet.stores.protocol import Store, TimePartition
from placet.stores.spark_store import SparkStore

START_SECONDS = 180
"""How long an engine may take to start before the tests fail."""

SAIL_SERVER = """
import sys
import pyspark
if tuple(int(part) for part in pyspark.__version__.split(".")[:2]) > (4, 2):
    pyspark.__version__ = "4.2.0"
from pysail.spark import SparkConnectServer
server = SparkConnectServer(ip="127.0.0.1", port=0)
server.start(background=True)
print(server.listening_address[1], flush=True)
sys.stdin.read()
server.stop()
"""

SPARK_SERVER = """
import sys
from pyspark.sql import SparkSession
spark = (
    SparkSession.builder.master("local[2]")
    .config("spark.plugins", "org.apache.spark.sql.connect.SparkConnectPlugin")
    .config("spark.connect.grpc.binding.address", "127.0.0.1")
    .config("spark.connect.grpc.binding.port", "0")
    .config("spark.ui.enabled", "false")
    .config("spark.sql.shuffle.partitions", "2")
    .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    .getOrCreate()
)
service = getattr(spark._jvm, "org.apache.spark.sql.connect.service.SparkConnectService$")
print(getattr(service, "MODULE$").localPort(), flush=True)
sys.stdin.read()
spark.stop()
"""

_SESSIONS: dict[str, Any] = {}
"""One Spark Connect session per engine and test process."""
_ADDRESSES: dict[str, str] = {}


def unavailable(reason: str) -> None:
    """Skip, or fail under CI=true, where every engine must run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: every store engine must run)")
    pytest.skip(reason)


def _start(name: str, script: str) -> str:
    """Start an engine's server in a child process; its Spark Connect address."""
    log = tempfile.NamedTemporaryFile(prefix=f"placet-{name}-", suffix=".log", delete=False)  # noqa: SIM115 - kept for the child's life
    # pyspark marks this process as a Spark Connect client in its environment once a session
    # is open; the child starts a classic session (Spark's own server) and must not inherit it.
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SPARK_CONNECT_MODE_ENABLED", "SPARK_REMOTE", "SPARK_LOCAL_REMOTE"}
    }
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    atexit.register(_stop, child, log.name)
    assert child.stdout is not None
    ready, _, _ = select.select([child.stdout], [], [], START_SECONDS)
    line = child.stdout.readline() if ready else ""
    if not line.strip().isdigit():
        child.kill()
        tail = Path(log.name).read_text(errors="replace")[-2000:]
        pytest.fail(f"the {name} server did not start: {tail}")
    return f"sc://127.0.0.1:{int(line)}"


def _stop(child: subprocess.Popen[str], log: str) -> None:
    if child.stdin is not None and not child.stdin.closed:
        child.stdin.close()
    try:
        child.wait(timeout=60)
    except subprocess.TimeoutExpired:
        child.kill()
    Path(log).unlink(missing_ok=True)


def session(engine: str) -> Any:
    """The test process's Spark Connect session on `engine` ('sail' or 'spark-local')."""
    if engine not in _SESSIONS:
        if importlib.util.find_spec("pyspark") is None:
            unavailable("pyspark is not installed (pip install 'pyspark[connect]')")
        if engine == "sail":
            if importlib.util.find_spec("pysail") is None:
                unavailable("pysail is not installed")
            remote = _start("sail", SAIL_SERVER)
        else:
            if shutil.which("java") is None and "JAVA_HOME" not in os.environ:
                unavailable("Spark in local mode needs Java 17 or later")
            remote = _start("spark-local", SPARK_SERVER)
        from pyspark.sql import SparkSession

        _SESSIONS[engine] = SparkSession.builder.remote(remote).create()
        _ADDRESSES[engine] = remote
    return _SESSIONS[engine]


def address(engine: str) -> str:
    """The Spark Connect address of `engine`'s server, started if need be."""
    session(engine)
    return _ADDRESSES[engine]


def write_delta(location: Path, rows: pa.Table, partition: TimePartition) -> None:
    """The table as Delta, partitioned by month, deletion vectors on, and no retention of
    removed files (so that a purge right after a delete completes)."""
    if importlib.util.find_spec("deltalake") is None:
        unavailable("deltalake is not installed")
    from deltalake import write_deltalake

    write_deltalake(
        str(location),
        rows,
        partition_by=[partition.column],
        configuration={
            "delta.enableDeletionVectors": "true",
            "delta.deletedFileRetentionDuration": "interval 0 hours",
        },
    )


def sail_delta(
    request: pytest.FixtureRequest,
    folder: Path,
    table: str,
    rows: pa.Table,
    partition: TimePartition,
) -> Store:
    engine = session("sail")
    write_delta(folder / table, rows, partition)
    return SparkStore(engine, str(folder), table_format="delta", partitions={table: partition})


def spark_local_parquet(
    request: pytest.FixtureRequest,
    folder: Path,
    table: str,
    rows: pa.Table,
    partition: TimePartition,
) -> Store:
    engine = session("spark-local")
    pq.write_to_dataset(rows, str(folder / table), partition_cols=[partition.column])
    return SparkStore(engine, str(folder), table_format="parquet", partitions={table: partition})


FACTORIES: dict[str, Any] = {
    "sail-delta": sail_delta,
    "spark-local-parquet": spark_local_parquet,
}
