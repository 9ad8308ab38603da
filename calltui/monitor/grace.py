"""The grace window: a confirmed action, or a confirmed bulk run, waits a few seconds before it is sent,
and can be taken back.

Pure bookkeeping against the app's clock: the app's tick asks what is `due`, so tests move a clock
instead of sleeping.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from calltui.domain.actions import Action
from calltui.domain.call import Call
from calltui.monitor.bulk import BulkItem


def seconds_left(deadline: datetime, now: datetime) -> int:
    """Whole seconds to show in the countdown (3, 2, 1), never below 1 while still pending."""
    return max(1, math.ceil((deadline - now).total_seconds()))


@dataclass(frozen=True, slots=True)
class PendingAction:
    call: Call
    action: Action
    deadline: datetime

    @property
    def items(self) -> tuple[BulkItem, ...]:
        """The one call and action it sends (as a run's `items`: what is audited per call)."""
        return (BulkItem(self.call.sid, self.action),)

    def seconds_left(self, now: datetime) -> int:
        return seconds_left(self.deadline, now)


@dataclass(frozen=True, slots=True)
class PendingRun:
    """A confirmed bulk run: all its calls wait out one grace window, and `u` takes back all of them."""

    items: tuple[BulkItem, ...]
    deadline: datetime

    def seconds_left(self, now: datetime) -> int:
        return seconds_left(self.deadline, now)


Waiting = PendingAction | PendingRun


class GraceQueue:
    def __init__(self, seconds: float) -> None:
        self.seconds = max(0.0, seconds)
        self._pending: list[Waiting] = []  # oldest first

    @property
    def pending(self) -> list[Waiting]:
        return list(self._pending)

    @property
    def actions(self) -> list[PendingAction]:
        """The single actions waiting (not the bulk runs)."""
        return [item for item in self._pending if isinstance(item, PendingAction)]

    @property
    def runs(self) -> list[PendingRun]:
        return [item for item in self._pending if isinstance(item, PendingRun)]

    def holds(self, sid: str) -> bool:
        return any(one.sid == sid for item in self._pending for one in item.items)

    def add(self, call: Call, action: Action, now: datetime) -> PendingAction:
        item = PendingAction(call, action, self._deadline(now))
        self._pending.append(item)
        return item

    def add_run(self, items: tuple[BulkItem, ...], now: datetime) -> PendingRun:
        run = PendingRun(items, self._deadline(now))
        self._pending.append(run)
        return run

    def _deadline(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.seconds)

    def due(self, now: datetime) -> list[Waiting]:
        """Remove and return what has waited out its window: each is handed out exactly once."""
        ready = [item for item in self._pending if item.deadline <= now]
        if ready:
            self._pending = [item for item in self._pending if item.deadline > now]
        return ready

    def cancel_latest(self) -> Waiting | None:
        """Take back what was confirmed most recently and still waits (a bulk run as a whole)."""
        return self._pending.pop() if self._pending else None

    def cancel_all(self) -> list[Waiting]:
        """Take back everything still waiting (oldest first): none of it will be handed out by `due`."""
        taken, self._pending = self._pending, []
        return taken
