"""What every benchmark reports and how it is printed, and the parts benchmarks share: a populated simulator
in a process of its own, the app built as the tests build it, a poll timer and an event-loop lag probe."""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from textual import events
from textual.strip import Strip
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from calltui.gateway import TwilioGateway
from calltui.monitor.audit import AuditLog
from calltui.monitor.history import UrlHistory
from calltui.monitor.recorder import SessionRecorder
from calltui.monitor.team.link import TeamConfig
from calltui.secret import Secret
from calltui.settings import Settings
from calltui.simulator import Simulator, lifecycle, records
from calltui.ui.app import CallTuiApp
from calltui.userconfig import UserConfig

T = TypeVar("T")

SIZE = (160, 45)
ACCOUNT_SID = "AC" + "b" * 32
AUTH_TOKEN = "bench-token-" + "0" * 20
ACTIVE = ("queued", "ringing", "in-progress")
PAGE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class BenchResult:
    name: str
    value: float
    unit: str
    target: str
    """The goal in words ("< 30 ms"); empty for a figure reported for information."""
    passed: bool | None
    """None for a figure without a target."""


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def within(name: str, value: float, unit: str, limit: float) -> BenchResult:
    """A figure whose target is "below `limit`"."""
    return BenchResult(name, value, unit, f"< {limit:g} {unit}", value < limit)


def info(name: str, value: float, unit: str) -> BenchResult:
    """A figure reported for information, without a target."""
    return BenchResult(name, value, unit, "", None)


def note(text: str) -> None:
    """A line of explanation under a benchmark's figures (how a figure is defined)."""
    print(f"  # {text}")


def report(results: Iterable[BenchResult]) -> bool:
    """Print one line per figure; returns whether every figure with a target met it."""
    ok = True
    for result in results:
        verdict = "" if result.passed is None else ("PASS" if result.passed else "FAIL")
        target = f"target {result.target}" if result.target else ""
        print(f"{result.name:<34} {result.value:>10.2f} {result.unit:<3} {target:<18} {verdict}".rstrip())
        ok = ok and result.passed is not False
    return ok


# -- the simulator in a process of its own ----------------------------------------------------------------


class SimProcess:
    """A `Simulator` serving from a child process, so its CPU is not the app's (the machine has 2 cores).

    `run(fn, *args)` calls `fn(simulator, *args)` in the child and returns its result: `fn` must be a
    module-level function (it is pickled by name). Thread-safe; blocking, so from a loop use `arun`.
    """

    def __init__(self, **options: Any) -> None:
        settings: dict[str, Any] = {
            "account_sid": ACCOUNT_SID,
            "auth_token": AUTH_TOKEN,
            "traffic": False,
            "initial_calls": 0,
            "seed": 1,
        }
        settings.update(options)
        context = multiprocessing.get_context("spawn")  # no fork of a process with threads
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve_sim, args=(child, settings), daemon=True)
        self._process.start()
        child.close()
        self._lock = threading.Lock()
        self.base_url: str = self._conn.recv()
        self.account_sid: str = settings["account_sid"]
        self.auth_token: str = settings["auth_token"]

    def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self._lock:
            self._conn.send((fn, args, kwargs))
            ok, value = self._conn.recv()
        if not ok:
            raise RuntimeError(f"in the simulator process: {value}")
        return value

    async def arun(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`run` without blocking the caller's event loop."""
        return await asyncio.to_thread(self.run, fn, *args, **kwargs)

    def close(self) -> None:
        if self._process.is_alive():
            with self._lock:
                self._conn.send(None)
            self._process.join(10)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(5)
        self._conn.close()

    def __enter__(self) -> SimProcess:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def _serve_sim(conn: Connection, settings: dict[str, Any]) -> None:
    sim = Simulator(**settings)
    conn.send(sim.start_in_thread("127.0.0.1", 0))
    try:
        while (message := conn.recv()) is not None:
            fn, args, kwargs = message
            try:
                conn.send((True, fn(sim, *args, **kwargs)))
            except Exception as exc:
                conn.send((False, repr(exc)))
    finally:
        sim.stop_thread()


# Functions run inside the simulator process (see `SimProcess.run`).


def request_count(sim: Simulator) -> int:
    return len(sim.requests)


def requests_since(sim: Simulator, start: int) -> list[tuple[str, str, float]]:
    """(method, path, received_at) of every request from index `start` on."""
    return [(r.method, r.path, r.received_at) for r in sim.requests[start:]]


def live_sids(sim: Simulator) -> list[str]:
    return [sid for status in ACTIVE for sid in sim.store.sids_with_status(status)]


def status_counts(sim: Simulator) -> dict[str, int]:
    return {status: len(sim.store.sids_with_status(status)) for status in ACTIVE}


def add_fault(sim: Simulator, kind: str, **params: Any) -> None:
    sim.faults.add(kind, **params)


def clear_faults(sim: Simulator) -> None:
    sim.faults.clear()


def churn(sim: Simulator, seed: int, changed: float = 0.05, ended: float = 0.01) -> int:
    """One poll's worth of a busy account: `changed` of the live calls move on (queued → ringing →
    in-progress, or just updated), `ended` of them end, and as many new calls arrive as ended (a
    parent's legs end with it), so the population stays the same. Returns how many calls changed."""
    rng = random.Random(seed)
    now = sim.clock()
    live = live_sids(sim)
    size = len(live)
    picked = rng.sample(live, int(size * (changed + ended)))
    n_ended = int(size * ended)
    for sid in picked[:n_ended]:
        if lifecycle.is_live(sim.call(sid)):
            sim.end_call(sid)
    for sid in picked[n_ended:]:
        raw = sim.call(sid) or {}
        status = raw.get("status")
        if status == "queued":
            lifecycle.ring(sim.store, sid, now)
        elif status == "ringing":
            lifecycle.answer(sim.store, sid, now)
        elif status == "in-progress":
            sim.set_call(sid, date_updated=records.rfc2822(now))
    for _ in range(size - len(live_sids(sim))):
        sim.add_call(status=rng.choices(ACTIVE, (10, 15, 75))[0])
    return len(picked)


def run_isolated(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` in a fresh process (so what it measures, RSS above all, is its own); returns its result.

    `fn` must be a module-level function. The process may start a `SimProcess` of its own.
    """
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_run_and_send, args=(sender, fn, args))
    process.start()
    sender.close()
    try:
        ok, value = receiver.recv()
    except EOFError:
        ok, value = False, f"the process died (exit status {process.exitcode})"
    finally:
        process.join(30)
    if not ok:
        raise RuntimeError(f"in the isolated process: {value}")
    return value


def _run_and_send(sender: Connection, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        sender.send((True, fn(*args)))
    except Exception as exc:
        sender.send((False, repr(exc)))


# -- the app, built as tests/conftest.py builds it --------------------------------------------------------


def settings_for(sim: SimProcess, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "account_sid": sim.account_sid,
        "username": sim.account_sid,
        "secret": Secret(sim.auth_token),
        "api_url": sim.base_url,
        "interval": 3600.0,
        "request_timeout": 30.0,
        "linger": 5.0,
    }
    values.update(overrides)
    return Settings(**values)


_AUDIT_DIR = tempfile.TemporaryDirectory(prefix="calltui-bench-")


def build_app(
    sim: SimProcess,
    *,
    interval: float = 3600.0,
    recorder: SessionRecorder | None = None,
    team: TeamConfig | None = None,
    **overrides: Any,
) -> CallTuiApp:
    """The real app on the simulator; with the default interval (an hour) it polls only when asked.

    The grace window is off: a confirmed action is sent at once, so its latency is calltui's own (with
    the window on, the request leaves when the window ends, by design)."""
    settings = settings_for(sim, interval=interval, **overrides)
    audit = AuditLog(Path(_AUDIT_DIR.name) / f"audit-{time.monotonic_ns()}.jsonl")
    audit.open()
    return CallTuiApp(
        TwilioGateway(settings),
        account_sid=settings.account_sid,
        audit=audit,
        history=UrlHistory(None),
        interval=settings.interval,
        read_only=settings.read_only,
        linger=settings.linger,
        user_config=UserConfig(grace_seconds=0),
        recorder=recorder,
        team=team,
    )


def sdk_client(sim: SimProcess) -> Client:
    """A bare twilio SDK client on the simulator; create it inside the loop that will use it."""
    client = Client(sim.account_sid, sim.auth_token, http_client=AsyncTwilioHttpClient())
    client.api.base_url = sim.base_url
    return client


async def sdk_list_active(client: Client, *, at_once: bool = False) -> int:
    """What calltui's poll asks for, through the SDK alone: the three live statuses, 1000-call pages, one
    list after the other as calltui reads them (`at_once`: the three at the same time, which is faster but
    lets a call answered between two reads escape both)."""
    calls = client.api.v2010.accounts(ACCOUNT_SID).calls
    reads = [calls.list_async(status=s, page_size=PAGE_SIZE) for s in ACTIVE]
    lists = await asyncio.gather(*reads) if at_once else [await read for read in reads]
    return sum(len(found) for found in lists)


async def close_sdk_client(client: Client) -> None:
    http = client.http_client
    if isinstance(http, AsyncTwilioHttpClient):
        await http.close()


# -- timing the app ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PollTiming:
    started: float
    fetched: float
    """The gateway answered (the three lists read and parsed)."""
    polled: float
    """`Poller.poll` returned (diffed)."""
    applied: float
    """The app applied the result: its rows on the table (in steps at scale), then the header and alerts."""


WAIT_LIMIT = 120.0
"""Seconds a benchmark waits for the app before giving up: a hang must fail, not stall `make bench`."""


class PollWatch:
    """Times every poll of `app`'s own poll loop: wraps its poller's `poll`, gateway's `list_active` and
    the app's `_apply_poll` (the step after a poll's rows are all on the table).

    Create it before the app runs, so the first poll is timed too.
    """

    def __init__(self, app: CallTuiApp) -> None:
        self._app = app
        self.timings: list[PollTiming] = []
        self._applied = asyncio.Event()
        self._poll = app.session.poller.poll
        self._list = app.session.gateway.list_active
        self._fetched = 0.0
        self._polled = (0.0, 0.0, 0.0)  # started, fetched, polled of the poll being applied
        self._apply = app._apply_poll
        app.session.poller.poll = self._timed_poll  # type: ignore[method-assign]
        app.session.gateway.list_active = self._timed_list  # type: ignore[method-assign]
        app._apply_poll = self._timed_apply  # type: ignore[method-assign]

    async def _timed_list(self) -> Any:
        found = await self._list()
        self._fetched = time.perf_counter()
        return found

    async def _timed_poll(self) -> Any:
        started = time.perf_counter()
        result = await self._poll()
        self._polled = (started, self._fetched, time.perf_counter())
        return result

    def _timed_apply(self, result: Any) -> None:
        self._apply(result)
        self.timings.append(PollTiming(*self._polled, time.perf_counter()))
        self._applied.set()

    async def next_poll(self) -> PollTiming:
        """Wait for the next poll to be applied."""
        self._applied.clear()
        await asyncio.wait_for(self._applied.wait(), WAIT_LIMIT)
        return self.timings[-1]

    async def poll_now(self) -> PollTiming:
        """Ask the app to poll at once (ctrl+r) and wait until the result is applied."""
        self._applied.clear()
        self._app.action_refresh_now()
        await asyncio.wait_for(self._applied.wait(), WAIT_LIMIT)
        return self.timings[-1]


class LagProbe:
    """Measures event-loop stalls: a task sleeps `period` again and again and records each overshoot."""

    def __init__(self, period: float = 0.005) -> None:
        self.period = period
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def reset(self) -> None:
        self.lags.clear()

    @property
    def worst(self) -> float:
        return max(self.lags, default=0.0)

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.period)
            self.lags.append(time.perf_counter() - before - self.period)


class KeyProbe:
    """Presses down and up in turn on the call table every `period` seconds, whatever the app is doing (a
    poll, a collection), and records how long each key took to reach the screen: from the terminal driver
    handing the key over to the table painting the newly highlighted line."""

    def __init__(self, app: CallTuiApp, period: float = 0.25) -> None:
        self.period = period
        self.latencies: list[float] = []
        self._app = app
        self._table = app.table
        self._pressed: float | None = None
        self._line: int | None = None  # the screen line the key's move highlights, once it is handled
        self._task: asyncio.Task[None] | None = None
        render_line = self._table.render_line

        def watched(y: int) -> Strip:
            strip = render_line(y)
            if self._pressed is not None and y == self._line:
                self.latencies.append(time.perf_counter() - self._pressed)
                self._pressed = self._line = None
            return strip

        for name in ("action_cursor_down", "action_cursor_up"):
            setattr(self._table, name, self._handled(getattr(self._table, name)))
        self._table.render_line = watched  # type: ignore[method-assign]

    def _handled(self, action: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            action()
            table = self._table
            self._line = table._cursor_index - table.scroll_offset.y + 1  # +1: below the header

        return run

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    @property
    def worst(self) -> float:
        return max(self.latencies, default=0.0)

    async def _run(self) -> None:
        driver = self._app._driver
        assert driver is not None
        down = True
        while True:
            await asyncio.sleep(self.period)
            if self._pressed is not None:
                if time.perf_counter() - self._pressed < WAIT_LIMIT:
                    continue  # not shown yet: it is counted when it is
                raise TimeoutError("a key press never reached the screen")
            self._pressed = time.perf_counter()
            driver.send_message(events.Key("down" if down else "up", None))
            down = not down


class FullCollections:
    """Times every full (oldest generation) collection the interpreter runs while it is installed: wall
    time, and the CPU time of the thread that ran it (on a machine shared beyond its cores the difference
    is time spent waiting for a core, not collecting)."""

    def __init__(self) -> None:
        self.durations: list[float] = []
        self.cpu: list[float] = []
        self._started = (0.0, 0.0)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = (time.perf_counter(), time.thread_time())
        else:
            self.durations.append(time.perf_counter() - self._started[0])
            self.cpu.append(time.thread_time() - self._started[1])

    def __enter__(self) -> FullCollections:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)
