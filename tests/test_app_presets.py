"""Redirect presets from config.toml, picked by digit in the redirect prompt, sent to the simulator."""

from __future__ import annotations

import re
from collections.abc import Callable

from sim_helpers import posts
from textual.widgets import Input, OptionList
from uihelpers import first_poll, run_command, until

from calltui.simulator import Simulator
from calltui.ui.app import CallTuiApp
from calltui.ui.screens.bulk_confirm import BulkConfirmScreen
from calltui.ui.screens.redirect import RedirectScreen
from calltui.userconfig import Preset, UserConfig

SIZE = (120, 40)
TWIML = "<Response>\n  <Say>We are\n  down.</Say>\n  <Enqueue>backup</Enqueue>\n</Response>"
PRESETS = (
    Preset("maintenance message", url="https://example.com/twiml/maintenance.xml", method="GET"),
    Preset("send to backup queue", twiml=TWIML),
    Preset("old ivr", url="http://legacy.example.com/ivr"),
)


def configured(make_app: Callable[..., CallTuiApp], presets: tuple[Preset, ...] = PRESETS) -> CallTuiApp:
    app = make_app()
    app.user_config = UserConfig(presets=presets)
    return app


def target(app: CallTuiApp) -> Input:
    return app.screen.query_one("#target", Input)


def message(app: CallTuiApp) -> str:
    return str(app.screen.query_one("#redirect-message").render())


async def test_the_prompt_lists_each_preset_with_its_key(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sim.add_call()
    app = configured(make_app)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("r")
        listed = app.screen.query_one("#presets", OptionList)
        lines = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
        assert len(lines) == 3
        assert lines[0].startswith("1  maintenance message") and "GET https://example.com" in lines[0]
        assert lines[1].startswith("2  send to backup queue") and "TwiML <Response>" in lines[1]
        assert "\n" not in lines[1]
        assert lines[2].startswith("3  old ivr")


async def test_preset_2_then_enter_sends_its_twiml_exactly_to_the_highlighted_call(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    wanted = sim.add_call()["sid"]
    sim.add_call()
    app = configured(make_app)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert app.table.move_cursor_to(wanted)
        await pilot.press("r", "2")
        assert isinstance(app.screen, RedirectScreen)
        assert "\n" not in target(app).value and "<Enqueue>backup</Enqueue>" in target(app).value
        assert "send to backup queue" in message(app)
        assert posts(sim) == []  # filled, not sent: Enter confirms
        await pilot.press("enter")
        await until(pilot, lambda: len(posts(sim)) == 1, "the redirect")
        assert posts(sim)[0].path.endswith(f"/Calls/{wanted}.json")
        assert posts(sim)[0].form == {"Twiml": TWIML}


async def test_a_url_preset_sets_its_method_and_another_digit_switches_preset(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sid = sim.add_call()["sid"]
    presets = (PRESETS[1], PRESETS[0])  # preset 2 is the GET url
    app = configured(make_app, presets)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("r", "1", "2")  # 2 replaces 1 while the line still shows a preset
        assert target(app).value == "https://example.com/twiml/maintenance.xml"
        assert app.screen.query_one("#method-get").value
        await pilot.press("enter")
        await until(pilot, lambda: len(posts(sim)) == 1, "the redirect")
        assert posts(sim)[0].path.endswith(f"/Calls/{sid}.json")
        assert posts(sim)[0].form == {"Url": "https://example.com/twiml/maintenance.xml", "Method": "GET"}


async def test_a_preset_filled_in_is_checked_like_typed_input(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sim.add_call()
    presets = (Preset("broken", url="ftp://example.com/x"), PRESETS[2])
    app = configured(make_app, presets)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("r", "1", "enter")
        assert "absolute" in message(app)
        assert isinstance(app.screen, RedirectScreen) and posts(sim) == []
        await pilot.press("2", "enter")  # the line still shows preset 1: 2 replaces it
        assert "unencrypted" in message(app) and posts(sim) == []
        await pilot.press("enter")
        await until(pilot, lambda: len(posts(sim)) == 1, "the redirect after the warning")
        assert posts(sim)[0].form == {"Url": "http://legacy.example.com/ivr", "Method": "POST"}


async def test_digits_are_typed_once_the_line_holds_something_else(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sim.add_call()
    app = configured(make_app)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("r", *"https://example.com/2", "9")
        assert target(app).value == "https://example.com/29"
        await pilot.press("ctrl+u", "4")  # an empty line again, but there is no preset 4: typed
        assert target(app).value == "4"
        await pilot.press("backspace", "1", "end", "x")  # an edited preset is sent as edited
        assert target(app).value == "https://example.com/twiml/maintenance.xmlx"
        await pilot.press("enter")
        await until(pilot, lambda: len(posts(sim)) == 1, "the redirect")
        assert posts(sim)[0].form["Url"] == "https://example.com/twiml/maintenance.xmlx"


async def test_a_preset_can_be_picked_from_the_list(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sim.add_call()
    app = configured(make_app)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("r")
        app.screen.query_one("#presets", OptionList).focus()
        await pilot.press("down", "enter")
        assert target(app).has_focus and "<Response> <Say>We are down.</Say> <Enqueue>" in target(app).value
        await pilot.press("enter")
        await until(pilot, lambda: len(posts(sim)) == 1, "the redirect")
        assert posts(sim)[0].form == {"Twiml": TWIML}


async def test_without_presets_the_prompt_shows_none_and_digits_are_typed(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sim.add_call()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("r", "2")
        assert isinstance(app.screen, RedirectScreen)
        assert not app.screen.query("#presets")
        assert target(app).value == "2"
        await pilot.press("escape")
        await pilot.press("question_mark")
        help_text = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert not re.search(r"\bpresets?\b", help_text, re.IGNORECASE)  # the audit path may say "presets"


async def test_help_mentions_the_presets(sim: Simulator, make_app: Callable[..., CallTuiApp]) -> None:
    app = configured(make_app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        help_text = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "3 redirect preset(s)" in help_text and "1-9" in help_text


async def test_the_palette_in_the_redirect_prompt_fills_a_preset_in(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sid = sim.add_call()["sid"]
    app = configured(make_app)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert not any(c.title.startswith("Preset") for c in app.get_system_commands(app.screen))
        await pilot.press("r", *"https://typed.example.com/x")
        prompt = app.screen
        commands = [c.title for c in app.get_system_commands(prompt)]
        assert [t for t in commands if t.startswith("Preset")] == [f"Preset: {p.name}" for p in PRESETS]
        await run_command(pilot, "Preset: send to backup queue")
        assert app.screen is prompt  # filled in, not sent: Enter confirms
        assert "<Enqueue>backup</Enqueue>" in target(app).value and "send to backup queue" in message(app)
        assert posts(sim) == []
        await pilot.press("enter")
        await until(pilot, lambda: len(posts(sim)) == 1, "the redirect")
        assert posts(sim)[0].path.endswith(f"/Calls/{sid}.json") and posts(sim)[0].form == {"Twiml": TWIML}


async def test_a_bulk_redirect_offers_the_presets_too(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sids = {sim.add_call()["sid"] for _ in range(2)}
    app = configured(make_app)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("a", "r")
        assert isinstance(app.screen, RedirectScreen) and app.screen.query_one("#presets", OptionList)
        await pilot.press("1", "enter")
        assert isinstance(app.screen, BulkConfirmScreen)
        await pilot.press("2", "enter")
        await until(pilot, lambda: len(posts(sim)) == 2, "the bulk redirect")
        assert {r.path.rsplit("/", 1)[1].removesuffix(".json") for r in posts(sim)} == sids
        form = {"Url": "https://example.com/twiml/maintenance.xml", "Method": "GET"}
        assert all(r.form == form for r in posts(sim))
