"""The simulator off a test's loop: in a thread for the sync SDK, and `calltui simulate`'s runner."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import requests
from sim_helpers import ACCOUNT, TOKEN, basic, calls_path
from twilio.rest import Client

from calltui.simulator import Simulator


def test_thread_mode_serves_the_sync_sdk_while_the_test_edits_calls() -> None:
    sim = Simulator(account_sid=ACCOUNT, auth_token=TOKEN, initial_calls=3, traffic=False)
    base_url = sim.start_in_thread("127.0.0.1", 0)
    try:
        client = Client(ACCOUNT, TOKEN)
        client.api.base_url = base_url
        sid = sim.add_call(status="ringing")["sid"]  # from this thread, while the server runs in its own
        assert sid in {c.sid for c in client.calls.list(status="ringing")}
        assert client.calls(sid).update(status="canceled").status == "canceled"
        assert sim.call(sid)["status"] == "canceled"
    finally:
        sim.stop_thread()
    assert sim.base_url is None
    sim.stop_thread()  # stopping twice is harmless


def run_standalone_until_ready(token: str | None) -> tuple[subprocess.Popen[str], str]:
    """Start `run_standalone` as `calltui simulate` would; return the process and its banner."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("TWILIO_")}
    code = (
        "from calltui.simulator import run_standalone\n"
        f"run_standalone('127.0.0.1', 0, None, {token!r}, seed=1, target_active=5)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if "Ctrl-C" in line:
            break
    return process, "".join(lines)


def stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=30)
    assert process.returncode == 0, rest
    return rest


def test_standalone_generates_credentials_prints_them_and_a_curl_line_that_works() -> None:
    process, banner = run_standalone_until_ready(None)
    try:
        base_url = re.search(r"listening on (http://\S+)", banner)[1]  # type: ignore[index]
        account = re.search(r"Account SID: (AC[0-9a-f]{32})", banner)[1]  # type: ignore[index]
        token = re.search(r"Auth token:\s+(\S+)\s+\(generated", banner)[1]  # type: ignore[index]
        assert f'curl -u "{account}:{token}" "{base_url}{calls_path(account)}' in banner
        response = requests.get(
            f"{base_url}{calls_path(account)}?Status=in-progress",
            headers={"Authorization": basic(account, token)},
            timeout=10,
        )
        assert response.status_code == 200 and response.json()["calls"]
    finally:
        assert "stopped" in stop(process)


def test_standalone_never_prints_a_token_it_was_given() -> None:
    given = "token-from-the-environment-0123"
    process, banner = run_standalone_until_ready(given)
    try:
        assert given not in banner
        assert "$TWILIO_AUTH_TOKEN" in banner
    finally:
        assert given not in stop(process)
