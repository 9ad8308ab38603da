"""Screenshots of the call inspector's Events and Notifications tabs: a seeded simulator, a frozen clock.

Update them after an intended change with `pytest tests/test_snapshots_inspector.py --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
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


def open_tab(key: str) -> Callable[[Pilot], Awaitable[None]]:
    """Open the details of the call, then the tab with this key, once every tab has loaded."""

    async def open_it(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, CallTuiApp)
        await until(pilot, lambda: app.polls_completed >= 1, "the first poll")
        await pilot.press("enter", key)
        screen = app.screen
        assert isinstance(screen, DetailsScreen)

        def loaded() -> bool:
            states = screen.query(".list-state")
            fetched = "Fetched" in str(screen.query_one("#details-state").render())
            return fetched and all("Loading" not in str(s.render()) for s in states)

        await until(pilot, loaded, "every tab")
        await pilot.pause()

    return open_it


def test_events_tab(snap_compare, inspected_app: CallTuiApp) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(inspected_app, terminal_size=(120, 20), run_before=open_tab("2"))


def test_notifications_tab_with_an_error(snap_compare, inspected_app: CallTuiApp) -> None:  # type: ignore[no-untyped-def]
    """The 11200 is listed with its link, and the tab's title is red."""
    assert snap_compare(inspected_app, terminal_size=(120, 20), run_before=open_tab("3"))
