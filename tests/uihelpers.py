"""Waiting for the app without sleeping on the clock: bounded loops over Pilot pauses."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from datetime import datetime

import pytest
from textual.app import App
from textual.command import Command, CommandList, CommandPalette
from textual.pilot import Pilot

from calltui.monitor.alerts import Alert
from calltui.simulator import Simulator
from calltui.ui.app import CallTuiApp
from calltui.ui.widgets.alert_bar import AlertBar, notice_line

_STEPS = 500  # x 10 ms: generous for a loaded CI machine, but never an endless wait
# Key to request is under 0.1 s (make bench); a write already on its way has arrived well within this.
# Single actions are never retried, and a test's grace window runs on its own clock, which the test moves
# past the window before it checks: so this is the longest any write that was let go could still take.
SEND_WINDOW = 0.5


async def until(pilot: Pilot, condition: Callable[[], bool], what: str = "condition") -> None:
    for _ in range(_STEPS):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"timed out waiting for {what}")


async def nothing_sent(pilot: Pilot, sim: Simulator) -> None:
    """Assert no write reached the simulator, once anything already sent would have arrived."""
    await pilot.pause(SEND_WINDOW)
    assert [request for request in sim.requests if request.method == "POST"] == []


async def poll(app: CallTuiApp, pilot: Pilot) -> None:
    """Ask for a poll now and wait until it has been applied to the table."""
    before = app.polls_completed
    app.action_refresh_now()
    await until(pilot, lambda: app.polls_completed > before, "a poll")
    await pilot.pause()


async def first_poll(app: CallTuiApp, pilot: Pilot) -> None:
    await until(pilot, lambda: app.polls_completed >= 1, "the first poll")
    await pilot.pause()


async def hang_up_while(
    app: CallTuiApp, pilot: Pilot, clock: Callable[[float], object], change: Callable[[], object]
) -> None:
    """After the first poll, confirm a hang-up of the call under the cursor; while its grace window runs,
    `change` the call in the simulator and let a poll see it; then move `clock` past the window."""
    await first_poll(app, pilot)
    await pilot.press("h", "y")
    change()
    await poll(app, pilot)
    clock(app.user_config.grace_seconds + 1)
    app._safety_tick()


def table_text(app: CallTuiApp) -> str:
    """What the call table shows on screen now, line by line, as plain text."""
    table = app.table
    return "\n".join(table.render_line(y).text for y in range(table.size.height))


async def run_command(pilot: Pilot, title: str) -> None:
    """Run the palette's command `title` as an engineer would: ctrl+p, type the title, Enter."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await until(pilot, lambda: isinstance(app.screen, CommandPalette), "the command palette")
    palette = app.screen
    await pilot.press(*title)
    commands = palette.query_one(CommandList)

    def top() -> str | None:
        index = commands.highlighted
        option = commands.get_option_at_index(index) if index is not None else None
        return option.hit.text if isinstance(option, Command) else None

    await until(pilot, lambda: top() == title, f"the command {title!r} at the top")
    await pilot.press("enter")
    await until(pilot, lambda: app.screen is not palette, "the palette to close")
    await pilot.pause()


def help_text(app: App[None]) -> str:
    """Everything the help screen (`?`, on screen now) shows."""
    return " ".join(str(widget.render()) for widget in app.screen.query("Static"))


_SVG_TEXT = re.compile(
    r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+" '
    r'clip-path="url\(#terminal-(?:\d+-)?line-(\d+)\)">([^<]*)</text>'
)
_CELL_WIDTH = 12.2  # pixels per terminal cell in Textual's screenshots


def screen_lines(app: App[None], width: int | None = None) -> list[str]:
    """The terminal's first `width` columns (all of them by default), line by line, read back from
    Textual's screenshot (SVG): what an engineer sees, cut where the screen cuts it."""
    rows: dict[int, dict[int, str]] = {}
    for x, number, text in _SVG_TEXT.findall(app.export_screenshot()):
        rows.setdefault(int(number), {})[round(float(x) / _CELL_WIDTH)] = html.unescape(text)
    lines = []
    for number in range(max(rows, default=-1) + 1):
        line = ""
        for column, text in sorted(rows.get(number, {}).items()):
            line = line.ljust(column) + text
        lines.append(line.replace("\xa0", " ")[:width].rstrip())
    return lines


def record_alert_notices(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every alert notice the app shows from now on, as plain text, in order (on screen each replaces the
    one before)."""
    shown: list[str] = []
    announce = AlertBar.announce

    def recording(bar: AlertBar, new: Sequence[Alert], now: datetime) -> None:
        announce(bar, new, now)
        shown.append(notice_line(new).plain)

    monkeypatch.setattr(AlertBar, "announce", recording)
    return shown


def alert_line(app: App[None]) -> str:
    """The alert notice under the table as it reads now; "" when none is shown."""
    bar = app.query_one("#alert-notice", AlertBar)
    return str(bar.render()) if bar.display else ""


def on_screen(app: App[None]) -> str:
    """The screen's words in reading order, a dialog's wrapped lines joined (its borders left out)."""
    return " ".join(re.sub("[█▀▄▌▐▊▎▔▁▂]", " ", " ".join(screen_lines(app))).split())
