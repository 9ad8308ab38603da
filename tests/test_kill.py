"""SIGKILL in the middle of a bulk hang-up: calltui runs as a real process against the simulator (which
stays up in the test), is killed with requests in flight, and starts again. Every request the simulator
received has an intent on disk; those without an outcome are reported once as unknown; none is resent."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from conftest import ACCOUNT_SID, AUTH_TOKEN, make_settings

from calltui.monitor.audit import read_entries
from calltui.monitor.unanswered import UNANSWERED_ERROR
from calltui.simulator import Simulator
from calltui.ui.run import build_app

DRIVER = Path(__file__).with_name("kill_driver.py")
CALLS = 12


def posted(sim: Simulator) -> list[str]:
    return [r.path.rsplit("/", 1)[-1].removesuffix(".json") for r in sim.requests if r.method == "POST"]


@pytest.fixture
def scratch_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """HOME and XDG folders in the test's folder, for the killed process and the restart alike."""
    env = {"HOME": str(tmp_path / "home")}
    env |= {f"XDG_{kind}_HOME": str(tmp_path / kind.lower()) for kind in ("CONFIG", "DATA", "STATE", "CACHE")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


async def test_sigkill_mid_bulk_every_request_has_an_intent_and_none_is_resent(
    sim: Simulator, tmp_path: Path, scratch_home: dict[str, str]
) -> None:
    assert sim.base_url
    for _ in range(CALLS):
        sim.add_call()
    sim.faults.add("latency", method="POST", seconds=1.5)  # requests stay in flight long enough to kill
    audit = tmp_path / "audit.jsonl"
    env = {"PATH": os.environ.get("PATH", ""), "TZ": "UTC", **scratch_home}
    env |= {"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(DRIVER), sim.base_url, str(audit), str(CALLS),
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        for _ in range(1200):  # bounded: 60 s for start-up and the first batches on a loaded machine
            if len(posted(sim)) >= 7 or proc.returncode is not None:
                break
            await asyncio.sleep(0.05)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGKILL)
        _, stderr = await proc.communicate()
    assert proc.returncode == -signal.SIGKILL, stderr.decode(errors="replace")[-2000:]
    received = posted(sim)
    assert len(received) >= 7 and len(set(received)) == len(received)  # each call once

    before = list(read_entries(audit))
    intents = {e["request"]: e for e in before if e.get("kind") == "intent"}
    answered = {e["request"] for e in before if e.get("kind") == "outcome"}
    assert set(received) <= {e["call_sid"] for e in intents.values()}  # no request without its intent
    assert all(e["operator"] == "kill-test" for e in intents.values())
    in_flight = set(intents) - answered
    assert in_flight  # killed with requests on their way

    # Start again: the unanswered intents are reported once, as unknown, and nothing is sent.
    sim.faults.clear()
    settings = make_settings(sim.base_url, audit_log=audit, operator="kill-test")
    app = build_app(settings)
    [notice] = [w for w in app._startup_warnings if "may have reached Twilio" in w]
    n = len(in_flight)
    assert notice.startswith(f"{n} actions from " if n > 1 else "1 action (")
    after = list(read_entries(audit))
    closed = {e["request"] for e in after[len(before) :] if e.get("outcome") == "unknown"}
    assert closed == in_flight
    assert all(e["error"] == UNANSWERED_ERROR for e in after[len(before) :])
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(500):
            if app.polls_completed:
                break
            await pilot.pause(0.01)
        await pilot.pause(0.3)
    assert posted(sim) == received  # nothing sent again
    again = build_app(settings)  # a third start: already reported, so said no more
    assert not any("may have reached Twilio" in w for w in again._startup_warnings)
