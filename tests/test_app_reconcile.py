"""The running app while calls move between the reads of every poll: the table, the header's counts, the
alerts and `h` must not notice; a call that really ended shows how it ended."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sim_helpers import Clock
from uihelpers import first_poll, poll, record_alert_notices, table_text

from calltui.domain.call import ACTIVE_STATUSES
from calltui.simulator import Simulator
from calltui.ui.app import CallTuiApp
from calltui.ui.screens.hangup import HangupScreen
from calltui.userconfig import AlertRules, UserConfig

SIZE = (120, 30)


def notices(app: CallTuiApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


def header(app: CallTuiApp) -> str:
    return str(app.query_one("#status").render())


async def test_calls_answered_between_the_reads_of_every_poll_change_nothing_else(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    announced = record_alert_notices(monkeypatch)
    ringing = []
    for i in range(6):
        clock.advance(1)
        ringing.append(sim.add_call(status="ringing", from_=f"+1555000100{i}")["sid"])
    for _ in range(3):
        clock.advance(1)
        sim.add_call(status="in-progress", from_="+15550009999")
    app = make_app()
    app.user_config = UserConfig(alerts=AlertRules(calls_from_one_number=2))
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert "1 ALERT" in header(app)
        # Every ringing read waits for an in-progress read (at most 0.2 s), then its newest call is answered.
        sim.moves.add("ringing", "in-progress", after="in-progress", hold=0.2, times=None)
        for moved in range(1, 4):
            await poll(app, pilot)
            counts = app.table.counts_by_status()
            assert sum(counts.get(status, 0) for status in ACTIVE_STATUSES) == 9
            assert counts.get("in-progress") == 3 + moved
            assert not any(app.table.lingering(sid) for sid in app.table.visible_sids)
            assert app.session.activity.samples[-1].active == 9
            assert f"{3 + moved} in-progress" in header(app) and "1 ALERT" in header(app)
            assert announced and app.header_model.alerts == 1  # standing at every poll
        just_answered = ringing[-3]
        assert sim.call(just_answered)["status"] == "in-progress"  # type: ignore[index]
        assert app.table.move_cursor_to(just_answered)
        await pilot.press("h")
        assert isinstance(app.screen, HangupScreen)
        assert "has ended" not in notices(app)
        await pilot.press("escape")
    assert len(announced) == 1


async def test_calls_that_really_ended_show_their_final_status_and_the_header_counts_them(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp]
) -> None:
    unanswered = sim.add_call(status="ringing", from_="+15550001234")["sid"]
    talked = sim.add_call(status="in-progress", from_="+15550005678")["sid"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        clock.advance(25)
        sim.end_call(unanswered, "no-answer")
        sim.end_call(talked, "completed")
        clock.advance(3)  # the poll comes a little later: the row keeps the end's time, not the poll's
        await poll(app, pilot)
        for sid, status in ((unanswered, "no-answer"), (talked, "completed")):
            call = app.table.get_call(sid)
            assert call is not None and call.status == status and call.end_time is not None
            assert app.table.lingering(sid)
        rows = table_text(app).splitlines()
        assert next(row for row in rows if "+15550001234" in row).startswith("no-answer")
        row = next(row for row in rows if "+15550005678" in row)
        assert row.startswith("completed") and " 0:25 " in row
        assert "ended 1m 1 completed 1 no-answer" in header(app)  # at 120 columns, the short label
        await pilot.press("h")
        assert "has ended (no-answer)" in notices(app)  # the cursor stayed on the top row
        clock.advance(60)
        app._tick()
        await pilot.pause()
        assert "ended 1m" not in header(app)
