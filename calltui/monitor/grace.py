"""The grace window: a confirmed action waits a few seconds before it is sent, and can be taken back.

Pure bookkeeping against the app's clock: the app's tick asks what is `due`, so tests move a clock
instead of sleeping.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from calltui.domain.actions import Action
from calltui.domain.call import Call


@dataclass(frozen=True, slots=True)
class PendingAction:
    call: Call
    action: Action
    deadline: datetime

    def seconds_left(self, now: datetime) -> int:
        """Whole seconds to show in the countdown (3, 2, 1), never below 1 while still pending."""
        return max(1, math.ceil((self.deadline - now).total_seconds()))


class GraceQueue:
    def __init__(self, seconds: float) -> None:
        self.seconds = max(0.0, seconds)
        self._pending: list[PendingAction] = []  # oldest first

    @property
    def pending(self) -> list[PendingAction]:
        return list(self._pending)

    def holds(self, sid: str) -> bool:
        return any(item.call.sid == sid for item in self._pending)

    def add(self, call: Call, action: Action, now: datetime) -> PendingAction:
        item = PendingAction(call, action, now + timedelta(seconds=self.seconds))
        self._pending.append(item)
        return item

    def due(self, now: datetime) -> list[PendingAction]:
        """Remove and return the actions whose window has passed: each is handed out exactly once."""
        ready = [item for item in self._pending if item.deadline <= now]
        if ready:
            self._pending = [item for item in self._pending if item.deadline > now]
        return ready

    def cancel_latest(self) -> PendingAction | None:
        """Take back the most recently confirmed action still waiting."""
        return self._pending.pop() if self._pending else None

    def cancel_all(self) -> list[PendingAction]:
        """Take back every action still waiting (oldest first): none of them will be handed out by `due`."""
        taken, self._pending = self._pending, []
        return taken
