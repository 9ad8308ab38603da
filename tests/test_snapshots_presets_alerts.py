"""Screenshots of the redirect prompt with presets, and of the table with alerting rows.

Update them after an intended change with `pytest tests/test_snapshots_presets_alerts.py --snapshot-update`.
"""

from __future__ import annotations

import test_snapshots
from test_snapshots import ready
from textual.pilot import Pilot
from uihelpers import until

from calltui.ui.app import CallTuiApp
from calltui.ui.screens.redirect import RedirectScreen
from calltui.userconfig import AlertRules, Preset, UserConfig

PRESETS = (
    Preset("maintenance message", url="https://example.com/twiml/maintenance.xml"),
    Preset("send to backup queue", twiml="<Response>\n  <Enqueue>backup</Enqueue>\n</Response>"),
    Preset("after-hours IVR", url="https://ivr.example.com/after-hours", method="GET"),
)

seeded_app = test_snapshots.seeded_app  # the same seeded simulator and frozen clock as the main snapshots


def test_redirect_prompt_with_presets(snap_compare, seeded_app: CallTuiApp) -> None:  # type: ignore[no-untyped-def]
    seeded_app.user_config = UserConfig(presets=PRESETS)

    async def pick_preset(pilot: Pilot) -> None:
        await ready(pilot)
        await pilot.press("down", "r")
        await until(pilot, lambda: isinstance(pilot.app.screen, RedirectScreen), "the redirect prompt")
        await pilot.press("2")
        await pilot.pause()

    assert snap_compare(seeded_app, terminal_size=(120, 28), run_before=pick_preset)


def test_table_with_alerting_rows(snap_compare, seeded_app: CallTuiApp) -> None:  # type: ignore[no-untyped-def]
    # The seeded ringing call is 10 s old and one call has been in progress for 21 min.
    seeded_app.user_config = UserConfig(alerts=AlertRules(waiting_longer_than=5, in_progress_longer_than=20))
    assert snap_compare(seeded_app, terminal_size=(120, 20), run_before=ready)


def test_standing_alerts_listed(snap_compare, seeded_app: CallTuiApp) -> None:  # type: ignore[no-untyped-def]
    seeded_app.user_config = UserConfig(alerts=AlertRules(waiting_longer_than=5, in_progress_longer_than=20))

    async def list_them(pilot: Pilot) -> None:
        await ready(pilot)
        pilot.app.clear_notifications()  # the two alerts as they went off; `!` lists them again
        await pilot.press("exclamation_mark")
        await pilot.pause()

    assert snap_compare(seeded_app, terminal_size=(120, 20), run_before=list_them)
