"""The app when the ground moves: the audit log stops accepting writes, SIGTERM or SIGHUP arrives with
actions waiting in their grace window and a recording running, and an earlier session left requests
without an answer."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import weakref
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from audit_helpers import all_lines, audit_lines
from rich.cells import cached_cell_len
from sim_helpers import Clock
from textual.widgets._footer import FooterKey
from uihelpers import first_poll, table_text, until

from calltui.monitor.recording import Recording, SqliteRecorder
from calltui.monitor.skew import TwilioClock
from calltui.monitor.unanswered import Unanswered
from calltui.simulator import Simulator
from calltui.ui.app import CallTuiApp
from calltui.ui.screens.details import DetailsScreen
from calltui.ui.screens.hangup import HangupScreen
from calltui.ui.widgets.footer import PinnedFooter

SIZE = (120, 30)
NARROW = (80, 24)


def header(app: CallTuiApp) -> str:
    return str(app.query_one("#status").render())


def notices(app: CallTuiApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


def posts(sim: Simulator) -> int:
    return sum(1 for r in sim.requests if r.method == "POST")


async def test_an_unwritable_audit_log_refuses_actions_the_table_keeps_working_and_it_recovers(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sid = sim.add_call()["sid"]
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await first_poll(app, pilot)
        (tmp_path / "audit.jsonl").chmod(0o400)  # made read-only under the running app
        app._probe_audit()
        await until(pilot, lambda: app.audit_problem is not None, "the audit log found failing")
        assert "read-only" in notices(app)
        await pilot.pause()
        assert "AUDIT LOG FAILING" in header(app) and "actions refused" in header(app)  # at 80 columns
        await pilot.press("h")
        assert not isinstance(app.screen, HangupScreen) and "Action refused" in [
            n.title for n in app._notifications
        ]
        newer = sim.add_call()["sid"]
        polls = app.polls_completed
        await pilot.press("ctrl+r")
        await until(pilot, lambda: app.polls_completed > polls, "a poll")
        assert app.table.get_call(newer) is not None  # the table keeps working
        (tmp_path / "audit.jsonl").chmod(0o600)
        app._probe_audit()
        await until(pilot, lambda: app.audit_problem is None, "the audit log writable again")
        assert "accepts writes again" in notices(app)
        await pilot.pause()
        assert "AUDIT LOG" not in header(app)
        app.table.move_cursor_to(sid)
        await pilot.press("h", "y")
        await until(pilot, lambda: posts(sim) == 1, "the hang-up")
    kinds = [(line["kind"], line["action"]) for line in all_lines(tmp_path)]
    assert kinds[0] == ("event", "audit-log-resumed") and kinds[1:] == [
        ("intent", "hangup"),
        ("outcome", "hangup"),
    ]


async def test_a_hang_up_confirmed_as_the_log_fails_is_not_sent_and_says_why(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sim.add_call()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("h")
        assert isinstance(app.screen, HangupScreen)
        (tmp_path / "audit.jsonl").chmod(0o400)  # between the dialog and the confirmation
        await pilot.press("y")
        await until(pilot, lambda: "Not sent: the audit log cannot be written" in notices(app), "the refusal")
        assert posts(sim) == 0
        assert app.audit_problem == "the audit log was made read-only"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
async def test_sigterm_and_sighup_cancel_what_waits_audit_it_and_close_the_recording(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path, signum: int
) -> None:
    sid = sim.add_call()["sid"]
    recorder = SqliteRecorder(tmp_path / "session.sqlite", account_sid=sim.account_sid, interval=2, linger=5)
    recorder.open()
    app = make_app(grace=60, recorder=recorder)  # the test clock stands still: the hang-up keeps waiting
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("h", "y")
        assert app.session.grace.pending
        loop = asyncio.get_running_loop()
        assert signum in loop._signal_handlers  # type: ignore[attr-defined]  # else the signal kills pytest
        os.kill(os.getpid(), signum)
        for _ in range(500):  # bounded; not the pilot's pause, which waits on an app that is closing
            if app.return_code is not None:
                break
            await asyncio.sleep(0.01)
    assert app.return_code == 128 + signum
    assert posts(sim) == 0 and not app.session.grace.pending
    [line] = audit_lines(tmp_path)
    assert (line["call_sid"], line["outcome"]) == (sid, "canceled")
    assert signal.Signals(signum).name in line["error"] and "nothing was sent" in line["error"]
    with Recording.open(tmp_path / "session.sqlite") as recording:  # flushed and closed
        assert [(a.call_sid, a.outcome) for a in recording.actions] == [(sid, "canceled")]
    assert signum not in asyncio.get_running_loop()._signal_handlers  # type: ignore[attr-defined]


async def test_an_earlier_sessions_unanswered_request_shows_as_unknown_in_details(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp]
) -> None:
    sid = sim.add_call()["sid"]
    earlier = Unanswered("s-1", clock(), sim.account_sid, sid, "hangup", {"Status": "completed"})
    app = make_app(unanswered=[earlier])
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        app.table.move_cursor_to(sid)
        await pilot.press("enter")
        assert isinstance(app.screen, DetailsScreen)
        notes = dict(app.session.safety_notes(sid))
        [(_label, text)] = [(k, v) for k, v in notes.items() if k.startswith("hangup at")]
        assert text.startswith("unknown: calltui stopped before Twilio answered")


async def test_durations_and_the_header_follow_twilios_clock_when_the_local_one_is_off(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp]
) -> None:
    sid = sim.add_call()["sid"]
    clock.advance(60)  # on Twilio's clock the call is a minute old
    laptop = TwilioClock(lambda: clock() + timedelta(minutes=3))  # a laptop three minutes fast
    app = make_app(clock=laptop, on_date=laptop.observe)
    async with app.run_test(size=NARROW) as pilot:
        await first_poll(app, pilot)
        app._tick()
        await pilot.pause()
        assert "clock +3:00" in header(app)
        assert app.table.get_call(sid).elapsed(app.clock()) in (59, 60, 61)  # type: ignore[union-attr]
        assert "1:00" in table_text(app) or "0:59" in table_text(app) or "1:01" in table_text(app)
        assert "4:00" not in table_text(app)


async def test_back_from_ctrl_z_the_screen_is_redrawn_and_a_poll_catches_up(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp]
) -> None:
    """`fg` after ctrl+z: Textual's driver publishes the resume signal (checked by hand in tmux: the
    README says how); here the app's answer to it."""
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await first_poll(app, pilot)
        assert any(b.key == "ctrl+z" and b.action == "suspend_process" for b in app.BINDINGS)  # type: ignore[union-attr]
        arrived = sim.add_call()["sid"]  # while calltui was stopped
        polls = app.polls_completed
        app.app_resume_signal.publish(app)
        await until(pilot, lambda: app.polls_completed > polls, "the catch-up poll")
        await pilot.pause()
        assert app.table.get_call(arrived) is not None and arrived[:6] in table_text(app)


async def test_a_closed_dialog_leaves_nothing_it_rendered_behind(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    """Found by the soak bench: Textual keys a cache by each widget's styles cache (textual#6665), which
    kept every closed dialog's widgets' rendered lines alive."""
    sim.add_call()
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await first_poll(app, pilot)
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, HangupScreen), "the hang-up dialog")
        await pilot.pause()
        rendered = [weakref.ref(widget._styles_cache) for widget in app.screen.query("*")]
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, HangupScreen), "the dialog closed")
        await pilot.pause(1.2)  # the app's once-a-second tick
        gc.collect()
        assert [ref for ref in rendered if ref() is not None] == []


async def test_lines_measured_seconds_ago_are_not_kept(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    """Found by the soak bench: Rich's cell-length cache, which measures every line Textual paints, kept
    the last 4,096 lines (~1.5 MB once full), most of them rows whose call changed since."""
    sim.add_call()
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await first_poll(app, pilot)
        for n in range(2000):  # lines painted once, as a row's is before its duration ticks on
            cached_cell_len(f"CA{n:032x} │ in-progress │ +15551234567 │ 00:{n % 60:02}")
        assert cached_cell_len.cache_info().currsize >= 2000
        await pilot.pause(1.2)  # the app's once-a-second tick
        assert cached_cell_len.cache_info().currsize < 500  # what the screen measured since


async def test_dialogs_opened_and_closed_leave_no_footer_keys_behind(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    """Found by the soak bench: each screen pushed or popped recomposes the footer, and Textual kept the
    removed keys alive through their binding to the footer."""
    sim.add_call()
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await first_poll(app, pilot)
        footer = app.query_one(PinnedFooter)
        for _ in range(5):
            await pilot.press("h")
            await pilot.press("escape")
        await pilot.pause()
        bound = [node for node, _ in getattr(footer, "__watchers", {}).get("compact", [])]
        assert len(bound) <= len(footer.query(FooterKey)) and all(node.is_attached for node in bound)
