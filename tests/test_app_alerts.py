"""Alert rules in the running app: rows highlighted, one notification per occurrence, the bell if asked.

Calls live in the simulator; time moves only when the test advances the frozen clock and ticks.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sim_helpers import Clock
from uihelpers import first_poll, help_text, poll, run_command, until

from calltui.simulator import Simulator
from calltui.ui.app import ALERTS_LISTED, CallTuiApp
from calltui.ui.screens.help import HelpScreen
from calltui.userconfig import AlertRules, UserConfig

SIZE = (120, 30)


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


def alert_notices(app: CallTuiApp) -> list[str]:
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
    sim: Simulator, clock: Clock, alert_app: Callable[..., CallTuiApp], rings: list[int]
) -> None:
    sid = sim.add_call(status="ringing", from_="+15550001234")["sid"]
    calm = add_calm_call(sim, clock)
    app = alert_app(waiting_longer_than=30)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert app.table.highlighted_sid == calm
        assert app.table.alert_sids == set() and alert_notices(app) == []
        clock.advance(31)  # no poll: the tick alone sees the call's time grow
        app._tick()
        await pilot.pause()
        assert app.table.alert_sids == {sid} and painted_alerting(app) == {sid}
        [notice] = alert_notices(app)
        assert "+15550001234 ringing for 0:32" in notice and "limit 30s" in notice and sid in notice
        assert "1 ALERT" in header(app)
        clock.advance(5)
        app._tick()
        await poll(app, pilot)
        assert len(alert_notices(app)) == 1 and app.table.alert_sids == {sid}
        assert rings == []  # the bell is off unless asked for


async def test_a_call_in_progress_too_long(
    sim: Simulator, clock: Clock, alert_app: Callable[..., CallTuiApp]
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
        [notice] = alert_notices(app)
        assert "in progress for 1:00:06" in notice and "limit 60 min" in notice


async def test_too_many_calls_from_one_number_highlights_them_all(
    sim: Simulator, clock: Clock, alert_app: Callable[..., CallTuiApp], rings: list[int]
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
        assert alert_notices(app) == ["3 live calls from +15550009999 (limit 2)"]
        assert rings == [1]
        app._tick()
        await poll(app, pilot)
        assert rings == [1] and len(alert_notices(app)) == 1  # still standing: no second bell


async def test_too_many_active_calls_alerts_without_a_row(
    sim: Simulator, alert_app: Callable[..., CallTuiApp], rings: list[int]
) -> None:
    for status in ("queued", "ringing", "in-progress"):
        sim.add_call(status=status)
    app = alert_app(bell=True, active_above=2)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert alert_notices(app) == ["3 live calls (limit 2)"]
        assert app.table.alert_sids == set() and painted_alerting(app) == set()
        assert "1 ALERT" in header(app) and rings == [1]


async def test_an_alert_that_clears_and_returns_is_announced_again(
    sim: Simulator, clock: Clock, alert_app: Callable[..., CallTuiApp], rings: list[int]
) -> None:
    sid = sim.add_call()["sid"]
    app = alert_app(bell=True, active_above=1)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert alert_notices(app) == []
        extra = sim.add_call()["sid"]
        await poll(app, pilot)
        assert len(alert_notices(app)) == 1 and rings == [1]
        sim.end_call(extra)
        await poll(app, pilot)  # the ended row lingers, but it is no longer live
        assert app.table.lingering(extra) and "ALERT" not in header(app)
        sim.add_call()
        await poll(app, pilot)
        assert len(alert_notices(app)) == 2 and rings == [1, 1]
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
    sim: Simulator, clock: Clock, alert_app: Callable[..., CallTuiApp]
) -> None:
    sid = sim.add_call(status="ringing")["sid"]
    sim.add_call(status="completed")
    app = alert_app(waiting_longer_than=10)
    async with app.run_test(size=SIZE) as pilot:
        clock.advance(11)
        await first_poll(app, pilot)
        assert app.table.alert_sids == {sid} and len(alert_notices(app)) == 1
        polls = app.polls_completed
        await pilot.press("v")
        await until(pilot, lambda: app.polls_completed > polls, "the recent view")
        assert app.table.alert_sids == set() and "ALERT" not in header(app)
        polls = app.polls_completed
        await pilot.press("v")
        await until(pilot, lambda: app.polls_completed > polls, "the active view")
        assert app.table.alert_sids == {sid} and len(alert_notices(app)) == 1


async def test_many_new_alerts_at_once_are_summarised(
    sim: Simulator, clock: Clock, alert_app: Callable[..., CallTuiApp], rings: list[int]
) -> None:
    sids = {sim.add_call(status="queued", from_=f"+1555000{i:04}")["sid"] for i in range(8)}
    app = alert_app(bell=True, waiting_longer_than=5)
    async with app.run_test(size=SIZE) as pilot:
        clock.advance(6)
        await first_poll(app, pilot)
        assert app.table.alert_sids == sids
        notices = alert_notices(app)
        assert len(notices) == 6 and notices[-1] == "… and 3 more alerts."
        assert rings == [1]


async def test_no_rules_no_alerts(sim: Simulator, clock: Clock, alert_app: Callable[..., CallTuiApp]) -> None:
    for _ in range(3):
        sim.add_call(status="ringing", from_="+15550009999")
    app = alert_app(bell=True)
    async with app.run_test(size=SIZE) as pilot:
        clock.advance(24 * 3600)
        await first_poll(app, pilot)
        app._tick()
        assert app.table.alert_sids == set() and painted_alerting(app) == set()
        assert alert_notices(app) == [] and "ALERT" not in header(app)


async def test_help_mentions_alert_rules(sim: Simulator, alert_app: Callable[..., CallTuiApp]) -> None:
    app = alert_app(active_above=5)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        help_text = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "Alert rules" in help_text


def listing(app: CallTuiApp) -> tuple[str, str]:
    """The latest notice that is not an alert going off: what `!` said, and its title."""
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
        assert ringing in text and "ringing for 0:31" in text and "3 live calls from +15550009999" in text
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
    for i in range(ALERTS_LISTED + 2):
        sim.add_call(status="queued", from_=f"+1555000{i:04}")
    app = alert_app(waiting_longer_than=5)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("exclamation_mark")
        assert listing(app) == ("Alerts", "No alert is standing.")
        clock.advance(6)
        app._tick()
        await pilot.press("exclamation_mark")
        title, text = listing(app)
        assert title == f"{ALERTS_LISTED + 2} alerts standing"
        assert len(text.splitlines()) == ALERTS_LISTED + 1 and text.endswith("… and 2 more.")
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
    sim: Simulator, clock: Clock, alert_app: Callable[..., CallTuiApp]
) -> None:
    sid = sim.add_call(status="ringing")["sid"]
    app = alert_app(waiting_longer_than=10)
    async with app.run_test(size=SIZE) as pilot:
        clock.advance(11)
        await first_poll(app, pilot)
        assert len(alert_notices(app)) == 1
        await pilot.press("v")
        await until(pilot, lambda: app.polls_completed > 1, "the recent view")
        sim.faults.add("latency", seconds=0.5, times=1, path_contains="Status=queued")
        await pilot.press("v")  # back to the live calls: their first poll is slow
        app._tick()  # the clock ticks while the table is still empty
        await until(pilot, lambda: app.polls_completed > 2, "the active view")
        assert app.table.alert_sids == {sid} and len(alert_notices(app)) == 1
