"""The README's picture, saved by the app itself: calltui on the demo simulator after a few polls.

`make picture` runs it, so the picture follows the app: `python docs/screenshot.py docs/calltui.svg`.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from calltui.gateway import TwilioGateway
from calltui.monitor.audit import AuditLog
from calltui.monitor.history import UrlHistory
from calltui.secret import Secret
from calltui.settings import Settings
from calltui.simulator import Simulator
from calltui.ui.app import CallTuiApp
from calltui.userconfig import UserConfig

ACCOUNT = "AC" + "5eed" * 8
TOKEN = "picture-" + "0" * 24  # the simulator's own; no real account is reached
SIZE = (120, 30)
POLLS = 6  # enough for the header's sparkline to show a little history
INTERVAL = 0.5


async def save(out: Path) -> None:
    sim = Simulator(
        account_sid=ACCOUNT,
        auth_token=TOKEN,
        seed=7,
        initial_calls=40,
        traffic=True,
        target_active=40,
        friendly_name="calltui demo",
    )
    await sim.start("127.0.0.1", 0)
    settings = Settings(account_sid=ACCOUNT, username=ACCOUNT, secret=Secret(TOKEN), api_url=sim.base_url)
    with tempfile.TemporaryDirectory() as scratch:
        audit = AuditLog(Path(scratch) / "audit.jsonl")
        audit.open()
        app = CallTuiApp(
            TwilioGateway(settings),
            account_sid=ACCOUNT,
            audit=audit,
            history=UrlHistory(None),
            interval=INTERVAL,
            user_config=UserConfig(),
        )
        try:
            async with app.run_test(size=SIZE) as pilot:
                for _ in range(600):  # bounded: a minute at most
                    if app.polls_completed >= POLLS:
                        break
                    await pilot.pause(0.1)
                else:
                    raise SystemExit("the demo never polled: no picture")
                await pilot.press("down", "down")  # the cursor on a call, as an engineer would have it
                await pilot.pause(0.2)
                app.save_screenshot(filename=out.name, path=str(out.parent))
        finally:
            await sim.stop()


if __name__ == "__main__":
    asyncio.run(save(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/calltui.svg").resolve()))
