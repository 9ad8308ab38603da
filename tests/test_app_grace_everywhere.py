"""The grace window from every screen: the countdown shows and `u` takes the action back wherever the
engineer is; at the end of the window a call the latest poll shows ended is not sent."""

from __future__ import annotations

from collections.abc import Callable

from audit_helpers import audit_lines
from sim_helpers import Clock, posts
from uihelpers import first_poll, hang_up_while, screen_lines, until

from calltui.simulator import Simulator
from calltui.ui.app import CallTuiApp
from calltui.ui.screens.details import DetailsScreen
from calltui.ui.screens.help import HelpScreen

SMALL = (80, 24)


def notices(app: CallTuiApp) -> list[str]:
    return [str(notice.message) for notice in app._notifications]


async def test_u_takes_a_hang_up_back_from_the_details_and_the_help(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp]
) -> None:
    sim.add_call()
    app = make_app(grace=5)
    async with app.run_test(size=SMALL) as pilot:
        await first_poll(app, pilot)
        for screen, keys in ((DetailsScreen, ("enter",)), (HelpScreen, ("question_mark",))):
            await pilot.press("h", "y", *keys)
            assert isinstance(app.screen, screen)
            app._safety_tick()
            await pilot.pause()
            assert any("press u to cancel" in line for line in screen_lines(app)), screen_lines(app)
            await pilot.press("u")
            assert not app.session.grace.pending
            assert any("Canceled, nothing sent" in n for n in notices(app))
            await pilot.press("escape")
            assert app.screen is app.screen_stack[0]
        clock.advance(10)
        app._safety_tick()
        await pilot.pause()
        assert posts(sim) == []


async def test_a_call_that_ended_in_its_grace_window_is_not_sent_and_is_audited_as_skipped(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path
) -> None:
    sid = sim.add_call(status="ringing")["sid"]
    app = make_app(grace=5)
    async with app.run_test(size=SMALL) as pilot:
        # The latest poll before the window ends shows the call ended.
        await hang_up_while(app, pilot, clock.advance, lambda: sim.end_call(sid, "no-answer"))
        await until(pilot, lambda: any("Not sent" in n for n in notices(app)), "the skip")
        assert posts(sim) == []
        [skip] = [n for n in notices(app) if "Not sent" in n]
        assert "it ended (no-answer)" in skip
        await until(pilot, lambda: audit_lines(tmp_path)[-1:] != [], "the audit line")
        last = audit_lines(tmp_path)[-1]
        assert last["outcome"] == "skipped-call-ended" and last["call_sid"] == sid


async def test_a_21220_on_a_hang_up_says_what_calltui_tried(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sid = sim.add_call()["sid"]
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await first_poll(app, pilot)
        sim.end_call(sid)  # ended after the last poll: the table still shows it live
        await pilot.press("h", "y")
        await until(pilot, lambda: any("21220" in n for n in notices(app)), "Twilio's refusal")
        [failed] = [n for n in app._notifications if "21220" in str(n.message)]
        assert str(failed.message).startswith("The call had already ended: the hang-up was not applied.")
        assert "hang-up" in failed.title and "redirect" not in failed.title.lower()
