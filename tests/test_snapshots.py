"""Screenshots of the main screen and the two action dialogs, against a seeded simulator and a frozen clock.

Update them after an intended change with `pytest tests/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import contextlib
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


@pytest.fixture
def seeded_app(tmp_path: Path) -> Iterator[CallTuiApp]:
    """The simulator runs in its own thread: snapshot tests drive the app on a loop of their own."""
    with seeded(tmp_path) as app:
        yield app


@contextlib.contextmanager
def seeded(tmp_path: Path, *, dry_run: bool = False) -> Iterator[CallTuiApp]:
    """The app on a simulator seeded with five calls of every kind, at a frozen time."""
    clock = Clock(FROZEN_NOW)
    sim = Simulator(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        seed=5,
        initial_calls=0,
        traffic=False,
        friendly_name="Acme Support (prod)",
        clock=clock,
    )
    calls = [
        ("in-progress", "+14155550100", "+18005550199", "inbound", 0),
        ("in-progress", "client:alice", "+442071838750", "outbound-api", 95),
        ("ringing", "+14155550123", "sip:desk-7@pbx.example.com", "outbound-dial", 10),
        ("queued", "+15105550111", "+18005550199", "inbound", 3),
        ("in-progress", "+33142685300", "+18005550199", "inbound", 1260),
    ]
    for status, from_, to, direction, age in calls:
        clock.now = FROZEN_NOW
        clock.advance(-age)
        sim.add_call(status=status, from_=from_, to=to, direction=direction)
    clock.now = FROZEN_NOW
    base_url = sim.start_in_thread("127.0.0.1", 0)
    audit = AuditLog(tmp_path / "audit.jsonl")
    app = CallTuiApp(
        TwilioGateway(make_settings(base_url, dry_run=dry_run)),
        account_sid=ACCOUNT_SID,
        audit=audit,
        history=UrlHistory(None),
        interval=3600,
        clock=clock,
        dry_run=dry_run,
    )
    try:
        yield app
    finally:
        sim.stop_thread()


async def ready(pilot: Pilot) -> None:
    app = pilot.app
    assert isinstance(app, CallTuiApp)
    await until(
        pilot,
        lambda: app.polls_completed >= 1 and app.header_model.friendly_name is not None,
        "the first poll and the account name",
    )
    await pilot.pause()


def test_main_screen(snap_compare, seeded_app: CallTuiApp) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(seeded_app, terminal_size=(120, 20), run_before=ready)


def test_main_screen_at_80_columns(snap_compare, seeded_app: CallTuiApp) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(seeded_app, terminal_size=(80, 24), run_before=ready)


def test_redirect_prompt(snap_compare, seeded_app: CallTuiApp) -> None:  # type: ignore[no-untyped-def]
    async def open_prompt(pilot: Pilot) -> None:
        await ready(pilot)
        await pilot.press("down", "r", *"http://example.com/maintenance", "enter")

    assert snap_compare(seeded_app, terminal_size=(120, 24), run_before=open_prompt)


def test_hangup_dialog(snap_compare, seeded_app: CallTuiApp) -> None:  # type: ignore[no-untyped-def]
    async def open_dialog(pilot: Pilot) -> None:
        await ready(pilot)
        await pilot.press("h")

    assert snap_compare(seeded_app, terminal_size=(120, 24), run_before=open_dialog)
