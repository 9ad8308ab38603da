"""Polls the gateway for active (or recently ended) calls and turns each answer into a snapshot and a diff."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, TypeVar

from calltui.domain.call import ENDED_STATUSES, Call, utcnow
from calltui.domain.diff import PollDiff, diff_calls, index_calls
from calltui.domain.errors import AuthError, GatewayError
from calltui.domain.gateway import CallGateway
from calltui.monitor.backoff import Backoff
from calltui.monitor.ends import RecentEnds
from calltui.monitor.reconcile import Reconciler

#: Above this many calls every pass over all of them (index, diff, what vanished) runs in a worker thread,
#: so the UI loop never stalls on one (50,000 calls: 5-30 ms each).
_DIFF_OFF_LOOP = 2000

T = TypeVar("T")


class View(Enum):
    ACTIVE = "active"
    RECENT = "recent"


@dataclass(frozen=True, slots=True)
class PollState:
    """What the header shows about the data's freshness."""

    last_ok: datetime | None = None
    error: GatewayError | None = None
    failures: int = 0
    retry_at: datetime | None = None
    stopped: bool = False
    """Polling has stopped (credentials refused); only the engineer can restart it."""

    def stale(self) -> bool:
        return self.error is not None


@dataclass(frozen=True, slots=True)
class PollResult:
    state: PollState
    delay: float
    """Seconds to wait before the next poll."""
    diff: PollDiff | None = None
    """None when the poll failed: the table keeps its last good data."""
    calls: dict[str, Call] = field(default_factory=dict)
    """The poll's snapshot: the live calls, and the calls that ended since the last poll with their final
    records (they leave the next snapshot)."""
    base: dict[str, Call] | None = None
    """The snapshot `diff` was taken from, so that whoever holds that same snapshot (the recorder) reuses the
    diff instead of taking it again."""


class Poller:
    """One poll at a time; the caller sleeps `result.delay` between polls so they never overlap."""

    def __init__(
        self,
        gateway: CallGateway,
        interval: float,
        *,
        recent_window: timedelta = timedelta(hours=1),
        clock: Callable[[], datetime] = utcnow,
        backoff: Backoff | None = None,
    ) -> None:
        self.gateway = gateway
        self.interval = interval
        self.recent_window = recent_window
        self.view = View.ACTIVE
        self._clock = clock
        self._backoff = backoff or Backoff(base=interval)
        self._calls: dict[str, Call] = {}
        self._latest_update: datetime | None = None  # the latest `date_updated` among `_calls`
        self._last_started: datetime | None = None  # when the last good poll started
        self._last_reading = timedelta(0)  # and how long it took to read the lists
        self._reconciler = Reconciler(gateway)
        self.recent_ends = RecentEnds()
        """Calls seen to end in the last minute, by final status (the header counts them)."""
        self.state = PollState()

    @property
    def calls(self) -> dict[str, Call]:
        """The last good poll's calls; in the live view without those that have just ended."""
        if self.view is not View.ACTIVE:
            return self._calls
        return {sid: call for sid, call in self._calls.items() if call.status not in ENDED_STATUSES}

    @property
    def filled(self) -> bool:
        """Whether the view has had a good poll since it started (until then its calls are unknown)."""
        return self._last_started is not None

    def over(self, sid: str) -> str | None:
        """Why the last good poll says call `sid` is over (`it ended (no-answer)`, or that the live view no
        longer lists it); None when it is live, or when no poll since the last view switch can tell."""
        call = self._calls.get(sid)
        if call is not None:
            return f"it ended ({call.status})" if call.status in ENDED_STATUSES else None
        if self.view is View.ACTIVE and self.filled:
            return "it is no longer among the live calls"
        return None

    def status_of(self, sid: str) -> str | None:
        """Call `sid`'s status in the last good poll; None when it is not in it."""
        call = self._calls.get(sid)
        return call.status if call is not None else None

    def switch_view(self, view: View) -> None:
        """The next poll starts the new view from empty (its result is a full fill)."""
        self.view = view
        self._calls = {}
        self._last_started = None
        self._reconciler.reset()

    def adopt(self, calls: dict[str, Call], at: datetime) -> None:
        """A teammate's poll, applied at `at`: the calls as the team's poller read them (team mode). Calls
        live before and ended in it are counted as the poller counts its own, so a follower's header shows
        the ends of the last minute too."""
        before = self._calls
        self.recent_ends.record(
            (
                call
                for sid, call in calls.items()
                if not call.is_active and sid in before and before[sid].is_active
            ),
            at,
        )
        self._calls, self._last_started = calls, at
        self._latest_update = latest_update(calls.values())
        self._backoff.reset()
        self.state = PollState(last_ok=at)

    def resume(self) -> None:
        """Start again after credentials were refused (the engineer asked)."""
        self._backoff.reset()
        self.state = PollState(last_ok=self.state.last_ok)

    async def poll(self) -> PollResult:
        view, started = self.view, self._clock()
        reading = timedelta(0)  # how long the lists took to read
        try:
            if view is View.ACTIVE:
                listed = await self.gateway.list_active()
                reading = max(self._clock() - started, timedelta(0))
                new = await _off_loop(len(listed), index_calls, listed)
                ended = await self._reconcile(new)
            else:
                listed = await self.gateway.list_recent(started - self.recent_window)
                new = await _off_loop(len(listed), index_calls, listed)
                ended = []
        except GatewayError as error:
            return self._failed(error)
        if view is not self.view:  # the engineer switched views while this poll was in flight
            return PollResult(self.state, 0.0)
        base = self._calls
        diff, self._latest_update = await _off_loop(len(new), _diff_and_latest, base, new)
        self._calls, self._last_started, self._last_reading = new, started, reading
        self.recent_ends.record(ended, started)
        self._backoff.reset()
        self.state = PollState(last_ok=self._clock())
        return PollResult(self.state, self.interval, diff, new, base)

    async def _reconcile(self, listed: dict[str, Call]) -> list[Call]:
        """Put the calls live last poll and missing from `listed` back into it, as Twilio has them now
        (see `Reconciler`); returns those that ended."""
        if self._last_started is None:
            return []
        missing = await _off_loop(len(listed), _vanished, self._calls, listed)
        if not missing:
            self._reconciler.reset()
            return []
        found = await self._reconciler.reconcile(missing, self._served_by)
        listed.update(found)
        return [call for call in found.values() if not call.is_active]

    def _served_by(self) -> datetime:
        """A moment, on Twilio's clock, no later than when the last poll's first list was served: the latest
        update among its calls (a busy account updates some call every few seconds; our clock may be off
        Twilio's), but not after that poll started nor a day before it (records dated in the future or at
        year 1), less the time its lists took to read (a call updated during the last read may be that
        much later than a call the first read listed, which may have ended since)."""
        started = self._last_started
        assert started is not None
        latest = started if self._latest_update is None else self._latest_update
        return max(min(latest, started), started - timedelta(days=1)) - self._last_reading

    def _failed(self, error: GatewayError) -> PollResult:
        now = self._clock()
        if isinstance(error, AuthError):
            # Refused credentials will not start working by themselves: stop, don't hammer.
            self.state = PollState(self.state.last_ok, error, self.state.failures + 1, None, stopped=True)
            return PollResult(self.state, float("inf"))
        delay = self._backoff.next_delay(error)
        self.state = PollState(
            self.state.last_ok, error, self._backoff.failures, now + timedelta(seconds=delay)
        )
        return PollResult(self.state, delay)


async def _off_loop(size: int, fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)`, a pass over `size` calls: in a worker thread above `_DIFF_OFF_LOOP` of them."""
    if size > _DIFF_OFF_LOOP:
        return await asyncio.to_thread(fn, *args)
    return fn(*args)


def latest_update(calls: Iterable[Call]) -> datetime | None:
    """The latest `date_updated` among `calls`; None when none has one."""
    return max((call.date_updated for call in calls if call.date_updated is not None), default=None)


def _diff_and_latest(base: Mapping[str, Call], new: Mapping[str, Call]) -> tuple[PollDiff, datetime | None]:
    """The poll's diff and its latest update (what the next poll's reconciliation needs): one thread hop."""
    return diff_calls(base, new), latest_update(new.values())


def _vanished(before: Mapping[str, Call], listed: Mapping[str, Call]) -> dict[str, Call]:
    """The calls live in `before` that `listed` no longer has."""
    gone = before.keys() - listed.keys()  # a set operation: no Python loop over every call
    return {sid: call for sid in gone if (call := before[sid]).is_active}
