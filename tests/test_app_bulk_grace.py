"""A bulk run waits out the grace window like a single action: one countdown for the whole run, `u` takes
all of it back (from any screen), each call audited; calls that end during the countdown are skipped; the
quit dialog and a closing signal count and cancel a waiting run. At 80x24, where the bar and dialog show."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from audit_helpers import audit_lines, intent_lines
from sim_helpers import Clock, posts
from test_app_quit import closed
from textual.pilot import Pilot
from uihelpers import first_poll, nothing_sent, poll, screen_lines, until

from calltui.simulator import Simulator
from calltui.ui.app import CallTuiApp
from calltui.ui.screens.bulk_confirm import BulkConfirmScreen
from calltui.ui.screens.help import HelpScreen
from calltui.ui.screens.quit import QuitScreen

SMALL = (80, 24)


def add_calls(sim: Simulator, clock: Clock, n: int) -> list[str]:
    sids = []
    for _ in range(n):
        clock.advance(1)
        sids.append(sim.add_call(status="in-progress")["sid"])
    return sids


def notices(app: CallTuiApp) -> str:
    return "\n".join(f"{n.title}: {n.message}" for n in app._notifications)


def posted_sids(sim: Simulator) -> list[str]:
    return sorted(r.path.rsplit("/", 1)[-1].removesuffix(".json") for r in posts(sim))


def on_screen(app: CallTuiApp) -> str:
    return "\n".join(screen_lines(app))


async def bulk_hang_up(pilot: Pilot, count: int) -> None:
    """Mark every shown call, `h`, type the count, Enter: the run is confirmed."""
    app = pilot.app
    await pilot.press("a", "h")
    await until(pilot, lambda: isinstance(app.screen, BulkConfirmScreen), "the bulk confirm")
    await pilot.press(*str(count), "enter")
    await until(pilot, lambda: not isinstance(app.screen, BulkConfirmScreen), "the confirm to close")
    await pilot.pause()


@contextlib.asynccontextmanager
async def confirmed_run(app: CallTuiApp, count: int) -> AsyncIterator[Pilot]:
    """The app at 80x24 after its first poll, with a bulk hang-up of its `count` calls just confirmed."""
    async with app.run_test(size=SMALL) as pilot:
        await first_poll(app, pilot)
        await bulk_hang_up(pilot, count)
        yield pilot


async def test_a_bulk_run_waits_out_one_countdown_then_sends_each_call_once(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sids = add_calls(sim, clock, 4)
    app = make_app(grace=5)
    async with confirmed_run(app, 4) as pilot:
        app._safety_tick()
        await pilot.pause()
        [bar] = [line for line in screen_lines(app) if "Hanging up" in line]
        assert "Hanging up 4 calls in 5…" in bar and "press u to cancel the whole run" in bar
        clock.advance(4)  # one second left: still nothing sent, not even an intent
        app._safety_tick()
        await nothing_sent(pilot, sim)
        assert intent_lines(tmp_path) == [] and "in 1…" in on_screen(app)
        clock.advance(1)
        app._safety_tick()
        await until(pilot, lambda: ": done" in notices(app), "the bulk summary")
        assert "Hanging up" not in on_screen(app)
    assert posted_sids(sim) == sorted(sids)  # exactly one request per call
    assert sorted(line["request"] for line in intent_lines(tmp_path)) == sorted(
        line["request"] for line in audit_lines(tmp_path)
    )  # each request written ahead
    assert [line["outcome"] for line in audit_lines(tmp_path)] == ["ok"] * 4


async def test_u_cancels_the_whole_run_and_audits_each_call(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sids = add_calls(sim, clock, 3)
    app = make_app(grace=5)
    async with confirmed_run(app, 3) as pilot:
        await pilot.press("u")
        assert "Canceled, nothing sent: bulk hang-up of 3 calls" in notices(app)
        await until(pilot, lambda: len(audit_lines(tmp_path)) == 3, "three audit lines")
        clock.advance(10)
        app._safety_tick()
        await nothing_sent(pilot, sim)
        assert not app.session.bulk_running and not any(app.session.held(sid) for sid in sids)
        await pilot.press("a", "h")  # the calls are free again: a new run can be confirmed
        assert isinstance(app.screen, BulkConfirmScreen)
    lines = audit_lines(tmp_path)
    assert sorted(line["call_sid"] for line in lines) == sorted(sids)
    assert {line["outcome"] for line in lines} == {"canceled-by-user"} and intent_lines(tmp_path) == []


async def test_u_cancels_a_waiting_run_from_the_help_screen(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    add_calls(sim, clock, 2)
    app = make_app(grace=5)
    async with confirmed_run(app, 2) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        app._safety_tick()
        await pilot.pause()
        assert "Hanging up 2 calls in 5…" in on_screen(app)  # the countdown shows in front
        await pilot.press("u")
        assert isinstance(app.screen, HelpScreen)
        assert "Canceled, nothing sent: bulk hang-up of 2 calls" in notices(app)
        clock.advance(10)
        app._safety_tick()
        await nothing_sent(pilot, sim)
        await until(pilot, lambda: len(audit_lines(tmp_path)) == 2, "two audit lines")
    assert {line["outcome"] for line in audit_lines(tmp_path)} == {"canceled-by-user"}


async def test_a_call_that_ends_during_the_runs_countdown_is_skipped_and_audited(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    first, second, third = add_calls(sim, clock, 3)
    app = make_app(grace=5)
    async with confirmed_run(app, 3) as pilot:
        sim.end_call(second, "completed")
        await poll(app, pilot)  # the latest poll shows it ended
        clock.advance(6)
        app._safety_tick()
        await until(pilot, lambda: ": done" in notices(app), "the bulk summary")
        assert "Not sent to 1 of the 3 calls of the bulk hang-up: CA" in notices(app)
        assert "2 succeeded, 1 skipped" in notices(app)
        await until(pilot, lambda: len(audit_lines(tmp_path)) == 3, "three audit lines")
    assert posted_sids(sim) == sorted([first, third])
    outcomes = {line["call_sid"]: line["outcome"] for line in audit_lines(tmp_path)}
    assert outcomes == {first: "ok", second: "skipped-call-ended", third: "ok"}


async def test_a_run_whose_calls_all_ended_sends_nothing_and_frees_the_bulk_keys(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sids = add_calls(sim, clock, 2)
    app = make_app(grace=5)
    async with confirmed_run(app, 2) as pilot:
        for sid in sids:
            sim.end_call(sid, "completed")
        await poll(app, pilot)
        clock.advance(6)
        app._safety_tick()
        await until(pilot, lambda: "every one of them ended" in notices(app), "the skip")
        await until(pilot, lambda: len(audit_lines(tmp_path)) == 2, "two audit lines")
        assert not app.session.bulk_running
    assert posts(sim) == [] and {line["outcome"] for line in audit_lines(tmp_path)} == {"skipped-call-ended"}


async def test_the_quit_dialog_counts_a_waiting_run_and_follows_its_countdown(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp]
) -> None:
    lone, *marked = add_calls(sim, clock, 3)
    app = make_app(grace=5)
    async with app.run_test(size=SMALL) as pilot:
        await first_poll(app, pilot)
        app.table.move_cursor_to(lone)
        await pilot.press("h", "y")
        clock.advance(1)  # the single hang-up goes a second before the run
        await pilot.press("a", "h", "2", "enter")
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, QuitScreen)
        text = on_screen(app)
        assert "1 hang-up and a bulk run of 2 calls are waiting in the grace window." in text, text
        assert "action(s)" not in text
        clock.advance(10)  # both windows end while the dialog is open
        app._safety_tick()
        await until(pilot, lambda: len(posts(sim)) == 3, "the three hang-ups")
        await until(pilot, lambda: "Nothing is pending any more" in on_screen(app), "the dialog to follow")
        assert "waiting in the grace window" not in on_screen(app)
        await pilot.press("c")
        await closed(app)
    assert posted_sids(sim) == sorted([lone, *marked])


@pytest.mark.parametrize(
    ("close", "reason"), [("q", "quit"), (signal.SIGTERM, "SIGTERM"), (signal.SIGHUP, "SIGHUP")]
)
async def test_closing_cancels_a_waiting_run_and_audits_each_call(
    sim: Simulator,
    clock: Clock,
    make_app: Callable[..., CallTuiApp],
    tmp_path: Path,
    close: str | signal.Signals,
    reason: str,
) -> None:
    sids = add_calls(sim, clock, 2)
    app = make_app(grace=5)
    async with confirmed_run(app, 2) as pilot:
        if close == "q":
            await pilot.press("q")
            await pilot.pause()
            assert "A bulk run of 2 calls is waiting in the grace window." in on_screen(app)
            await pilot.press("c")
        else:
            assert close in asyncio.get_running_loop()._signal_handlers  # type: ignore[attr-defined]
            os.kill(os.getpid(), close)
        await closed(app)
    assert posts(sim) == []
    lines = audit_lines(tmp_path)
    assert sorted(line["call_sid"] for line in lines) == sorted(sids)
    assert all(line["outcome"] == "canceled" and reason in line["error"] for line in lines)


async def test_q_then_s_sends_a_waiting_run_now_each_call_once(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sids = add_calls(sim, clock, 3)
    app = make_app(grace=60)  # the test clock stands still: only "send now" lets it go
    async with confirmed_run(app, 3) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, QuitScreen)
        await pilot.press("s")
        await closed(app)
    assert posted_sids(sim) == sorted(sids)
    assert [line["outcome"] for line in audit_lines(tmp_path)] == ["ok"] * 3


async def test_a_dry_run_bulk_waits_too_and_marks_every_entry(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    add_calls(sim, clock, 2)
    app = make_app(grace=5, dry_run=True)
    async with confirmed_run(app, 2) as pilot:
        app._safety_tick()
        await pilot.pause()
        assert "DRY-RUN Hanging up 2 calls in 5…" in on_screen(app)
        assert intent_lines(tmp_path) == []
        clock.advance(5)
        app._safety_tick()
        await until(pilot, lambda: ": done" in notices(app), "the bulk summary")
    assert posts(sim) == []
    assert {line["outcome"] for line in audit_lines(tmp_path)} == {"dry-run"}
    intents = intent_lines(tmp_path)
    assert len(intents) == 2 and all(line["dry_run"] for line in intents)  # marked: nothing was sent
