"""Time decisions: one in process against a general policy engine and a bare `if`, and a
whole audience against a hand-written polars query over the same table.

    python bench/bench_decide.py [--subjects N] [--repeat N]

The single decision is IPKO's consent-gated SMS marketing with an objection to direct
marketing overriding it. The same rule is written for casbin (a general policy engine from
PyPI, ABAC with `eval`) and as a bare `if` chain, the floor. The audience is the same
campaign over N synthetic subscribers held as a polars frame of subject states.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from placet.decide import ConsentGrant, SubjectState, Use, decide_bulk, decide_use
from placet.decide.bulk import STATE_SCHEMA
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


def single_decisions(calls: int) -> list[tuple[str, float, float]]:
    policy = load_policy_set("ipko").latest
    subject = SubjectState(
        subject="s-1",
        as_of=NOW,
        subject_type=SubjectTypeId("consumer-subscriber"),
        consents=(ConsentGrant(ConsentOptionId("current-offers"), NOW),),
        active_contracts=1,
    )
    rows = [
        (
            "placet decide_use (with explanation)",
            *percentile_us(lambda: decide_use(policy, subject, USE, NOW), calls),
        )
    ]
    try:
        import casbin  # type: ignore[import-untyped]
    except ImportError:
        rows.append(("casbin (not installed: pip install casbin)", float("nan"), float("nan")))
    else:
        enforcer = casbin.Enforcer(str(HERE / "casbin/model.conf"), str(HERE / "casbin/policy.csv"))
        casbin_subject = CasbinSubject(consent_current_offers=True, objects_to_marketing=False)
        assert enforcer.enforce(casbin_subject, "direct-marketing-current-offers", "sms")
        rows.append(
            (
                "casbin ABAC, same rule",
                *percentile_us(
                    lambda: enforcer.enforce(
                        casbin_subject, "direct-marketing-current-offers", "sms"
                    ),
                    calls,
                ),
            )
        )

    def if_chain() -> bool:
        return bool(subject.consents) and not subject.objects_to_direct_marketing

    rows.append(("bare if chain (floor)", *percentile_us(if_chain, calls)))
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
    return frame.select(list(STATE_SCHEMA)).cast(STATE_SCHEMA)  # type: ignore[arg-type]


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
    assert placet_ids == baseline_ids, "the baseline query must select the same audience"
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


def _state(row: dict[str, object]) -> SubjectState:
    consents = tuple(
        ConsentGrant(ConsentOptionId(grant["option"]), NOW)
        for grant in row["consents"]  # type: ignore[index, union-attr]
    )
    return SubjectState(
        subject=str(row["subject"]),
        as_of=NOW,
        subject_type=SubjectTypeId("consumer-subscriber"),
        consents=consents,
        objects_to_direct_marketing=bool(row["objects_to_direct_marketing"]),
        restricted=bool(row["restricted"]),
        active_contracts=int(row["active_contracts"]),  # type: ignore[call-overload]
        last_contract_end=row["last_contract_end"],  # type: ignore[arg-type]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"machine: {platform.node()} · {platform.machine()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · polars {pl.__version__}"
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
