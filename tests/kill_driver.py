"""Run calltui headless against a simulator and start a bulk hang-up of every live call; the kill test
(tests/test_kill.py) SIGKILLs this process while the requests are in flight.

Usage: python tests/kill_driver.py API_URL AUDIT_LOG CALLS  (credentials from TWILIO_ACCOUNT_SID and
TWILIO_AUTH_TOKEN; HOME/XDG_* point at a scratch folder)."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import replace
from pathlib import Path

from calltui.config import load_settings
from calltui.ui.run import build_app


async def main(api_url: str, audit_log: str, calls: int) -> None:
    flags = {"api_url": api_url, "audit_log": audit_log, "interval": "3600"}
    settings = replace(load_settings(flags, os.environ, None), operator="kill-test")
    app = build_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(1000):  # bounded: 10 s for the first poll
            if app.polls_completed and app.table.row_count >= calls:
                break
            await pilot.pause(0.01)
        await pilot.press("a", "h", *str(calls), "enter")
        print("bulk started", flush=True)
        await asyncio.sleep(60)  # the test kills this process long before


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
    sys.exit(Path(sys.argv[2]).exists() and 3)  # not killed: the test fails on this exit status
