"""At 80x24, the smallest terminal calltui supports: counts, alerts and key hints are never cut."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from textual.widgets._footer import FooterKey
from uihelpers import first_poll, screen_lines, until

from calltui.simulator import Simulator
from calltui.ui.app import CallTuiApp
from calltui.ui.screens.details import DetailsScreen
from calltui.ui.widgets.call_columns import LABELS, header_text, layout_for
from calltui.userconfig import AlertRules, UserConfig

SMALL = (80, 24)


def calls(sim: Simulator, **statuses: int) -> None:
    for status, count in statuses.items():
        for _ in range(count):
            sim.add_call(status=status.replace("_", "-"))


async def test_the_header_keeps_every_count_and_the_alerts_at_80_columns(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    calls(sim, queued=2, ringing=13, in_progress=32)
    app = make_app()
    app.user_config = UserConfig(alerts=AlertRules(active_above=10))
    async with app.run_test(size=SMALL) as pilot:
        await first_poll(app, pilot)
        await until(pilot, lambda: app.header_model.friendly_name is not None, "the account name")
        lines = screen_lines(app)[:2]
        header = " ".join(lines)
        for figure in ("2 queued", "13 ringing", "32 in-progress", "1 ALERT"):
            assert figure in header, header
        assert not any(line.endswith("…") for line in lines), lines


async def test_a_filter_and_badges_move_to_a_second_line_rather_than_cut_a_number(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    calls(sim, queued=2, ringing=13, in_progress=32)
    app = make_app(read_only=True, dry_run=True)
    app.user_config = UserConfig(alerts=AlertRules(active_above=10))
    async with app.run_test(size=SMALL) as pilot:
        await first_poll(app, pilot)
        app.set_filter("in-progress")
        await pilot.pause()
        header = " ".join(screen_lines(app)[:3])
        for figure in ("READ-ONLY", "DRY-RUN", "32 in-progress", "1 ALERT", "32 shown"):
            assert figure in header, header


async def test_the_footer_always_shows_help_and_quit(make_app: Callable[..., CallTuiApp]) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await first_poll(app, pilot)
        footer = screen_lines(app)[-1]
        assert "? Help" in footer and "q Quit" in footer, footer
        shown = [key for key in app.screen.query(FooterKey) if key.display and key.description]
        assert all(f"{key.key_display} {key.description}" in footer for key in shown), footer


@pytest.mark.parametrize("width", [78, 118, 198])
@pytest.mark.parametrize("column", ["status", "direction", "from", "to", "started", "duration", "sid"])
@pytest.mark.parametrize("descending", [True, False])
def test_a_sorted_column_keeps_its_whole_label_and_the_arrow(
    width: int, column: str, descending: bool
) -> None:
    header = header_text(layout_for(width), column, descending)
    labels = r"\s+".join(re.escape(label) for label in LABELS.values())
    assert re.fullmatch(rf"{labels}\s*", re.sub("[▼▲]", " ", header)), header
    assert header.count("▼" if descending else "▲") == 1
    assert len(header) == max(width, layout_for(width).total)


async def test_the_events_tab_shows_every_column_heading_at_80_columns(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sid = sim.add_call()["sid"]
    long_url = "https://voice.acme.example/" + "very/long/path/" * 6
    sim.add_event(sid, long_url, request_duration=87)
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await first_poll(app, pilot)
        await pilot.press("enter", "2")
        assert isinstance(app.screen, DetailsScreen)
        await until(pilot, lambda: "1 event" in " ".join(screen_lines(app)), "the events")
        screen = "\n".join(screen_lines(app))
        assert "content type" in screen and "application/xml" in screen, screen
