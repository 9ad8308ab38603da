"""Moves: a call changes status while a list read is held, so tests can stage, deterministically, the race a
poll must survive (a call answered between the reads of two status lists, or leaving a list being paged)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass

from calltui.domain.call import ENDED_STATUSES
from calltui.simulator.faults import Staged

TARGETS = ("ringing", "in-progress", *ENDED_STATUSES)
_STEP = 0.005  # seconds between looks while a read is held


@dataclass(slots=True)
class Move:
    read: str
    """The Status whose list read is held (e.g. "ringing")."""
    to: str
    """Where the call goes: ringing, in-progress or an ended status."""
    sid: str | None
    """The call that moves; None: the newest call in status `read` when the read arrives."""
    page: int
    """Which page of that read is held (0: the first; Twilio's `Page` parameter)."""
    after: str | None
    """Hold the read until a read of this Status is answered (at most `hold` seconds); None: move at once."""
    hold: float
    times: int | None
    """Reads still to affect; None: every matching read until cleared."""


class Moves(Staged[Move]):
    """The staged moves."""

    def __init__(self) -> None:
        super().__init__()
        self._answered: Counter[str | None] = Counter()  # reads answered, by Status

    def add(
        self,
        read: str,
        to: str,
        *,
        sid: str | None = None,
        page: int = 0,
        after: str | None = None,
        hold: float = 0.5,
        times: int | None = 1,
    ) -> Move:
        """Before answering page `page` of the next `times` reads of Status=`read`: wait until a read of
        Status=`after` has been answered (at most `hold` s), then move the call to `to`, then answer."""
        if to not in TARGETS:
            raise ValueError(f"a call can move to {', '.join(TARGETS)}, not {to!r}")
        return self._stage(Move(read, to, sid, page, after, hold, times))

    async def before_read(self, status: str | None, page: int) -> list[Move]:
        """Called by the list endpoint before it reads the store: holds the read as the moves staged for it
        say, then returns them for the endpoint to apply, first added first."""
        moves = self._take(status, page)
        waits = [(move, self._answered[move.after]) for move in moves if move.after is not None]
        for move, seen in waits:
            deadline = time.monotonic() + move.hold
            while self._answered[move.after] == seen and time.monotonic() < deadline:
                await asyncio.sleep(_STEP)
        return moves

    def answered(self, status: str | None) -> None:
        """A read of Status=`status` has been answered (its page is what the client will get)."""
        with self._lock:
            self._answered[status] += 1

    def _take(self, status: str | None, page: int) -> list[Move]:
        with self._lock:
            taken = [move for move in self._items if move.read == status and move.page == page]
            for move in taken:
                self._use(move)
            return taken
