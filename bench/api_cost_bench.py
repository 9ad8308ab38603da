"""API cost: requests per poll at 100, 1,000 and 10,000 live calls, and how many a failing API gets.

Per poll, the least the Calls API allows is one request per page of each live status (queued, ringing,
in-progress; 1,000 calls a page): the sum over the three of max(1, ceil(calls / 1000)). The simulator
counts what reaches it.

Reconciliation (calls live in the last poll and missing from this one are looked up before they are shown
as ended) costs nothing while no call ends. Then, between polls, 1 % of the live calls end (and 5 % move on,
as many arrive: the poll bench's churn), and the requests reconciliation adds to each poll are counted:
one fetch per ended call up to 3, else one page of the `EndTime>` list per 1,000 ended calls.

Under a fault every request answers 503 for a 3 s window while the real `Poller` polls, sleeping the
delay each result asks for, with the interval scaled down to 0.05 s (x40: the window stands for two
minutes at the real 2 s). The backoff allows at most the polls that fit in the window when every delay
is its shortest (the `Backoff`'s own schedule with the lowest jitter), and a poll sends at most 3 requests.

Run: `python -m bench.api_cost_bench`.
"""

from __future__ import annotations

import asyncio
import math
import random
import sys
import time

from bench.common import (
    SIZE,
    BenchResult,
    PollWatch,
    SimProcess,
    add_fault,
    build_app,
    churn,
    clear_faults,
    info,
    note,
    report,
    request_count,
    settings_for,
    status_counts,
)
from calltui.domain.call import ENDED_STATUSES
from calltui.domain.errors import ServerError
from calltui.gateway import TwilioGateway
from calltui.monitor.backoff import Backoff
from calltui.monitor.poller import Poller
from calltui.monitor.reconcile import FETCH_MAX
from calltui.simulator import Simulator

SCALES = (100, 1_000, 10_000)
POLLS = 3
PAGE = 1000
FAST_INTERVAL = 0.05
FAULT_WINDOW = 3.0


def minimum_requests(counts: dict[str, int]) -> int:
    return sum(max(1, math.ceil(n / PAGE)) for n in counts.values())


def reconciliation_budget(ended: int) -> int:
    """What looking up `ended` missing calls may cost: a fetch each when few, else the list's pages."""
    return ended if ended <= FETCH_MAX else math.ceil(ended / PAGE)


def reconciliation_requests(sim: Simulator, start: int) -> int:
    """Requests from index `start` on that only reconciliation sends: one call, or an `EndTime>` list."""
    return sum("/Calls/" in r.path or "EndTime>" in r.query for r in sim.requests[start:])


def ended_calls(sim: Simulator) -> int:
    return sum(len(sim.store.sids_with_status(status)) for status in ENDED_STATUSES)


async def _per_poll(sim: SimProcess) -> tuple[list[int], list[tuple[int, int]]]:
    """Requests the simulator received during each of a few quiet polls of the real app; then, for polls
    after calls ended, (calls ended, requests reconciliation sent)."""
    sent, reconciled = [], []
    app = build_app(sim)
    watch = PollWatch(app)
    async with app.run_test(size=SIZE) as pilot:
        if not watch.timings:
            await watch.next_poll()
        await pilot.pause(0.2)  # the start-up account lookup is done
        for _ in range(POLLS):
            before = await sim.arun(request_count)
            await watch.poll_now()
            sent.append(await sim.arun(request_count) - before)
        for repeat in range(POLLS):
            ended = await sim.arun(ended_calls)
            await sim.arun(churn, seed=repeat)
            ended = await sim.arun(ended_calls) - ended
            before = await sim.arun(request_count)
            await watch.poll_now()
            reconciled.append((ended, await sim.arun(reconciliation_requests, before)))
    return sent, reconciled


class _Lowest(random.Random):
    """Jitter always at its low end: the backoff's shortest delays."""

    def uniform(self, a: float, b: float) -> float:
        return a


def allowed_polls(window: float, interval: float) -> int:
    """Polls that fit in `window` when the API fails throughout and every delay is its shortest."""
    backoff = Backoff(base=interval, rng=_Lowest())
    polls, at = 0, 0.0
    while at < window:
        polls += 1
        at += backoff.next_delay(ServerError("503"))
    return polls


async def _under_fault(sim: SimProcess) -> tuple[int, int]:
    """(polls, requests) in the fault window."""
    gateway = TwilioGateway(settings_for(sim, interval=FAST_INTERVAL))
    poller = Poller(gateway, FAST_INTERVAL)
    try:
        await poller.poll()  # connections open, as in a running app
        await sim.arun(add_fault, "status", status=503)
        before = await sim.arun(request_count)
        polls, end = 0, time.perf_counter() + FAULT_WINDOW
        while time.perf_counter() < end:
            polls += 1
            result = await poller.poll()
            assert result.diff is None, "the fault did not apply"
            await asyncio.sleep(min(result.delay, max(0.0, end - time.perf_counter())))
        sent = await sim.arun(request_count) - before
        await sim.arun(clear_faults)
        return polls, sent
    finally:
        await gateway.close()


def _check(name: str, value: float, limit: float) -> BenchResult:
    return BenchResult(name, value, "req", f"<= {limit:g}", value <= limit)


def run_api_cost_bench() -> list[BenchResult]:
    results: list[BenchResult] = []
    polls = faulted = 0
    for calls in SCALES:
        with SimProcess(initial_calls=calls) as sim:
            least = minimum_requests(sim.run(status_counts))
            sent, reconciled = asyncio.run(_per_poll(sim))
            if calls == SCALES[0]:
                polls, faulted = asyncio.run(_under_fault(sim))
        results.append(_check(f"api.{calls} calls: requests/poll (max)", max(sent), least))
        ended, extra = max(reconciled, key=lambda pair: pair[1])
        name = f"api.{calls} calls, {ended} ended: reconcile"
        results.append(_check(name, extra, reconciliation_budget(ended)))
    allowed = allowed_polls(FAULT_WINDOW, FAST_INTERVAL)
    results += [
        _check("api.503 window: requests sent", faulted, 3 * allowed),
        BenchResult("api.503 window: polls", polls, "", f"<= {allowed}", polls <= allowed),
        info("api.503 window: without backoff", 3 * math.ceil(FAULT_WINDOW / FAST_INTERVAL), "req"),
    ]
    return results


def explain() -> None:
    note("target per poll: sum over queued/ringing/in-progress of max(1, ceil(calls/1000))")
    note(
        f"reconcile: requests a poll adds after 1% of the calls ended (max of {POLLS} polls); target: one"
        f" fetch per ended call up to {FETCH_MAX}, else ceil(ended/1000) EndTime> pages"
    )
    note(
        f"503 window: {FAULT_WINDOW:g} s at a {FAST_INTERVAL:g} s interval; allowed = 3 x the polls the"
        " backoff's shortest delays fit in it"
    )


if __name__ == "__main__":
    ok = report(run_api_cost_bench())
    explain()
    sys.exit(0 if ok else 1)
