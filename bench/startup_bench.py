"""Start-up: launching `calltui` to its screen painted, beside a bare Textual app in the same run, and to
the first rows at 1,000 live calls.

The real command (`.venv/bin/calltui --api-url …`, credentials in the environment) runs in a terminal of
its own (a pseudo-terminal, 160 x 45) against a simulator in another process. The clock starts before the
process is spawned — so it counts the interpreter, imports, settings, the first poll and the paint. It
stops twice: when the screen is painted (the table's column header and the footer's keys are in what
calltui wrote) and when a call SID (`CA` + hex, which only rows show) first appears. Launches alternate
with a bare Textual app with one widget (`bench.bare_app`), timed to its widget painted: Textual's own
import and first frame, the floor for any Textual app on this machine at this moment.

Both run as installed: with their modules' bytecode on disk. An environment with PYTHONDONTWRITEBYTECODE
set (as some shells and CI have) would otherwise compile from source, on every launch, each module no
install compiled (uv does not, pip does): most of the twilio SDK, the Textual widgets calltui uses and a
bare app does not, calltui itself in a fresh checkout, 0.1-0.3 s here, charged to calltui alone. So the
children may write bytecode, and one launch of each, untimed, writes it before the timed ones.

Run: `python -m bench.startup_bench`.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Sequence
from pathlib import Path

from bench.bare_app import MARKER
from bench.common import SIZE, BenchResult, SimProcess, info, median, note, report, within

CALLS = 1_000
RUNS = 5
MAX_ROWS_SECONDS = 1.0
MAX_OVER_BARE_SECONDS = 0.1
TIMEOUT = 30.0
ROW = re.compile(rb"CA[0-9a-f]{4}")
SCREEN = (re.compile(rb"DIRECTION"), re.compile(rb"Quit"))  # the table's column header, the footer's keys
BARE = (re.compile(MARKER.encode()),)


def _calltui(api_url: str, home: Path) -> list[str]:
    script = Path(sys.executable).with_name("calltui")
    launcher = [str(script)] if script.exists() else [sys.executable, "-m", "calltui"]
    return [*launcher, "--api-url", api_url, "--audit-log", str(home / "audit.jsonl")]


def _environment(sim: SimProcess, home: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TWILIO_", "CALLTUI_")) and key != "PYTHONDONTWRITEBYTECODE"  # see above
    }
    env.update(
        TWILIO_ACCOUNT_SID=sim.account_sid,
        TWILIO_AUTH_TOKEN=sim.auth_token,
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        TERM="xterm-256color",
        COLUMNS=str(SIZE[0]),
        LINES=str(SIZE[1]),
    )
    return env


def _launch_once(
    command: list[str], env: dict[str, str], home: Path, *stops: Sequence[re.Pattern[bytes]]
) -> list[float]:
    """Seconds from spawning `command` to the point where every pattern of each of `stops` has appeared in its
    output (one figure per stop)."""
    controller, terminal = os.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        cwd=home,  # no .env here
        env=env,
        start_new_session=True,
    )
    os.close(terminal)
    try:
        return _until(controller, started, stops)
    finally:
        _quit(process, controller)
        os.close(controller)


def _until(controller: int, started: float, stops: Sequence[Sequence[re.Pattern[bytes]]]) -> list[float]:
    found: dict[re.Pattern[bytes], float] = {}
    wanted = {pattern for stop in stops for pattern in stop}
    seen = b""
    deadline = started + TIMEOUT
    while time.perf_counter() < deadline and wanted - found.keys():
        ready, _, _ = select.select([controller], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed: the app exited
            break
        if not chunk:
            break
        now = time.perf_counter()
        seen = seen[-32:] + chunk  # a marker split across two reads is still found
        for pattern in wanted - found.keys():
            if pattern.search(seen):
                found[pattern] = now - started
    if wanted - found.keys():
        raise RuntimeError("the app never drew what was awaited: " + seen[-300:].decode(errors="replace"))
    return [max(found[pattern] for pattern in stop) for stop in stops]


def _quit(process: subprocess.Popen[bytes], controller: int) -> None:
    try:
        os.write(controller, b"q")
        deadline = time.perf_counter() + 5
        while process.poll() is None and time.perf_counter() < deadline:
            # Keep reading: a full terminal buffer would block calltui's last writes.
            if select.select([controller], [], [], 0.1)[0]:
                os.read(controller, 65536)
    except OSError:
        pass
    if process.poll() is None:
        process.kill()
    process.wait(5)


def _launches(sim: SimProcess) -> dict[str, list[float]]:
    """Bare app and calltui in turn, so both meet the same moments of a busy machine."""
    samples: dict[str, list[float]] = {"bare": [], "screen": [], "rows": []}
    bare = [sys.executable, "-m", "bench.bare_app"]
    for run in range(RUNS + 1):
        with tempfile.TemporaryDirectory(prefix="calltui-startup-") as tmp:
            home = Path(tmp)
            env = _environment(sim, home)
            env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)  # bench.bare_app from a temp cwd
            bare_painted = _launch_once(bare, env, home, BARE)
            screen, rows = _launch_once(_calltui(sim.base_url, home), env, home, SCREEN, (ROW,))
            if run:  # the first launches wrote the bytecode
                samples["bare"] += bare_painted
                samples["screen"].append(screen)
                samples["rows"].append(rows)
    return samples


def run_startup_bench() -> list[BenchResult]:
    with SimProcess(initial_calls=CALLS) as sim:
        samples = _launches(sim)
    bare, screen, rows = (median(samples[name]) for name in ("bare", "screen", "rows"))
    return [
        info("startup bare Textual app painted", bare, "s"),
        info("startup calltui screen painted", screen, "s"),
        within("startup calltui screen - bare app", screen - bare, "s", MAX_OVER_BARE_SECONDS),
        within("startup.1k launch→rows painted", rows, "s", MAX_ROWS_SECONDS),
        info("startup.1k slowest of runs", max(samples["rows"]), "s"),
    ]


def explain() -> None:
    note(f"medians of {RUNS} launches each in a pseudo-terminal, calltui and a bare Textual app taking turns")


if __name__ == "__main__":
    ok = report(run_startup_bench())
    explain()
    sys.exit(0 if ok else 1)
