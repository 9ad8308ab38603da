"""Responsiveness: the longest stall of the app's event loop while it polls 10,000 live calls every 2 s.

A probe task on the app's loop sleeps 5 ms again and again and records how late it wakes: a key press
waits at least that long. The first poll (filling the table) is reported apart; then the app polls on
its own every 2 s, with 5% of the calls moving on, 1% ending and as many arriving before each poll.
A full garbage collection (see calltui.ui.gc_pacing) is forced at the end and its stall reported on its own
line, against the same target.

Run: `python -m bench.responsiveness_bench`.
"""

from __future__ import annotations

import asyncio
import sys

from bench.common import (
    SIZE,
    BenchResult,
    LagProbe,
    PollWatch,
    SimProcess,
    build_app,
    churn,
    info,
    note,
    report,
    within,
)

CALLS = 10_000
INTERVAL = 2.0
POLLS = 10
MAX_STALL_MS = 50.0


async def _measure(sim: SimProcess) -> dict[str, float]:
    app = build_app(sim, interval=INTERVAL)
    watch = PollWatch(app)
    probe = LagProbe(0.005)
    async with app.run_test(size=SIZE):
        probe.start()
        if not watch.timings:
            await watch.next_poll()
        await asyncio.sleep(0.3)  # the first fill's paint
        first_fill = probe.worst
        probe.reset()
        for n in range(POLLS):
            await sim.arun(churn, seed=n)  # in another process: the app's loop is free meanwhile
            await watch.next_poll()
        await asyncio.sleep(0.3)  # the last poll's paint
        lags = sorted(probe.lags)
        probe.reset()
        app.gc_pacer.full_collection()
        await asyncio.sleep(0.1)
        thaw = probe.worst
        await probe.stop()
    return {
        "worst": lags[-1] * 1000,
        "p99": lags[int(len(lags) * 0.99)] * 1000,
        "first_fill": first_fill * 1000,
        "thaw": thaw * 1000,
    }


def run_responsiveness_bench() -> list[BenchResult]:
    with SimProcess(initial_calls=CALLS) as sim:
        figures = asyncio.run(_measure(sim))
    return [
        within("loop.10k longest stall (polling)", figures["worst"], "ms", MAX_STALL_MS),
        info("loop.10k 99th percentile lag", figures["p99"], "ms"),
        info("loop.10k longest stall (first fill)", figures["first_fill"], "ms"),
        within("loop.10k a full GC", figures["thaw"], "ms", MAX_STALL_MS),
    ]


def explain() -> None:
    note(f"lag = how late a 5 ms sleep on the app's loop wakes; over {POLLS} polls, {INTERVAL:g} s apart")


if __name__ == "__main__":
    ok = report(run_responsiveness_bench())
    explain()
    sys.exit(0 if ok else 1)
