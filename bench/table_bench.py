"""The call table at 10,000 calls: one poll diff applied and painted, against rebuilding every row.

A poll here is what a busy account's active list does between two polls: 5% of calls change
(queued → ringing → in-progress, updates), 1% end (they leave the active list) and 1% arrive.
Each figure is the median of several repetitions in one headless app (160 x 45).

The issue's baseline is a stock Textual DataTable, cleared and refilled with every row on each poll
(≈ 790 ms measured with Textual 8.2): that rebuild is measured here too, in the same run, and the
speedup target is checked against it. The speedup against calltui's own table rebuilt from scratch is
reported as well: that rebuild is itself a fast path (one sort, only the visible rows painted), so the
ratio is bounded by Textual's fixed cost of a frame, which both paths pay.

Timing a paint: `pilot.pause(0)` lets the table's refresh reach the screen and has the screen composite
at once, instead of at its next frame tick (frame pacing is latency, not work). Each sample checks
that no table line was painted after the timed span, so a deferred paint cannot flatter a figure.

Run: `python -m bench.table_bench` (or `python -m bench` for every benchmark).
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widgets import DataTable

from bench.common import BenchResult, median, report
from calltui.domain.call import Call
from calltui.domain.diff import PollDiff
from calltui.ui.widgets.call_columns import RowTexts
from calltui.ui.widgets.call_table import CallTable

ROWS = 10_000
SIZE = (160, 45)
REPEATS = 9
STOCK_REPEATS = 3  # each stock rebuild takes most of a second
CHANGED, ENDED, ARRIVED = 0.05, 0.01, 0.01
LINGER = 5.0
INCREMENTAL_MAX_MS = 30.0
MIN_SPEEDUP = 20.0
START = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def synthetic_call(serial: int, rng: random.Random, created: datetime) -> Call:
    status = rng.choices(("queued", "ringing", "in-progress"), (10, 15, 75))[0]
    inbound = rng.random() < 0.5
    return Call(
        sid=f"CA{serial:032x}",
        status=status,
        direction="inbound" if inbound else rng.choice(("outbound-api", "outbound-dial")),
        from_=f"+1{rng.randrange(200_000_0000, 999_999_9999)}",
        to=f"+44{rng.randrange(100_000_0000, 999_999_9999)}",
        caller_name=rng.choice((None, "ACME SUPPORT", "Jane Doe")),
        date_created=created,
        start_time=None if status == "queued" else created + timedelta(seconds=rng.randrange(1, 5)),
    )


def next_stage(call: Call, now: datetime) -> Call:
    """One step of a live call's life, as a later poll would report it."""
    if call.status == "queued":
        return replace(call, status="ringing", start_time=now, date_updated=now)
    if call.status == "ringing":
        return replace(call, status="in-progress", date_updated=now)
    return replace(call, date_updated=now)


@dataclass
class Traffic:
    """The account's active calls, and polls that move them along."""

    rng: random.Random
    live: dict[str, Call] = field(default_factory=dict)
    serial: int = 0

    def arrive(self, count: int, now: datetime, *, spread: int = 0) -> list[Call]:
        """`count` new calls, created at `now` or up to `spread` seconds before it."""
        calls = []
        for _ in range(count):
            self.serial += 1
            created = now - timedelta(seconds=self.rng.randrange(0, spread + 1))
            calls.append(synthetic_call(self.serial, self.rng, created))
        self.live.update((call.sid, call) for call in calls)
        return calls

    def poll(self, now: datetime) -> PollDiff:
        n = len(self.live)
        picked = self.rng.sample(list(self.live), int(n * (CHANGED + ENDED)))
        ended, changed = picked[: int(n * ENDED)], picked[int(n * ENDED) :]
        changes = tuple(next_stage(self.live[sid], now) for sid in changed)
        self.live.update((call.sid, call) for call in changes)
        for sid in ended:
            del self.live[sid]
        added = tuple(self.arrive(int(n * ARRIVED), now))
        return PollDiff(added=added, changed=changes, removed=tuple(ended))


class _CountingTable(CallTable):
    """Counts the lines it paints, so a figure can prove its paint happened inside the timed span."""

    painted = 0

    def render_line(self, y: int) -> Strip:
        self.painted += 1
        return super().render_line(y)


class _BenchApp(App[None]):
    def compose(self) -> ComposeResult:
        yield _CountingTable(linger=LINGER, tz=UTC)


async def _timed_paint(
    pilot: Pilot[None], table: _CountingTable, change: Callable[[], object]
) -> tuple[float, float]:
    """(seconds in `change()`, seconds until the screen is composited); raises if the paint came late."""
    await pilot.pause()  # start from a quiet app
    table.painted = 0
    start = time.perf_counter()
    change()
    changed = time.perf_counter()
    await pilot.pause(0)
    painted = time.perf_counter()
    inside = table.painted
    await pilot.pause()
    if table.painted != inside:
        raise RuntimeError(f"paint not finished inside the timed span ({table.painted - inside} lines later)")
    return changed - start, painted - start


class _StockApp(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row")


def _stock_row(call: Call) -> tuple[str, ...]:
    texts = RowTexts.of(call, UTC)
    return (texts.status, texts.direction, texts.from_, texts.to, texts.started, texts.sid)


async def _measure_stock(traffic: Traffic, samples: dict[str, list[float]]) -> None:
    """The issue's baseline: a stock DataTable cleared and refilled with every row, then painted."""
    app = _StockApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(DataTable)
        table.add_columns("STATUS", "DIRECTION", "FROM", "TO", "STARTED", "CALL SID")

        def rebuild() -> None:
            table.clear()
            table.add_rows(_stock_row(call) for call in traffic.live.values())

        rebuild()
        table.move_cursor(row=ROWS // 2)
        for _ in range(STOCK_REPEATS):
            await pilot.pause()
            start = time.perf_counter()
            rebuild()
            await pilot.pause(0)
            samples["stock_rebuild"].append(time.perf_counter() - start)


async def _measure() -> dict[str, list[float]]:
    """Samples in seconds: `<name>` until painted, `<name>.work` inside the table call alone."""
    traffic = Traffic(random.Random(20261128))
    traffic.arrive(ROWS, START, spread=3600)
    samples: dict[str, list[float]] = defaultdict(list)

    async def sample(name: str, change: Callable[[], object]) -> None:
        work, total = await _timed_paint(pilot, table, change)
        samples[f"{name}.work"].append(work)
        samples[name].append(total)

    app = _BenchApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(_CountingTable)
        await sample("first_fill", lambda: table.set_calls(traffic.live.values(), START))
        # The engineer is looking at the middle of the table: rows come and go above and below.
        table.move_cursor_to(table.visible_sids[ROWS // 2])
        now = START
        for _ in range(REPEATS):
            now += timedelta(seconds=2)
            diff = traffic.poll(now)
            await sample("incremental", partial(table.apply, diff, now))
            later = now + timedelta(seconds=LINGER)
            await sample("expire", partial(table.expire, later))
            await sample("rebuild", partial(table.set_calls, list(traffic.live.values()), later))
    await _measure_stock(traffic, samples)
    return samples


def run_table_bench() -> list[BenchResult]:
    return _results(asyncio.run(_measure()))


def _within(name: str, value: float, limit: float) -> BenchResult:
    return BenchResult(name, value, "ms", f"< {limit:g} ms", value < limit)


def _results(samples: dict[str, list[float]]) -> list[BenchResult]:
    ms = {name: median(values) * 1000 for name, values in samples.items()}
    speedup = ms["stock_rebuild"] / ms["incremental"]
    return [
        _within("table.incremental (diff + paint)", ms["incremental"], INCREMENTAL_MAX_MS),
        BenchResult("table.stock_rebuild (DataTable)", ms["stock_rebuild"], "ms", "", None),
        BenchResult(
            "table.speedup (stock rebuild / incr.)",
            speedup,
            "x",
            f">= {MIN_SPEEDUP:g}x",
            speedup >= MIN_SPEEDUP,
        ),
        BenchResult("table.rebuild (own set_calls+paint)", ms["rebuild"], "ms", "", None),
        BenchResult("table.own_speedup (own rebuild/incr)", ms["rebuild"] / ms["incremental"], "x", "", None),
        BenchResult("table.apply alone (no paint)", ms["incremental.work"], "ms", "", None),
        BenchResult("table.set_calls alone (no paint)", ms["rebuild.work"], "ms", "", None),
        _within("table.expire (1% lingering + paint)", ms["expire"], INCREMENTAL_MAX_MS),
        BenchResult("table.first_fill (10k + paint)", ms["first_fill"], "ms", "", None),
    ]


if __name__ == "__main__":
    sys.exit(0 if report(run_table_bench()) else 1)
