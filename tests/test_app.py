"""The monitor driven like an engineer would: keys through the Pilot, calls in the simulator over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from audit_helpers import audit_lines
from sim_helpers import Clock, posts
from uihelpers import first_poll, help_text, nothing_sent, poll, run_command, until

from calltui.monitor.recording import SqliteRecorder
from calltui.simulator import Simulator
from calltui.ui import app as app_module
from calltui.ui.app import CallTuiApp
from calltui.ui.screens.details import DetailsScreen
from calltui.ui.screens.hangup import HangupScreen
from calltui.ui.screens.help import HelpScreen
from calltui.ui.screens.redirect import RedirectScreen

SIZE = (120, 30)


def notices(app: CallTuiApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


async def test_rows_appear_and_the_header_counts_them(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    a = sim.add_call(status="in-progress")["sid"]
    b = sim.add_call(status="ringing", direction="outbound-api")["sid"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert set(app.table.visible_sids) == {a, b}
        assert app.table.counts_by_status() == {"in-progress": 1, "ringing": 1}
        header = str(app.query_one("#status").render())
        assert "1 in-progress" in header and "1 ringing" in header and "updated" in header
        await until(pilot, lambda: "Test account" in str(app.query_one("#status").render()), "friendly name")


async def test_an_ended_call_is_dimmed_then_removed(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp]
) -> None:
    sid = sim.add_call()["sid"]
    other = sim.add_call()["sid"]
    app = make_app(linger=5.0)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        sim.end_call(sid)
        await poll(app, pilot)
        assert sid in app.table.visible_sids and app.table.lingering(sid)
        clock.advance(6)
        app._tick()
        assert app.table.visible_sids == [other]


async def test_a_new_call_appears_without_moving_the_cursor(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp]
) -> None:
    first = sim.add_call()["sid"]
    clock.advance(1)
    second = sim.add_call()["sid"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert app.table.visible_sids == [second, first]  # newest first, as Twilio lists them
        await pilot.press("down")
        assert app.table.highlighted_sid == first
        clock.advance(1)
        newest = sim.add_call()["sid"]
        await poll(app, pilot)
        assert app.table.visible_sids[0] == newest
        assert app.table.highlighted_sid == first


async def test_redirect_reaches_the_right_call_with_the_right_parameters(
    sim: Simulator, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sim.add_call()
    target = sim.add_call()["sid"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert app.table.move_cursor_to(target)
        await pilot.press("r")
        assert isinstance(app.screen, RedirectScreen)
        await pilot.press(*"https://example.com/maintenance.xml")
        await pilot.press("tab", "right", "enter")  # method: GET
        app.screen.query_one("#target").focus()
        await pilot.press("enter")
        await until(pilot, lambda: len(posts(sim)) == 1, "the redirect")
        request = posts(sim)[0]
        assert request.path.endswith(f"/Calls/{target}.json")
        assert request.form == {"Url": "https://example.com/maintenance.xml", "Method": "GET"}
        await until(pilot, lambda: (tmp_path / "audit.jsonl").stat().st_size > 0, "the audit entry")
        [entry] = audit_lines(tmp_path)
        assert entry["call_sid"] == target and entry["action"] == "redirect" and entry["outcome"] == "ok"
        assert entry["parameters"] == {"Url": "https://example.com/maintenance.xml", "Method": "GET"}
        assert "Redirected" in notices(app)
        assert app.history.items == ["https://example.com/maintenance.xml"]


async def test_inline_twiml_hangup_ends_the_call_and_the_row_shows_it_at_once(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sid = sim.add_call()["sid"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        polls = app.polls_completed
        await pilot.press("r", *"<Response><Hangup/></Response>", "enter")
        await until(pilot, lambda: app.table.lingering(sid), "the row to show the call ended")
        assert app.polls_completed == polls  # refreshed from the action's answer, not by a poll
        assert posts(sim)[0].form == {"Twiml": "<Response><Hangup/></Response>"}
        assert sim.call(sid)["status"] == "completed"


async def test_bad_redirect_input_is_explained_in_place_and_nothing_is_sent(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sim.add_call()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("r", *"/relative", "enter")
        assert isinstance(app.screen, RedirectScreen)
        assert "absolute" in str(app.screen.query_one("#redirect-message").render())
        await pilot.press(*(["backspace"] * 9), *"<Response><Say>", "enter")
        assert "well-formed" in str(app.screen.query_one("#redirect-message").render())
        await pilot.press("escape")
        assert not isinstance(app.screen, RedirectScreen)
        await nothing_sent(pilot, sim)


async def test_plain_http_warns_and_needs_a_second_enter(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sim.add_call()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("r", *"http://example.com/t", "enter")
        assert "unencrypted" in str(app.screen.query_one("#redirect-message").render())
        await nothing_sent(pilot, sim)
        await pilot.press("enter")
        await until(pilot, lambda: len(posts(sim)) == 1, "the redirect")


async def test_hangup_confirms_then_sends_completed_for_a_call_in_progress(
    sim: Simulator, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sid = sim.add_call(status="in-progress", from_="+15551230000", to="sip:desk@example.com")["sid"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("h")
        assert isinstance(app.screen, HangupScreen)
        dialog = str(app.screen.query_one("#hangup-call").render())
        assert "+15551230000 → sip:desk@example.com" in dialog and sid in dialog
        await pilot.press("y")
        await until(pilot, lambda: len(posts(sim)) == 1, "the hang-up")
        assert posts(sim)[0].form == {"Status": "completed"}
        assert posts(sim)[0].path.endswith(f"/Calls/{sid}.json")
        await until(pilot, lambda: app.table.lingering(sid), "the ended row")
        await until(pilot, lambda: len(audit_lines(tmp_path)) == 1, "the audit entry")
        assert audit_lines(tmp_path)[0]["parameters"] == {"Status": "completed"}


async def test_hangup_of_a_ringing_call_cancels_it_with_enter(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sid = sim.add_call(status="ringing")["sid"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("h", "enter")
        await until(pilot, lambda: len(posts(sim)) == 1, "the cancel")
        assert posts(sim)[0].form == {"Status": "canceled"}
        await until(pilot, lambda: sim.call(sid)["status"] == "canceled", "the simulator to cancel it")


async def test_cancel_sends_nothing(
    sim: Simulator, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sim.add_call()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("h", "n")
        await pilot.press("h", "escape")
        await pilot.press("r", *"https://example.com/x", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, HangupScreen | RedirectScreen)
        await nothing_sent(pilot, sim)
        assert (tmp_path / "audit.jsonl").read_text() == ""


async def test_a_twilio_error_is_shown_audited_and_the_app_carries_on(
    sim: Simulator, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sid = sim.add_call()["sid"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        sim.end_call(sid)  # the far end hung up; the table does not know yet
        await pilot.press("h", "y")
        await until(pilot, lambda: "21220" in notices(app), "the error notification")
        assert "Call is not in-progress" in notices(app)
        assert "https://www.twilio.com/docs/errors/21220" in notices(app)
        await until(pilot, lambda: len(audit_lines(tmp_path)) == 1, "the audit entry")
        entry = audit_lines(tmp_path)[0]
        assert entry["outcome"] == "failed" and entry["error_code"] == 21220
        await until(pilot, lambda: app.table.lingering(sid), "the row refetched as ended")
        await poll(app, pilot)
        assert app.is_running


async def test_a_second_press_while_an_action_is_in_flight_sends_nothing_more(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sim.add_call()
    sim.faults.add("latency", method="POST", seconds=0.5)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("h", "y")
        await until(
            pilot, lambda: app.session.actions.busy(app.table.highlighted_sid or ""), "the action in flight"
        )
        await pilot.press("h")
        assert not isinstance(app.screen, HangupScreen)
        assert "in flight" in notices(app)
        await until(
            pilot, lambda: not app.session.actions.busy(app.table.highlighted_sid or ""), "the action to end"
        )
        assert len(posts(sim)) == 1


async def test_read_only_has_no_write_keys_and_sends_nothing(
    sim: Simulator, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sim.add_call()
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert "READ-ONLY" in str(app.query_one("#status").render())
        await pilot.press("h", "y", "r", *"https://example.com/x", "enter")
        await pilot.pause()
        await nothing_sent(pilot, sim)
        assert not isinstance(app.screen, HangupScreen | RedirectScreen)
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "Details" in commands and "Redirect" not in commands and "Hang up" not in commands
        keys = [key for key, _ in app._key_help()]
        assert "r" not in keys and "h" not in keys


async def test_details_show_every_field_and_the_child_calls(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    parent = sim.add_call(caller_name="[bold]Mallory[/bold]", forwarded_from="+15550009999")["sid"]
    child = sim.add_call(direction="outbound-dial", parent_call_sid=parent, to="client:alice")["sid"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert app.table.move_cursor_to(parent)
        await pilot.press("enter")
        assert isinstance(app.screen, DetailsScreen)
        table = app.screen.query_one("#details-fields")
        await until(pilot, lambda: "Fetched" in str(app.screen.query_one("#details-state").render()), "fetch")
        rows = {str(table.get_row_at(i)[0]): str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert rows["caller_name"] == "[bold]Mallory[/bold]"
        assert rows["forwarded_from"] == "+15550009999"
        for field in ("price", "answered_by", "queue_time (ms)", "parent_call_sid", "start_time", "end_time"):
            assert field in rows
        assert "UTC" in rows["start_time"]
        children = app.screen.query_one("#details-children")
        state = app.screen.query_one("#list-children .list-state")
        await until(pilot, lambda: "Loading" not in str(state.render()), "the child calls")
        assert str(children.get_row_at(0)[5]) == child
        await pilot.press("escape")
        assert not isinstance(app.screen, DetailsScreen)


async def test_the_recent_view_shows_ended_calls(sim: Simulator, make_app: Callable[..., CallTuiApp]) -> None:
    live = sim.add_call()["sid"]
    ended = sim.add_call(status="completed")["sid"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert app.table.visible_sids == [live]
        polls = app.polls_completed
        await pilot.press("v")
        await until(
            pilot, lambda: app.polls_completed > polls and app.table.row_count == 1, "the recent view"
        )
        assert app.table.visible_sids == [ended]
        assert not app.table.lingering(ended)
        assert "ended in the last hour" in str(app.query_one("#status").render())


async def test_filter_narrows_live_and_escape_restores(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    wanted = sim.add_call(from_="+447700900123")["sid"]
    sim.add_call(from_="+15550001111")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("slash", *"4477")
        assert app.table.visible_sids == [wanted]
        assert "filter" in str(app.query_one("#status").render())
        await pilot.press("enter")
        assert app.table.has_focus and app.table.visible_sids == [wanted]
        await pilot.press("slash", "escape")
        assert app.table.row_count == 2


async def test_escape_on_the_table_clears_a_kept_filter_and_hides_the_box(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    wanted = sim.add_call(from_="+447700900123")["sid"]
    sim.add_call(from_="+15550001111")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await first_poll(app, pilot)
        await pilot.press("slash", *"4477", "enter")
        box = app.query_one("#filter")
        assert app.table.has_focus and app.table.visible_sids == [wanted] and box.display
        await pilot.press("escape")
        assert app.table.row_count == 2 and not app.table.filter_text
        assert not box.display and app.table.has_focus
        assert "filter" not in str(app.query_one("#status").render())


async def test_keys_with_no_row_highlighted_explain_and_send_nothing(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("h", "r", "enter")
        assert "No call is highlighted" in notices(app)
        assert app.screen is app.screen_stack[0]
        await nothing_sent(pilot, sim)


async def test_help_lists_the_keys(sim: Simulator, make_app: Callable[..., CallTuiApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        text = " ".join(str(w.render()) for w in app.screen.query("Static"))
        for words in ("Redirect", "Hang up", "Details", "Filter", "Quit", "Command palette"):
            assert words in text
        await pilot.press("escape")
        assert app.screen is app.screen_stack[0]


async def test_keys_from_the_palette_opens_the_help_with_the_sessions_modes(
    sim: Simulator, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    recorder = SqliteRecorder(tmp_path / "session.db", account_sid="AC" + "1" * 32, interval=2.0, linger=5.0)
    recorder.open()
    app = make_app(dry_run=True, grace=3, recorder=recorder)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        # Textual's own "Keys" (its side panel) would shadow calltui's: only one is offered.
        assert [c.title for c in app.get_system_commands(app.screen)].count("Keys") == 1
        await run_command(pilot, "Keys")
        assert isinstance(app.screen, HelpScreen)
        shown = help_text(app)
        assert "DRY-RUN: every prompt and countdown works" in shown
        assert "Confirmed actions wait 3s before they are sent: u cancels (a bulk run as a whole)." in shown
        assert f"Recording this session to {tmp_path / 'session.db'}" in shown
        assert "The header's second line: active calls" in shown
        assert "ctrl+r / F5" in shown and "/  " in shown
    plain = make_app()
    async with plain.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        shown = help_text(plain)
        assert "DRY-RUN" not in shown and "Recording" not in shown and "Confirmed actions wait" not in shown


async def test_an_action_on_a_call_that_ended_meanwhile_is_explained_and_not_sent(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sid = sim.add_call()["sid"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        sim.end_call(sid)
        await poll(app, pilot)
        assert app.table.highlighted_sid == sid and app.table.lingering(sid)
        await pilot.press("h", "r")
        assert "has ended" in notices(app)
        assert app.screen is app.screen_stack[0]
        await nothing_sent(pilot, sim)


async def test_a_poll_applied_in_steps_shows_every_call_and_a_view_switch_stops_it(
    make_app: Callable[..., CallTuiApp], sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "APPLY_STEP", 2)  # 5 calls: three steps
    sids = {sim.add_call(status="in-progress")["sid"] for _ in range(5)}
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert set(app.table.visible_sids) == sids
        for sid in sids:
            sim.set_call(sid, status="ringing")
        apply, steps = app.table.apply, []

        def first_step_then_switch(diff, now):  # type: ignore[no-untyped-def]
            apply(diff, now)
            steps.append(len(diff.changed))
            if len(steps) == 1:
                app.action_toggle_view()  # between two steps: the rest belongs to the live view

        monkeypatch.setattr(app.table, "apply", first_step_then_switch)
        done = app.polls_completed
        await poll(app, pilot)
        await until(pilot, lambda: app.polls_completed > done, "the ended view's poll")
        assert steps[0] == 2 and app.table.row_count == 0  # no live call in the ended view
