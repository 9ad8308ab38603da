"""Team mode without the UI: several sessions (calltui instances) on one simulator and one real Redis."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import ACCOUNT_SID, make_settings
from redis_helpers import RedisServer

from calltui.domain.actions import Hangup
from calltui.domain.call import Call, utcnow
from calltui.gateway import TwilioGateway
from calltui.monitor.audit import AuditLog, read_entries
from calltui.monitor.bulk import BulkItem
from calltui.monitor.poller import PollResult
from calltui.monitor.session import AccountSession, SessionSettings
from calltui.monitor.team.claims import CLAIMED, OFFLINE, HeldBy
from calltui.monitor.team.link import TeamConfig
from calltui.monitor.team.wire import TeamAction
from calltui.secret import Secret
from calltui.simulator import Simulator

INTERVAL = 0.5


@dataclass
class Instance:
    """One calltui without its UI: a session, the calls it would show, what its team told it."""

    session: AccountSession
    calls: dict[str, Call] = field(default_factory=dict)
    applied: list[float] = field(default_factory=list)
    """`time.monotonic()` of each poll applied (its own or the feed's)."""
    heard: list[TeamAction] = field(default_factory=list)
    changes: int = 0
    task: asyncio.Task[None] | None = None

    def team_action(self, step: TeamAction) -> None:
        self.heard.append(step)

    def team_changed(self) -> None:
        self.changes += 1

    async def run(self) -> None:
        async for result in self.session.polls():
            self.apply(result)

    def apply(self, result: PollResult) -> None:
        if result.diff is not None:
            self.calls = {sid: call for sid, call in result.calls.items() if call.is_active}
            self.applied.append(time.monotonic())

    @property
    def polling(self) -> bool:
        assert self.session.team is not None
        return self.session.team.team.state.polling

    @property
    def online(self) -> bool:
        assert self.session.team is not None
        return self.session.team.online

    def kill(self) -> None:
        """As if the process died: its tasks stop, nothing is handed back (the lease must run out)."""
        assert self.task is not None and self.session.team is not None
        self.task.cancel()
        self.session.team.team._closing = True  # a cancellation wait_for swallows must not revive it
        for task in self.session.team.team._tasks:
            task.cancel()


async def until(condition: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


@pytest.fixture
async def team(sim: Simulator, redis_server: RedisServer, tmp_path: Path) -> AsyncIterator:
    made: list[Instance] = []

    def join(name: str, *, grace: float = 0.0, interval: float = INTERVAL) -> Instance:
        assert sim.base_url
        audit = AuditLog(tmp_path / f"audit-{name}.jsonl")
        audit.open()
        config = TeamConfig(Secret(redis_server.url), name, request_timeout=5.0)
        settings = SessionSettings(audit, interval, utcnow, grace_seconds=grace, team=config)
        gateway = TwilioGateway(make_settings(sim.base_url, interval=interval))
        instance = Instance(AccountSession(gateway, ACCOUNT_SID, settings))
        instance.session.listener = instance
        instance.task = asyncio.create_task(instance.run())
        made.append(instance)
        return instance

    yield join
    for instance in made:
        if instance.task is not None:
            instance.task.cancel()
            await asyncio.wait([instance.task], timeout=5)
        await instance.session.close()


def list_reads(sim: Simulator) -> int:
    """Polls of the active calls: each reads the in-progress list once (and the others around it)."""
    return sum(
        1 for r in sim.requests if r.path.endswith("/Calls.json") and r.query.get("Status") == "in-progress"
    )


async def test_one_instance_polls_for_the_team_and_every_teammate_shows_its_polls(sim, team) -> None:
    sids = {sim.add_call(status="in-progress")["sid"] for _ in range(3)}
    members = [team(f"eng{i}") for i in range(3)]
    await until(lambda: sum(m.polling for m in members) == 1 and all(m.online for m in members), "one poller")
    await until(lambda: all(set(m.calls) == sids for m in members), "every member to show the calls")
    new = sim.add_call(status="ringing")["sid"]
    await until(lambda: all(new in m.calls for m in members), "the new call everywhere")
    # Three instances, one poll per interval: about 2 s of polling is about 4 polls, not 12.
    before, started = list_reads(sim), time.monotonic()
    await asyncio.sleep(2.0)
    reads = list_reads(sim) - before
    assert reads <= (time.monotonic() - started) / INTERVAL + 2


async def test_a_call_a_teammate_claimed_is_refused_and_nothing_is_sent(sim, team, tmp_path) -> None:
    sid = sim.add_call(status="in-progress")["sid"]
    ana, bob = team("ana"), team("bob")
    await until(lambda: ana.online and bob.online and sid in ana.calls and sid in bob.calls, "both online")
    call = ana.calls[sid]
    assert await ana.session.claim(call, Hangup("completed")) == CLAIMED
    held = await bob.session.claim(call, Hangup("completed"))
    assert isinstance(held, HeldBy) and held.holder is not None and held.holder.who == "ana"
    # Bob hears of Ana's intent within a second, and will not start one of his own.
    await until(lambda: [s.kind for s in bob.heard] == ["intent"], "the intent at bob", timeout=1.0)
    assert bob.session.teammate_on(sid) is not None and bob.heard[0].who == "ana"
    outcome = await ana.session.send(call, Hangup("completed"))
    assert outcome is not None and outcome.result == "ok"
    await until(lambda: [s.kind for s in bob.heard] == ["intent", "outcome"], "the outcome", timeout=1.0)
    assert bob.heard[-1].result == "ok" and bob.session.teammate_on(sid) is None
    posts = [r for r in sim.requests if r.method == "POST"]
    assert len(posts) == 1  # only Ana's
    assert not [e for e in read_entries(tmp_path / "audit-bob.jsonl")]


async def test_a_claim_lost_while_paused_stops_the_request(sim, team, redis_server) -> None:
    """Ana claims, then stalls past her claim's expiry; Bob claims and acts. Ana's request, when she
    resumes, is checked against the claim at the moment of sending and never leaves."""
    sid = sim.add_call(status="in-progress")["sid"]
    ana, bob = team("ana"), team("bob")
    await until(lambda: ana.online and bob.online and sid in ana.calls and sid in bob.calls, "both online")
    call = ana.calls[sid]
    assert await ana.session.claim(call, Hangup("completed")) == CLAIMED
    await _expire(redis_server, f"calltui:v1:{ACCOUNT_SID}:claim:{sid}")  # as if Ana slept past it
    assert await bob.session.claim(call, Hangup("completed")) == CLAIMED
    outcome = await ana.session.send(call, Hangup("completed"))
    assert outcome is not None and outcome.result == "held"
    assert not [r for r in sim.requests if r.method == "POST"]
    assert (await bob.session.send(call, Hangup("completed"))).result == "ok"  # type: ignore[union-attr]


async def _expire(server: RedisServer, key: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(server.url)
    try:
        assert await client.delete(key) == 1
    finally:
        await client.aclose()


async def test_a_bulk_run_skips_the_calls_a_teammate_holds(sim, team) -> None:
    sids = [sim.add_call(status="in-progress")["sid"] for _ in range(3)]
    ana, bob = team("ana"), team("bob")
    await until(lambda: ana.online and bob.online and all(s in bob.calls for s in sids), "both online")
    assert await ana.session.claim(ana.calls[sids[0]], Hangup("completed")) == CLAIMED
    bob.session.start_bulk([BulkItem(sid, Hangup("completed")) for sid in sids])
    report = await bob.session.run_bulk()
    assert report.count("ok") == 2 and report.busy == [sids[0]]
    assert {r.path.rsplit("/", 1)[-1] for r in sim.requests if r.method == "POST"} == {
        f"{sid}.json" for sid in sids[1:]
    }


async def test_when_the_poller_dies_a_teammate_polls_within_two_intervals(sim, team) -> None:
    sim.add_call(status="in-progress")
    interval = 1.0
    members = [team(f"eng{i}", interval=interval) for i in range(3)]
    await until(lambda: sum(m.polling for m in members) == 1 and all(m.calls for m in members), "a poller")
    poller = next(m for m in members if m.polling)
    followers = [m for m in members if m is not poller]
    await until(lambda: all(len(m.applied) >= 3 for m in followers), "a few polls at the followers")
    poller.kill()
    killed = time.monotonic()
    last = max(f.applied[-1] for f in followers)
    await until(lambda: any(m.polling for m in followers), "a takeover", timeout=10)
    await until(lambda: all(f.applied[-1] > killed for f in followers), "polls again at every follower")
    resumed = min(t for f in followers for t in f.applied if t > killed)
    assert resumed - last <= 2 * interval, f"no poll for {resumed - last:.2f}s"
    assert sum(m.polling for m in followers) == 1


async def test_redis_lost_and_back(sim, team, redis_server, tmp_path) -> None:
    sid = sim.add_call(status="in-progress")["sid"]
    ana, bob = team("ana"), team("bob")
    await until(lambda: ana.online and bob.online and sid in ana.calls and sid in bob.calls, "both online")
    redis_server.kill()
    await until(lambda: not ana.online and not bob.online, "TEAM OFFLINE at both", timeout=10)
    assert ana.polling and bob.polling  # each carries on alone
    reads = list_reads(sim)
    await until(lambda: list_reads(sim) >= reads + 4, "both polling by themselves")
    call = ana.calls[sid]
    # Offline, a claim cannot be had: the app asks the engineer for a yes, then sends alone.
    assert await ana.session.claim(call, Hangup("completed")) == OFFLINE
    outcome = await ana.session.send(call, Hangup("completed"))
    assert outcome is not None and outcome.result == "ok"
    redis_server.start()
    await until(lambda: ana.online and bob.online, "the team back", timeout=30)
    await until(lambda: sum(m.polling for m in (ana, bob)) == 1, "one poller again")
    # The action taken offline reaches the teammate when the team is back, marked so.
    await until(lambda: any(s.kind == "outcome" for s in bob.heard), "the offline outcome at bob")
    assert all(s.offline for s in bob.heard if s.call_sid == sid)
    assert [e["outcome"] for e in read_entries(tmp_path / "audit-ana.jsonl") if "outcome" in e] == ["ok"]


async def test_hostile_entries_are_dropped_and_counted(sim, team, redis_server) -> None:
    from redis.asyncio import Redis

    sid = sim.add_call(status="in-progress")["sid"]
    ana, bob = team("ana"), team("bob")
    await until(lambda: ana.online and bob.online and sid in bob.calls, "both online")
    prefix = f"calltui:v1:{ACCOUNT_SID}:"
    client = Redis.from_url(redis_server.url)
    try:
        hostile = [
            {b"v": b"1", b"e": b"not json"},
            {b"v": b"2", b"e": b"{}"},
            {b"v": b"1", b"e": b'{"kind":"outcome","who":"x","inst":"y","call":"CA1","action":"hangup"}'},
            {b"v": b"1", b"e": b"[" * 5000},
            {b"v": b"1", b"e": b"x" * 100_000},
        ]
        for fields in hostile:
            await client.xadd(prefix + "actions", fields)
        await client.xadd(
            prefix + "feed", {b"v": b"1", b"epoch": b"zz", b"seq": b"1", b"kind": b"k", b"data": b"?"}
        )
        await client.xadd(prefix + "control", {b"v": b"1", b"e": b'{"kind":"shutdown"}'})
        evil = (
            b'{"kind":"intent","who":"\\u001b[31mroot\\u0007","inst":"abc","call":"CA'
            + b"0" * 32
            + b'","action":"hangup","result":"","at":1700000000}'
        )
        await client.xadd(prefix + "actions", {b"v": b"1", b"e": evil})
    finally:
        await client.aclose()
    await until(lambda: any(s.instance == "abc" for s in ana.heard), "the well-formed entry")
    assert bob.session.team is not None and bob.session.team.team.state.dropped >= 5
    [step] = [s for s in ana.heard if s.instance == "abc"]
    assert step.who == "\x1b[31mroot\x07"  # kept as sent; the UI shows it through clean()
    assert bob.calls and sid in bob.calls  # the feed goes on


async def test_the_team_s_streams_export_to_a_recording_that_replays(
    sim, team, redis_server, tmp_path
) -> None:
    from calltui.monitor.recording import Recording
    from calltui.monitor.team.export import export_team
    from calltui.ui.replay.timeline import ActionTimeline

    sid = sim.add_call(status="in-progress")["sid"]
    ana, bob = team("ana"), team("bob")
    await until(lambda: ana.online and bob.online and sid in ana.calls and sid in bob.calls, "both online")
    call = bob.calls[sid]
    assert await bob.session.claim(call, Hangup("completed")) == CLAIMED
    assert (await bob.session.send(call, Hangup("completed"))).result == "ok"  # type: ignore[union-attr]
    assert bob.session.team is not None
    bob.session.team.announce("verify", sid, "hangup", "verified")
    await until(lambda: [s.kind for s in ana.heard] == ["intent", "outcome", "verify"], "bob's steps at ana")
    await until(lambda: ana.polling != bob.polling, "one poller")
    follower = bob if ana.polling else ana
    applied = len(follower.applied)
    await until(lambda: len(follower.applied) > applied, "a poll from the feed")
    exported = await export_team(Secret(redis_server.url), ACCOUNT_SID, tmp_path / "team.db")
    assert exported.polls >= 1 and exported.actions == 3
    with Recording.open(tmp_path / "team.db") as recording:
        rows = [(a.call_sid, a.action, a.outcome, a.parameters["operator"]) for a in recording.actions]
        assert rows == [
            (sid, "hangup", "intent", "bob"),
            (sid, "hangup", "ok", "bob"),
            (sid, "verify", "verified", "bob"),  # the replay shows it beside the hang-up
        ]
        timeline = ActionTimeline(recording.actions)
        assert len(timeline) == 2 and {i: v.outcome for i, v in timeline.verdicts.items()} == {1: "verified"}
        assert sid in recording.snapshot(0)


def test_replay_team_without_a_team_url_says_so(monkeypatch, tmp_path, capsys) -> None:
    from calltui.cli import main

    monkeypatch.delenv("CALLTUI_TEAM_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    assert main(["replay", "--team", str(tmp_path / "team.db")]) == 2
    assert "CALLTUI_TEAM_URL is not set" in capsys.readouterr().err
    assert not (tmp_path / "team.db").exists()
