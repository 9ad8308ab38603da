"""Screenshots of the grace-window countdown, of a row marked as verified, and of a dry run.

The seeded app (from test_snapshots) uses the default config, so its grace window is the default 3 s.
Update with `pytest tests/test_snapshots_actions_safety.py --snapshot-update` after an intended change.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_snapshots import ready, seeded, seeded_app  # noqa: F401 (seeded_app is a fixture)
from textual.pilot import Pilot
from uihelpers import until

from calltui.ui.app import CallTuiApp


def test_grace_countdown(snap_compare, seeded_app: CallTuiApp) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    async def confirm_two(pilot: Pilot) -> None:
        await ready(pilot)
        await pilot.press("h", "y", "down", "r", *"https://example.com/maintenance.xml", "enter")
        await pilot.pause()

    assert snap_compare(seeded_app, terminal_size=(120, 20), run_before=confirm_two)


def test_verified_mark_on_the_row(snap_compare, seeded_app: CallTuiApp) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    async def hang_up_and_verify(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, CallTuiApp)
        await ready(pilot)
        sid = app.table.highlighted_sid or ""
        await pilot.press("h", "y")
        app.clock.advance(3)  # type: ignore[attr-defined]  # the test Clock: past the grace window
        app._safety_tick()
        await until(pilot, lambda: app.table.badge(sid) == "…", "the hang-up")
        app.clock.advance(2)  # type: ignore[attr-defined]  # time for the follow-up fetch
        app._safety_tick()
        await until(pilot, lambda: app.table.badge(sid) == "✓", "the verdict")
        # A notice is a message handled later: clearing before it has arrived would leave it on screen.
        await until(pilot, lambda: any(n.title == "Verified" for n in app._notifications), "its notice")
        app.clear_notifications()
        # The toasts leave on a later refresh: wait, or the shot depends on the machine's load.
        await until(pilot, lambda: not app.screen.query("Toast"), "the notices to leave")
        app._tick()  # repaint every live duration at the moved clock (the real 1 s timer may not have run)
        await pilot.pause()

    assert snap_compare(seeded_app, terminal_size=(120, 20), run_before=hang_up_and_verify)


@pytest.fixture
def dry_run_app(tmp_path: Path) -> Iterator[CallTuiApp]:
    with seeded(tmp_path, dry_run=True) as app:
        yield app


def test_dry_run_header_and_countdown(snap_compare, dry_run_app: CallTuiApp) -> None:  # type: ignore[no-untyped-def]
    async def confirm_one(pilot: Pilot) -> None:
        await ready(pilot)
        await pilot.press("h", "y")
        await pilot.pause()

    assert snap_compare(dry_run_app, terminal_size=(120, 20), run_before=confirm_one)
