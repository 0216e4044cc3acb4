"""Time decisions: one in process against general policy engines and a bare `if`, and a
whole audience against a hand-written polars query over the same table.

    python bench/bench_decide.py [--subjects N] [--calls N] [--repeat N]

The single decision is IPKO's consent-gated SMS marketing with an objection to direct
marketing overriding it. The same rule is written for two general policy engines from
PyPI, casbin (ABAC with `eval`, bench/casbin/) and Cedar through cedarpy (bench/cedar/),
and as a bare `if` chain, the floor; all four must agree on every combination of consent
and objection before any is timed. The audience is the same campaign over N synthetic
subscribers held as a polars frame of subject states, and placet's must be the baseline
query's. The benchmark exits non-zero when they disagree.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import polars as pl
from benchlib import machine_line

from placet.decide import ConsentGrant, SubjectState, Use, decide_bulk, decide_use
from placet.decide.bulk import STATE_SCHEMA, subject_numbers
from placet.policy import load_policy_set
from placet.policy.model import CategoryId, ConsentOptionId, PurposeId, SubjectTypeId
from placet.policy.terms import Channel

NOW = datetime(2026, 6, 1, tzinfo=UTC)
USE = Use(
    purpose=PurposeId("direct-marketing-current-offers"),
    categories=(CategoryId("contact"),),
    channel=Channel.SMS,
)
HERE = Path(__file__).parent


@dataclass(frozen=True)
class Case:
    """The subscriber of a single decision: consented to current offers or not, objects to
    direct marketing or not."""

    consented: bool
    objects: bool

    @property
    def is_permitted(self) -> bool:
        """What the rule says: consent, and no objection overriding it."""
        return self.consented and not self.objects


BENCHMARKED = Case(consented=True, objects=False)
CASES = (
    BENCHMARKED,
    Case(consented=True, objects=True),
    Case(consented=False, objects=False),
    Case(consented=False, objects=True),
)


@dataclass(frozen=True)
class Engine:
    """One way of writing the rule: its call on a case (everything else built beforehand),
    and whether the call's answer is a permit."""

    name: str
    prepare: Callable[[Case], Callable[[], object]]
    permits: Callable[[Any], bool]


@dataclass
class CasbinSubject:
    consent_current_offers: bool
    objects_to_marketing: bool


def percentile_us(action: Callable[[], object], calls: int) -> tuple[float, float]:
    """p50 and p99 of one call, in microseconds."""
    for _ in range(1000):
        action()
    timings = []
    for _ in range(calls):
        started = time.perf_counter_ns()
        action()
        timings.append(time.perf_counter_ns() - started)
    timings.sort()
    return timings[len(timings) // 2] / 1000, timings[int(len(timings) * 0.99)] / 1000


def placet_subject(case: Case, **fields: Any) -> SubjectState:
    consents = (ConsentGrant(ConsentOptionId("current-offers"), NOW),) if case.consented else ()
    subject = SubjectState(
        subject="s-1",
        as_of=NOW,
        subject_type=SubjectTypeId("consumer-subscriber"),
        consents=consents,
        objects_to_direct_marketing=case.objects,
        active_contracts=1,
    )
    return replace(subject, **fields)


def placet_engine() -> Engine:
    policy = load_policy_set("ipko").latest

    def prepare(case: Case) -> Callable[[], object]:
        subject = placet_subject(case)
        return lambda: decide_use(policy, subject, USE, NOW)

    return Engine("placet decide_use (with explanation)", prepare, lambda d: d.is_permitted)


def casbin_engine() -> Engine | None:
    try:
        # Imported by name: to mypy, `casbin` here is the folder of this rule's model.
        casbin: Any = importlib.import_module("casbin")
    except ImportError:
        return None
    enforcer = casbin.Enforcer(str(HERE / "casbin/model.conf"), str(HERE / "casbin/policy.csv"))

    def prepare(case: Case) -> Callable[[], object]:
        subject = CasbinSubject(
            consent_current_offers=case.consented, objects_to_marketing=case.objects
        )
        return lambda: enforcer.enforce(subject, "direct-marketing-current-offers", "sms")

    return Engine("casbin ABAC, same rule", prepare, bool)


def cedarpy_engine() -> Engine | None:
    try:
        import cedarpy
    except ImportError:
        return None
    policies = cedarpy.PolicySet.from_str((HERE / "cedar/policy.cedar").read_text())
    request = {
        "principal": 'Subscriber::"s-1"',
        "action": 'Action::"sms"',
        "resource": 'Purpose::"direct-marketing-current-offers"',
    }

    def prepare(case: Case) -> Callable[[], object]:
        # The subscriber's state travels with each request, as a caller's would: it changes
        # from one subscriber to the next. The policies are parsed once.
        entities = [
            {
                "uid": {"type": "Subscriber", "id": "s-1"},
                "attrs": {
                    "consents": ["current-offers"] if case.consented else [],
                    "objects_to_direct_marketing": case.objects,
                },
                "parents": [],
            }
        ]
        return lambda: cedarpy.is_authorized(request, policies, entities)

    return Engine("cedarpy, same rule (policies parsed once)", prepare, lambda r: r.allowed)


def if_chain_engine() -> Engine:
    def prepare(case: Case) -> Callable[[], object]:
        subject = placet_subject(case)
        return lambda: bool(subject.consents) and not subject.objects_to_direct_marketing

    return Engine("bare if chain (floor)", prepare, bool)


def disagreements(engines: list[Engine]) -> list[str]:
    """Each case on which an engine does not answer what the rule says."""
    found = []
    for case in CASES:
        answers = {engine.name: engine.permits(engine.prepare(case)()) for engine in engines}
        wrong = {name: answer for name, answer in answers.items() if answer != case.is_permitted}
        if wrong:
            found.append(f"{case}: the rule says permit={case.is_permitted}, but {wrong}")
    return found


def single_decisions(calls: int) -> list[tuple[str, float, float]]:
    """p50 and p99 of each engine on the benchmarked case, once all agree on every case."""
    optional = {"casbin": casbin_engine(), "cedarpy": cedarpy_engine()}
    engines = [placet_engine(), *(e for e in optional.values() if e), if_chain_engine()]
    found = disagreements(engines)
    if found:
        print("The engines disagree:", *found, sep="\n  ", file=sys.stderr)
        raise SystemExit(1)
    rows = [(engine.name, *percentile_us(engine.prepare(BENCHMARKED), calls)) for engine in engines]
    policy = load_policy_set("ipko").latest
    ended = placet_subject(
        BENCHMARKED, active_contracts=0, last_contract_end=NOW - timedelta(days=365)
    )
    if decide_use(policy, ended, USE, NOW).valid_until is None:
        print("The ended contract's permit carries no end date", file=sys.stderr)
        raise SystemExit(1)
    rows.insert(
        1,
        (
            "placet decide_use, contract ended (end date set each call)",
            *percentile_us(lambda: decide_use(policy, ended, USE, NOW), calls),
        ),
    )
    nan = float("nan")
    for package, engine in optional.items():
        if engine is None:
            rows.insert(-1, (f"{package} (not installed: pip install {package})", nan, nan))
    return rows


def synthetic_states(count: int) -> pl.DataFrame:
    """`count` subscribers, built inside polars (no Python loop): 60% consented to current
    offers, 5% object to direct marketing, 1% restricted, 20% with their contract ended
    some time in the last four years."""

    def chance(seed: int, per_mille: int) -> pl.Expr:
        return (pl.col("n").hash(seed) % 1000) < per_mille

    grant = pl.struct(
        option=pl.lit("current-offers"), channels=pl.lit([], dtype=pl.List(pl.String))
    )
    no_text: pl.Expr = pl.lit([], dtype=pl.List(pl.String))
    ended = chance(4, 200)
    days_ago = (pl.col("n").hash(5) % (4 * 365)).cast(pl.Int64)
    end = pl.lit(NOW) - pl.duration(days=days_ago)
    frame = pl.select(n=pl.int_range(count, dtype=pl.Int64)).with_columns(
        subject=pl.lit("s-") + pl.col("n").cast(pl.String),
        subject_type=pl.lit("consumer-subscriber"),
        birth_date=pl.lit(None, dtype=pl.Date),
        consents=pl.when(chance(1, 600))
        .then(pl.concat_list(grant))
        .otherwise(pl.lit([], dtype=STATE_SCHEMA["consents"])),
        withdrawn=no_text,
        objections=no_text,
        objects_to_direct_marketing=chance(2, 50),
        restricted=chance(3, 10),
        active_contracts=pl.when(ended).then(0).otherwise(1).cast(pl.Int32),
        last_contract_end=pl.when(ended)
        .then(end)
        .otherwise(None)
        .cast(STATE_SCHEMA["last_contract_end"]),
        debt_outstanding=pl.lit(False),
        debt_settled_at=pl.lit(None, dtype=STATE_SCHEMA["debt_settled_at"]),
        business_opt_out=pl.lit(False),
        business_opt_out_until=pl.lit(None, dtype=STATE_SCHEMA["business_opt_out_until"]),
    )
    numbered = frame.with_columns(subject_numbers(pl.col("subject")))
    return numbered.select(list(STATE_SCHEMA)).cast(STATE_SCHEMA)  # type: ignore[arg-type]


def hand_written(states: pl.LazyFrame) -> pl.LazyFrame:
    """The best plain polars query for this one campaign: the baseline."""
    window_end = pl.col("last_contract_end").dt.offset_by("24mo")
    return states.filter(
        pl.col("consents")
        .list.eval(pl.element().struct.field("option") == "current-offers")
        .list.any()
        & ~pl.col("objects_to_direct_marketing")
        & ~pl.col("restricted")
        & ((pl.col("active_contracts") > 0) | (window_end > pl.lit(NOW)))
    ).select("subject")


def seconds(action: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def audience(count: int, repeat: int) -> list[tuple[str, float]]:
    policy = load_policy_set("ipko").latest
    states = synthetic_states(count).lazy()
    placet_audience = (
        decide_bulk(policy, states, USE, NOW)
        .filter(pl.col("outcome") == "permit")
        .select("subject")
    )
    placet_ids = placet_audience.collect()["subject"].to_list()
    baseline_ids = hand_written(states).collect()["subject"].to_list()
    if placet_ids != baseline_ids:
        print("decide_bulk and the baseline query select different audiences", file=sys.stderr)
        raise SystemExit(1)
    sample = synthetic_states(min(count, 20_000)).to_dicts()
    loop_states = [_state(row) for row in sample]
    looped = seconds(lambda: [decide_use(policy, state, USE, NOW) for state in loop_states], 1)
    return [
        (
            "hand-written polars query (baseline)",
            seconds(lambda: hand_written(states).collect(), repeat),
        ),
        (
            "placet decide_bulk + exclusion reasons",
            seconds(
                lambda: decide_bulk(policy, states, USE, NOW).group_by("reason").len().collect(),
                repeat,
            ),
        ),
        ("placet decide_bulk, audience ids", seconds(placet_audience.collect, repeat)),
        (
            f"looping decide_use (scaled from {len(loop_states):,})",
            looped * count / len(loop_states),
        ),
    ]


def _state(row: dict[str, Any]) -> SubjectState:
    consents = tuple(
        ConsentGrant(ConsentOptionId(grant["option"]), NOW) for grant in row["consents"]
    )
    return SubjectState(
        subject=str(row["subject"]),
        as_of=NOW,
        subject_type=SubjectTypeId("consumer-subscriber"),
        consents=consents,
        objects_to_direct_marketing=bool(row["objects_to_direct_marketing"]),
        restricted=bool(row["restricted"]),
        active_contracts=int(row["active_contracts"]),
        last_contract_end=row["last_contract_end"],
    )


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        machine_line(
            f"polars {pl.__version__}",
            f"casbin {_version('casbin')}",
            f"cedarpy {_version('cedarpy')}",
        )
    )
    print()
    print(f"Single decision, {args.calls:,} calls")
    print()
    print("| engine | p50 µs | p99 µs |")
    print("|---|---:|---:|")
    for name, p50, p99 in single_decisions(args.calls):
        print(f"| {name} | {p50:.2f} | {p99:.2f} |")
    print()
    print(f"Audience over {args.subjects:,} subscribers (median of {args.repeat})")
    print()
    print("| query | seconds | ratio to baseline |")
    print("|---|---:|---:|")
    rows = audience(args.subjects, args.repeat)
    baseline = rows[0][1]
    for name, value in rows:
        print(f"| {name} | {value:.3f} | {value / baseline:.2f}× |")


if __name__ == "__main__":
    main()
