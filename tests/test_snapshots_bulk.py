"""Screenshots of bulk actions: marked rows and the bar under the table, the typed-count confirm, the summary.

Update them after an intended change with `pytest tests/test_snapshots_bulk.py --snapshot-update`.
"""

from __future__ import annotations

from test_snapshots import ready, seeded_app  # noqa: F401 (the fixture is used by name)
from textual.pilot import Pilot
from uihelpers import until

from calltui.ui.app import CallTuiApp


async def marked_two(pilot: Pilot) -> None:
    await ready(pilot)
    await pilot.press("space", "down", "space")
    await pilot.pause()


async def bulk_confirm(pilot: Pilot) -> None:
    await marked_two(pilot)
    await pilot.press("h", "1")
    await pilot.pause()


def test_marked_rows(snap_compare, seeded_app: CallTuiApp) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    assert snap_compare(seeded_app, terminal_size=(120, 20), run_before=marked_two)


def test_bulk_confirm_dialog(snap_compare, seeded_app: CallTuiApp) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    assert snap_compare(seeded_app, terminal_size=(120, 30), run_before=bulk_confirm)


async def bulk_done(pilot: Pilot) -> None:
    app = pilot.app
    assert isinstance(app, CallTuiApp)
    await marked_two(pilot)
    await pilot.press("h", "2", "enter")
    app.clock.advance(app.session.grace.seconds)  # type: ignore[attr-defined]  # the run waits out its window
    app._safety_tick()
    await until(pilot, lambda: any("done" in str(n.title) for n in app._notifications), "the summary")
    await pilot.pause()


def test_bulk_summary(snap_compare, seeded_app: CallTuiApp) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    assert snap_compare(seeded_app, terminal_size=(120, 20), run_before=bulk_done)
