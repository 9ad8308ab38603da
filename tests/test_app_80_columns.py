"""At 80x24, the smallest terminal calltui supports: counts, alerts and key hints are never cut."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets._footer import FooterKey
from uihelpers import first_poll, on_screen, screen_lines, until

from calltui.domain.diff import PollDiff
from calltui.simulator import Simulator
from calltui.ui.app import CallTuiApp
from calltui.ui.screens.details import DetailsScreen
from calltui.ui.screens.hangup import HangupScreen
from calltui.ui.screens.redirect import RedirectScreen
from calltui.ui.widgets.call_columns import COLUMN_KEYS, header_text, label_for, layout_for
from calltui.userconfig import AlertRules, Preset, UserConfig

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


async def test_the_footer_is_rebuilt_only_when_its_keys_change(make_app: Callable[..., CallTuiApp]) -> None:
    """Textual rebuilds a footer each time the screen's bindings are reported, even unchanged (twice as
    calltui starts, ~30 ms each)."""
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await first_poll(app, pilot)
        keys = list(app.screen.query(FooterKey))
        app.screen.bindings_updated_signal.publish(app.screen)  # what a focus change reports
        await pilot.pause()
        assert list(app.screen.query(FooterKey)) == keys  # the very same widgets
        await pilot.press("slash")  # the filter box: its own keys
        await pilot.pause()
        assert "⏎ Keep filter" in screen_lines(app)[-1]
        assert list(app.screen.query(FooterKey)) != keys


@pytest.mark.parametrize("width", [78, 118, 198])
@pytest.mark.parametrize("column", ["status", "direction", "from", "to", "started", "duration", "sid"])
@pytest.mark.parametrize("descending", [True, False])
def test_a_sorted_column_keeps_its_whole_label_and_the_arrow(
    width: int, column: str, descending: bool
) -> None:
    layout = layout_for(width)
    header = header_text(layout, column, descending)
    labels = r"\s+".join(re.escape(label_for(key, layout)) for key in COLUMN_KEYS)
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


# --------------------------------------------------------------------------- dialogs: every message on screen

PRESETS = (
    Preset("maintenance", url="https://example.com/m.xml", method="GET"),
    Preset("bye", twiml="<Response><Hangup/></Response>"),
    Preset("plain http", url="http://example.com/plain.xml"),
    Preset("queue", url="https://example.com/queue.xml"),
    Preset("overflow", url="https://example.com/overflow.xml"),
)


async def test_every_redirect_message_is_on_screen_at_80x24(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sim.add_call()
    app = make_app()
    app.user_config = UserConfig(presets=PRESETS)
    for n in range(6):
        app.history.remember(f"https://example.com/recent-{n}.xml")
    async with app.run_test(size=SMALL) as pilot:
        await first_poll(app, pilot)
        await pilot.press("r", "3", "enter")
        assert isinstance(app.screen, RedirectScreen)
        await pilot.pause()
        assert "Press Enter again to send anyway" in on_screen(app), screen_lines(app)
        assert "Esc cancels" in on_screen(app)
        await pilot.press("ctrl+u", *"foo", "enter")
        await pilot.pause()
        assert isinstance(app.screen, RedirectScreen)
        message = str(app.screen.query_one("#redirect-message").render())
        assert message and " ".join(message.split()) in on_screen(app), screen_lines(app)


async def test_the_export_and_bulk_messages_are_on_screen_at_80x24(
    sim: Simulator, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    for _ in range(3):
        sim.add_call()
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await first_poll(app, pilot)
        (tmp_path / "folder.csv").mkdir()
        await pilot.press("x", "ctrl+u", *str(tmp_path / "folder.csv"), "enter")
        await pilot.pause()
        assert "That is a folder" in on_screen(app) and "Esc cancels" in on_screen(app)
        await pilot.press("escape", "a", "h", "9", "enter")
        await pilot.pause()
        assert "That is not 3" in on_screen(app) and "Esc cancels" in on_screen(app), screen_lines(app)
        assert "number of calls" in on_screen(app)  # the placeholder, whole


# --------------------------------------------------------------------------- words that do not mislead


def notices(app: CallTuiApp) -> list[str]:
    return [str(notice.message) for notice in app._notifications]


def dialog_text(app: CallTuiApp) -> str:
    return " ".join(str(widget.render()) for widget in app.screen.query("Static, Label"))


@pytest.mark.parametrize(
    ("grace", "dry_run", "said", "not_said"),
    [
        (5.0, False, "after a 5s countdown: u cancels it until then", "cannot be undone"),
        (0.0, False, "at once. This cannot be undone.", "countdown"),
        (0.0, True, "DRY-RUN: nothing is sent", "cannot be undone"),
    ],
)
async def test_the_hang_up_dialog_says_what_confirming_does(
    sim: Simulator, make_app: Callable[..., CallTuiApp], grace: float, dry_run: bool, said: str, not_said: str
) -> None:
    sim.add_call()
    app = make_app(grace=grace, dry_run=dry_run)
    async with app.run_test(size=SMALL) as pilot:
        await first_poll(app, pilot)
        await pilot.press("h")
        assert isinstance(app.screen, HangupScreen)
        text = dialog_text(app)
        assert said in text and not_said not in text, text
        assert "DRY-RUN" in text if dry_run else "DRY-RUN" not in text


async def test_h_on_a_call_the_poll_lost_does_not_call_it_ended_in_progress(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sid = sim.add_call()["sid"]
    other = sim.add_call()["sid"]
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await first_poll(app, pilot)
        app.table.apply(PollDiff(removed=(sid,)), app.clock())  # as a poll that no longer lists it
        assert app.table.lingering(sid) and app.table.move_cursor_to(sid) and other
        await pilot.press("h")
        [notice] = notices(app)
        assert "has ended (in-progress)" not in notice
        assert "no longer among Twilio's live calls (last seen in-progress)" in notice


async def test_the_redirect_notice_shows_the_status_after_the_redirect(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sid = sim.add_call(status="ringing")["sid"]
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await first_poll(app, pilot)
        await pilot.press("r", *"https://example.com/next.xml")
        sim.move_call(sid, "in-progress")  # answered while the engineer typed
        await pilot.press("enter")
        await until(pilot, lambda: any("Redirected" in n for n in notices(app)), "the outcome")
        [done] = [n for n in notices(app) if "Redirected" in n]
        assert "in-progress" in done and "ringing" not in done


async def test_read_only_says_so_when_r_or_h_is_pressed(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sim.add_call()
    app = make_app(read_only=True)
    async with app.run_test(size=SMALL) as pilot:
        await first_poll(app, pilot)
        await pilot.press("r", "h")
        assert notices(app) == ["Read-only: actions are off (started with --read-only)."] * 2
        assert "Read-only" not in " ".join(c.title for c in app.get_system_commands(app.screen))
