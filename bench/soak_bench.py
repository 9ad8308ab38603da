"""Soak: hours of traffic compressed into minutes. Memory, open descriptors and asyncio tasks stay flat.

The app polls every 0.1 s (20x the default pace) against a simulator with its demo traffic on and, once a
second, 5% of the live calls moving on and 2% ending (as many arrive). Every 5 s it hangs up the
highlighted call through the keys (write-ahead intent, request, outcome, verify), while a recording runs.
Every 10 s it samples its resident set (VmRSS), open descriptors (/proc/self/fd), asyncio tasks and threads.
The verdict on memory is the growth over the second half of the run (the resident set may climb while
the allocators' arenas fill, then it must plateau); descriptors and tasks compare the end with the sample
at 20% of the run (after start-up settles). RSS at every fifth of the run shows the curve.

Run: `python -m bench.soak_bench [--seconds N]` (default 1800, 30 minutes); `python -m bench soak` runs
it for `CALLTUI_SOAK_SECONDS` (default 120). Writes every sample to `--csv FILE` when given.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.common import (
    SIZE,
    BenchResult,
    SimProcess,
    build_app,
    churn,
    info,
    note,
    report,
    run_isolated,
    within,
)
from calltui.monitor.recording import SqliteRecorder
from calltui.ui.screens.hangup import HangupScreen

INTERVAL = 0.1
CALLS = 300
SAMPLE_EVERY = 10.0
ACT_EVERY = 5.0
MAX_SECOND_HALF_GROWTH = 2.0  # percent: flat once settled
MAX_FD_GROWTH = 2
MAX_TASK_GROWTH = 3
DEFAULT_SHORT = 120.0


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmRSS not in /proc/self/status")


def _sample(started: float, polls: int) -> dict[str, float]:
    return {
        "t": time.monotonic() - started,
        "rss_mb": _rss_mb(),
        "fds": len(os.listdir("/proc/self/fd")),
        "tasks": len(asyncio.all_tasks()),
        "threads": threading.active_count(),
        "polls": polls,
    }


async def _soak(sim: SimProcess, seconds: float, folder: Path) -> list[dict[str, float]]:
    recorder = SqliteRecorder(
        folder / "soak.sqlite", account_sid=sim.account_sid, interval=INTERVAL, linger=5.0
    )
    recorder.open()
    app = build_app(sim, interval=INTERVAL, recorder=recorder)
    samples: list[dict[str, float]] = []
    async with app.run_test(size=SIZE) as pilot:
        started = time.monotonic()
        next_sample = next_act = next_churn = started
        n = 0
        while (now := time.monotonic()) - started < seconds:
            if now >= next_churn:
                n += 1
                await sim.arun(churn, seed=n, changed=0.05, ended=0.02)
                next_churn = now + 1.0
            if now >= next_act and app.table.row_count:
                await pilot.press("h")
                if isinstance(app.screen, HangupScreen):
                    await pilot.press("y")
                next_act = now + ACT_EVERY
            if now >= next_sample:
                samples.append(_sample(started, app.polls_completed))
                next_sample = now + SAMPLE_EVERY
            await pilot.pause(0.05)
        samples.append(_sample(started, app.polls_completed))
    return samples


def measure_soak(seconds: float) -> list[dict[str, float]]:
    """In an isolated process: the soak itself."""
    with (
        tempfile.TemporaryDirectory(prefix="calltui-soak-") as folder,
        SimProcess(initial_calls=CALLS, traffic=True, target_active=CALLS) as sim,
    ):
        return asyncio.run(_soak(sim, seconds, Path(folder)))


def _at(samples: list[dict[str, float]], share: float) -> dict[str, float]:
    """The first sample taken at or after `share` of the run (start-up's samples are skipped)."""
    when = samples[-1]["t"] * share
    return next((s for s in samples[1:] if s["t"] >= when), samples[-1])


def _growth(before: dict[str, float], after: dict[str, float]) -> float:
    return (after["rss_mb"] - before["rss_mb"]) / before["rss_mb"] * 100


def results(samples: list[dict[str, float]]) -> list[BenchResult]:
    settled, half, last = _at(samples, 0.2), _at(samples, 0.5), samples[-1]
    minutes = last["t"] / 60
    curve = [
        info(f"soak RSS at {share:.0%} of the run", _at(samples, share)["rss_mb"], "MB")
        for share in (0.2, 0.4, 0.6, 0.8)
    ]
    per_minute = (last["rss_mb"] - half["rss_mb"]) / max(1e-9, (last["t"] - half["t"]) / 60)
    return [
        info(f"soak polls in {minutes:.1f} min", last["polls"], ""),
        *curve,
        info("soak RSS at the end", last["rss_mb"], "MB"),
        info("soak RSS growth settled (20%)→end", _growth(settled, last), "%"),
        within("soak RSS growth, second half", _growth(half, last), "%", MAX_SECOND_HALF_GROWTH),
        info("soak RSS rate, second half", per_minute, "MB/min"),
        within("soak open fds growth", last["fds"] - settled["fds"], "", MAX_FD_GROWTH + 0.5),
        within("soak asyncio tasks growth", last["tasks"] - settled["tasks"], "", MAX_TASK_GROWTH + 0.5),
        info("soak threads at the end", last["threads"], ""),
    ]


def run_soak_bench(seconds: float | None = None) -> list[BenchResult]:
    if seconds is None:
        seconds = float(os.environ.get("CALLTUI_SOAK_SECONDS", DEFAULT_SHORT))
    return results(run_isolated(measure_soak, seconds))


def explain() -> None:
    note(f"a {INTERVAL} s poll interval, ~{CALLS} live calls churning, a hang-up every {ACT_EVERY:g} s")
    note("a recording runs; the audit log gets an intent and an outcome per hang-up")
    note("memory is flat when RSS grows less than 2% over the second half of the run (it may climb while")
    note("the allocators' arenas fill); fds and tasks: the last sample against the one at 20% of the run")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak_bench")
    parser.add_argument("--seconds", type=float, default=1800.0, help="how long to soak (default 1800)")
    parser.add_argument("--csv", type=Path, help="write every sample to this file")
    args = parser.parse_args(argv)
    samples = run_isolated(measure_soak, args.seconds)
    if args.csv:
        keys = list(samples[0])
        lines = [",".join(keys), *(",".join(f"{s[k]:.2f}" for k in keys) for s in samples)]
        args.csv.write_text("\n".join(lines) + "\n")
    ok = report(results(samples))
    explain()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
