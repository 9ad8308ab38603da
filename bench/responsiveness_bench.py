"""Responsiveness: the longest stall of the app's event loop, and the slowest key, while it polls 10,000
live calls every 2 s for 10 minutes, the interpreter's own full garbage collections included.

A probe task on the app's loop sleeps 5 ms again and again and records how late it wakes: a key press
waits at least that long. A second probe presses down and up on the table every quarter second, at any
moment of a poll or a collection, and times each key from the terminal driver to the highlighted line
painted. The first poll (filling the table) is reported apart; then the app polls on its own every 2 s,
with 5% of the calls moving on, 1% ending and as many arriving before each poll. Every full collection
the interpreter runs meanwhile is timed (`gc.callbacks`); one more is forced at the end.

`CALLTUI_BENCH_MINUTES` shortens the run while iterating (`make bench` runs the full 10 minutes).

Run: `python -m bench.responsiveness_bench`.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import time

from bench.common import (
    SIZE,
    BenchResult,
    FullCollections,
    KeyProbe,
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
MINUTES = float(os.environ.get("CALLTUI_BENCH_MINUTES", "10"))
MAX_STALL_MS = 50.0
MAX_KEY_MS = 50.0


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else 0.0


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
        keys = KeyProbe(app)
        keys.start()
        polls = 0
        ends = time.perf_counter() + MINUTES * 60
        with FullCollections() as collections:
            while time.perf_counter() < ends:
                await sim.arun(churn, seed=polls)  # in another process: the app's loop is free meanwhile
                await watch.next_poll()
                polls += 1
            await asyncio.sleep(0.3)  # the last poll's paint
        await keys.stop()
        lags = probe.lags[:]
        tracked, frozen = len(gc.get_objects()), gc.get_freeze_count()
        probe.reset()
        started, cpu = time.perf_counter(), time.thread_time()
        app.gc_pacer.full_collection()
        forced, forced_cpu = time.perf_counter() - started, time.thread_time() - cpu
        await asyncio.sleep(0.1)
        forced_stall = probe.worst
        await probe.stop()
    return {
        "worst": max(lags) * 1000,
        "p99": _percentile(lags, 0.99) * 1000,
        "key_worst": keys.worst * 1000,
        "key_p99": _percentile(keys.latencies, 0.99) * 1000,
        "keys": len(keys.latencies),
        "first_fill": first_fill * 1000,
        "polls": polls,
        "collections": len(collections.durations),
        "collection_worst": max(collections.durations, default=0.0) * 1000,
        "collection_cpu": max(collections.cpu, default=0.0) * 1000,
        "forced": forced * 1000,
        "forced_cpu": forced_cpu * 1000,
        "forced_stall": forced_stall * 1000,
        "tracked": tracked,
        "frozen": frozen,
    }


def run_responsiveness_bench() -> list[BenchResult]:
    with SimProcess(initial_calls=CALLS) as sim:
        figures = asyncio.run(_measure(sim))
    span = f"{MINUTES:g} min"
    return [
        within(f"loop.10k longest stall ({span})", figures["worst"], "ms", MAX_STALL_MS),
        info("loop.10k 99th percentile lag", figures["p99"], "ms"),
        within(f"loop.10k slowest key→screen ({span})", figures["key_worst"], "ms", MAX_KEY_MS),
        info("loop.10k key→screen 99th pct", figures["key_p99"], "ms"),
        info("loop.10k keys pressed", figures["keys"], ""),
        info("loop.10k polls", figures["polls"], ""),
        info("loop.10k full GCs during the run", figures["collections"], ""),
        within("loop.10k longest of those GCs", figures["collection_worst"], "ms", MAX_STALL_MS),
        info("loop.10k   CPU time of the longest", figures["collection_cpu"], "ms"),
        within("loop.10k a full GC forced at the end", figures["forced_stall"], "ms", MAX_STALL_MS),
        info("loop.10k   its CPU time", figures["forced_cpu"], "ms"),
        info("loop.10k objects a full GC walks", figures["tracked"], ""),
        info("loop.10k objects frozen at start", figures["frozen"], ""),
        info("loop.10k longest stall (first fill)", figures["first_fill"], "ms"),
    ]


def explain() -> None:
    note(f"lag = how late a 5 ms sleep on the app's loop wakes; {MINUTES:g} min, a poll every {INTERVAL:g} s")
    note("key→screen = down/up every 0.25 s, from the driver to the highlighted line painted")


if __name__ == "__main__":
    ok = report(run_responsiveness_bench())
    explain()
    sys.exit(0 if ok else 1)
