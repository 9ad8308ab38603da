"""`python -m bench [name ...]`: run every benchmark (or those named), print one line per figure with its
target and verdict, then `bench: N passed, M failed`; exit 1 if any figure missed its target."""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from bench.api_cost_bench import explain as explain_api_cost
from bench.api_cost_bench import run_api_cost_bench
from bench.common import BenchResult, report
from bench.latency_bench import explain as explain_latency
from bench.latency_bench import run_latency_bench
from bench.memory_bench import explain as explain_memory
from bench.memory_bench import run_memory_bench
from bench.poll_bench import explain as explain_poll
from bench.poll_bench import run_poll_bench
from bench.responsiveness_bench import explain as explain_responsiveness
from bench.responsiveness_bench import run_responsiveness_bench
from bench.soak_bench import explain as explain_soak
from bench.soak_bench import run_soak_bench
from bench.startup_bench import explain as explain_startup
from bench.startup_bench import run_startup_bench
from bench.table_bench import run_table_bench
from bench.team_bench import explain as explain_team
from bench.team_bench import run_team_bench


@dataclass(frozen=True, slots=True)
class Bench:
    name: str
    run: Callable[[], list[BenchResult]]
    explain: Callable[[], None] | None = None


BENCHES = [
    Bench("table", run_table_bench),
    Bench("poll", run_poll_bench, explain_poll),
    Bench("responsiveness", run_responsiveness_bench, explain_responsiveness),
    Bench("latency", run_latency_bench, explain_latency),
    Bench("startup", run_startup_bench, explain_startup),
    Bench("memory", run_memory_bench, explain_memory),
    Bench("api", run_api_cost_bench, explain_api_cost),
    Bench("soak", run_soak_bench, explain_soak),
    Bench("team", run_team_bench, explain_team),
]


def _load(when: str) -> None:
    """The machine's load, so a reader can tell a slow figure from a busy machine."""
    one, five, fifteen = os.getloadavg()
    print(f"bench: load average {when}: {one:.1f} {five:.1f} {fifteen:.1f} on {os.cpu_count()} cores")


def main(names: list[str]) -> int:
    unknown = set(names) - {bench.name for bench in BENCHES}
    if unknown:
        print(f"bench: no such benchmark: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    passed = failed = 0
    started = time.perf_counter()
    _load("before")
    for bench in BENCHES:
        if names and bench.name not in names:
            continue
        try:
            results = bench.run()
        except Exception:
            traceback.print_exc()
            print(f"{bench.name}: the benchmark failed to run  FAIL")
            failed += 1
            continue
        report(results)
        if bench.explain is not None:
            bench.explain()
        passed += sum(result.passed is True for result in results)
        failed += sum(result.passed is False for result in results)
        sys.stdout.flush()
    _load("after")
    print(f"bench: {passed} passed, {failed} failed ({time.perf_counter() - started:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
