"""Memory: the app's resident set per call, its peak while pages are parsed, and whether it stays flat.

Each scale runs in a process of its own (the other benchmarks' garbage would count otherwise): the app
with 1, 10,000 and 50,000 live calls, polling back to back; before each poll 5% of the calls move on,
1% end and as many new ones arrive. RSS is read from /proc/self/status once settled; the peak during the
polls is VmHWM after resetting it (/proc/self/clear_refs) once the table was filled, so it is what
parsing a poll's pages costs over the settled figure. At 10,000 calls the app polls 300 times and RSS
at poll 50 and poll 300 shows whether it is flat; at 50,000 a key probe presses down/up meanwhile.

Per call = (settled RSS at N calls - settled RSS with one call) / N.

Run: `python -m bench.memory_bench`.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bench.common import (
    SIZE,
    BenchResult,
    KeyProbe,
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

POLLS = int(os.environ.get("CALLTUI_BENCH_POLLS", "300"))  # fewer while iterating
EARLY = min(50, POLLS // 2)
MAX_PER_CALL_KB = 2.0
MAX_MB = {10_000: 90.0, 50_000: 200.0}
MAX_PEAK_RATIO = 1.5
MAX_GROWTH = 5.0  # percent, from poll EARLY to poll POLLS
MAX_KEY_MS = 50.0


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM starts again from the current RSS


async def _polls(sim: SimProcess, polls: int, keys: bool) -> dict[str, float]:
    figures: dict[str, float] = {}
    app = build_app(sim)
    watch = PollWatch(app)
    async with app.run_test(size=SIZE) as pilot:
        if not watch.timings:
            await watch.next_poll()
        await pilot.pause()
        probe = KeyProbe(app) if keys else None
        if probe is not None:
            probe.start()
        _reset_peak()
        for n in range(1, polls + 1):
            await sim.arun(churn, seed=n)
            await watch.poll_now()
            if n in (EARLY, polls):
                await pilot.pause()
                figures[f"poll{n}"] = _status_mb("VmRSS")
        figures["peak"] = _status_mb("VmHWM")
        if probe is not None:
            await probe.stop()
            figures["key"] = probe.worst * 1000
        figures["rows"] = app.table.row_count
    return figures


def measure_memory(calls: int, polls: int, keys: bool = False) -> dict[str, float]:
    """In the isolated process: fill the table, poll, read the figures."""
    with SimProcess(initial_calls=calls) as sim:
        return asyncio.run(_polls(sim, polls, keys))


def run_memory_bench() -> list[BenchResult]:
    empty = run_isolated(measure_memory, 1, 10)["poll10"]
    ten = run_isolated(measure_memory, 10_000, POLLS)
    fifty = run_isolated(measure_memory, 50_000, 10, True)
    early, late = ten[f"poll{EARLY}"], ten[f"poll{POLLS}"]
    results = [info("memory.1 RSS with one call", empty, "MB")]
    for calls, settled in ((10_000, late), (50_000, fifty["poll10"])):
        label = f"memory.{calls // 1000}k"
        results += [
            within(f"{label} RSS settled", settled, "MB", MAX_MB[calls]),
            within(f"{label} per call beyond one", (settled - empty) * 1024 / calls, "KB", MAX_PER_CALL_KB),
        ]
    return [
        *results,
        within("memory.10k peak in polls / settled", ten["peak"] / late, "x", MAX_PEAK_RATIO),
        within("memory.50k peak in polls / settled", fifty["peak"] / fifty["poll10"], "x", MAX_PEAK_RATIO),
        info(f"memory.10k RSS at poll {EARLY}", early, "MB"),
        within(f"memory.10k growth poll {EARLY}→{POLLS}", (late - early) / early * 100, "%", MAX_GROWTH),
        within("memory.50k slowest key→screen", fifty["key"], "ms", MAX_KEY_MS),
        info("memory.50k rows in the table", fifty["rows"], ""),
    ]


def explain() -> None:
    note(f"each scale alone in its own process; 10k: {POLLS} polls back to back, ~1% of calls replaced each")


if __name__ == "__main__":
    ok = report(run_memory_bench())
    explain()
    sys.exit(0 if ok else 1)
