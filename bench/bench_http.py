"""Time decisions over HTTP on loopback against the same decisions in process, and against a
request that does no work.

    python bench/bench_http.py [--subjects N] [--requests N] [--concurrency 16,64]
        [--batch-sizes 100,1000] [--batch-decisions N] [--batch-clients N] [--workers 1,2]
        [--client raw|httpx]
    python bench/bench_http.py --smoke        # a few seconds: the test suite runs this

Records the consent history of N synthetic IPKO subscribers in a fresh SQLite ledger
(facts, contracts, consents given and withdrawn, objections, restrictions, contracts
ended), creates an API key with the `decide` scope, starts the real server (uvicorn in a
subprocess, on 127.0.0.1 and a free port, with W workers) and measures in the same run:

- in process, without HTTP: `decide_for_subject` per question and `decide_many` per batch,
  the operations the endpoints call: the baselines;
- `GET /v1/health` under the same concurrent load: no key, no database, the floor of the
  HTTP stack;
- `POST /v1/decisions` with C concurrent clients, each on its own keep-alive connection;
- `POST /v1/decisions:batch` with batches of B questions.

Every question is asked as of a fixed instant, so that every HTTP answer can be compared
with the in-process answer to the same question: the benchmark exits 1 at the first answer
that differs, so a broken endpoint cannot give a fast number. The load generator runs in
this process: plain asyncio connections by default (`KeepAlive`), or httpx.AsyncClient
(`--client httpx`), which costs ten times more CPU a request. Its CPU share is printed, and
a run where it nears a whole core is flagged as limited by the client, not the server.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Self

import fastapi
import httpx
import pydantic
import uvicorn
from benchlib import machine_line as host_line

from placet.api.schemas import decision_out
from placet.decide import Use
from placet.ledger import (
    CollectedVia,
    ConsentGiven,
    ConsentWithdrawn,
    ContractEnded,
    ContractStarted,
    EventData,
    LedgerEvent,
    ObjectionMade,
    PseudonymKey,
    RestrictionGround,
    RestrictionSet,
    SubjectFactsRecorded,
)
from placet.operations import (
    DecisionAnswer,
    DecisionRequest,
    Scope,
    create_key,
    decide_for_subject,
    decide_many,
    subject_ref,
)
from placet.policy import PolicySet, load_policy_set
from placet.policy.model import CategoryId, PurposeId
from placet.policy.terms import Channel
from placet.stores.sql_api_keys import SqlApiKeys
from placet.stores.sql_ledger import SqlLedger, open_ledger

PSEUDONYM_KEY = "5e" * 32
"""The benchmark's pseudonym key, in hex; never a production key."""
RECORDED_AT = datetime(2026, 1, 1, tzinfo=UTC)
AT = datetime(2026, 6, 1, tzinfo=UTC)
"""Every question is asked as of this instant, after every recorded event took effect."""
USES = (
    Use(PurposeId("direct-marketing-current-offers"), (CategoryId("contact"),), Channel.SMS),
    Use(PurposeId("personalised-offers"), (CategoryId("contact"),), Channel.EMAIL),
    Use(PurposeId("fraud-prevention"), (CategoryId("identity"), CategoryId("contact"))),
    Use(PurposeId("contract-performance"), (CategoryId("contract-data"),)),
)
"""Consent-gated marketing by SMS and e-mail, a legitimate interest, a contract."""
CLIENT_BOUND = 0.9
"""A load generator busy this share of one core or more limits the run, not the server."""
SEED_BATCH = 10_000


@dataclass(frozen=True, slots=True)
class Question:
    """May `use` process the data of this subscriber, as of `AT`?"""

    subscriber: str
    use: Use

    def body(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "subject": self.subscriber,
            "purpose": self.use.purpose,
            "categories": list(self.use.categories),
            "at": AT.isoformat().replace("+00:00", "Z"),
        }
        if self.use.channel is not None:
            fields["channel"] = self.use.channel.value
        return fields


@dataclass
class Measured:
    """One row of the table: `requests` answered in `seconds`, each taking `latencies`."""

    path: str
    workers: int | None
    clients: int
    requests: int
    decisions: int
    seconds: float
    latencies: list[float]
    client_cpu: float | None = None
    server_cpu: float | None = None

    def per_second(self, count: int) -> float:
        return count / self.seconds

    def percentile_ms(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000


@dataclass
class Answered:
    """What a load run got back, request by request, and what it cost."""

    statuses: list[int]
    contents: list[bytes]
    seconds: float
    latencies: list[float]
    client_cpu: float
    server_cpu: float | None


# ---------------------------------------------------------------- the ledger


def subscriber(index: int) -> str:
    return f"+3834{10_000_000 + index}"


def subscriber_history(index: int) -> Iterator[tuple[datetime, EventData]]:
    """What subscriber `index` said and did, in order: the same for the same index.

    98% have a subject type (the others are denied `subject-type-not-covered`); 60% consent
    to current offers (by SMS, by e-mail, or on every channel), 29% to offers just for them;
    8% withdraw current offers, 5% object to all direct marketing, 1% are restricted, and
    20% ended their contract during 2025.
    """
    mix = (index * 2_654_435_761 + 40_503) % 4_294_967_291
    start = datetime(2023, 1, 1, tzinfo=UTC) + timedelta(days=mix % 365)
    if mix % 50 != 0:
        yield start, SubjectFactsRecorded(subject_type="consumer-subscriber")
    yield start, ContractStarted(contract=f"c-{index}")
    if mix % 10 < 6:
        channels = (frozenset({Channel.SMS}), frozenset({Channel.EMAIL}), frozenset())[mix % 3]
        yield start + timedelta(days=1), ConsentGiven(option="current-offers", channels=channels)
    if mix % 7 < 2:
        yield start + timedelta(days=2), ConsentGiven(option="offers-just-for-me")
    if mix % 13 == 0:
        yield start + timedelta(days=300), ConsentWithdrawn(option="current-offers")
    if mix % 20 == 0:
        yield start + timedelta(days=400), ObjectionMade(all_direct_marketing=True)
    if mix % 100 == 1:
        restriction = RestrictionSet(ground=RestrictionGround.ACCURACY_CONTESTED)
        yield start + timedelta(days=500), restriction
    if mix % 5 == 0:
        ended = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=mix % 330)
        yield ended, ContractEnded(contract=f"c-{index}")


def record_history(ledger: SqlLedger, policies: PolicySet, key: PseudonymKey, subjects: int) -> int:
    """Append every subscriber's history to the ledger, in batches; how many events."""
    batch: list[LedgerEvent] = []
    recorded = 0
    for index in range(subjects):
        reference = subject_ref(subscriber(index), key)
        for number, (effective_at, data) in enumerate(subscriber_history(index)):
            policy = policies.in_force(effective_at)
            batch.append(
                LedgerEvent(
                    subject=reference,
                    data=data,
                    effective_at=effective_at,
                    recorded_at=RECORDED_AT,
                    collected_via=CollectedVia.SHOP,
                    actor="bench-http",
                    policy_id=policy.policy_id,
                    policy_version=policy.version,
                    idempotency_key=f"bench-{index}-{number}",
                )
            )
        if len(batch) >= SEED_BATCH:
            recorded += len(ledger.append_many(batch))
            batch = []
    recorded += len(ledger.append_many(batch))
    return recorded


def questions(count: int, subjects: int, offset: int = 0) -> list[Question]:
    """`count` questions about scattered subscribers, cycling through `USES`."""
    return [
        Question(subscriber((k * 7_919 + 13) % subjects), USES[k % len(USES)])
        for k in range(offset, offset + count)
    ]


# ---------------------------------------------------------------- in process (baselines)


def in_process_single(
    ledger: SqlLedger,
    policies: PolicySet,
    key: PseudonymKey,
    asked: Sequence[Question],
) -> tuple[Measured, list[DecisionAnswer]]:
    """`decide_for_subject` for each question in turn, after a first pass to warm up."""

    def decide(question: Question) -> DecisionAnswer:
        return decide_for_subject(
            ledger, policies, key, question.subscriber, question.use, now=AT, at=AT
        )

    for question in asked:
        decide(question)
    answers: list[DecisionAnswer] = []
    latencies = []
    started = time.perf_counter()
    for question in asked:
        begun = time.perf_counter()
        answers.append(decide(question))
        latencies.append(time.perf_counter() - begun)
    seconds = time.perf_counter() - started
    measured = Measured("decide_for_subject", None, 1, len(asked), len(asked), seconds, latencies)
    return measured, answers


def in_process_batches(
    ledger: SqlLedger, policies: PolicySet, key: PseudonymKey, batches: Sequence[list[Question]]
) -> tuple[Measured, list[list[DecisionAnswer]]]:
    """`decide_many` for each batch in turn."""

    def decide(batch: list[Question]) -> list[DecisionAnswer]:
        requests = [DecisionRequest(question.subscriber, question.use, at=AT) for question in batch]
        return decide_many(ledger, policies, key, requests, now=AT)

    decide(batches[0])
    answers = []
    latencies = []
    started = time.perf_counter()
    for batch in batches:
        begun = time.perf_counter()
        answers.append(decide(batch))
        latencies.append(time.perf_counter() - begun)
    seconds = time.perf_counter() - started
    size = len(batches[0])
    decided = sum(len(batch) for batch in batches)
    path = f"decide_many, batches of {size:,}"
    return Measured(path, None, 1, len(batches), decided, seconds, latencies), answers


def expected_json(answers: Sequence[DecisionAnswer]) -> list[dict[str, Any]]:
    """The answers as the API must say them."""
    return [decision_out(answer).model_dump(mode="json") for answer in answers]


# ---------------------------------------------------------------- the server


@dataclass(frozen=True, slots=True)
class Server:
    """The server under load, and which load generator sends to it."""

    host: str
    port: int
    pid: int
    client: str
    """`raw` (`KeepAlive` connections) or `httpx` (one `httpx.AsyncClient`)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float | None:
    """CPU time of a process and its descendants (Linux /proc); None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        spent = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                spent += cpu_seconds(int(child)) or 0.0
    except (OSError, IndexError, ValueError):
        return None
    return spent


@contextmanager
def serving(database_url: str, workers: int, folder: Path, client: str) -> Iterator[Server]:
    """Uvicorn serving the API with `workers` on a free loopback port, loaded by `client`."""
    port = free_port()
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("PLACET_")
    }
    environment |= {
        "PLACET_DATABASE_URL": database_url,
        "PLACET_POLICY": "ipko",
        "PLACET_PSEUDONYM_KEY": PSEUDONYM_KEY,
    }
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "placet.api:app_from_environment",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--no-access-log", "--log-level", "warning", "--timeout-keep-alive", "600",
    ]  # fmt: skip
    log_path = folder / f"uvicorn-{workers}.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, env=environment, stdout=log, stderr=log)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(base_url, server, workers, log_path)
        yield Server("127.0.0.1", port, server.pid, client)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_answering(
    base_url: str, server: subprocess.Popen[bytes], workers: int, log_path: Path
) -> None:
    """Return once `/v1/health` has answered a few times a worker; exit if the server does not
    start."""
    deadline = time.monotonic() + 90
    answered = 0
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"uvicorn exited with {server.returncode}:\n{log_path.read_text()}")
        try:
            # A new connection each time, so that the kernel spreads them over the workers.
            if httpx.get(f"{base_url}/v1/health", timeout=5).status_code == 200:
                answered += 1
                if answered >= 4 * workers:
                    return
                continue
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    sys.exit(f"uvicorn did not answer within 90 s:\n{log_path.read_text()}")


# ---------------------------------------------------------------- the load generator


Send = Callable[[bytes | None], Awaitable[tuple[int, bytes]]]


class KeepAlive:
    """One HTTP/1.1 keep-alive connection: send a request, read its whole answer.

    The default load generator. It costs 0.15–0.3 ms of CPU a request on the development
    VM, where httpx.AsyncClient costs about 2 ms and cannot keep one uvicorn worker busy.
    It reads only what this API answers: a status line, headers and a Content-Length body.
    """

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, head: bytes
    ) -> None:
        self.reader, self.writer, self.head = reader, writer, head

    @classmethod
    async def open(cls, server: Server, method: str, path: str, headers: dict[str, str]) -> Self:
        reader, writer = await asyncio.open_connection(server.host, server.port)
        fields = {"Host": f"{server.host}:{server.port}", **headers}
        lines = "".join(f"{name}: {value}\r\n" for name, value in fields.items())
        return cls(reader, writer, f"{method} {path} HTTP/1.1\r\n{lines}".encode())

    async def send(self, body: bytes | None) -> tuple[int, bytes]:
        length = b"" if body is None else b"Content-Length: %d\r\n" % len(body)
        self.writer.write(self.head + length + b"\r\n" + (body or b""))
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            raise RuntimeError("the server closed a keep-alive connection") from exc
        status_line, *header_lines = head[:-4].split(b"\r\n")
        size = None
        for line in header_lines:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                size = int(value)
        if size is None:
            raise RuntimeError(f"an answer without Content-Length: {head!r}")
        return int(status_line.split(b" ", 2)[1]), await self.reader.readexactly(size)

    def close(self) -> None:
        self.writer.close()


@asynccontextmanager
async def senders(
    server: Server, method: str, path: str, clients: int, headers: dict[str, str]
) -> AsyncIterator[list[Send]]:
    """One `Send` per concurrent client, each on its own keep-alive connection."""
    if server.client == "raw":
        connections = [await KeepAlive.open(server, method, path, headers) for _ in range(clients)]
        try:
            yield [connection.send for connection in connections]
        finally:
            for connection in connections:
                connection.close()
        return
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    base_url = f"http://{server.host}:{server.port}"
    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, limits=limits, timeout=120
    ) as client:

        async def send(body: bytes | None) -> tuple[int, bytes]:
            response = await client.request(method, path, content=body)
            return response.status_code, response.content

        yield [send] * clients


def load(
    server: Server,
    method: str,
    path: str,
    bodies: Sequence[bytes | None],
    *,
    clients: int,
    headers: dict[str, str],
) -> Answered:
    """Send one request per body from `clients` concurrent keep-alive connections."""
    return asyncio.run(_load(server, method, path, bodies, clients=clients, headers=headers))


async def _load(
    server: Server,
    method: str,
    path: str,
    bodies: Sequence[bytes | None],
    *,
    clients: int,
    headers: dict[str, str],
) -> Answered:
    statuses = [0] * len(bodies)
    contents = [b""] * len(bodies)
    latencies = [0.0] * len(bodies)
    pending = iter(range(len(bodies)))

    async def client_loop(send: Send) -> None:
        for index in pending:
            begun = time.perf_counter()
            statuses[index], contents[index] = await send(bodies[index])
            latencies[index] = time.perf_counter() - begun

    async with senders(server, method, path, clients, headers) as sends:
        # Open every connection, and let the server import and cache what it needs.
        await asyncio.gather(*(send(bodies[0]) for send in sends))
        server_before = cpu_seconds(server.pid)
        client_before = time.process_time()
        started = time.perf_counter()
        await asyncio.gather(*(client_loop(send) for send in sends))
        seconds = time.perf_counter() - started
        client_cpu = (time.process_time() - client_before) / seconds
        server_after = cpu_seconds(server.pid)
    server_cpu = (
        None
        if server_before is None or server_after is None
        else (server_after - server_before) / seconds
    )
    return Answered(statuses, contents, seconds, latencies, client_cpu, server_cpu)


def measured(path: str, workers: int, clients: int, answered: Answered, decisions: int) -> Measured:
    return Measured(
        path,
        workers,
        clients,
        len(answered.statuses),
        decisions,
        answered.seconds,
        answered.latencies,
        answered.client_cpu,
        answered.server_cpu,
    )


# ---------------------------------------------------------------- checking answers


def check_answers(label: str, answered: Answered, expected: Sequence[Any]) -> None:
    """Exit 1 unless every answer is 200 and equals the expected JSON."""
    for index, (status, content) in enumerate(
        zip(answered.statuses, answered.contents, strict=True)
    ):
        if status != 200:
            sys.exit(f"{label}: request {index} answered HTTP {status}: {content[:500]!r}")
        got = json.loads(content)
        if got != expected[index]:
            sys.exit(
                f"{label}: request {index} answered differently over HTTP than in process.\n"
                f"HTTP:       {json.dumps(got)[:2000]}\n"
                f"in process: {json.dumps(expected[index])[:2000]}"
            )


def encoded(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


# ---------------------------------------------------------------- the run


@dataclass(frozen=True, slots=True)
class Asked:
    """Questions (one per request, or a batch per request), the answers expected in JSON,
    and the in-process run they are compared with."""

    requests: list[Any]
    expected: list[Any]
    baseline: Measured


@dataclass(frozen=True)
class Plan:
    subjects: int
    requests: int
    concurrency: list[int]
    batch_sizes: list[int]
    batch_decisions: int
    batch_clients: int
    workers: list[int]
    client: str


def over_http(
    plan: Plan,
    server: Server,
    *,
    workers: int,
    api_key: str,
    single: Asked,
    batched: dict[int, Asked],
) -> list[tuple[Measured, Measured]]:
    """The HTTP rows for one server (the floor, single decisions, batches), each with the
    in-process row it is compared with."""
    auth = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
    count = len(single.requests)
    single_bodies: list[bytes | None] = [encoded(question.body()) for question in single.requests]
    health = {"status": "ok", "policy": "ipko", "versions": ["1.0"]}
    rows = []
    for clients in plan.concurrency:
        floor = load(server, "GET", "/v1/health", [None] * count, clients=clients, headers={})
        check_answers("GET /v1/health", floor, [health] * count)
        row = measured("GET /v1/health (floor)", workers, clients, floor, 0)
        rows.append((row, single.baseline))
        answered = load(
            server, "POST", "/v1/decisions", single_bodies, clients=clients, headers=auth
        )
        check_answers("POST /v1/decisions", answered, single.expected)
        row = measured("POST /v1/decisions", workers, clients, answered, count)
        rows.append((row, single.baseline))
    for size, asked in batched.items():
        bodies: list[bytes | None] = [
            encoded({"decisions": [question.body() for question in batch]})
            for batch in asked.requests
        ]
        clients = plan.batch_clients
        answered = load(
            server, "POST", "/v1/decisions:batch", bodies, clients=clients, headers=auth
        )
        check_answers("POST /v1/decisions:batch", answered, asked.expected)
        path = f"POST /v1/decisions:batch, batches of {size:,}"
        row = measured(path, workers, clients, answered, asked.baseline.decisions)
        rows.append((row, asked.baseline))
    return rows


def run(plan: Plan, folder: Path) -> list[tuple[Measured, Measured]]:
    """Every row, each with the in-process row it is compared with."""
    database_url = f"sqlite:///{folder / 'ledger.db'}"
    ledger = open_ledger(database_url)
    policies = load_policy_set("ipko")
    key = PseudonymKey.from_hex(PSEUDONYM_KEY)
    started = time.perf_counter()
    events = record_history(ledger, policies, key, plan.subjects)
    print(
        f"{plan.subjects:,} subscribers, {events:,} events recorded in "
        f"{time.perf_counter() - started:.1f} s; every question asked as of {AT:%Y-%m-%d}"
    )
    api_key = create_key(
        SqlApiKeys(ledger.engine), [Scope.DECIDE], name="bench-http", now=datetime.now(UTC)
    ).plaintext

    asked = questions(plan.requests, plan.subjects)
    baseline, answers = in_process_single(ledger, policies, key, asked)
    rows: list[tuple[Measured, Measured]] = [(baseline, baseline)]
    single = Asked(asked, expected_json(answers), baseline)
    batched = {}
    offset = plan.requests
    for size in plan.batch_sizes:
        count = max(1, plan.batch_decisions // size)
        flat = questions(size * count, plan.subjects, offset)
        offset += size * count
        batches = [flat[start : start + size] for start in range(0, len(flat), size)]
        in_process, batch_answers = in_process_batches(ledger, policies, key, batches)
        rows.append((in_process, in_process))
        expected = [{"decisions": expected_json(each)} for each in batch_answers]
        batched[size] = Asked(batches, expected, in_process)
    print_mix(answers)
    ledger.engine.dispose()

    for workers in plan.workers:
        with serving(database_url, workers, folder, plan.client) as server:
            rows += over_http(
                plan, server, workers=workers, api_key=api_key, single=single, batched=batched
            )
    return rows


def print_mix(answers: Sequence[DecisionAnswer]) -> None:
    reasons = Counter(answer.decision.reason for answer in answers)
    permitted = sum(answer.decision.is_permitted for answer in answers)
    listed = ", ".join(f"{reason} {count}" for reason, count in reasons.most_common())
    print(f"single questions: {permitted:,} permitted of {len(answers):,} ({listed})")


# ---------------------------------------------------------------- the table


def server_line() -> str:
    """The machine line, with the server stack and load generator named."""
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return host_line(
        f"uvicorn {uvicorn.__version__} ({http}, {loop})",
        f"FastAPI {fastapi.__version__}",
        f"pydantic {pydantic.__version__}",
        f"httpx {httpx.__version__} (load generator)",
    )


def print_table(rows: Sequence[tuple[Measured, Measured]]) -> None:
    print()
    print(
        "| path | workers | clients | requests | requests/s | decisions/s | p50 ms | p90 ms "
        "| p99 ms | client CPU | server CPU | time per decision, ratio to in process |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row, baseline in rows:
        where = "in process" if row.workers is None else "HTTP"
        decisions = f"{row.per_second(row.decisions):,.0f}" if row.decisions else "—"
        # The floor decides nothing: its ratio is per request, to one decision in process.
        count = row.decisions or row.requests
        ratio = baseline.per_second(baseline.decisions) / row.per_second(count)
        label = f"{row.path} (baseline)" if row is baseline else row.path
        print(
            f"| {where}: {label} | {row.workers or '—'} | {row.clients} | {row.requests:,} | "
            f"{row.per_second(row.requests):,.0f} | {decisions} | {row.percentile_ms(0.5):.2f} "
            f"| {row.percentile_ms(0.9):.2f} | {row.percentile_ms(0.99):.2f} | "
            f"{_share(row.client_cpu)} | {_share(row.server_cpu)} | {ratio:.2f}× |"
        )
    bound = [
        row for row, _ in rows if row.client_cpu is not None and row.client_cpu >= CLIENT_BOUND
    ]
    print()
    for row in bound:
        print(
            f"client-bound: {row.path}, {row.clients} clients, {row.workers} worker(s): the load "
            f"generator used {row.client_cpu:.0%} of a core; the server may answer faster"
        )
    if not bound:
        print(f"no run was client-bound (the load generator stayed under {CLIENT_BOUND:.0%})")


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _numbers(values: Sequence[str]) -> list[int]:
    return [int(part) for value in values for part in value.split(",") if part.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subjects", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=2_000, help="single decisions per run")
    parser.add_argument("--concurrency", action="append", help="clients, e.g. 16,64 (repeatable)")
    parser.add_argument("--batch-sizes", action="append", help="e.g. 100,1000 (repeatable)")
    parser.add_argument("--batch-decisions", type=int, default=10_000, help="per batch size")
    parser.add_argument("--batch-clients", type=int, default=4)
    parser.add_argument("--workers", action="append", help="uvicorn workers, e.g. 1,2")
    parser.add_argument(
        "--client",
        choices=["raw", "httpx"],
        default="raw",
        help="load generator: raw keep-alive connections, or httpx.AsyncClient",
    )
    parser.add_argument("--smoke", action="store_true", help="a tiny run, for the test suite")
    args = parser.parse_args()
    plan = Plan(
        subjects=args.subjects,
        requests=args.requests,
        concurrency=_numbers(args.concurrency or ["16,64"]),
        batch_sizes=_numbers(args.batch_sizes or ["100,1000"]),
        batch_decisions=args.batch_decisions,
        batch_clients=args.batch_clients,
        workers=_numbers(args.workers or ["1"]),
        client=args.client,
    )
    if args.smoke:
        plan = Plan(200, 200, [4], [10, 50], 200, 2, [1], args.client)
    print(server_line())
    with tempfile.TemporaryDirectory() as name:
        rows = run(plan, Path(name))
    print_table(rows)


if __name__ == "__main__":
    main()
