"""Screenshots of a production-labelled header and of the account picker.

Update them after an intended change with `pytest tests/test_snapshots_accounts.py --snapshot-update`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ACCOUNT_SID, AUTH_TOKEN, FROZEN_NOW, make_settings
from sim_helpers import Clock
from test_snapshots import ready
from textual.pilot import Pilot
from textual.widgets import Static
from uihelpers import until

from calltui.gateway import TwilioGateway
from calltui.monitor.audit import AuditLog
from calltui.monitor.history import UrlHistory
from calltui.simulator import Simulator
from calltui.ui.app import CallTuiApp
from calltui.ui.run import account_switcher
from calltui.ui.screens.accounts import AccountPickerScreen
from calltui.userconfig import Profile, UserConfig


@pytest.fixture
def labelled_app(tmp_path: Path) -> Iterator[CallTuiApp]:
    clock = Clock(FROZEN_NOW)
    sim = Simulator(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        seed=5,
        initial_calls=0,
        traffic=False,
        friendly_name="Acme Support",
        clock=clock,
    )
    for status, from_, to in (
        ("in-progress", "+14155550100", "+18005550199"),
        ("ringing", "+14155550123", "sip:desk-7@pbx.example.com"),
    ):
        sim.add_call(status=status, from_=from_, to=to)
    eu = sim.add_subaccount(friendly_name="Acme EU")["sid"]
    sim.add_subaccount(friendly_name="Acme staging")
    cli = tmp_path / ".twilio-cli"
    cli.mkdir()
    (cli / "config.json").write_text(
        json.dumps({"profiles": {"legacy": {"accountSid": "AC" + "7" * 32, "apiKey": "SK" + "7" * 32}}})
    )
    profiles = (
        Profile("prod", ACCOUNT_SID, label="PRODUCTION", color="red"),
        Profile("eu", eu, label="EU", color="dark_orange"),
        Profile("sandbox", "AC" + "5" * 32, auth_token_env="SANDBOX_TOKEN", label="SANDBOX", color="green"),
    )
    settings = make_settings(sim.start_in_thread("127.0.0.1", 0))
    app = CallTuiApp(
        TwilioGateway(settings),
        account_sid=ACCOUNT_SID,
        audit=AuditLog(tmp_path / "audit.jsonl"),
        history=UrlHistory(None),
        interval=3600,
        clock=clock,
        user_config=UserConfig(profiles=profiles),
        accounts=account_switcher(settings, profiles, {"SANDBOX_TOKEN": "x"}, tmp_path),
    )
    yield app
    sim.stop_thread()


def test_production_header(snap_compare, labelled_app: CallTuiApp) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(labelled_app, terminal_size=(120, 12), run_before=ready)


def test_account_picker(snap_compare, labelled_app: CallTuiApp) -> None:  # type: ignore[no-untyped-def]
    async def open_picker(pilot: Pilot) -> None:
        await ready(pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(pilot.app.screen, AccountPickerScreen), "the account picker")
        status = pilot.app.screen.query_one("#accounts-status", Static)
        await until(pilot, lambda: "listed" in str(status.render()), "the subaccounts")
        await pilot.pause()

    assert snap_compare(labelled_app, terminal_size=(120, 24), run_before=open_picker)
