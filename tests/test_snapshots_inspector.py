"""Screenshot of the call inspector's Events tab, against a seeded simulator and a frozen clock.

Update it after an intended change with `pytest tests/test_snapshots_inspector.py --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ACCOUNT_SID, AUTH_TOKEN, FROZEN_NOW, make_settings
from sim_helpers import Clock
from textual.pilot import Pilot
from uihelpers import until

from calltui.gateway import TwilioGateway
from calltui.monitor.audit import AuditLog
from calltui.monitor.history import UrlHistory
from calltui.simulator import Simulator
from calltui.ui.app import CallTuiApp
from calltui.ui.screens.details import DetailsScreen


@pytest.fixture
def inspected_app(tmp_path: Path) -> Iterator[CallTuiApp]:
    """One call whose webhooks had a bad moment: a redirect to a URL that 404'd, then the fallback."""
    clock = Clock(FROZEN_NOW)
    sim = Simulator(
        account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, seed=5, initial_calls=0, traffic=False, clock=clock
    )
    clock.advance(-95)
    sid = sim.add_call(from_="+14155550100", to="+18005550199")["sid"]
    steps = [
        (0, "https://voice.acme.example/incoming", "POST", 200, 84, "application/xml"),
        (40, "https://voice.acme.example/queue/wait", "GET", 200, 131, "application/xml"),
        (30, "https://voice.acme.example/maintenance", "POST", 404, 18, "text/html"),
        (0, "https://backup.acme.example/voice", "POST", 200, 240, "application/xml"),
        (25, "https://voice.acme.example/status", "POST", None, 15000, None),
    ]
    for delay, url, method, code, ms, content_type in steps:
        clock.advance(delay)
        sim.add_event(sid, url, method, code, request_duration=ms, content_type=content_type)
    sim.add_notification(sid, 11200, request_url="https://voice.acme.example/maintenance", message_text="404")
    clock.now = FROZEN_NOW
    base_url = sim.start_in_thread("127.0.0.1", 0)
    app = CallTuiApp(
        TwilioGateway(make_settings(base_url)),
        account_sid=ACCOUNT_SID,
        audit=AuditLog(tmp_path / "audit.jsonl"),
        history=UrlHistory(None),
        interval=3600,
        clock=clock,
    )
    yield app
    sim.stop_thread()


def test_events_tab(snap_compare, inspected_app: CallTuiApp) -> None:  # type: ignore[no-untyped-def]
    async def open_events(pilot: Pilot) -> None:
        app = inspected_app
        await until(pilot, lambda: app.polls_completed >= 1, "the first poll")
        await pilot.press("enter", "2")
        screen = app.screen
        assert isinstance(screen, DetailsScreen)

        def loaded() -> bool:
            states = screen.query(".list-state")
            fetched = "Fetched" in str(screen.query_one("#details-state").render())
            return fetched and all("Loading" not in str(s.render()) for s in states)

        await until(pilot, loaded, "every tab")
        await pilot.pause()

    assert snap_compare(inspected_app, terminal_size=(120, 20), run_before=open_events)
