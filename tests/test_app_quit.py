"""`q` with confirmed actions still waiting in their grace window: calltui asks to send them now, cancel
them or stay, and never drops them silently. At 80x24, every line and key of the dialog visible."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from audit_helpers import audit_lines
from sim_helpers import Clock, posts
from uihelpers import first_poll, screen_lines

from calltui.simulator import Simulator
from calltui.ui.app import CallTuiApp
from calltui.ui.pending import Pending
from calltui.ui.screens.quit import QuitScreen

NARROW = (80, 24)


async def closed(app: CallTuiApp) -> None:
    for _ in range(500):  # bounded; not the pilot's pause, which waits on an app that is closing
        if app.return_code is not None:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("calltui did not exit")


async def test_q_with_an_action_waiting_asks_and_stay_keeps_it_waiting(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sim.add_call()
    app = make_app(grace=60)  # the test clock stands still: the hang-up keeps waiting
    async with app.run_test(size=NARROW) as pilot:
        await first_poll(app, pilot)
        await pilot.press("h", "y")
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, QuitScreen) and app.return_code is None
        text = "\n".join(screen_lines(app))
        for part in ("QUIT WITH ACTIONS PENDING", "1 hang-up is waiting in the grace", "s sends", "n stays"):
            assert part in text, part
        for key in ("Stay (n)", "Cancel (c)", "Send now (s)"):
            assert key in text, key
        await pilot.press("n")
        await pilot.pause()
        assert not isinstance(app.screen, QuitScreen) and app.return_code is None
        assert app.session.grace.pending and posts(sim) == []
        assert audit_lines(tmp_path) == []


async def hang_up_then_quit(app: CallTuiApp, key: str) -> None:
    """Confirm a hang-up (it waits: the clock stands still), press `q`, answer `key`, wait for the exit."""
    async with app.run_test(size=NARROW) as pilot:
        await first_poll(app, pilot)
        await pilot.press("h", "y")
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, QuitScreen)
        await pilot.press(key)
        await closed(app)


async def test_q_then_c_cancels_what_waits_audits_it_and_quits_with_nothing_sent(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sid = sim.add_call()["sid"]
    await hang_up_then_quit(make_app(grace=60), "c")
    assert posts(sim) == []
    [line] = audit_lines(tmp_path)
    assert (line["call_sid"], line["outcome"]) == (sid, "canceled")
    assert "quit" in line["error"] and "nothing was sent" in line["error"]


async def test_q_then_s_sends_what_waits_once_audits_it_and_quits(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sid = sim.add_call()["sid"]
    await hang_up_then_quit(make_app(grace=60), "s")
    [post] = posts(sim)
    assert sid in post.path
    [line] = audit_lines(tmp_path)
    assert (line["call_sid"], line["outcome"]) == (sid, "ok")


async def test_q_with_nothing_pending_quits_at_once(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp]
) -> None:
    sim.add_call()
    app = make_app(grace=60)
    async with app.run_test(size=NARROW) as pilot:
        await first_poll(app, pilot)
        await pilot.press("q")
        await closed(app)
    assert posts(sim) == []


def test_the_dialog_counts_in_words_singular_and_plural() -> None:
    assert Pending(waiting=("hang-up",)).lines() == ["1 hang-up is waiting in the grace window."]
    assert Pending(waiting=("redirect", "hang-up", "hang-up"), run=1, going=1, sending=True).lines() == [
        "2 hang-ups, 1 redirect and a bulk run of 1 call are waiting in the grace window.",
        "1 request in flight: calltui waits for its answer.",
        "A bulk run is sending: calltui waits for it to finish.",
    ]
    assert Pending(going=2).lines() == ["2 requests in flight: calltui waits for their answers."]
    assert not Pending() and Pending().lines()[0].startswith("Nothing is pending any more")
