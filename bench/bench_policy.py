"""Time loading, checking and rendering the reference policies; print a Markdown table.

The baseline is PyYAML's safe loader on the same files, measured in the same run: the
ratio says what Placet's located, validated load costs over parsing alone.

    python bench/bench_policy.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import yaml
from benchlib import machine_line

from placet.notices import NoticeFormat, RopaFormat, export_jsonld, export_ropa, render_notice
from placet.policy import load_policy_set, resolve_policy_dir
from placet.policy.check import check_policy


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


class _PlainLoader(yaml.SafeLoader):
    """PyYAML's safe loader, taking `!tr` texts as plain strings: parsing and nothing else."""


_PlainLoader.add_constructor("!tr", lambda loader, node: loader.construct_scalar(node))


def plain_yaml(operator: str) -> Callable[[], object]:
    files = sorted(resolve_policy_dir(operator).glob("policy*.yaml"))
    return lambda: [
        yaml.load(Path(file).read_text(encoding="utf-8"), Loader=_PlainLoader) for file in files
    ]


def steps_for(operator: str) -> list[tuple[str, Callable[[], object]]]:
    """Each measured step for one operator, the baseline first."""
    policy = load_policy_set(operator).latest
    language = policy.source_language
    return [
        ("PyYAML SafeLoader parse (baseline)", plain_yaml(operator)),
        ("load_policy_set (located, validated)", lambda: load_policy_set(operator)),
        ("check_policy (+ completeness, coverage)", lambda: check_policy(operator)),
        *[
            (f"render_notice {fmt.value}", partial(render_notice, policy, language, fmt))
            for fmt in NoticeFormat
        ],
        *[
            (f"export_ropa {fmt.value}", partial(export_ropa, policy, fmt, language))
            for fmt in RopaFormat
        ],
        ("export_jsonld", partial(export_jsonld, policy)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    print(machine_line(f"median of {repeat} runs"))
    print()
    print("| operator | step | median ms | ratio to the plain YAML parse |")
    print("|---|---|---:|---:|")
    for operator in ("ipko", "ipnordic"):
        steps = steps_for(operator)
        baseline = median_seconds(steps[0][1], repeat)
        for position, (name, action) in enumerate(steps):
            seconds = baseline if position == 0 else median_seconds(action, repeat)
            print(f"| {operator} | {name} | {seconds * 1000:.1f} | {seconds / baseline:.1f}× |")


if __name__ == "__main__":
    main()
