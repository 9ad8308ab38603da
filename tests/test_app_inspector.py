"""The call inspector: the details screen's tabs load the simulator's events, notifications, recordings and
child calls in the background, each with its own loading and error state."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, TabbedContent
from uihelpers import first_poll, help_text, on_screen, run_command, until

from calltui.simulator import Simulator
from calltui.ui.app import CallTuiApp
from calltui.ui.screens.details import TABS, DetailsScreen
from calltui.ui.screens.help import HelpScreen

SIZE = (160, 30)
LISTS = ("events", "notifications", "recordings", "children")


def state(app: CallTuiApp, name: str) -> str:
    return str(app.screen.query_one(f"#list-{name} .list-state").render())


def cells(app: CallTuiApp, name: str) -> list[list[str]]:
    table = app.screen.query_one(f"#details-{name}", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def tab_label(app: CallTuiApp, pane: str) -> str:
    return app.screen.query_one(TabbedContent).get_tab(pane).label.plain


async def open_details(app: CallTuiApp, pilot: Pilot, sid: str) -> None:
    await first_poll(app, pilot)
    assert app.table.move_cursor_to(sid)
    await pilot.press("enter")
    assert isinstance(app.screen, DetailsScreen)
    await until(pilot, lambda: all("Loading" not in state(app, name) for name in LISTS), "every tab")


async def test_tabs_show_what_the_simulator_logged(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sid = sim.add_call()["sid"]
    sim.add_event(sid, "https://app.example.com/voice", request_duration=87)
    sim.add_event(sid, "https://app.example.com/moved", "GET", 404, request_duration=12)
    sim.add_notification(
        sid, 11200, message_text="HTTP retrieval failure", request_url="https://app.example.com/x"
    )
    sim.add_recording(sid, duration=75, channels=2, source="DialVerb")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot, sid)
        assert app.screen.query_one(TabbedContent).active == "tab-fields"  # the Fields tab is as before
        assert cells(app, "events") == [
            ["12:00:00", "POST", "200", "87", "application/xml", "https://app.example.com/voice"],
            ["12:00:00", "GET", "404", "12", "application/xml", "https://app.example.com/moved"],
        ]
        assert state(app, "events") == "2 events"
        [note] = cells(app, "notifications")
        assert note[1:5] == ["error", "11200", "HTTP retrieval failure", "https://app.example.com/x"]
        assert note[5] == "https://www.twilio.com/docs/errors/11200"
        [recording] = cells(app, "recordings")
        assert recording[:6] == ["12:00:00", "completed", "DialVerb", "1:15", "2", "both"]
        assert cells(app, "children") == [] and state(app, "children") == "No child calls for this call."
        labels = [tab_label(app, pane) for pane, _ in TABS]
        assert labels == ["Fields", "Events (2)", "Notifications (1)", "Recordings (1)", "Child calls (0)"]
        tabs = app.screen.query_one(TabbedContent)
        assert "red" in str(tabs.get_tab("tab-notifications").label.spans)  # an error-level notification
        assert not tabs.get_tab("tab-events").label.spans


async def test_number_keys_switch_tabs(sim: Simulator, make_app: Callable[..., CallTuiApp]) -> None:
    sid = sim.add_call()["sid"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot, sid)
        tabs = app.screen.query_one(TabbedContent)
        for n, (pane, _) in reversed(list(enumerate(TABS, 1))):
            await pilot.press(str(n))
            assert tabs.active == pane
            assert app.focused is app.screen.query_one(f"#{pane} DataTable")


async def test_a_failing_list_shows_twilios_error_on_its_tab_only(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sid = sim.add_call()["sid"]
    sim.add_event(sid, "https://app.example.com/voice")
    sim.add_recording(sid)
    sim.faults.add("status", path_contains="/Notifications.json", status=503, message="Service Unavailable")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot, sid)
        assert state(app, "notifications").startswith(
            "Could not load: Twilio 20503 / HTTP 503: Service Unavailable"
        )
        assert "https://www.twilio.com/docs/errors/20503" in state(app, "notifications")
        assert cells(app, "notifications") == []
        assert tab_label(app, "tab-notifications") == "Notifications (!)"
        assert state(app, "events") == "1 event" and state(app, "recordings") == "1 recording"
        assert "Fetched" in str(app.screen.query_one("#details-state").render())
        # Reload after the fault clears: the tab recovers.
        sim.faults.clear()
        sim.add_notification(sid, 15003, log="1")
        await pilot.press("f5")
        await until(pilot, lambda: state(app, "notifications") == "1 notification", "the reload")
        assert cells(app, "notifications")[0][1] == "warning"
        assert app.is_running


@pytest.mark.not_twilio
async def test_hostile_strings_render_literally(sim: Simulator, make_app: Callable[..., CallTuiApp]) -> None:
    sid = sim.add_call()["sid"]
    sim.add_notification(
        sid,
        "[b]1[/b]",
        message_text="[link=https://evil.example]click[/link] \x1b[31mred\x1b[0m\x07",
        request_url="[/]",
        more_info=None,
        log="[red]0",
    )
    sim.add_event(sid, "https://x.example/[i]\x1b]8;;https://evil\x07", "[b]GET", 302)
    sim.add_event(sid, request="junk", response=[1])
    sim.add_recording(sid, status="[blink]x", duration=None, channels="two")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot, sid)
        [note] = cells(app, "notifications")
        assert note[1:5] == ["[red]0", "[b]1[/b]", "[link=https://evil.example]click[/link] red", "[/]"]
        assert note[5] == "—"
        hostile, junk = cells(app, "events")
        assert [hostile[i] for i in (1, 5, 2)] == ["[b]GET", "https://x.example/[i]", "302"]
        # request/response that are not objects: unknown
        assert [junk[i] for i in (0, 1, 5, 2)] == ["—", "—", "—", "no answer"]
        [recording] = cells(app, "recordings")
        assert recording[1] == "[blink]x" and recording[3:5] == ["—", "—"]
        assert app.is_running


async def test_tabs_are_in_the_help_and_the_palette(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sid = sim.add_call()["sid"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert not any("details:" in description for _, description in app._key_help())
        await open_details(app, pilot, sid)
        keys = dict(app._key_help())
        assert keys["1-5"] == "details: Fields, Events, Notifications, Recordings, Child calls"
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert "Details: Recordings" in commands
        commands["Details: Recordings"].callback()
        assert app.screen.query_one(TabbedContent).active == "tab-recordings"


async def test_help_and_palette_from_the_details_screen_as_typed(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sid = sim.add_call()["sid"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot, sid)
        details = app.screen
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = help_text(app)
        assert "details: Fields, Events, Notifications, Recordings, Child calls" in shown
        assert "details: reload" in shown
        await pilot.press("escape")
        assert app.screen is details
        await run_command(pilot, "Details: Child calls")
        assert app.screen is details and details.query_one(TabbedContent).active == "tab-children"
        before = [r for r in sim.requests if r.path.endswith("/Notifications.json")]
        await run_command(pilot, "Details: Reload")
        await until(
            pilot,
            lambda: len([r for r in sim.requests if r.path.endswith("/Notifications.json")]) > len(before),
            "the tabs fetched again",
        )


async def test_long_values_of_the_highlighted_record_are_spelled_out_at_80x24(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    """Twilio's messages and webhook URLs are wider than 80 columns: the table cut them at the screen's
    edge, so the highlighted record's are shown whole, wrapped, under its table."""
    sid = sim.add_call()["sid"]
    long_url = "https://app.example.com/voice/maintenance-message?team=payments&reason=incident-4711&lang=en"
    sim.add_event(sid, "https://app.example.com/first")
    sim.add_event(sid, long_url)
    message = "Attempt to retrieve the TwiML document returned HTTP 502; the call fell back to the next step"
    sim.add_notification(sid, 11200, message_text=message, request_url=long_url)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_details(app, pilot, sid)
        await pilot.press("3")
        await pilot.pause()
        shown = unwrapped(app)
        assert f"message{message}".replace(" ", "") in shown and f"requesturl{long_url}" in shown
        await pilot.press("2")
        await pilot.pause()
        assert "urlhttps://app.example.com/first" in unwrapped(app)
        await pilot.press("down")
        await pilot.pause()
        assert f"url{long_url}" in unwrapped(app)


def unwrapped(app: CallTuiApp) -> str:
    """The screen's text without spaces: a long value wraps wherever the screen's edge falls."""
    return "".join(on_screen(app).split())
