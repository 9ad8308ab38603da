"""Switching accounts with `c`, driven through the Pilot against the simulator (real SDK, real HTTP)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from audit_helpers import audit_lines
from conftest import ACCOUNT_SID, AUTH_TOKEN, make_settings
from textual.pilot import Pilot
from textual.widgets import OptionList, Static
from uihelpers import first_poll, until

from calltui.monitor.accounts import Candidates
from calltui.monitor.recording import Recording, SqliteRecorder
from calltui.simulator import Simulator
from calltui.ui.app import CallTuiApp
from calltui.ui.describe import short_sid
from calltui.ui.run import account_switcher
from calltui.ui.screens.accounts import AccountPickerScreen
from calltui.ui.screens.hangup import HangupScreen
from calltui.ui.screens.help import HelpScreen
from calltui.userconfig import Profile

SIZE = (130, 30)
SUB_KEY = "SK" + "4" * 32
SUB_KEY_SECRET = "sub-api-secret-" + "7" * 16
CLI_SECRET = "cli-api-secret-" + "8" * 16

BuildApp = Callable[..., CallTuiApp]


@pytest.fixture
def build_app(sim: Simulator, make_app: Callable[..., CallTuiApp], tmp_path: Path) -> BuildApp:
    """The app with its account switcher wired as `calltui.ui.run` wires it, over a home folder of its own."""

    def build(
        profiles: Sequence[Profile] = (),
        environ: Mapping[str, str] | None = None,
        read_only: bool = False,
        grace: float = 0.0,
        demo: bool = False,
        recorder: SqliteRecorder | None = None,
    ) -> CallTuiApp:
        assert sim.base_url
        settings = make_settings(sim.base_url, read_only=read_only, demo=demo)
        switcher = account_switcher(settings, profiles, environ or {}, tmp_path)
        return make_app(
            read_only=read_only, grace=grace, profiles=profiles, accounts=switcher, recorder=recorder
        )

    return build


def header(app: CallTuiApp) -> str:
    return str(app.query_one("#status").render())


def screen_text(app: CallTuiApp) -> str:
    return app.export_screenshot()


async def open_picker(app: CallTuiApp, pilot: Pilot, *, listed: bool = True) -> AccountPickerScreen:
    await pilot.press("c")
    await until(pilot, lambda: isinstance(app.screen, AccountPickerScreen), "the account picker")
    picker = app.screen
    assert isinstance(picker, AccountPickerScreen)
    if listed:
        status = picker.query_one("#accounts-status", Static)
        await until(pilot, lambda: "listed" in str(status.render()), "the accounts from the API")
    return picker


async def pick(app: CallTuiApp, pilot: Pilot, picker: AccountPickerScreen, name: str) -> None:
    """Move to the line called `name` with the arrow keys, then Enter; wait for the new account's poll."""
    options = picker.query_one("#accounts", OptionList)
    target = next(i for i, choice in enumerate(picker.choices) if choice.name == name)
    await pilot.press("home")
    for _ in range(target):
        await pilot.press("down")
    assert options.highlighted == target
    before = app.polls_completed
    await pilot.press("enter")
    await until(pilot, lambda: app.polls_completed > before, "the new account's first poll")
    await pilot.pause()


async def test_switching_to_a_subaccount_shows_its_calls_and_acts_on_its_url(
    sim: Simulator, build_app: BuildApp, tmp_path: Path
) -> None:
    ours = sim.add_call()["sid"]
    sub = sim.add_subaccount(friendly_name="EU support")["sid"]
    theirs = sim.add_call(account_sid=sub, from_="+442071838750")["sid"]
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert app.table.visible_sids == [ours]
        picker = await open_picker(app, pilot)
        assert [c.name for c in picker.choices] == ["Test account", "EU support"]
        await pick(app, pilot, picker, "EU support")
        assert app.table.visible_sids == [theirs]
        assert short_sid(sub) in header(app) and "EU support" in header(app) and "subaccount" in header(app)
        await pilot.press("h")
        assert isinstance(app.screen, HangupScreen)
        await pilot.press("y")
        await until(pilot, lambda: any(r.method == "POST" for r in sim.requests), "the hang-up")
        [post] = [r for r in sim.requests if r.method == "POST"]
        assert post.path == f"/2010-04-01/Accounts/{sub}/Calls/{theirs}.json"
        assert post.auth_user == ACCOUNT_SID  # the parent's credentials act on the subaccount
        assert sim.call(theirs)["status"] == "completed" and sim.call(ours)["status"] == "in-progress"
        await until(pilot, lambda: bool(audit_lines(tmp_path)), "the audit entry")
        [entry] = audit_lines(tmp_path)
        assert entry["account"] == sub and entry["call_sid"] == theirs


async def test_switching_back_to_the_main_account_read_only_still(
    sim: Simulator, build_app: BuildApp
) -> None:
    ours = sim.add_call()["sid"]
    sub = sim.add_subaccount(friendly_name="EU support")["sid"]
    sim.add_call(account_sid=sub)
    app = build_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pick(app, pilot, await open_picker(app, pilot), "EU support")
        assert app.session.gateway.read_only and "READ-ONLY" in header(app)  # the mode outlives the switch
        picker = await open_picker(app, pilot)
        options = picker.query_one("#accounts", OptionList).options
        lines = {
            choice.name: str(option.prompt) for choice, option in zip(picker.choices, options, strict=True)
        }
        assert "●" in lines["EU support"] and "●" not in lines["Test account"]
        await pick(app, pilot, picker, "Test account")
        assert app.table.visible_sids == [ours] and app.session.account_sid == ACCOUNT_SID


async def test_a_production_label_is_in_the_header_and_follows_switches(
    sim: Simulator, build_app: BuildApp
) -> None:
    sub = sim.add_subaccount(friendly_name="EU support")["sid"]
    staging = sim.add_subaccount(friendly_name="staging")["sid"]
    profiles = [
        Profile("prod", ACCOUNT_SID, label="PRODUCTION", color="red"),
        Profile("eu", sub, label="EU", color="#00875f"),
    ]
    app = build_app(profiles)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        status = app.query_one("#status")
        assert header(app).startswith(" PRODUCTION ") and "profile prod" in header(app)
        assert status.styles.background.rgb == (128, 0, 0)  # tinted in the label's colour
        await pick(app, pilot, await open_picker(app, pilot), "EU support")
        assert header(app).startswith(" EU ") and "PRODUCTION" not in header(app)
        assert status.styles.background.rgb == (0, 135, 95)
        await pick(app, pilot, await open_picker(app, pilot), "staging")  # no profile: no label, no tint
        assert header(app).startswith(short_sid(staging)) and not status.styles.inline.has_rule("background")


async def test_a_profile_with_a_bad_colour_still_shows_its_label_and_warns(
    sim: Simulator, build_app: BuildApp
) -> None:
    app = build_app([Profile("prod", ACCOUNT_SID, label="PRODUCTION", color="grean")])
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert header(app).startswith(" PRODUCTION ") and app.header_model.color is None


async def test_profiles_switch_with_their_own_credentials_and_secrets_never_show(
    sim: Simulator, build_app: BuildApp, tmp_path: Path
) -> None:
    sub = sim.add_subaccount(friendly_name="EU support", api_keys={SUB_KEY: SUB_KEY_SECRET})["sid"]
    theirs = sim.add_call(account_sid=sub)["sid"]
    cli_dir = tmp_path / ".twilio-cli"
    cli_dir.mkdir()
    (cli_dir / "config.json").write_text(
        json.dumps(
            {
                "profiles": {
                    "eu-cli": {"accountSid": sub, "apiKey": SUB_KEY, "apiSecret": SUB_KEY_SECRET},
                    "keychained": {"accountSid": sub, "apiKey": SUB_KEY},
                },
                "activeProject": "eu-cli",
            }
        )
    )
    profiles = [Profile("eu", sub, api_key=SUB_KEY, api_secret_env="EU_SECRET", label="EU")]
    app = build_app(profiles, environ={"EU_SECRET": SUB_KEY_SECRET})
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        picker = await open_picker(app, pilot)
        assert [(c.name, c.source) for c in picker.choices][:3] == [
            ("eu", "calltui profile"),
            ("eu-cli", "twilio-cli profile"),
            ("keychained", "twilio-cli profile"),
        ]
        shown = screen_text(app)
        assert "keychain" in shown and SUB_KEY_SECRET not in shown and AUTH_TOKEN not in shown
        await pick(app, pilot, picker, "eu-cli")
        assert app.table.visible_sids == [theirs] and "twilio-cli eu-cli" in header(app)
        assert sim.requests[-1].auth_user == SUB_KEY
        await pick(app, pilot, await open_picker(app, pilot), "eu")
        assert "profile eu" in header(app) and header(app).startswith(" EU ")
        assert SUB_KEY_SECRET not in screen_text(app)


async def test_the_demo_never_sends_a_profiles_own_credentials(sim: Simulator, build_app: BuildApp) -> None:
    sub = sim.add_subaccount(friendly_name="EU support", api_keys={SUB_KEY: SUB_KEY_SECRET})["sid"]
    profiles = [Profile("eu", sub, api_key=SUB_KEY, api_secret_env="EU_SECRET")]
    app = build_app(profiles, environ={"EU_SECRET": SUB_KEY_SECRET}, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        picker = await open_picker(app, pilot)
        [index] = [i for i, choice in enumerate(picker.choices) if choice.name == "eu"]
        eu = picker.choices[index]
        assert eu.login is None and eu.unavailable and "demo" in eu.unavailable
        assert picker.query_one("#accounts", OptionList).get_option_at_index(index).disabled
        assert "demo" in screen_text(app) and SUB_KEY_SECRET not in screen_text(app)
        await pilot.press("escape")
    assert all(request.auth_user != SUB_KEY for request in sim.requests)


async def test_a_keychain_profile_cannot_be_picked(
    sim: Simulator, build_app: BuildApp, tmp_path: Path
) -> None:
    (tmp_path / ".twilio-cli").mkdir()
    (tmp_path / ".twilio-cli" / "config.json").write_text(
        json.dumps({"profiles": {"kc": {"accountSid": "AC" + "9" * 32, "apiKey": SUB_KEY}}})
    )
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        picker = await open_picker(app, pilot)
        options = picker.query_one("#accounts", OptionList)
        assert options.get_option_at_index(0).disabled
        assert options.highlighted != 0  # the cursor skips what cannot be chosen


async def test_a_refused_accounts_list_still_offers_the_profiles(sim: Simulator, build_app: BuildApp) -> None:
    sim.faults.add("status", path_contains="/Accounts.json", status=403, code=20003, message="Forbidden")
    app = build_app([Profile("other", "AC" + "9" * 32, auth_token_env="OTHER_TOKEN")])
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        picker = await open_picker(app, pilot, listed=False)
        status = picker.query_one("#accounts-status", Static)
        await until(pilot, lambda: "not listed" in str(status.render()), "the refusal")
        assert "Forbidden" in str(status.render())
        assert [c.name for c in picker.choices] == ["other"]
        await pilot.press("escape")
        assert app.screen is app.screen_stack[0]


async def test_the_accounts_key_is_in_help_and_the_palette_and_absent_without_a_switcher(
    build_app: BuildApp, make_app: BuildApp
) -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        assert ("c", "Accounts") in app._key_help()
        assert "Accounts" in [command.title for command in app.get_system_commands(app.screen)]
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
    plain = make_app()
    async with plain.run_test(size=SIZE) as pilot:
        assert ("c", "Accounts") not in plain._key_help()
        await pilot.press("c")
        assert plain.screen is plain.screen_stack[0]


async def test_no_switch_while_an_action_is_in_flight(sim: Simulator, build_app: BuildApp) -> None:
    sid = sim.add_call()["sid"]
    sim.add_subaccount(friendly_name="EU support")
    # Long enough to outlast the test body on a slow machine; the simulator waits it out at teardown.
    sim.faults.add("latency", method="POST", seconds=8)
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("h", "y")
        await until(pilot, lambda: app.session.actions.busy(sid), "the hang-up to be in flight")
        picker = await open_picker(app, pilot)
        await pilot.press("end", "enter")
        assert app.screen is app.screen_stack[0] and picker.choices[-1].name == "EU support"
        assert app.session.account_sid == ACCOUNT_SID and app.table.visible_sids == [sid]
        assert "in flight" in "\n".join(str(n.message) for n in app._notifications)


async def test_no_switch_during_a_grace_window(sim: Simulator, build_app: BuildApp) -> None:
    sid = sim.add_call()["sid"]
    sim.add_subaccount(friendly_name="EU support")
    app = build_app(grace=60)  # the test clock stands still: the window stays open
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("h", "y")
        assert [item.call.sid for item in app.session.grace.pending] == [sid]
        await open_picker(app, pilot)
        await pilot.press("end", "enter")
        assert app.session.account_sid == ACCOUNT_SID and app.table.visible_sids == [sid]
        assert "pending" in "\n".join(str(n.message) for n in app._notifications)
        assert not any(request.method == "POST" for request in sim.requests)


async def test_the_profiles_are_read_off_the_event_loop(sim: Simulator, build_app: BuildApp) -> None:
    app = build_app()
    assert app.accounts is not None
    readers: list[threading.Thread] = []
    read = app.accounts.profiles

    def reading() -> Candidates:
        readers.append(threading.current_thread())
        return read()

    app.accounts = replace(app.accounts, profiles=reading)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await open_picker(app, pilot)
    assert readers and threading.main_thread() not in readers


async def test_a_recording_follows_the_switch(sim: Simulator, build_app: BuildApp, tmp_path: Path) -> None:
    sim.add_call()
    sub = sim.add_subaccount(friendly_name="EU support")["sid"]
    theirs = sim.add_call(account_sid=sub)["sid"]
    recorder = SqliteRecorder(tmp_path / "rec.db", account_sid=ACCOUNT_SID, interval=2.0, linger=5.0)
    recorder.open()
    app = build_app(recorder=recorder)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        picker = await open_picker(app, pilot)
        await pick(app, pilot, picker, "EU support")
    with Recording.open(tmp_path / "rec.db") as recording:
        assert recording.info.account_sid == ACCOUNT_SID
        assert recording.polls[0].account_sid is None and recording.polls[-1].account_sid == sub
        assert set(recording.snapshot(len(recording.polls) - 1)) == {theirs}


async def test_the_picker_opens_on_the_live_account(sim: Simulator, build_app: BuildApp) -> None:
    sim.add_call()
    sub = sim.add_subaccount(friendly_name="EU support")["sid"]
    sim.add_call(account_sid=sub)
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pick(app, pilot, await open_picker(app, pilot), "EU support")
        picker = await open_picker(app, pilot)
        live = next(i for i, choice in enumerate(picker.choices) if choice.account_sid == sub)
        assert live != 0
        assert picker.query_one("#accounts", OptionList).highlighted == live
