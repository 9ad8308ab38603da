"""What a walk through every screen and dialog at 80x24 found (issue 12's tour), one test each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from conftest import FROZEN_NOW
from sim_helpers import Clock
from textual.screen import ModalScreen
from uihelpers import first_poll, on_screen, poll, screen_lines, table_text, until

from calltui.domain.errors import GatewayError
from calltui.monitor.poller import PollState
from calltui.simulator import Simulator
from calltui.ui.app import CallTuiApp
from calltui.ui.replay.playhead import Playhead
from calltui.ui.replay.timeline import status_line
from calltui.ui.widgets.status_header import HeaderModel, TeamStatus, header_lines

SMALL = (80, 24)
SID = "AC" + "0" * 32


def centred(app: CallTuiApp) -> None:
    """The open dialog sits in the middle of the screen, clear of the header's first line (give or take the
    countdown and footer lines docked below it)."""
    dialog = app.screen.query_one("#dialog").region
    left, right = dialog.x, SMALL[0] - dialog.right
    top, bottom = dialog.y, SMALL[1] - dialog.bottom
    assert abs(left - right) <= 1 and abs(top - bottom) <= 3 and top >= 1, (type(app.screen), dialog)


@pytest.mark.parametrize(
    "keys", [("?",), ("h",), ("r",), ("h", "y", "q")], ids=["help", "hangup", "redirect", "quit"]
)
async def test_every_dialog_opens_in_the_middle_of_the_screen(
    sim: Simulator, make_app: Callable[..., CallTuiApp], keys: tuple[str, ...]
) -> None:
    """The quit dialog opened in the top-left corner, over the header, the table showing beside it."""
    sim.add_call()
    app = make_app(grace=60)  # the test clock stands still: the hang-up waits, so `q` asks
    async with app.run_test(size=SMALL) as pilot:
        await first_poll(app, pilot)
        await pilot.press(*keys)
        await until(pilot, lambda: isinstance(app.screen, ModalScreen), "the dialog")
        await pilot.pause()
        centred(app)


async def test_t_without_team_mode_says_how_to_turn_it_on(make_app: Callable[..., CallTuiApp]) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await first_poll(app, pilot)
        await pilot.press("t")
        [notice] = [str(notice.message) for notice in app._notifications]
        assert notice.startswith("Team mode is off: start calltui with --team"), notice


async def test_the_help_says_how_to_close_it_above_the_fold(make_app: Callable[..., CallTuiApp]) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await first_poll(app, pilot)
        await pilot.press("?")
        await until(pilot, lambda: isinstance(app.screen, ModalScreen), "the help")
        assert "Esc or ? closes" in " ".join(screen_lines(app))


@pytest.mark.parametrize("key", ["h", "r"])
async def test_acting_on_a_stale_table_says_the_call_may_have_changed(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], key: str
) -> None:
    """With polls failing, the dialogs showed the call as of the last good poll, with nothing to say so."""
    sim.add_call()
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await first_poll(app, pilot)
        await pilot.press(key)
        await until(pilot, lambda: isinstance(app.screen, ModalScreen), "the dialog")
        assert "STALE" not in on_screen(app)
        await pilot.press("escape")
        sim.faults.add("status", status=503, message="Service Unavailable")
        clock.advance(25)
        await poll(app, pilot)
        await pilot.press(key)
        await until(pilot, lambda: isinstance(app.screen, ModalScreen), "the dialog")
        await pilot.pause()
        warning = "The table is STALE (last good poll 0:25 ago): this call may have changed or ended."
        assert warning in on_screen(app), on_screen(app)


def test_alone_in_a_team_the_header_says_alone_not_team_0() -> None:
    alone = HeaderModel(SID, counts={"ringing": 9}, team=TeamStatus(online=True, teammates=0, polling=True))
    assert " TEAM alone " in header_lines(alone, FROZEN_NOW, 78)[0].plain
    assert " TEAM alone · polling " in header_lines(alone, FROZEN_NOW, 200)[0].plain
    two = replace(alone, team=TeamStatus(online=True, teammates=2, polling=False))
    assert " TEAM 2 online " in header_lines(two, FROZEN_NOW, 200)[0].plain


@pytest.mark.parametrize("marked", [False, True])
async def test_numbers_stay_whole_at_80_columns_with_marks_and_directions_say_api_or_dial(
    sim: Simulator, make_app: Callable[..., CallTuiApp], marked: bool
) -> None:
    """With marks, the mark column cut the called number (`+121231565…`), and `outbound…` could not
    tell an API call from a dialed leg."""
    sim.add_call(direction="outbound-api", from_="+12123156523", to="+17204500323")
    sim.add_call(direction="outbound-dial", from_="+14155550100", to="+13125550199")
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await first_poll(app, pilot)
        if marked:
            await pilot.press("space", "space")
            await until(pilot, lambda: app.table.marked_count == 2, "two marks")
        await pilot.pause()
        text = table_text(app)
        for number in ("+12123156523", "+17204500323", "+14155550100", "+13125550199"):
            assert number in text, text
        assert "out-api" in text and "out-dial" in text and "DIR" in text, text


def test_the_reason_polling_fails_shows_at_80_columns() -> None:
    """At 80 columns the counts pushed the reason out of the first line; STALE alone does not say
    whether the network or the credentials failed."""
    error = GatewayError("cannot reach the API: connection refused")
    poll = PollState(last_ok=FROZEN_NOW - timedelta(seconds=13), error=error, failures=3)
    counts = {"queued": 0, "ringing": 9, "in-progress": 32}
    lines = [line.plain for line in header_lines(HeaderModel(SID, counts=counts, poll=poll), FROZEN_NOW, 78)]
    assert "STALE 13s" in lines[0] and "32 in-progress" in lines[0], lines
    assert "connection refused" in " ".join(lines), lines
    wide = [line.plain for line in header_lines(HeaderModel(SID, counts=counts, poll=poll), FROZEN_NOW, 200)]
    assert " ".join(wide).count("connection refused") == 1, wide  # said once where there is room


def test_the_replay_says_replay_first_and_keeps_its_counts_at_80_columns() -> None:
    """`REPLAY` came last and was the part cut (`REP…`): a replay could pass for a live account."""
    start = FROZEN_NOW.timestamp()
    playhead = Playhead([start + 2 * n for n in range(300)], end=start + 600)
    playhead.paused = True
    line = status_line(playhead, polls=300, actions=12, source="/home/oncall/incident-2026-12-03.jsonl")
    line.truncate(78, overflow="ellipsis")
    assert line.plain.startswith(" REPLAY ❚❚ PAUSED "), line.plain
    assert "poll 1 of 300" in line.plain and "12 actions" in line.plain, line.plain


@pytest.mark.parametrize("paused", [True, False])
def test_an_hour_long_replay_keeps_every_count_at_80_columns(paused: bool) -> None:
    """An hour recorded every 2 s, played at half speed while a poll loads: its action count was cut."""
    start = FROZEN_NOW.timestamp()
    playhead = Playhead([start + 2 * n for n in range(1800)], end=start + 3600)
    playhead.paused = paused
    playhead.slower()
    playhead.seek_by(3599)
    line = status_line(playhead, 1800, 123, "/home/oncall/incident.db", loading=True, width=78)
    assert line.cell_len <= 78 and line.plain.startswith(" REPLAY "), line.plain
    for figure in ("0.5x", "59:59/1:00:00", "poll 1800/1800", "loading…", "123 actions"):
        assert figure in line.plain, line.plain
    wide = status_line(playhead, 1800, 123, "/home/oncall/incident.db", width=200).plain
    assert "(59:59 of 1:00:00) │ poll 1800 of 1800 │ 123 actions │ /home/oncall/incident.db" in wide


async def test_the_filter_box_shows_its_keys_in_the_footer(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    """With the box focused the footer showed only "/ Filter": Enter and Esc were said only by the
    placeholder, which the first key typed replaces."""
    sim.add_call()
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await first_poll(app, pilot)
        await pilot.press("slash", "+", "1")
        await pilot.pause()
        footer = screen_lines(app)[-1]
        assert "⏎ Keep filter" in footer and "esc Clear filter" in footer, footer
        await pilot.press("escape")
        await pilot.pause()
        assert app.table.filter_text == "" and app.table.has_focus
