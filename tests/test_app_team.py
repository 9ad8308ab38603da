"""Team mode on screen: two apps (two engineers) on one simulator and one real Redis."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable

import pytest
from conftest import ACCOUNT_SID
from redis_helpers import RedisServer
from uihelpers import help_text, screen_lines, table_text, until

from calltui.monitor.team.link import TeamConfig
from calltui.monitor.team.team import Team
from calltui.secret import Secret
from calltui.simulator import Simulator
from calltui.ui.app import CallTuiApp

SIZE = (80, 24)


@pytest.fixture
def team_app(make_app: Callable[..., CallTuiApp], redis_server: RedisServer) -> Callable[..., CallTuiApp]:
    """An app in team mode as `name`; its poll interval is an hour, so the team's poller polls on demand."""

    def build(name: str, *, grace: float = 0.0) -> CallTuiApp:
        team = TeamConfig(Secret(redis_server.url), name, request_timeout=5.0)
        return make_app(grace=grace, team=team, audit_file=f"audit-{name}.jsonl")

    return build


@contextlib.asynccontextmanager
async def pair(team_app: Callable[..., CallTuiApp], grace: float = 0.0) -> AsyncIterator:
    """Ana's app, then Bob's: Ana's takes the poller's lease first and Bob's follows."""
    ana, bob = team_app("ana", grace=grace), team_app("bob", grace=grace)
    async with ana.run_test(size=SIZE) as a:
        await until(a, lambda: _team(ana).state.online and _team(ana).state.polling, "ana polling")
        async with bob.run_test(size=SIZE) as b:
            await until(b, lambda: _team(bob).state.online and not _team(bob).state.polling, "bob following")
            yield ana, a, bob, b


def _team(app: CallTuiApp) -> Team:
    assert app.session.team is not None
    return app.session.team.team


def notices(app: CallTuiApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def posts(sim: Simulator) -> list[str]:
    return [r.path for r in sim.requests if r.method == "POST"]


async def test_a_follower_shows_the_poller_s_polls_and_ctrl_r_asks_the_poller(sim, team_app) -> None:
    first = sim.add_call(status="in-progress")["sid"]
    async with pair(team_app) as (ana, _, bob, b):
        await until(b, lambda: bob.table.get_call(first) is not None, "the feed at bob")
        second = sim.add_call(status="ringing")["sid"]
        await b.press("ctrl+r")  # bob's own interval is an hour: only ana's poll can bring it
        await until(b, lambda: bob.table.get_call(second) is not None, "the asked-for poll at bob")
        assert ana.table.get_call(second) is not None
        await until(b, lambda: "TEAM 1 " in screen_lines(bob)[0], "bob's header to count ana")
        await until(b, lambda: "TEAM 1 · polling" in screen_lines(ana)[0], "ana's header to count bob")
        assert "polling" not in screen_lines(bob)[0]


async def test_a_teammate_s_action_shows_and_the_call_is_refused_while_they_hold_it(sim, team_app) -> None:
    sid = sim.add_call(status="in-progress")["sid"]
    async with pair(team_app, grace=30.0) as (ana, a, bob, b):
        await until(b, lambda: bob.table.get_call(sid) is not None, "the call at bob")
        await until(a, lambda: ana.table.get_call(sid) is not None, "the call at ana")
        await a.press("h")
        await a.press("y")  # claimed, waiting out ana's grace window
        await until(b, lambda: any("ana is hanging up" in n for n in notices(bob)), "the intent at bob")
        assert bob.table.badge(sid) == "⚑"
        await b.press("h")
        await until(b, lambda: any("wait for their outcome" in n for n in notices(bob)), "bob refused")
        assert posts(sim) == []  # nothing sent by either: ana's action still waits
        await a.press("u")  # ana takes it back: bob sees the cancellation and the call is free again
        await until(b, lambda: any("canceled a hang-up" in n for n in notices(bob)), "the cancel at bob")
        assert bob.table.badge(sid) is None and posts(sim) == []


async def test_the_team_screen_lists_teammates_and_actions_literally(sim, team_app, redis_server) -> None:
    from redis.asyncio import Redis

    sid = sim.add_call(status="in-progress")["sid"]
    async with pair(team_app) as (ana, a, _, _b):
        await until(a, lambda: ana.table.get_call(sid) is not None, "the call at ana")
        await until(a, lambda: len(_team(ana).teammates) == 1, "bob online at ana")
        client = Redis.from_url(redis_server.url)
        try:
            evil = (
                b'{"kind":"outcome","who":"[b]eve\\u001b[2J","inst":"e1","call":"'
                + sid.encode()
                + b'","action":"hangup","result":"ok","at":1700000000}'
            )
            await client.xadd(f"calltui:v1:{ACCOUNT_SID}:actions", {b"v": b"1", b"e": evil})
            await client.xadd(f"calltui:v1:{ACCOUNT_SID}:actions", {b"v": b"9", b"e": b"{}"})
        finally:
            await client.aclose()
        await until(a, lambda: any("hung up" in n for n in notices(ana)), "eve's entry at ana")
        await a.press("t")
        await a.pause()
        text = "\n".join(screen_lines(ana))
        assert "bob" in text and "[b]eve hung up" in text and "\x1b" not in text
        assert "1 malformed entries from Redis dropped." in text
        await a.press("escape")
        await a.press("question_mark")
        await a.pause()
        shown = help_text(ana)
        assert "Team mode through redis://127.0.0.1:" in shown and "team-s3cr3t" not in shown
        assert "team-s3cr3t" not in table_text(ana)
