"""Action latency: from the key that sends a hang-up or redirect to the request at the simulator, and to
the row showing that the call ended.

The app shows 1,000 live calls and polls every 2 s as it does in use, so some actions meet a poll in
flight. Hang-up: `h` opens the dialog, then the timed `y`. Redirect: `r`, inline TwiML that hangs up
(`<Response><Hangup/></Response>`: the simulator ends the call before it answers), then the timed Enter.
"Arrived" is the simulator's own receive time (`RecordedRequest.received_at`, the same monotonic clock
in both processes); "shown" is the table painting the call's row as ended (dimmed), at the app's own pace.

Run: `python -m bench.latency_bench`.
"""

from __future__ import annotations

import asyncio
import sys
import time

from textual.pilot import Pilot
from textual.strip import Strip
from textual.widgets import Input

from bench.common import (
    SIZE,
    WAIT_LIMIT,
    BenchResult,
    PollWatch,
    SimProcess,
    build_app,
    info,
    median,
    note,
    report,
    request_count,
    requests_since,
    within,
)
from calltui.ui.app import CallTuiApp
from calltui.ui.screens.hangup import HangupScreen
from calltui.ui.screens.redirect import RedirectScreen

CALLS = 1_000
REPEATS = 10
INTERVAL = 2.0
ARRIVE_MAX_MS = 100.0
SHOWN_MAX_MS = 300.0
HANGUP_TWIML = "<Response><Hangup/></Response>"


class RowPaint:
    """Records when the table first paints `sid`'s row as ended (dimmed, lingering)."""

    def __init__(self, app: CallTuiApp) -> None:
        self._table = app.table
        self._render_line = self._table.render_line
        self._table.render_line = self._watched  # type: ignore[method-assign]
        self.sid = ""
        self.at: float | None = None

    def watch(self, sid: str) -> None:
        self.sid, self.at = sid, None

    def _watched(self, y: int) -> Strip:
        strip = self._render_line(y)
        sid = self.sid
        if self.at is None and sid and self._table.lingering(sid):
            text = strip.text
            if sid[:6] in text and sid[-4:] in text:
                self.at = time.perf_counter()
        return strip

    async def painted(self) -> float:
        deadline = time.perf_counter() + WAIT_LIMIT
        while self.at is None:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{self.sid} was never painted as ended")
            await asyncio.sleep(0.001)
        return self.at


def _next_target(app: CallTuiApp) -> str:
    """A live call on screen, highlighted."""
    table = app.table
    for sid in table.visible_sids:
        call = table.get_call(sid)
        if (
            call is not None
            and call.is_active
            and not table.lingering(sid)
            and not app.session.actions.busy(sid)
        ):
            table.move_cursor_to(sid)
            return sid
    raise RuntimeError("no live call left to act on")


async def _act(
    app: CallTuiApp, pilot: Pilot[None], sim: SimProcess, paint: RowPaint, kind: str
) -> tuple[float, float]:
    """(seconds until the request arrived, seconds until the row was painted as ended)."""
    sid = _next_target(app)
    if kind == "hangup":
        await pilot.press("h")
        assert isinstance(app.screen, HangupScreen)
        key = "y"
    else:
        await pilot.press("r")
        assert isinstance(app.screen, RedirectScreen)
        app.screen.query_one("#target", Input).value = HANGUP_TWIML
        key = "enter"
    await pilot.pause()
    sent_before = await sim.arun(request_count)
    paint.watch(sid)
    pressed = time.perf_counter()
    # The row is watched while the key is pressed: Pilot.press returns only once the app is idle again.
    press = asyncio.create_task(pilot.press(key))
    shown = await paint.painted()
    await press
    sent = await sim.arun(requests_since, sent_before)
    arrived = next(at for method, path, at in sent if method == "POST" and sid in path)
    return arrived - pressed, shown - pressed


async def _measure(sim: SimProcess) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {}
    app = build_app(sim, interval=INTERVAL)
    watch = PollWatch(app)
    async with app.run_test(size=SIZE) as pilot:
        if not watch.timings:
            await watch.next_poll()
        await pilot.pause()
        paint = RowPaint(app)
        for _ in range(REPEATS):
            for kind in ("hangup", "redirect"):
                arrived, shown = await _act(app, pilot, sim, paint, kind)
                samples.setdefault(f"{kind}.arrived", []).append(arrived)
                samples.setdefault(f"{kind}.shown", []).append(shown)
                await asyncio.sleep(0.13)  # spread the actions over the poll cycle
    return samples


def run_latency_bench() -> list[BenchResult]:
    with SimProcess(initial_calls=CALLS) as sim:
        samples = asyncio.run(_measure(sim))
    results = []
    for kind in ("hangup", "redirect"):
        arrived = [s * 1000 for s in samples[f"{kind}.arrived"]]
        shown = [s * 1000 for s in samples[f"{kind}.shown"]]
        results += [
            within(f"action.{kind} key→request (worst)", max(arrived), "ms", ARRIVE_MAX_MS),
            info(f"action.{kind} key→request (median)", median(arrived), "ms"),
            within(f"action.{kind} key→row ended (worst)", max(shown), "ms", SHOWN_MAX_MS),
            info(f"action.{kind} key→row ended (median)", median(shown), "ms"),
        ]
    return results


def explain() -> None:
    note(f"worst and median of {REPEATS} actions each, 1,000 calls on screen, polling every {INTERVAL:g} s")


if __name__ == "__main__":
    ok = report(run_latency_bench())
    explain()
    sys.exit(0 if ok else 1)
