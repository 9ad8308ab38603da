"""Screenshots of the picture: the header's activity sparkline, calls by number, the export prompt.

Update them after an intended change with `pytest tests/test_snapshots_picture.py --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ACCOUNT_SID, AUTH_TOKEN, FROZEN_NOW, make_settings
from sim_helpers import Clock
from textual.pilot import Pilot
from uihelpers import poll, until

from calltui.gateway import TwilioGateway
from calltui.monitor.audit import AuditLog
from calltui.monitor.history import UrlHistory
from calltui.simulator import Simulator
from calltui.ui.app import CallTuiApp

FLOOD = "+15550009999"
# Live calls added (+) or ended (-) before each poll: a surge that builds and then drains.
WAVES = (2, 3, 5, 8, 6, -4, -6, 2, 1, -5, -3, 1)


class Seeded:
    def __init__(self, tmp_path: Path) -> None:
        self.clock = Clock(FROZEN_NOW)
        self.sim = Simulator(
            account_sid=ACCOUNT_SID,
            auth_token=AUTH_TOKEN,
            seed=7,
            initial_calls=0,
            traffic=False,
            friendly_name="Acme Support (prod)",
            clock=self.clock,
        )
        self.sim.add_call(status="in-progress", from_="+14155550100", to="+18005550199")
        self.sim.add_call(
            status="in-progress", from_="client:alice", to="+442071838750", direction="outbound-api"
        )
        base_url = self.sim.start_in_thread("127.0.0.1", 0)
        self.live: list[str] = []
        self.app = CallTuiApp(
            TwilioGateway(make_settings(base_url)),
            account_sid=ACCOUNT_SID,
            audit=AuditLog(tmp_path / "audit.jsonl"),
            history=UrlHistory(None),
            interval=3600,
            clock=self.clock,
        )

    def wave(self, change: int) -> None:
        for _ in range(change):
            status = ("ringing", "queued", "in-progress")[len(self.live) % 3]
            self.live.append(self.sim.add_call(status=status, from_=FLOOD, to="+18005550199")["sid"])
        for _ in range(-change):
            self.sim.end_call(self.live.pop(0))

    async def session(self, pilot: Pilot) -> None:
        """The first poll, then one poll per wave, two seconds apart."""
        app = self.app
        await until(
            pilot,
            lambda: app.polls_completed >= 1 and app.header_model.friendly_name is not None,
            "the first poll and the account name",
        )
        for change in WAVES:
            self.clock.advance(2)
            self.wave(change)
            await poll(app, pilot)
        self.clock.advance(6)  # past the linger time: ended calls have left the table
        app._tick()
        await pilot.pause()


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Seeded]:
    world = Seeded(tmp_path)
    yield world
    world.sim.stop_thread()


def test_header_with_the_activity_sparkline(snap_compare, seeded: Seeded) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(seeded.app, terminal_size=(120, 16), run_before=seeded.session)


def test_header_with_the_activity_sparkline_at_80_columns(snap_compare, seeded: Seeded) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(seeded.app, terminal_size=(80, 16), run_before=seeded.session)


def test_calls_by_number(snap_compare, seeded: Seeded) -> None:  # type: ignore[no-untyped-def]
    async def open_view(pilot: Pilot) -> None:
        await seeded.session(pilot)
        await pilot.press("n")

    assert snap_compare(seeded.app, terminal_size=(100, 24), run_before=open_view)


def test_export_prompt(snap_compare, seeded: Seeded) -> None:  # type: ignore[no-untyped-def]
    async def open_prompt(pilot: Pilot) -> None:
        await seeded.session(pilot)
        await pilot.press("slash", *FLOOD, "enter", "x")

    assert snap_compare(seeded.app, terminal_size=(100, 20), run_before=open_prompt)
