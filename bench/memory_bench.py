"""Memory: the app's resident set with 10,000 live calls over 300 polls, and whether it stays flat.

The app runs in a process of its own (the other benchmarks' garbage would count otherwise) and polls back
to back; before each poll 5% of the calls move on, 1% end and as many new ones arrive, so over the run
about 3,000 calls come and go. RSS is read from /proc/self/status after poll 50 and poll 300; the peak is
VmHWM at the end.

Run: `python -m bench.memory_bench`.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bench.common import (
    SIZE,
    BenchResult,
    PollWatch,
    SimProcess,
    build_app,
    churn,
    info,
    note,
    report,
    run_isolated,
    within,
)

CALLS = 10_000
POLLS = 300
EARLY = 50
MAX_PEAK_MB = 200.0
MAX_GROWTH = 5.0  # percent, from poll EARLY to poll POLLS


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"{field} not in /proc/self/status")


async def _polls(sim: SimProcess) -> dict[str, float]:
    rss: dict[str, float] = {}
    app = build_app(sim)
    watch = PollWatch(app)
    async with app.run_test(size=SIZE) as pilot:
        if not watch.timings:
            await watch.next_poll()
        for n in range(1, POLLS + 1):
            await sim.arun(churn, seed=n)
            await watch.poll_now()
            if n in (EARLY, POLLS):
                await pilot.pause()
                rss[f"poll{n}"] = _status_mb("VmRSS")
        rss["rows"] = app.table.row_count
    return rss


def measure_memory() -> dict[str, float]:
    """In the isolated process: run the polls, then read the peak."""
    with SimProcess(initial_calls=CALLS) as sim:
        figures = asyncio.run(_polls(sim))
    figures["peak"] = _status_mb("VmHWM")
    return figures


def run_memory_bench() -> list[BenchResult]:
    figures = run_isolated(measure_memory)
    early, late = figures[f"poll{EARLY}"], figures[f"poll{POLLS}"]
    growth = (late - early) / early * 100
    return [
        within(f"memory.10k peak RSS ({POLLS} polls)", figures["peak"], "MB", MAX_PEAK_MB),
        info(f"memory.10k RSS at poll {EARLY}", early, "MB"),
        info(f"memory.10k RSS at poll {POLLS}", late, "MB"),
        within(f"memory.10k growth poll {EARLY}→{POLLS}", growth, "%", MAX_GROWTH),
        info("memory.10k rows in the table at the end", figures["rows"], ""),
    ]


def explain() -> None:
    note(f"the app alone in its own process, {POLLS} polls back to back, ~1% of calls replaced per poll")


if __name__ == "__main__":
    ok = report(run_memory_bench())
    explain()
    sys.exit(0 if ok else 1)
