"""Shared fixtures: a simulator on the test's loop, a real gateway to it over HTTP, and the app."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import contract
import pytest
from redis_helpers import RedisServer
from sim_helpers import Clock

from calltui.gateway import TwilioGateway
from calltui.monitor.accounts import AccountSwitcher
from calltui.monitor.audit import AuditLog
from calltui.monitor.history import UrlHistory
from calltui.monitor.recorder import SessionRecorder
from calltui.monitor.team.link import TeamConfig
from calltui.monitor.unanswered import Unanswered
from calltui.secret import Secret
from calltui.settings import Settings
from calltui.simulator import Simulator
from calltui.ui.app import CallTuiApp
from calltui.userconfig import Profile, UserConfig

# Local time shows in the table and details; pin it so snapshots and assertions are stable.
os.environ["TZ"] = "UTC"
time.tzset()

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "tok-" + "s3cr3t" * 5
FROZEN_NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)


@pytest.fixture(params=["XST+5", "XST-5"], ids=["west-of-utc", "east-of-utc"])
def local_zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """The machine's zone five hours either side of UTC (POSIX rules, no tz database needed): a date at
    one edge of datetime's range cannot be shown in it. The tests' UTC comes back afterwards."""
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield request.param
    finally:
        os.environ["TZ"] = "UTC"
        time.tzset()


@pytest.fixture
def clock() -> Clock:
    return Clock(FROZEN_NOW)


@pytest.fixture
async def sim(clock: Clock, request: pytest.FixtureRequest) -> AsyncIterator[Simulator]:
    simulator = Simulator(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        seed=1,
        initial_calls=0,
        traffic=False,
        friendly_name="Test account",
        clock=clock,
        record_exchanges=True,  # whole answers too, for tests that ask which requests Twilio accepted
    )
    await simulator.start("127.0.0.1", 0)
    try:
        yield simulator
    finally:
        await simulator.stop()
    # As the gateway tests do for requests: every answer the app was given is one Twilio could give,
    # unless the test serves what Twilio never would on purpose (and says so with `not_twilio`).
    assert simulator.exchanges is not None
    if request.node.get_closest_marker("not_twilio") is None:
        contract.validate_exchanges(simulator.exchanges)


def make_settings(base_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "account_sid": ACCOUNT_SID,
        "username": ACCOUNT_SID,
        "secret": Secret(AUTH_TOKEN),
        "api_url": base_url,
        "interval": 3600.0,
        "request_timeout": 5.0,
        "linger": 5.0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def make_app(sim: Simulator, clock: Clock, tmp_path: Path) -> Callable[..., CallTuiApp]:
    """Builds an app on the simulator. The poll interval is an hour: tests poll on purpose (see `poll`)."""

    def build(
        *,
        read_only: bool = False,
        linger: float = 5.0,
        grace: float = 0.0,
        profiles: Sequence[Profile] = (),
        accounts: AccountSwitcher | None = None,
        recorder: SessionRecorder | None = None,
        team: TeamConfig | None = None,
        audit_file: str = "audit.jsonl",
        unanswered: Sequence[Unanswered] = (),
        **overrides: object,
    ) -> CallTuiApp:
        """`grace`: the grace window, off unless a test is about it, so actions are sent at once.
        `profiles`, `accounts`: calltui's account profiles and the switcher behind `c` (none: no key).
        `recorder`: where `--record` would keep the session. `team`: team mode (then each app its own
        `audit_file` in the test's folder)."""
        assert sim.base_url
        app_clock = overrides.pop("clock", clock)  # a test's own clock (say, a skewed one)
        on_date = overrides.pop("on_date", None)  # told every answer's Date header
        settings = make_settings(sim.base_url, read_only=read_only, linger=linger, **overrides)
        audit = AuditLog(tmp_path / audit_file)
        audit.open()
        return CallTuiApp(
            TwilioGateway(settings, on_date=on_date),  # type: ignore[arg-type]
            account_sid=ACCOUNT_SID,
            audit=audit,
            history=UrlHistory(None),
            interval=settings.interval,
            read_only=read_only,
            linger=linger,
            clock=app_clock,  # type: ignore[arg-type]
            user_config=UserConfig(grace_seconds=grace, profiles=tuple(profiles)),
            dry_run=settings.dry_run,
            accounts=accounts,
            recorder=recorder,
            team=team,
            unanswered=unanswered,
        )

    return build


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A real redis-server of its own on a free port, without persistence (see `redis_helpers`)."""
    server = RedisServer(tmp_path, password="team-s3cr3t")  # a password: it must never show
    server.start()
    try:
        yield server
    finally:
        server.stop()
