"""`TeamSide`: what an account's session does with its team: follow the poller's feed, claim a call before
acting on it, check the claim as the request goes, and tell the team every step.

Where it sits in the action path (see `monitor.session`):

    claim(call, action)   -> CLAIMED, HeldBy (a teammate's: nothing is sent) or OFFLINE (the engineer must
                             say yes to act alone); the team sees the intent
    still_ours(sid)       -> checked (and extended) at the moment of sending: a claim that expired while
                             this instance was paused, and was taken by a teammate, stops the request
    finished(outcome)     -> the team sees the outcome; the claim is released
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime

from calltui.domain.actions import Action
from calltui.domain.diff import diff_calls
from calltui.monitor.actions import ActionOutcome, ActionRunner, action_name
from calltui.monitor.poller import Poller, PollResult
from calltui.monitor.recording.codec import apply_poll
from calltui.monitor.recording.format import RecordingError
from calltui.monitor.team.claims import CLAIMED, OFFLINE, Claim, ClaimVerdict
from calltui.monitor.team.link import TeamConfig, TeamLink, TeamUnavailable
from calltui.monitor.team.team import Team, TeamEvents
from calltui.monitor.team.wire import TeamAction

MARGIN = 5.0
"""Seconds a claim outlives the grace window and the request, for the clocks and the network."""
APPLY_OFF_LOOP = 64 << 10
"""Feed data above this many (compressed) bytes is unpacked in a worker thread."""


class TeamSide:
    def __init__(
        self,
        config: TeamConfig,
        account_sid: str,
        *,
        interval: float,
        grace_seconds: float,
        clock: Callable[[], datetime],
        events: TeamEvents,
    ) -> None:
        link = TeamLink(config.url)
        self.team = Team(link, account_sid, who=config.who, interval=interval, events=events, clock=clock)
        self.clock = clock
        self._hold = grace_seconds + config.request_timeout + MARGIN
        self._act = config.request_timeout + MARGIN
        self._claims: dict[str, Claim] = {}
        self.working: dict[str, TeamAction] = {}
        """Teammates' intents by call SID, until their outcome or cancellation."""
        self._started = False

    def start(self) -> None:
        if not self._started:
            self._started = True
            self.team.start()

    async def close(self) -> None:
        await self.team.close()

    @property
    def online(self) -> bool:
        return self.team.state.online

    @property
    def following(self) -> bool:
        """A teammate polls for us: the session applies the feed instead of polling."""
        return not self.team.state.polling

    # ----------------------------------------------------------------- the feed

    async def follow(self, poller: Poller) -> PollResult | None:
        """The next poll from the feed, applied to `poller`'s calls; None when the role changed (or the
        entries could not be applied: the next keyframe puts it right)."""
        entries = await self.team.feed.get()
        if entries is None:
            return None
        before = poller.calls
        state = dict(before)
        try:
            for entry in entries:
                if len(entry.data) > APPLY_OFF_LOOP:
                    diff = await asyncio.to_thread(apply_poll, state, entry.keyframe, entry.data)
                else:
                    diff = apply_poll(state, entry.keyframe, entry.data)
        except RecordingError:
            self.team.refollow(dropped=True)
            return None
        if len(entries) > 1:
            diff = diff_calls(before, state)
        poller.adopt(state, self.clock())
        return PollResult(poller.state, poller.interval, diff, state, before)

    def start_over(self) -> None:
        """A view switch emptied the calls: stop waiting for the feed now, and follow it again from its
        last keyframe."""
        self.team.refollow()
        self.team.feed.put_nowait(None)

    # ----------------------------------------------------------------- claims and the action stream

    async def claim(self, call_sid: str, action: Action) -> ClaimVerdict:
        """Claim the call for the grace window and the request; the team sees the intent."""
        name = action_name(action)
        if not self.online:
            return OFFLINE
        try:
            verdict = await self.team.claim(call_sid, name, self._hold)
        except TeamUnavailable:
            return OFFLINE
        if not isinstance(verdict, Claim):
            return verdict
        self._claims[call_sid] = verdict
        self.announce("intent", call_sid, name)
        return CLAIMED

    def forget(self, call_sid: str) -> None:
        """A claim found lost to a teammate: ours no more, nothing to release."""
        self._claims.pop(call_sid, None)

    def sender(self, runner: ActionRunner, alone: Callable[[], bool]) -> ClaimingSender:
        """What a bulk run sends through: each call claimed first."""
        return ClaimingSender(self, runner, alone)

    async def still_ours(self, call_sid: str) -> bool:
        claim = self._claims.get(call_sid)
        if claim is None:
            return True  # taken alone, with the engineer's yes, while the team was offline
        try:
            return await self.team.claims.extend(claim, self._act)
        except TeamUnavailable:
            return True  # ours when confirmed, and it outlives the grace window and the request

    async def release(self, call_sid: str) -> None:
        claim = self._claims.pop(call_sid, None)
        if claim is not None:
            with contextlib.suppress(TeamUnavailable):  # it expires by itself
                await self.team.claims.release(claim)

    def announce(self, kind: str, call_sid: str, action: str, result: str = "") -> None:
        self.team.publish_action(
            TeamAction(
                kind=kind,
                who=self.team.who,
                instance=self.team.instance,
                call_sid=call_sid,
                action=action,
                result=result,
                at=self.clock(),
                offline=not self.online,
            )
        )

    async def finished(self, call_sid: str, outcome: ActionOutcome | None) -> None:
        """The team sees the outcome (None: nothing was sent), and the claim goes."""
        if outcome is not None:
            self.announce("outcome", call_sid, outcome.action, outcome.result)
        await self.release(call_sid)

    def teammate_on(self, call_sid: str) -> TeamAction | None:
        """A teammate's intent on the call not yet followed by its outcome (fresh enough to stand)."""
        step = self.working.get(call_sid)
        if step is None or (self.clock() - step.at).total_seconds() > self._hold:
            return None
        return step

    def heard(self, step: TeamAction) -> None:
        """A teammate's step arrived: keep who is working on which call."""
        if step.kind == "intent":
            self.working[step.call_sid] = step
        elif step.kind in ("outcome", "cancel"):
            self.working.pop(step.call_sid, None)


class ClaimingSender:
    """A bulk run's sender in team mode: each call is claimed just before its request; one a teammate
    holds is not sent (the run counts it as skipped), and so is every call while the team is offline,
    unless the engineer said yes to acting alone."""

    def __init__(self, side: TeamSide, runner: ActionRunner, alone: Callable[[], bool]) -> None:
        self._side = side
        self._runner = runner
        self._alone = alone

    async def run(self, sid: str, action: Action) -> ActionOutcome | None:
        verdict = await self._side.claim(sid, action)
        if verdict != CLAIMED and not (verdict == OFFLINE and self._alone()):
            return None  # a teammate holds it, or the team went away without the engineer's yes
        outcome = await self._runner.run(sid, action)
        await self._side.finished(sid, outcome)
        return outcome
