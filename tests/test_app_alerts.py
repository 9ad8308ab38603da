"""Alert rules in the running app: rows highlighted, a one-line notice per occurrence (the first few in
a while), hysteresis against flapping, the bell if asked.

Calls live in the simulator; time moves only when the test advances the frozen clock and ticks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sim_helpers import Clock
from textual.widgets import Static
from uihelpers import (
    alert_line,
    first_poll,
    help_text,
    on_screen,
    poll,
    record_alert_notices,
    run_command,
    screen_lines,
    until,
)

from calltui.domain.call import Call
from calltui.monitor.alerts import NOTICES_PER_WINDOW, REARM_AFTER, AlertMonitor, standing_alerts
from calltui.simulator import Simulator
from calltui.ui import app as app_module
from calltui.ui.app import CallTuiApp
from calltui.ui.describe import short_sid
from calltui.ui.screens.alerts import AlertsScreen
from calltui.ui.screens.help import HelpScreen
from calltui.ui.widgets.alert_bar import SHOWN_FOR, notice_line
from calltui.userconfig import AlertRules, UserConfig

SIZE = (120, 30)
SMALL = (80, 24)


@pytest.fixture
def rings() -> list[int]:
    return []


@pytest.fixture
def alert_app(
    make_app: Callable[..., CallTuiApp], rings: list[int], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., CallTuiApp]:
    """An app with these alert rules whose terminal bell is counted in `rings` instead of rung."""

    def build(bell: bool = False, **rules: float) -> CallTuiApp:
        app = make_app()
        app.user_config = UserConfig(bell=bell, alerts=AlertRules(**rules))  # type: ignore[arg-type]
        monkeypatch.setattr(app, "bell", lambda: rings.append(1))
        return app

    return build


@pytest.fixture
def announced(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every alert notice shown, in order (on screen each replaces the one before)."""
    return record_alert_notices(monkeypatch)


def alert_toasts(app: CallTuiApp) -> list[str]:
    """Alerts notified the old way, as a stack of toasts: there must be none."""
    return [str(n.message) for n in app._notifications if n.title == "Alert"]


def header(app: CallTuiApp) -> str:
    return str(app.query_one("#status").render())


def painted_alerting(app: CallTuiApp) -> set[str]:
    """Rows on screen painted with the alert background."""
    table = app.table
    alert = table.get_component_rich_style("call-table--alert").bgcolor
    assert alert is not None
    rows = table.visible_sids[: table.size.height - 1]
    return {
        sid
        for y, sid in enumerate(rows, start=1)
        if all(segment.style.bgcolor == alert for segment in table.render_line(y) if segment.style)
    }


def add_calm_call(sim: Simulator, clock: Clock, status: str = "in-progress") -> str:
    """A newer call on another number: it takes the top row and the cursor, which would hide a highlight."""
    clock.advance(1)
    return sim.add_call(status=status, from_="+15550004444")["sid"]


async def test_a_call_ringing_too_long_is_highlighted_and_notified_once(
    sim: Simulator, clock: Clock, alert_app: Callable[..., CallTuiApp], rings: list[int], announced: list[str]
) -> None:
    sid = sim.add_call(status="ringing", from_="+15550001234")["sid"]
    calm = add_calm_call(sim, clock)
    app = alert_app(waiting_longer_than=30)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert app.table.highlighted_sid == calm
        assert app.table.alert_sids == set() and announced == [] and alert_line(app) == ""
        clock.advance(31)  # no poll: the tick alone sees the call's time grow
        app._tick()
        await pilot.pause()
        assert app.table.alert_sids == {sid} and painted_alerting(app) == {sid}
        [notice] = announced
        assert (
            notice.startswith("ALERT  +15550001234 ringing for 0:32 (limit 30s)") and short_sid(sid) in notice
        )
        assert alert_line(app) == notice and alert_toasts(app) == []
        assert "1 ALERT" in header(app)
        clock.advance(5)
        app._tick()
        await poll(app, pilot)
        assert len(announced) == 1 and app.table.alert_sids == {sid} and alert_line(app) == notice
        assert rings == []  # the bell is off unless asked for
        clock.advance(SHOWN_FOR.total_seconds())
        app._tick()
        await pilot.pause()
        assert alert_line(app) == "" and app.table.alert_sids == {sid}  # the notice goes, the alert stays


async def test_an_alert_going_off_behind_the_details_is_notified_on_top(
    sim: Simulator, clock: Clock, alert_app: Callable[..., CallTuiApp], announced: list[str]
) -> None:
    """The notice line is under the table: with the details screen open, an alert went off unseen."""
    sid = sim.add_call(status="ringing", from_="+15550001234")["sid"]
    app = alert_app(waiting_longer_than=30)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await first_poll(app, pilot)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is not app.screen_stack[0], "the details")
        clock.advance(31)
        app._tick()
        await pilot.pause()
        [notice] = announced
        assert alert_toasts(app) == [notice] and short_sid(sid) in notice
        await until(pilot, lambda: "ALERT +15550001234 ringing for 0:31" in on_screen(app), "the toast")


async def test_a_call_in_progress_too_long(
    sim: Simulator, clock: Clock, alert_app: Callable[..., CallTuiApp], announced: list[str]
) -> None:
    sid = sim.add_call(status="in-progress")["sid"]
    clock.advance(60 * 60 - 5)
    calm = add_calm_call(sim, clock, status="queued")
    app = alert_app(in_progress_longer_than=60)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert app.table.highlighted_sid == calm and app.table.alert_sids == set()
        clock.advance(10)
        app._tick()
        await pilot.pause()
        assert painted_alerting(app) == {sid}
        [notice] = announced
        assert "in progress for 1:00:06" in notice and "limit 60 min" in notice


async def test_too_many_calls_from_one_number_highlights_them_all(
    sim: Simulator, clock: Clock, alert_app: Callable[..., CallTuiApp], rings: list[int], announced: list[str]
) -> None:
    flood = {sim.add_call(from_="+15550009999")["sid"] for _ in range(2)}
    calm = add_calm_call(sim, clock)
    app = alert_app(bell=True, calls_from_one_number=2)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert app.table.highlighted_sid == calm and app.table.alert_sids == set() and rings == []
        flood.add(sim.add_call(from_="+15550009999")["sid"])
        await poll(app, pilot)
        assert painted_alerting(app) == flood
        assert announced == ["ALERT  3 live calls from +15550009999 (limit 2)"]
        assert rings == [1]
        app._tick()
        await poll(app, pilot)
        assert rings == [1] and len(announced) == 1  # still standing: no second bell


async def test_too_many_active_calls_alerts_without_a_row(
    sim: Simulator, alert_app: Callable[..., CallTuiApp], rings: list[int], announced: list[str]
) -> None:
    for status in ("queued", "ringing", "in-progress"):
        sim.add_call(status=status)
    app = alert_app(bell=True, active_above=2)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert announced == ["ALERT  3 live calls (limit 2)"]
        assert app.table.alert_sids == set() and painted_alerting(app) == set()
        assert "1 ALERT" in header(app) and rings == [1]


async def test_an_alert_that_stays_clear_for_the_hold_and_returns_is_announced_again(
    sim: Simulator, clock: Clock, alert_app: Callable[..., CallTuiApp], rings: list[int], announced: list[str]
) -> None:
    sid = sim.add_call()["sid"]
    app = alert_app(bell=True, active_above=1)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert announced == []
        extra = sim.add_call()["sid"]
        await poll(app, pilot)
        assert len(announced) == 1 and rings == [1]
        sim.end_call(extra)
        await poll(app, pilot)  # the ended row lingers, but it is no longer live
        assert app.table.lingering(extra) and "ALERT" not in header(app)
        clock.advance(REARM_AFTER.total_seconds())
        app._tick()  # seen clear for the whole hold
        sim.add_call()
        await poll(app, pilot)
        assert len(announced) == 2 and rings == [1, 1] and "1 ALERT" in header(app)
        assert sid in app.table.visible_sids


async def test_hanging_up_an_alerting_call_clears_its_highlight_at_once(
    sim: Simulator, clock: Clock, alert_app: Callable[..., CallTuiApp]
) -> None:
    sid = sim.add_call(status="queued")["sid"]
    app = alert_app(waiting_longer_than=10)
    async with app.run_test(size=SIZE) as pilot:
        clock.advance(11)
        await first_poll(app, pilot)
        assert app.table.alert_sids == {sid}
        polls = app.polls_completed
        await pilot.press("h", "y")
        await until(pilot, lambda: app.table.lingering(sid), "the canceled row")
        assert app.table.alert_sids == set() and app.polls_completed == polls
        assert "ALERT" not in header(app)


async def test_the_recent_view_shows_no_alerts_and_the_way_back_does_not_renotify(
    sim: Simulator, clock: Clock, alert_app: Callable[..., CallTuiApp], announced: list[str]
) -> None:
    sid = sim.add_call(status="ringing")["sid"]
    sim.add_call(status="completed")
    app = alert_app(waiting_longer_than=10)
    async with app.run_test(size=SIZE) as pilot:
        clock.advance(11)
        await first_poll(app, pilot)
        assert app.table.alert_sids == {sid} and len(announced) == 1 and alert_line(app)
        polls = app.polls_completed
        await pilot.press("v")
        await until(pilot, lambda: app.polls_completed > polls, "the recent view")
        assert app.table.alert_sids == set() and "ALERT" not in header(app) and alert_line(app) == ""
        polls = app.polls_completed
        await pilot.press("v")
        await until(pilot, lambda: app.polls_completed > polls, "the active view")
        assert app.table.alert_sids == {sid} and len(announced) == 1


async def test_many_new_alerts_at_once_are_one_line(
    sim: Simulator, clock: Clock, alert_app: Callable[..., CallTuiApp], rings: list[int], announced: list[str]
) -> None:
    sids = {sim.add_call(status="queued", from_=f"+1555000{i:04}")["sid"] for i in range(8)}
    app = alert_app(bell=True, waiting_longer_than=5)
    async with app.run_test(size=SIZE) as pilot:
        clock.advance(6)
        await first_poll(app, pilot)
        assert app.table.alert_sids == sids
        [notice] = announced
        assert notice.startswith("8 NEW ALERTS · ! lists them ·  +1555000") and "queued for 0:06" in notice
        assert "8 ALERTS" in header(app) and rings == [1] and alert_toasts(app) == []


async def test_no_rules_no_alerts(sim: Simulator, clock: Clock, alert_app: Callable[..., CallTuiApp]) -> None:
    for _ in range(3):
        sim.add_call(status="ringing", from_="+15550009999")
    app = alert_app(bell=True)
    async with app.run_test(size=SIZE) as pilot:
        clock.advance(24 * 3600)
        await first_poll(app, pilot)
        app._tick()
        assert app.table.alert_sids == set() and painted_alerting(app) == set()
        assert alert_line(app) == "" and "ALERT" not in header(app)


async def test_help_mentions_alert_rules(sim: Simulator, alert_app: Callable[..., CallTuiApp]) -> None:
    app = alert_app(active_above=5)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        help_text = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "Alert rules" in help_text


def listing(app: CallTuiApp) -> tuple[str, str]:
    """What `!` said, and its title: the alerts dialog (closed again), or the notice when none stands."""
    screen = app.screen
    if isinstance(screen, AlertsScreen):
        screen.dismiss(None)
        return screen.title_text.split(" at ")[0], "\n".join(screen.lines)
    notice = [n for n in app._notifications if n.title != "Alert"][-1]
    return str(notice.title), str(notice.message)


async def test_exclamation_mark_lists_the_standing_alerts_from_the_key_help_and_palette(
    sim: Simulator, clock: Clock, alert_app: Callable[..., CallTuiApp]
) -> None:
    ringing = sim.add_call(status="ringing", from_="+15550001234")["sid"]
    flood = [sim.add_call(from_="+15550009999")["sid"] for _ in range(3)]
    app = alert_app(waiting_longer_than=30, calls_from_one_number=2)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("exclamation_mark")
        title, text = listing(app)
        assert title == "1 alert standing" and text == "3 live calls from +15550009999 (limit 2)"
        clock.advance(31)
        app._tick()
        await run_command(pilot, "List the standing alerts")
        title, text = listing(app)
        assert title == "2 alerts standing"
        assert short_sid(ringing) in text and "ringing for 0:31" in text
        assert "3 live calls from +15550009999" in text
        for sid in flood:
            sim.end_call(sid)
        await poll(app, pilot)
        await pilot.press("exclamation_mark")
        title, text = listing(app)
        assert title == "1 alert standing" and "+15550009999" not in text
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "List the standing alerts" in help_text(app) and "! lists them" in help_text(app)


async def test_exclamation_mark_without_rules_in_the_ended_view_and_past_the_list_length(
    sim: Simulator, clock: Clock, alert_app: Callable[..., CallTuiApp], make_app: Callable[..., CallTuiApp]
) -> None:
    for i in range(12):
        sim.add_call(status="queued", from_=f"+1555000{i:04}")
    app = alert_app(waiting_longer_than=5)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("exclamation_mark")
        assert listing(app) == ("Alerts", "No alert is standing.")
        clock.advance(6)
        app._tick()
        await pilot.press("exclamation_mark")
        await until(pilot, lambda: isinstance(app.screen, AlertsScreen), "the alerts dialog")
        assert "Esc or ! closes" in on_screen(app)
        title, text = listing(app)
        assert title == "12 alerts standing" and len(text.splitlines()) == 12  # all of them: it scrolls
        polls = app.polls_completed
        await pilot.press("v")
        await until(pilot, lambda: app.polls_completed > polls, "the recent view")
        await pilot.press("exclamation_mark")
        assert "ended view shows no alerts" in listing(app)[1]
    plain = make_app()
    async with plain.run_test(size=SIZE) as pilot:
        await first_poll(plain, pilot)
        await pilot.press("exclamation_mark")
        assert listing(plain) == ("Alerts", "No alert rules: see [alerts] in config.toml.")


async def test_a_tick_before_the_first_poll_after_a_view_switch_does_not_renotify(
    sim: Simulator, clock: Clock, alert_app: Callable[..., CallTuiApp], announced: list[str]
) -> None:
    sid = sim.add_call(status="ringing")["sid"]
    app = alert_app(waiting_longer_than=10)
    async with app.run_test(size=SIZE) as pilot:
        clock.advance(11)
        await first_poll(app, pilot)
        assert len(announced) == 1
        await pilot.press("v")
        await until(pilot, lambda: app.polls_completed > 1, "the recent view")
        sim.faults.add("latency", seconds=0.5, times=1, path_contains="Status=queued")
        await pilot.press("v")  # back to the live calls: their first poll is slow
        app._tick()  # the clock ticks while the table is still empty
        await until(pilot, lambda: app.polls_completed > 2, "the active view")
        assert app.table.alert_sids == {sid} and len(announced) == 1


async def test_a_flapping_alert_fires_once_at_80x24(
    sim: Simulator, clock: Clock, alert_app: Callable[..., CallTuiApp], rings: list[int], announced: list[str]
) -> None:
    """Live calls hover at the limit: 2, 1, 2, 1… poll after poll. The header tells the truth each poll;
    the notice and the bell come once, and again only after the count stayed under the limit for a while."""
    sim.add_call()
    app = alert_app(bell=True, active_above=1)
    async with app.run_test(size=SMALL) as pilot:
        await first_poll(app, pilot)
        for flap in range(10):
            clock.advance(2)
            extra = sim.add_call()["sid"]
            await poll(app, pilot)
            assert "1 ALERT" in header(app), flap
            clock.advance(2)
            sim.end_call(extra)
            await poll(app, pilot)
            assert "ALERT" not in header(app), flap
        assert rings == [1] and announced == ["ALERT  2 live calls (limit 1)"]
        assert alert_toasts(app) == []
        for _ in range(int(REARM_AFTER.total_seconds())):  # clear for the whole hold, as the ticks see it
            clock.advance(1)
            app._tick()
        sim.add_call()
        await poll(app, pilot)
        assert rings == [1, 1] and len(announced) == 2


async def test_many_alerts_never_cover_the_table_at_80x24(
    sim: Simulator, clock: Clock, alert_app: Callable[..., CallTuiApp], rings: list[int], announced: list[str]
) -> None:
    """Wave after wave of alerts: one line under the table, nothing over it; past the first few in a
    minute only the header counts them, and the line goes once its time is up (`SHOWN_FOR` by the app's
    clock, which the app's own tick checks every second: each wave ticks, so the line's time is checked
    here, not left to when that tick happens to come)."""
    app = alert_app(bell=True, waiting_longer_than=5)
    async with app.run_test(size=SMALL) as pilot:
        await first_poll(app, pilot)
        table = app.table
        full = table.region
        bar = app.query_one("#alert-notice")
        shown_until = clock.now
        for wave in range(6):
            for i in range(4):
                sim.add_call(status="queued", from_=f"+1555{wave:03}{i:04}")
            clock.advance(6)
            before = len(announced)
            await poll(app, pilot)
            app._tick()
            if len(announced) > before:
                shown_until = clock.now + SHOWN_FOR
            assert f"{4 * (wave + 1)} ALERTS" in header(app)
            assert alert_toasts(app) == [], wave  # no notification stacked over the table
            lines = 1 if clock.now < shown_until else 0
            # The bar showing or going lays the screen out again: wait for that, not for a fixed pause.
            await until(pilot, lambda: bar.region.height == lines, f"the alert line laid out ({wave})")  # noqa: B023
            assert table.region.width == full.width == SMALL[0] and table.region.height == full.height - lines
            if lines:
                assert bar.region.y == table.region.bottom and alert_line(app) == announced[-1]
        assert len(announced) == NOTICES_PER_WINDOW and rings == [1] * NOTICES_PER_WINDOW
        assert lines == 0  # the last wave came after the newest line's time: the table has its lines back


def test_one_alert_fits_one_line_at_80_columns_whatever_the_caller() -> None:
    """The longest rule's words, a caller cut to fit and a short SID: 78 cells inside the bar's padding."""
    now = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)
    caller = "sip:" + "very-long-name" * 5 + "@[bold]example[/bold].com\x1b[31m"
    talk = Call("CA" + "f" * 32, status="in-progress", from_=caller, start_time=now - timedelta(hours=100))
    [alert] = standing_alerts(AlertRules(in_progress_longer_than=60), [talk], now)
    line = notice_line([alert])
    assert line.cell_len <= 78 and "\x1b" not in line.plain
    assert line.plain.endswith("in progress for 100:00:00 (limit 60 min) · CAffff…ffff")


async def test_the_list_of_alerts_fits_80x24_title_first_and_scrolls(
    sim: Simulator, clock: Clock, alert_app: Callable[..., CallTuiApp]
) -> None:
    """Thirty alerts at 80x24: the title, how to close it and the first alerts on screen, one line each;
    the rest below the fold, reached by scrolling."""
    sids = [sim.add_call(status="queued", from_=f"+1555000{i:04}")["sid"] for i in range(30)]
    app = alert_app(waiting_longer_than=5)
    async with app.run_test(size=SMALL) as pilot:
        clock.advance(6)
        await first_poll(app, pilot)
        await pilot.press("exclamation_mark")
        await until(pilot, lambda: isinstance(app.screen, AlertsScreen), "the alerts dialog")
        await pilot.pause()
        shown = "\n".join(screen_lines(app))
        assert "30 alerts standing" in shown and "Esc or ! closes" in shown
        listed = str(app.screen.query_one("#alert-lines", Static).render()).splitlines()
        assert len(listed) == 30 and listed[0] in shown and listed[-1] not in shown
        assert all(len(line) <= 70 for line in listed)  # one line each inside the dialog at 80 columns
        assert {short_sid(sid) for sid in sids} == {line.rsplit(" · ", 1)[1] for line in listed}
        await pilot.press("end")
        await pilot.pause()
        assert listed[-1] in "\n".join(screen_lines(app))


async def test_at_scale_the_rules_are_evaluated_off_the_loop_and_still_highlight_and_notify(
    sim: Simulator,
    clock: Clock,
    alert_app: Callable[..., CallTuiApp],
    announced: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(app_module, "ALERTS_OFF_LOOP", 1)  # two calls count as many
    threads: list[str] = []
    evaluate = AlertMonitor.evaluate

    def watched(self, *args):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        return evaluate(self, *args)

    monkeypatch.setattr(AlertMonitor, "evaluate", watched)
    sid = sim.add_call(status="ringing", from_="+15550001234")["sid"]
    add_calm_call(sim, clock)
    app = alert_app(waiting_longer_than=30)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        clock.advance(31)
        app._tick()
        await until(pilot, lambda: app.table.alert_sids == {sid}, "the alert from the worker thread")
        assert len(announced) == 1
        assert threads and threading.main_thread().name not in threads  # the loop only shows the report


async def test_the_alerts_dialog_lists_what_the_header_counts_and_follows_it_while_open(
    sim: Simulator,
    clock: Clock,
    alert_app: Callable[..., CallTuiApp],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`!` listed the latest evaluation while the header still counted the one before (an evaluation in a
    worker thread reached the header only on the next tick), and the open dialog kept the count it was
    opened with while the header moved on behind it."""
    monkeypatch.setattr(app_module, "ALERTS_OFF_LOOP", 1)  # two calls count as many: the worker-thread path
    first = sim.add_call(status="ringing", from_="+15550001234")["sid"]
    clock.advance(10)
    second = sim.add_call(status="ringing", from_="+15550005678")["sid"]
    app = alert_app(waiting_longer_than=30)
    async with app.run_test(size=SMALL) as pilot:
        await first_poll(app, pilot)
        clock.advance(21)  # the first has rung for 31 s, the second for 21 s
        app._tick()
        await until(pilot, lambda: app.table.alert_sids == {first}, "the first alert")
        assert "1 ALERT " in header(app)
        await pilot.press("exclamation_mark")
        await until(pilot, lambda: isinstance(app.screen, AlertsScreen), "the alerts dialog")
        dialog = app.screen
        assert isinstance(dialog, AlertsScreen) and dialog.title_text.startswith("1 alert standing")
        clock.advance(10)
        app._tick()
        await until(pilot, lambda: app.table.alert_sids == {first, second}, "the second alert")
        assert "2 ALERTS" in header(app) and dialog.title_text.startswith("2 alerts standing")
        await pilot.pause()
        assert "2 alerts standing" in on_screen(app) and short_sid(second) in on_screen(app)
        for sid in (first, second):
            sim.end_call(sid)
        await poll(app, pilot)
        await until(pilot, lambda: not app.table.alert_sids, "the alerts cleared")
        assert "ALERT" not in header(app) and dialog.title_text.startswith("0 alerts standing")
        assert dialog.lines == ["No alert is standing."] and app.screen is dialog
