"""Start-up: from launching `calltui` to the first table painted with calls, at 1,000 live calls.

The real command (`.venv/bin/calltui --api-url …`, credentials in the environment) runs in a terminal of
its own (a pseudo-terminal, 160 x 45) against a simulator in another process. The clock starts before the
process is spawned — so it counts the interpreter, imports, settings, the first poll and the paint — and
stops when a call SID (`CA` + hex, which only rows show) first appears in what calltui writes.

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
from pathlib import Path

from bench.common import SIZE, BenchResult, SimProcess, info, median, note, report, within

CALLS = 1_000
RUNS = 3
MAX_SECONDS = 1.5
TIMEOUT = 30.0
ROW = re.compile(rb"CA[0-9a-f]{4}")


def _command(api_url: str, home: Path) -> list[str]:
    script = Path(sys.executable).with_name("calltui")
    launcher = [str(script)] if script.exists() else [sys.executable, "-m", "calltui"]
    return [*launcher, "--api-url", api_url, "--audit-log", str(home / "audit.jsonl")]


def _environment(sim: SimProcess, home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TWILIO_", "CALLTUI_"))}
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


def _launch_once(sim: SimProcess) -> float:
    """Seconds from spawning calltui to a row of calls in its output."""
    with tempfile.TemporaryDirectory(prefix="calltui-startup-") as tmp:
        home = Path(tmp)
        controller, terminal = os.openpty()
        fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
        started = time.perf_counter()
        process = subprocess.Popen(
            _command(sim.base_url, home),
            stdin=terminal,
            stdout=terminal,
            stderr=terminal,
            cwd=home,  # no .env here
            env=_environment(sim, home),
            start_new_session=True,
        )
        os.close(terminal)
        try:
            return _until_row(controller, started)
        finally:
            _quit(process, controller)
            os.close(controller)


def _until_row(controller: int, started: float) -> float:
    seen = b""
    deadline = started + TIMEOUT
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([controller], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed: calltui exited
            break
        if not chunk:
            break
        seen = seen[-16:] + chunk  # a SID split across two reads is still found
        if ROW.search(seen):
            return time.perf_counter() - started
    raise RuntimeError("calltui never showed a call: " + seen[-300:].decode(errors="replace"))


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


def run_startup_bench() -> list[BenchResult]:
    with SimProcess(initial_calls=CALLS) as sim:
        seconds = [_launch_once(sim) for _ in range(RUNS)]
    return [
        within("startup.1k launch→rows painted", median(seconds), "s", MAX_SECONDS),
        info("startup.1k slowest of runs", max(seconds), "s"),
    ]


def explain() -> None:
    note(f"median of {RUNS} launches of the real command in a pseudo-terminal, until a call's SID is drawn")


if __name__ == "__main__":
    ok = report(run_startup_bench())
    explain()
    sys.exit(0 if ok else 1)
