"""End-to-end poll at 1,000 and 10,000 active calls: how much of a poll is calltui's own work.

Each sample is one poll of the real app (ctrl+r) in which 5% of the calls moved on, 1% ended and as many
arrived: from the start of `Poller.poll` through the gateway (HTTP, JSON, parsing), the diff and
`CallTable.apply` to the screen composited. Right after it, the bare twilio SDK reads the same three
status lists (`list_async`, page_size=1000, its aiohttp client) on the same loop, one after the other as
calltui does, and then all three at once (what reading in lifecycle order costs). The simulator serves
from another process.

own share = (median calltui poll - median bare SDK read) / median calltui poll: everything calltui adds to
reading the pages — its parsing, de-duplication, reconciling the calls that ended, diff, table update,
paint and bookkeeping.

Run: `python -m bench.poll_bench`.
"""

from __future__ import annotations

import asyncio
import sys
import time

from bench.common import (
    SIZE,
    BenchResult,
    PollWatch,
    SimProcess,
    build_app,
    churn,
    close_sdk_client,
    info,
    median,
    note,
    report,
    sdk_client,
    sdk_list_active,
    within,
)

SCALES = (1_000, 10_000)
REPEATS = 7
MAX_OWN_SHARE = 25.0  # percent


async def _measure(sim: SimProcess) -> dict[str, list[float]]:
    """Seconds per sample: `total` (calltui), `sdk`, and the parts of calltui's poll."""
    names = ("total", "sdk", "sdk_at_once", "fetch", "diff", "paint")
    samples: dict[str, list[float]] = {name: [] for name in names}
    app = build_app(sim)
    watch = PollWatch(app)
    async with app.run_test(size=SIZE) as pilot:
        if not watch.timings:
            await watch.next_poll()  # the first poll fills the table
        await pilot.pause()
        client = sdk_client(sim)
        try:
            await sdk_list_active(client)  # warm the SDK's connection as the app's is warm
            for repeat in range(REPEATS):
                sim.run(churn, seed=repeat)
                timing = await watch.poll_now()
                await pilot.pause(0)  # composite now rather than at the next frame tick
                painted = time.perf_counter()
                samples["total"].append(painted - timing.started)
                samples["fetch"].append(timing.fetched - timing.started)
                samples["diff"].append(timing.polled - timing.fetched)
                samples["paint"].append(painted - timing.polled)
                await pilot.pause()
                for name, at_once in (("sdk", False), ("sdk_at_once", True)):
                    started = time.perf_counter()
                    await sdk_list_active(client, at_once=at_once)
                    samples[name].append(time.perf_counter() - started)
        finally:
            await close_sdk_client(client)
    return samples


def _results(calls: int, samples: dict[str, list[float]]) -> list[BenchResult]:
    ms = {name: median(values) * 1000 for name, values in samples.items()}
    share = (ms["total"] - ms["sdk"]) / ms["total"] * 100
    label = f"poll.{calls // 1000}k"
    return [
        info(f"{label} calltui (poll→painted)", ms["total"], "ms"),
        info(f"{label}   gateway (HTTP+parse)", ms["fetch"], "ms"),
        info(f"{label}   reconcile + index + diff", ms["diff"], "ms"),
        info(f"{label}   apply + paint", ms["paint"], "ms"),
        info(f"{label} bare SDK list_async x3", ms["sdk"], "ms"),
        info(f"{label} bare SDK, the 3 at once", ms["sdk_at_once"], "ms"),
        within(f"{label} calltui own share", share, "%", MAX_OWN_SHARE),
    ]


def run_poll_bench() -> list[BenchResult]:
    results: list[BenchResult] = []
    for calls in SCALES:
        with SimProcess(initial_calls=calls) as sim:
            results += _results(calls, asyncio.run(_measure(sim)))
    return results


def explain() -> None:
    note(f"own share = (calltui poll - bare SDK read) / calltui poll, medians of {REPEATS} polls each")


if __name__ == "__main__":
    ok = report(run_poll_bench())
    explain()
    sys.exit(0 if ok else 1)
