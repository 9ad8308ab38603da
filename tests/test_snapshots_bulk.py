"""Screenshots of bulk actions: marked rows with the bar under the table, and the typed-count confirm.

Update them after an intended change with `pytest tests/test_snapshots_bulk.py --snapshot-update`.
"""

from __future__ import annotations

from test_snapshots import ready, seeded_app  # noqa: F401 (the fixture is used by name)
from textual.pilot import Pilot

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
