"""Record a live session against the simulator through the UI, then play it back in the replay app."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import ACCOUNT_SID, FROZEN_NOW
from recording_helpers import Session as RecordingSession
from recording_helpers import sid as recorded_sid
from rich.console import Console
from sim_helpers import Clock, posts
from textual.pilot import Pilot
from textual.widget import Widget
from uihelpers import first_poll, help_text, poll, run_command, until

from calltui.domain.call import Call
from calltui.domain.errors import CallNotLive
from calltui.monitor.activity import Sample
from calltui.monitor.recording import PollMark, Recording, SqliteRecorder
from calltui.monitor.recording.format import DIFF, KEYFRAME, NO_DATA
from calltui.monitor.verify import Verdict
from calltui.simulator import Simulator
from calltui.ui.app import CallTuiApp
from calltui.ui.describe import short_sid
from calltui.ui.replay import timeline
from calltui.ui.replay.action_list import ActionList, action_lines
from calltui.ui.replay.app import ReplayApp, activity
from calltui.ui.replay.timeline import MARKER, ActionTimeline
from calltui.ui.screens.hangup import HangupScreen
from calltui.ui.screens.help import HelpScreen
from calltui.ui.widgets.call_rows import RowModel

SIZE = (120, 30)
SMALL = (80, 24)
UNREACHABLE = "http://127.0.0.1:9/twiml.xml"  # the discard port: nothing listens, the fetch fails at once


class FakeTime:
    """Real time for the replay's playing, moved by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def recorded(
    sim: Simulator, clock: Clock, tmp_path: Path, make_app: Callable[..., CallTuiApp]
) -> dict[str, str]:
    """Four polls: 3 calls (t+0); a 4th arrives (t+2); one ends (t+4); one is hung up with `h` (t+6,
    no poll); poll (t+8). Returns the SIDs by role."""
    recorder = SqliteRecorder(tmp_path / "rec.db", account_sid=ACCOUNT_SID, interval=2.0, linger=5.0)
    recorder.open()
    calls = {
        name: sim.add_call(status="in-progress", from_=f"+1555000000{i}")["sid"]
        for i, name in enumerate("abc")
    }
    app = make_app(recorder=recorder)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)  # t+0: a b c
        clock.advance(2)
        calls["d"] = sim.add_call(status="ringing", from_="+15550000009")["sid"]
        await poll(app, pilot)  # t+2: a b c d
        clock.advance(2)
        sim.end_call(calls["a"])
        await poll(app, pilot)  # t+4: b c d
        clock.advance(2)
        assert app.table.move_cursor_to(calls["b"])
        await pilot.press("h")
        assert isinstance(app.screen, HangupScreen)
        await pilot.press("y")  # t+6: b hung up
        # The intent is written before the request leaves: wait for the outcome, or the poll below
        # could run before the hang-up is answered (and the outcome be recorded after it).
        audit = tmp_path / "audit.jsonl"
        await until(pilot, lambda: '"kind":"outcome"' in audit.read_text(), "the hang-up's outcome")
        clock.advance(2)
        await poll(app, pilot)  # t+8: c d
    return calls


async def press(app: ReplayApp, pilot: Pilot, *keys: str) -> None:
    """Press `keys`, then wait for the calls of the poll they moved to (read in a thread)."""
    await pilot.press(*keys)
    await loaded(app, pilot)


async def loaded(app: ReplayApp, pilot: Pilot) -> None:
    await until(pilot, lambda: not app.loading, "the poll's calls")
    await pilot.pause()


def visible(app: ReplayApp) -> set[str]:
    """The calls the table shows as live (lingering rows left out)."""
    table = app.table
    return {sid for sid in table.visible_sids if not table.lingering(sid)}


async def test_a_recorded_session_plays_back_with_pause_seek_speed_and_actions(
    recorded: dict[str, str], tmp_path: Path
) -> None:
    a, b, c, d = (recorded[k] for k in "abcd")
    audit = json.loads((tmp_path / "audit.jsonl").read_text().splitlines()[0])
    fake = FakeTime()
    with Recording.open(tmp_path / "rec.db") as recording:
        assert len(recording.polls) == 4
        # The hang-up's proof of effect may follow it as a `verify` row, depending on when the poll saw b go.
        [action] = [action for action in recording.actions if action.action != "verify"]
        assert (action.call_sid, action.action, action.outcome) == (b, "hangup", "ok")
        assert action.parameters == audit["parameters"] == {"Status": "completed"}
        assert action.at.isoformat() == audit["time"]

        app = ReplayApp(recording, autoplay=False, monotonic=fake)
        async with app.run_test(size=SIZE) as pilot:
            await loaded(app, pilot)
            assert app.playhead.paused and app.playhead.moment == FROZEN_NOW
            assert visible(app) == {a, b, c}
            assert "3 in-progress" in str(app.query_one("#status").render())

            await press(app, pilot, "full_stop")  # next poll
            assert app.playhead.index == 1 and visible(app) == {a, b, c, d}
            await press(app, pilot, "full_stop")  # a ended: it lingers, dimmed, as it did live
            assert visible(app) == {b, c, d} and app.table.lingering(a)
            await press(app, pilot, "comma")  # previous poll
            assert app.playhead.index == 1 and visible(app) == {a, b, c, d}

            await press(app, pilot, "end")
            assert app.playhead.index == 3 and visible(app) == {c, d}
            await press(app, pilot, "home")
            assert app.playhead.index == 0 and visible(app) == {a, b, c}
            await press(app, pilot, "right")  # +10 s: past the end, so the end
            assert app.playhead.at_end and visible(app) == {c, d}
            await press(app, pilot, "left")
            assert app.playhead.index == 0 and visible(app) == {a, b, c}
            assert "No actions yet; 1 later" in str(app.query_one("#actions").render())

            # Paused: real time passing moves nothing.
            fake.now += 5
            app.play_on()
            await loaded(app, pilot)
            assert app.playhead.index == 0

            await press(app, pilot, "space")  # play at 1x
            assert not app.playhead.paused
            fake.now += 3
            app.play_on()
            await loaded(app, pilot)
            assert app.playhead.moment.timestamp() == FROZEN_NOW.timestamp() + 3
            assert app.playhead.index == 1 and visible(app) == {a, b, c, d}

            await press(app, pilot, "plus")  # 2x: one more real second is two recorded ones
            fake.now += 1.5
            app.play_on()
            await loaded(app, pilot)
            assert app.playhead.moment.timestamp() == FROZEN_NOW.timestamp() + 6
            assert app.playhead.index == 2 and visible(app) == {b, c, d}
            # Told by the action list alone: a notification for it covered the timeline's counts at 80x24.
            assert f"hangup   {b[:6]}…{b[-4:]} ok" in str(app.query_one("#actions").render())
            assert list(app._notifications) == []

            fake.now += 10  # past the end: it stops there, paused
            app.play_on()
            await loaded(app, pilot)
            assert app.playhead.at_end and app.playhead.paused and visible(app) == {c, d}
            await press(app, pilot, "space")  # playing again from the end starts over
            assert app.playhead.index == 0 and not app.playhead.paused
            await press(app, pilot, "space")
            assert app.playhead.paused


async def test_calls_are_read_off_the_event_loop_and_keys_work_meanwhile(
    recorded: dict[str, str], tmp_path: Path
) -> None:
    """A read stuck on a slow disk: the keys still move the playhead, the timeline says it is loading,
    and once the read ends the table catches up with the newest move."""
    c, d = recorded["c"], recorded["d"]
    disk = threading.Event()
    readers: list[threading.Thread] = []

    class SlowRecording(Recording):
        def snapshot(self, index: int) -> dict[str, Call]:
            readers.append(threading.current_thread())
            assert disk.wait(10)
            return super().snapshot(index)

    with SlowRecording.open(tmp_path / "rec.db") as recording:
        app = ReplayApp(recording, autoplay=False, monotonic=FakeTime())
        async with app.run_test(size=SIZE) as pilot:
            try:
                await until(pilot, lambda: bool(readers), "the first read")
                await pilot.press("full_stop", "end", "plus")  # answered while the read is stuck
                assert app.playhead.at_end and app.playhead.speed == 2.0 and app.loading
                # Textual's own `loading` covered the timeline with a spinner: it was never seen to say so.
                timeline = app.query_one("#timeline")
                assert timeline.size.width == SIZE[0] - 2 and timeline.size.height == 3
                assert "poll 4 of 4 loading…" in str(timeline.render())
                assert visible(app) == set()
            finally:
                disk.set()
            await loaded(app, pilot)
            assert visible(app) == {c, d} and "loading" not in str(app.query_one("#timeline").render())
    assert readers == [readers[0]] and readers[0] is not threading.main_thread()


async def test_a_seek_sorts_the_calls_off_the_loop_and_ticks_keep_the_timeline(
    recorded: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seeking rebuilds the rows in the reading thread (the loop only swaps them in); playing ticks reuse
    the action markers and the action list rather than working them out again."""
    c, d = recorded["c"], recorded["d"]
    sorted_on: list[threading.Thread] = []
    markers: list[int] = []
    set_calls, marker_line = RowModel.set_calls, timeline.marker_line

    def watched_set_calls(rows: RowModel, *args, **kwargs):  # type: ignore[no-untyped-def]
        sorted_on.append(threading.current_thread())
        return set_calls(rows, *args, **kwargs)

    def watched_markers(*args, **kwargs):  # type: ignore[no-untyped-def]
        markers.append(1)
        return marker_line(*args, **kwargs)

    monkeypatch.setattr(RowModel, "set_calls", watched_set_calls)
    monkeypatch.setattr(timeline, "marker_line", watched_markers)
    fake = FakeTime()
    with Recording.open(tmp_path / "rec.db") as recording:
        app = ReplayApp(recording, autoplay=False, monotonic=fake)
        async with app.run_test(size=SIZE) as pilot:
            await loaded(app, pilot)
            await press(app, pilot, "end")
            assert visible(app) == {c, d}
            await press(app, pilot, "home", "s")  # sorted otherwise meanwhile: still the right rows
            await press(app, pilot, "end")
            assert visible(app) == {c, d} and app.table.sort_column != "started"
            await press(app, pilot, "space")
            for _ in range(5):
                fake.now += 0.5
                app.play_on()
                await pilot.pause()
    assert sorted_on and threading.main_thread() not in sorted_on
    assert len(markers) == 1  # one width, one marker line


async def test_a_damaged_poll_stops_the_replay_once(recorded: dict[str, str], tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "rec.db")
    db.execute("UPDATE polls SET data = x'00' WHERE seq = 2")
    db.commit()
    db.close()
    a, b, c, d = (recorded[k] for k in "abcd")
    with Recording.open(tmp_path / "rec.db") as recording:
        app = ReplayApp(recording, autoplay=False, monotonic=FakeTime())
        async with app.run_test(size=SIZE) as pilot:
            await loaded(app, pilot)
            await press(app, pilot, "space", "full_stop", "full_stop")
            await pilot.pause(0.1)  # time enough to see a read retried in a loop
            notes = [str(n.message) for n in app._notifications]
            assert notes == ["damaged recording: poll data cannot be read (error)"]
            assert app.playhead.paused and app.playhead.index == 2
            assert visible(app) == {a, b, c, d}  # the last poll read, and the header tells of it
            assert "1 ringing  3 in-progress" in str(app.query_one("#status").render())


async def test_the_timeline_marks_the_action_and_failed_polls(
    recorded: dict[str, str], tmp_path: Path
) -> None:
    with Recording.open(tmp_path / "rec.db") as recording:
        app = ReplayApp(recording, autoplay=False, monotonic=FakeTime())
        async with app.run_test(size=SIZE) as pilot:
            await loaded(app, pilot)
            timeline = app.query_one("#timeline")
            lines = str(timeline.render()).split("\n")
            assert "PAUSED" in lines[0] and "poll 1 of 4" in lines[0] and "1 action" in lines[0]
            width = timeline.size.width
            # The hang-up at t+6 of an 8 s session sits three quarters along.
            assert lines[1].index(MARKER) == round(0.75 * (width - 1))
            assert lines[1].count(MARKER) == 1
            assert lines[2][0] == "●"
            await press(app, pilot, "end")
            lines = str(timeline.render()).split("\n")
            assert lines[2][-1] == "●" and "poll 4 of 4" in lines[0]


async def test_a_failed_poll_shows_stale_in_the_header(
    sim: Simulator, clock: Clock, tmp_path: Path, make_app: Callable[..., CallTuiApp]
) -> None:
    recorder = SqliteRecorder(tmp_path / "rec.db", account_sid=ACCOUNT_SID, interval=2.0, linger=5.0)
    recorder.open()
    sid = sim.add_call()["sid"]
    app = make_app(recorder=recorder)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        sim.faults.add("status", status=503, code=20503, message="Service Unavailable", times=1)
        clock.advance(2)
        await poll(app, pilot)
        assert app.session.poller.state.error is not None
    with Recording.open(tmp_path / "rec.db") as recording:
        assert [mark.error is None for mark in recording.polls] == [True, False]
        app = ReplayApp(recording, autoplay=False, monotonic=FakeTime())
        async with app.run_test(size=SIZE) as pilot:
            await press(app, pilot, "full_stop")
            header = str(app.query_one("#status").render())
            assert "STALE" in header and "Service Unavailable" in header
            assert visible(app) == {sid}  # the table keeps the last good poll


async def test_keys_are_in_the_help_screen_and_the_palette(recorded: dict[str, str], tmp_path: Path) -> None:
    with Recording.open(tmp_path / "rec.db") as recording:
        app = ReplayApp(recording, autoplay=False, monotonic=FakeTime())
        async with app.run_test(size=SIZE) as pilot:
            commands = {command.title for command in app.get_system_commands(app.screen)}
            assert {"Play/Pause", "+10 s", "-10 s", "Next poll", "Previous poll", "Start", "End"} <= commands
            assert {"Faster", "Slower"} <= commands
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            keys = dict(app.key_help())
            assert keys["space"] == "Play/Pause" and keys[", / shift+←"] == "Previous poll"
            assert keys["+ / ="] == "Faster" and keys["home"] == "Start"
            await pilot.press("right")  # under the help screen the arrows do not seek
            assert app.playhead.index == 0
            await pilot.press("escape")
            await pilot.press("right")
            assert app.playhead.at_end


async def test_the_palette_and_help_work_in_the_replay_as_typed(
    recorded: dict[str, str], tmp_path: Path
) -> None:
    with Recording.open(tmp_path / "rec.db") as recording:
        app = ReplayApp(recording, autoplay=False, monotonic=FakeTime())
        async with app.run_test(size=SIZE) as pilot:
            await run_command(pilot, "Next poll")
            assert app.playhead.index == 1
            await run_command(pilot, "End")
            assert app.playhead.at_end
            await run_command(pilot, "Keys")
            assert isinstance(app.screen, HelpScreen)
            shown = help_text(app)
            assert "Play/Pause" in shown and ", / shift+←" in shown and "Command palette" in shown
            assert "Replaying" in shown and "4 polls" in shown and "1 action." in shown


async def test_a_recorder_problem_is_shown_once(make_app: Callable[..., CallTuiApp]) -> None:
    class Broken:
        """A recorder whose disk filled up: the app must say so, and once."""

        def __init__(self) -> None:
            self.path = Path("/full/disk/session.db")
            self.problem: str | None = "the recording stopped: database or disk is full"
            self.polls = 0

        def poll(self, result, now, view) -> None:  # type: ignore[no-untyped-def]
            self.polls += 1

        def action(self, outcome, now) -> None:  # type: ignore[no-untyped-def]
            pass

        def verdict(self, verdict, now) -> None:  # type: ignore[no-untyped-def]
            pass

        def take_problem(self) -> str | None:
            problem, self.problem = self.problem, None
            return problem

        def close(self) -> None:
            pass

    broken = Broken()
    app = make_app(recorder=broken)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await poll(app, pilot)
        notes = [str(n.message) for n in app._notifications]
        assert notes.count("the recording stopped: database or disk is full") == 1
        assert broken.polls == 2


def test_the_sparkline_takes_good_polls_of_the_active_view_up_to_the_playhead() -> None:
    t0 = FROZEN_NOW
    marks = [
        PollMark(t0, "active", None, KEYFRAME, 3),
        PollMark(t0 + timedelta(seconds=2), "active", "HTTP 503", NO_DATA, None),
        PollMark(t0 + timedelta(seconds=4), "recent", None, KEYFRAME, 0),
        PollMark(t0 + timedelta(seconds=6), "active", None, KEYFRAME, 5),
        PollMark(t0 + timedelta(seconds=8), "active", None, DIFF, 7),
    ]
    assert [s.active for s in activity(marks, 3)] == [3, 5]
    assert [s.active for s in activity(marks, 4)] == [3, 5, 7]
    assert [s.active for s in activity(marks, 4, size=2)] == [5, 7]
    assert activity(marks, 2) == (Sample(t0, 3),)


def screen_lines(widget: Widget) -> list[str]:
    """What `widget` shows on screen, line by line (cut where the screen cuts it)."""
    return [widget.render_line(y).text.rstrip() for y in range(widget.size.height)]


async def concluded(
    app: CallTuiApp, pilot: Pilot, clock: Clock, sid: str, *, after: float, badge: str
) -> None:
    """Let the check of the action on `sid` run `after` seconds on, and wait for its verdict (`badge`)."""
    await until(pilot, lambda: app.table.badge(sid) == "…", "the check to start")
    clock.advance(after)
    app._safety_tick()
    await until(pilot, lambda: app.table.badge(sid) == badge, "the verdict")


async def test_the_replay_shows_each_actions_proof_of_effect_beside_it_at_80x24(
    sim: Simulator, clock: Clock, tmp_path: Path, make_app: Callable[..., CallTuiApp]
) -> None:
    """Recorded live: a hang-up verified, then a redirect whose URL fails (11200). The replay lists each
    action with its verdict once the playhead has passed the verdict, and counts only the actions."""
    recorder = SqliteRecorder(tmp_path / "rec.db", account_sid=ACCOUNT_SID, interval=2.0, linger=5.0)
    recorder.open()
    ended = sim.add_call(status="in-progress", from_="+15550000001")["sid"]
    clock.advance(1)
    moved = sim.add_call(status="in-progress", from_="+15550000002")["sid"]
    app = make_app(recorder=recorder)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert app.table.move_cursor_to(ended)
        await pilot.press("h", "y")
        await concluded(app, pilot, clock, ended, after=2, badge="✓")
        clock.advance(2)
        await poll(app, pilot)
        assert app.table.move_cursor_to(moved)
        await pilot.press("r", *UNREACHABLE, "enter")
        await pilot.press("enter")  # plain http: confirm the warning
        await until(pilot, lambda: len(posts(sim)) == 2, "the redirect")
        await sim.settle()
        await concluded(app, pilot, clock, moved, after=10, badge="✗")
        clock.advance(2)
        await poll(app, pilot)
    recorder.close()

    with Recording.open(tmp_path / "rec.db") as recording:
        assert [(row.action, row.outcome) for row in recording.actions] == [
            ("hangup", "ok"),
            ("verify", "verified"),
            ("redirect", "ok"),
            ("verify", "not-verified"),
        ]
        replay = ReplayApp(recording, autoplay=False, monotonic=FakeTime())
        async with replay.run_test(size=SMALL) as pilot:
            await loaded(replay, pilot)
            actions = replay.query_one("#actions", ActionList)
            timeline = replay.query_one("#timeline")
            assert "2 actions" in str(timeline.render()).split("\n")[0]
            assert str(timeline.render()).split("\n")[1].count(MARKER) == 2
            replay.playhead.seek_by(1)  # the hang-up has gone out; its check has not answered yet
            replay._show()
            await loaded(replay, pilot)
            [line] = screen_lines(actions)[:1]
            assert "hangup" in line and "ok" in line and "verified" not in line
            await press(replay, pilot, "end")
            lines = screen_lines(actions)
            hangup = next(line for line in lines if "hangup" in line)
            redirect = next(line for line in lines if "redirect" in line)
            assert hangup.endswith(
                f"hangup   {ended[:6]}…{ended[-4:]} ok ✓ verified: call completed  Status=completed"
            )
            # The verdict whole; only the redirect's URL, after it, is cut at 80 columns.
            verdict = f"redirect {moved[:6]}…{moved[-4:]} ok ✗ not verified: 11200 HTTP retrieval failure"
            assert verdict in redirect and redirect.endswith(verdict + "…")
            assert len(lines) <= 4 and all(len(line) <= SMALL[0] for line in lines)


async def test_a_long_verdict_or_error_is_shown_whole_under_its_action_at_80x24(tmp_path: Path) -> None:
    """A verdict's reason past ~44 characters was cut at 80 columns (`…`), and an action's own error, after
    its parameters, sooner still: each now goes whole on the lines under its action, and the list keeps the
    newest actions that fit."""
    session = RecordingSession(tmp_path / "rec.db")
    one, two, three = recorded_sid(1), recorded_sid(2), recorded_sid(3)
    session.poll({})
    session.at(1)
    error = CallNotLive("Call is not in-progress. Cannot redirect. It ended before the request.", code=21220)
    session.act(one, "redirect", {"Url": "https://example.com/twiml/queue.xml"}, "failed", error=error)
    session.at(2)
    session.poll({})
    session.at(3)
    session.act(two, "hangup", {"Status": "completed"})
    session.at(4)
    session.recorder.verdict(Verdict(two, "hangup", True, "call completed"), session.now)
    session.at(5)
    session.act(three, "redirect", {"Url": "https://example.com/twiml/maintenance.xml", "Method": "POST"})
    session.at(6)
    reason = "11200 HTTP retrieval failure: https://example.com/twiml/maintenance.xml answered 502"
    session.recorder.verdict(Verdict(three, "redirect", False, reason, (11200,)), session.now)
    session.at(7)
    session.poll({})
    session.close()
    with Recording.open(tmp_path / "rec.db") as recording:
        replay = ReplayApp(recording, autoplay=False, monotonic=FakeTime())
        async with replay.run_test(size=SMALL) as pilot:
            actions = replay.query_one("#actions", ActionList)
            await press(replay, pilot, "end")
            at_end = screen_lines(actions)
            await press(replay, pilot, "home", "full_stop")  # the second poll: only the failed redirect
            failed = screen_lines(actions)
    assert all(len(line) <= SMALL[0] for line in at_end + failed), at_end + failed
    # At the end: the newest that fit, the newest last; each line under an action starts under its name.
    hangup, redirect, *under = at_end
    assert short_sid(two) in hangup and hangup.endswith("ok ✓ verified: call completed  Status=completed")
    assert short_sid(three) in redirect and redirect.endswith("…")  # beside it only its URL, cut
    assert len(under) == 2 and all(line.startswith(" " * 9) and line[9] != " " for line in under), under
    assert " ".join(line.strip() for line in under) == f"✗ not verified: {reason}"
    head, *under = (line for line in failed if line)
    assert short_sid(one) in head and "failed 21220" in head and under[0].startswith(" " * 9), failed
    said = " ".join(line.strip() for line in under)
    assert said == "Twilio 21220: Call is not in-progress. Cannot redirect. It ended before the request."


def test_a_verification_sits_beside_the_latest_action_it_verifies_literally(tmp_path: Path) -> None:
    """Matched by call and action; one that verifies no recorded action is left out; hostile text in a
    damaged recording is shown as written, control characters removed."""
    session = RecordingSession(tmp_path / "rec.db")
    one, two = recorded_sid(1), recorded_sid(2)
    session.poll({})
    session.at(1)
    session.act(one, "redirect", {"Url": "https://a.example/1"})
    session.at(2)
    session.act(one, "hangup", {"Status": "completed"})
    session.at(3)
    session.act(one, "redirect", {"Url": "https://a.example/2"})
    session.at(4)
    session.recorder.verdict(Verdict(one, "hangup", True, "call completed"), session.now)
    session.at(5)
    session.recorder.verdict(Verdict(two, "redirect", True, "no action recorded for it"), session.now)
    session.at(6)
    hostile = "[bold]11200[/bold] \x1b[31mfetch\x07 failed"
    session.recorder.verdict(Verdict(one, "redirect", False, hostile, (11200,)), session.now)
    session.close()
    with Recording.open(tmp_path / "rec.db") as recording:
        timeline = ActionTimeline(recording.actions)
    assert [a.action for a in timeline.actions] == ["redirect", "hangup", "redirect"] and len(timeline) == 3
    assert {index: row.outcome for index, row in timeline.verdicts.items()} == {
        1: "verified",
        2: "not-verified",
    }
    end = session.now.timestamp()
    text = action_lines(timeline, 3, 4, end, 200, Console())
    lines = text.plain.split("\n")
    assert "✓" not in lines[0] and "✗" not in lines[0]  # the first redirect: nothing verified it
    assert "hangup" in lines[1] and "✓ verified: call completed" in lines[1]
    assert "✗ not verified: [bold]11200[/bold] fetch failed" in lines[2]
    assert "\x1b" not in text.plain and "\x07" not in text.plain
    before = action_lines(
        timeline, 3, 4, end - 2.5, 200, Console()
    )  # at 3.5 s: the hang-up's verification not made yet
    assert "verified" not in before.plain
