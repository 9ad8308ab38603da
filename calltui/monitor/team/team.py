"""`Team`: this instance's place in its account's team: the poller's lease, the feed, the action stream,
claims and who is online. Three background tasks, none of which the table ever waits for:

- the lease loop (every fifth of an interval, at most a second): heartbeat, renew or take the poller's
  lease, list teammates; when Redis fails it turns the team OFFLINE (the session then polls by itself)
  and retries with backoff;
- the reader: one blocking XREAD over the action, feed and control streams;
- the sender: publishes queued entries; actions that could not be published wait in an outbox.

A lease lives 0.6 interval and is renewed every fifth of one, and a follower tries to take it as often:
when the poller dies, its last poll was at most an interval before its last renewal, its lease runs out
0.6 interval after that, and a teammate polls within a fifth more: no poll is missed for longer than
1.8 intervals (plus the new poll's own time). The lease only decides who polls (a read); no write
relies on it: each action claims its call (see `claims`).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from calltui.monitor.poller import PollResult
from calltui.monitor.recording.codec import PollEncoder
from calltui.monitor.team.claims import Claim, Claims, HeldBy, extend_owned, release_owned
from calltui.monitor.team.link import TeamLink, TeamUnavailable
from calltui.monitor.team.wire import (
    BadEntry,
    FeedEntry,
    Holder,
    Keys,
    Member,
    TeamAction,
    decode_action,
    decode_feed,
    decode_member,
    decode_poll_request,
    encode_action,
    encode_feed,
    encode_member,
    encode_poll_request,
)

ACTIONS_KEPT = 10_000
"""Entries the action stream keeps (about: MAXLEN ~)."""
FEED_KEPT = 200
"""Entries the feed keeps: enough to find the last keyframe."""
CONTROL_KEPT = 100
RECENT = 200
"""Actions the `t` screen can list."""
OUTBOX = 1000
"""Actions kept for publishing while the team is offline; older ones are dropped (the audit log has all)."""
BACKOFF_CAP = 10.0
KEYFRAME_EVERY = 20
"""Polls between the feed's keyframes: a follower that missed an entry catches up from the last one."""
ENCODE_OFF_LOOP = 500
MEMBERS_EVERY = 1.0
"""Seconds between two readings of who is online."""


@dataclass
class TeamEvents:
    """What the team tells its session (all called on the event loop, none may block)."""

    action: Callable[[TeamAction], None] = lambda action: None
    """A teammate's action step arrived."""
    changed: Callable[[], None] = lambda: None
    """Online/offline, the poller role or the teammates changed."""
    role: Callable[[bool], None] = lambda polling: None
    """This instance starts (True) or stops (False) polling for the team."""
    poll_requested: Callable[[], None] = lambda: None
    """A teammate asked the poller (us) for a poll now."""


@dataclass
class TeamState:
    online: bool = False
    polling: bool = True
    """Whether this instance polls: it holds the lease, or the team is offline (it polls alone)."""
    members: list[Member] = field(default_factory=list)
    dropped: int = 0
    """Entries read from Redis that were malformed, oversized, of another version or hostile."""


class Team:
    def __init__(
        self,
        link: TeamLink,
        account_sid: str,
        *,
        who: str,
        interval: float,
        events: TeamEvents | None = None,
        clock: Callable[[], datetime],
    ) -> None:
        self.link = link
        self.keys = Keys(account_sid)
        self.who = who
        self.instance = secrets.token_hex(6)
        self.interval = interval
        self.events = events or TeamEvents()
        self.clock = clock
        self.state = TeamState()
        self.claims = Claims(link, self.keys, Holder(who, self.instance, "hangup"))
        self.recent: deque[TeamAction] = deque(maxlen=RECENT)
        """The team's latest action steps (ours too), oldest first."""
        self.feed: asyncio.Queue[list[FeedEntry] | None] = asyncio.Queue()
        """Feed entries in order, each run starting where the last ended or at a keyframe; None: the
        role changed (the session stops waiting)."""
        self._epoch: str | None = None
        self._follow: tuple[str, int] | None = None
        self._lease_token: bytes | None = None
        self._outbox: deque[TeamAction] = deque(maxlen=OUTBOX)
        self._send: asyncio.Queue[_Entry | PollResult] = asyncio.Queue(maxsize=1000)
        self._ids: dict[str, str] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False
        self._rng = random.Random()

    # ----------------------------------------------------------------- life

    @property
    def period(self) -> float:
        """Seconds between two rounds of the lease loop: a fifth of an interval, at most a second."""
        return min(1.0, max(0.05, self.interval / 5))

    @property
    def lease_ttl(self) -> float:
        """0.6 interval (five rounds at most): a long interval does not make a dead poller's lease last."""
        return max(0.2, min(0.6 * self.interval, 5 * self.period))

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._lease_loop(), name="team-lease"),
            asyncio.create_task(self._read_loop(), name="team-read"),
            asyncio.create_task(self._send_loop(), name="team-send"),
        ]

    async def close(self) -> None:
        """Stop, hand the lease back (a teammate takes over at once) and leave the member list."""
        self._closing = True  # asyncio.wait_for may swallow a cancellation (Python 3.11): the loops look
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=2 * self.link.timeout + self.link.block)
        if self.state.online:
            with contextlib.suppress(TeamUnavailable):
                if self._lease_token is not None:
                    await release_owned(self.link, self.keys.lease, self._lease_token)
                await self.link.call(lambda r: r.delete(self.keys.member(self.instance)))
        await self.link.close()

    # ----------------------------------------------------------------- the lease loop

    async def _lease_loop(self) -> None:
        failures = 0
        listed = -math.inf
        loop = asyncio.get_running_loop()
        while not self._closing:
            try:
                await self._heartbeat()
                await self._lease()
                if loop.time() - listed >= MEMBERS_EVERY or not self.state.online:
                    await self._list_members()
                    listed = loop.time()
                if not self.state.online:
                    self.state.online = True
                    failures = 0
                    self._flush_outbox()
                    self.events.changed()
                delay = self.period
            except TeamUnavailable:
                failures += 1
                self._offline()
                ceiling = min(BACKOFF_CAP, self.period * 2 ** min(failures, 8))
                delay = ceiling / 2 + self._rng.uniform(0, ceiling / 2)
            await asyncio.sleep(delay)

    def _offline(self) -> None:
        was_online = self.state.online
        self.state.online = False
        self._lease_token = None
        self._follow = None
        self.state.members = []
        self._set_polling(True)
        if was_online:
            self.events.changed()

    def _set_polling(self, polling: bool) -> None:
        if polling != self.state.polling:
            self.state.polling = polling
            if not polling:
                self._follow = None  # start from a keyframe
            self.feed.put_nowait(None)
            self.events.role(polling)
            self.events.changed()

    async def _heartbeat(self) -> None:
        member = encode_member(Member(self.who, self.instance, self._lease_token is not None))
        ttl = max(3000, round(self.period * 12_000))
        key = self.keys.member(self.instance)

        async def beat(r: Any) -> None:
            async with r.pipeline(transaction=False) as pipe:
                pipe.set(key, member, px=ttl)
                pipe.sadd(self.keys.members, self.instance)
                await pipe.execute()

        await self.link.call(beat)

    async def _lease(self) -> None:
        if self._lease_token is not None:
            if await extend_owned(self.link, self.keys.lease, self._lease_token, self.lease_ttl):
                self._set_polling(True)
                return
            self._lease_token = None
        token = secrets.token_hex(8).encode()
        won = await self.link.call(
            lambda r: r.set(self.keys.lease, token, nx=True, px=round(self.lease_ttl * 1000))
        )
        if won:
            self._lease_token = token
            self._epoch = token.decode()
        self._set_polling(bool(won))

    async def _list_members(self) -> None:
        ids = await self.link.call(lambda r: r.smembers(self.keys.members))
        ids = sorted(i for i in ids if isinstance(i, bytes) and i.isalnum() and len(i) <= 32)[:200]
        if not ids:
            self.state.members = []
            return
        values = await self.link.call(lambda r: r.mget([self.keys.member(i.decode()) for i in ids]))
        members, gone = [], []
        for instance, value in zip(ids, values, strict=False):
            if value is None:
                gone.append(instance)
                continue
            try:
                members.append(decode_member(value))
            except BadEntry:
                self.state.dropped += 1
        if gone:
            await self.link.call(lambda r: r.srem(self.keys.members, *gone))
        if [(m.who, m.polling) for m in members] != [(m.who, m.polling) for m in self.state.members]:
            self.state.members = members
            self.events.changed()

    @property
    def teammates(self) -> list[Member]:
        """The others online now (this instance is not among them)."""
        return [m for m in self.state.members if m.instance != self.instance]

    # ----------------------------------------------------------------- publishing

    def publish_action(self, action: TeamAction) -> None:
        """Our action step: shown under `t` at once, sent to the team now or when it is back."""
        self.recent.append(action)
        if self.state.online:
            self._queue(self.keys.actions, encode_action(action), ACTIONS_KEPT)
        else:
            self._outbox.append(action)

    def publish_poll(self, result: PollResult) -> None:
        """Our poll goes to the feed, if we poll for the team (encoded by the sender, off the loop)."""
        if self.state.online and self._lease_token is not None:
            with contextlib.suppress(asyncio.QueueFull):  # Redis far too slow: the next one is a keyframe
                self._send.put_nowait(result)

    def ask_for_poll(self) -> None:
        """ctrl+r on a follower: the poller polls now."""
        if self.state.online:
            self._queue(self.keys.control, encode_poll_request(self.who), CONTROL_KEPT)

    def _queue(self, stream: str, fields: dict[bytes, bytes], kept: int) -> None:
        # Redis far too slow: drop rather than hold memory (the audit log has every action).
        with contextlib.suppress(asyncio.QueueFull):
            self._send.put_nowait(_Entry(stream, fields, kept))

    def _flush_outbox(self) -> None:
        while self._outbox:
            action = self._outbox.popleft()
            self._queue(self.keys.actions, encode_action(_offline(action)), ACTIONS_KEPT)

    async def _send_loop(self) -> None:
        encoder, epoch, seq = PollEncoder(KEYFRAME_EVERY), None, 0
        while not self._closing:
            item = await self._send.get()
            if isinstance(item, PollResult):
                if self._epoch != epoch:  # a new lease: a new epoch, starting with a keyframe
                    encoder.restart()
                    epoch, seq = self._epoch, 0
                if epoch is None or self._lease_token is None:
                    continue
                keyframe, data = await _encode(encoder, item)
                seq += 1
                item = _Entry(self.keys.feed, encode_feed(FeedEntry(epoch, seq, keyframe, data)), FEED_KEPT)
            entry = item
            try:
                await self.link.call(
                    lambda r, e=entry: r.xadd(e.stream, e.fields, maxlen=e.kept, approximate=True)
                )
            except TeamUnavailable:
                if entry.stream == self.keys.actions:
                    with contextlib.suppress(BadEntry):
                        self._outbox.append(decode_action(entry.fields))
                elif entry.stream == self.keys.feed:
                    encoder.restart()  # followers missed this poll: the next is a keyframe

    # ----------------------------------------------------------------- claims

    async def claim(self, call_sid: str, action: str, ttl: float) -> Claim | HeldBy:
        """Raises TeamUnavailable when the team cannot say (then the action needs the engineer's yes)."""
        claims = Claims(self.link, self.keys, Holder(self.who, self.instance, action))
        return await claims.claim(call_sid, action, ttl)

    # ----------------------------------------------------------------- reading

    async def _read_loop(self) -> None:
        while not self._closing:
            try:
                if not self._ids:
                    await self._start_reading()
                streams = dict(self._ids)
                answer = await self.link.read(
                    lambda r, ids=streams: r.xread(ids, block=round(self.link.block * 1000), count=200)
                )
            except TeamUnavailable:
                await asyncio.sleep(self.period)
                continue
            for stream, entries in answer or ():
                name = stream.decode() if isinstance(stream, bytes) else str(stream)
                if entries:
                    self._ids[name] = _id(entries[-1][0])
                    await self._dispatch(name, entries)

    async def _start_reading(self) -> None:
        """Read from the streams' ends; the action stream's latest entries fill the `t` list."""
        keys = (self.keys.actions, self.keys.feed, self.keys.control)

        async def tails(r: Any) -> list[Any]:
            async with r.pipeline(transaction=False) as pipe:
                pipe.xrevrange(self.keys.actions, count=50)
                pipe.xrevrange(self.keys.feed, count=1)
                pipe.xrevrange(self.keys.control, count=1)
                return await pipe.execute()

        recent, feed, control = await self.link.call(tails)
        for fields in reversed([fields for _, fields in recent]):
            with contextlib.suppress(BadEntry):
                action = decode_action(fields)
                if action.instance != self.instance:
                    self.recent.append(action)
        for key, last in zip(keys, (recent, feed, control), strict=True):
            self._ids[key] = _id(last[0][0]) if last else "0-0"

    async def _dispatch(self, stream: str, entries: list[Any]) -> None:
        if stream == self.keys.actions:
            for _, fields in entries:
                try:
                    action = decode_action(fields)
                except BadEntry:
                    self.state.dropped += 1
                    continue
                if action.instance != self.instance:
                    self.recent.append(action)
                    self.events.action(action)
        elif stream == self.keys.control:
            for _, fields in entries:
                try:
                    decode_poll_request(fields)
                except BadEntry:
                    self.state.dropped += 1
                    continue
                if self._lease_token is not None:
                    self.events.poll_requested()
        elif stream == self.keys.feed and not self.state.polling:
            await self._follow_feed([fields for _, fields in entries])

    async def _follow_feed(self, raw: list[Any]) -> None:
        run: list[FeedEntry] = []
        for fields in raw:
            try:
                entry = decode_feed(fields)
            except BadEntry:
                self.state.dropped += 1
                continue
            if self._next_in_order(entry):
                run.append(entry)
            elif not entry.keyframe and self._follow is not None and entry.epoch == self._follow[0]:
                if entry.seq <= self._follow[1]:
                    continue  # already applied
                run.extend(await self._resync())  # a gap: start again from the last keyframe
                break
            else:
                run.extend(await self._resync())
                break
        if run:
            self.feed.put_nowait(run)

    def _next_in_order(self, entry: FeedEntry) -> bool:
        follow = self._follow
        in_order = entry.keyframe or (
            follow is not None and entry.epoch == follow[0] and entry.seq == follow[1] + 1
        )
        if in_order:
            self._follow = (entry.epoch, entry.seq)
        return in_order

    def refollow(self, *, dropped: bool = False) -> None:
        """Apply no more diffs until the last keyframe is read again (the calls held were cleared, or
        feed data could not be applied: then it is counted as dropped)."""
        self.state.dropped += dropped
        self._follow = None

    async def _resync(self) -> list[FeedEntry]:
        """The last keyframe and the diffs after it (in order), or nothing until the next keyframe."""
        latest = await self.link.call(lambda r: r.xrevrange(self.keys.feed, count=FEED_KEPT))
        entries: list[FeedEntry] = []
        for _, fields in latest:
            try:
                entry = decode_feed(fields)
            except BadEntry:
                continue
            entries.append(entry)
            if entry.keyframe:
                break
        entries.reverse()
        if not entries or not entries[0].keyframe:
            self._follow = None
            return []
        run: list[FeedEntry] = []
        self._follow = None
        for entry in entries:
            if self._next_in_order(entry):
                run.append(entry)
            else:
                break
        if latest:
            self._ids[self.keys.feed] = _id(latest[0][0])
        return run


@dataclass(frozen=True, slots=True)
class _Entry:
    stream: str
    fields: dict[bytes, bytes]
    kept: int


async def _encode(encoder: PollEncoder, poll: PollResult) -> tuple[bool, bytes]:
    # A keyframe of thousands of calls takes tens of milliseconds to pack: not on the event loop.
    if len(poll.calls) > ENCODE_OFF_LOOP:
        return await asyncio.to_thread(encoder.encode, poll.calls, poll.diff, poll.base)
    return encoder.encode(poll.calls, poll.diff, poll.base)


def _offline(action: TeamAction) -> TeamAction:
    return replace(action, offline=True)


def _id(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
