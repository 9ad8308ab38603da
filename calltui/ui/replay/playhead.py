"""Where a replay stands: a moment on the recording's timeline, how fast it moves, whether it is paused."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import UTC, datetime

SPEEDS = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)


class Playhead:
    """Times are Unix seconds, one per poll, non-decreasing; the timeline runs from the first poll to
    `end` (the last poll or a later action)."""

    def __init__(self, times: Sequence[float], end: float | None = None) -> None:
        if not times:
            raise ValueError("a replay needs at least one poll")
        self.times = list(times)
        self.start = self.times[0]
        self.end = max(self.times[-1], end if end is not None else self.times[-1])
        self.position = self.start
        self.paused = False
        self._speed = SPEEDS.index(1.0)

    @property
    def speed(self) -> float:
        return SPEEDS[self._speed]

    @property
    def index(self) -> int:
        """The poll whose calls are on screen: the last one at or before the position."""
        return max(0, bisect.bisect_right(self.times, self.position) - 1)

    @property
    def moment(self) -> datetime:
        return datetime.fromtimestamp(self.position, UTC)

    @property
    def at_end(self) -> bool:
        return self.position >= self.end

    def advance(self, seconds: float) -> bool:
        """Play on by `seconds` of real time (times the speed); pauses at the end. Whether it moved."""
        if self.paused or seconds <= 0:
            return False
        self._go(self.position + seconds * self.speed)
        if self.at_end:
            self.paused = True
        return True

    def toggle(self) -> None:
        """Pause or play; playing from the end starts again from the beginning."""
        if self.paused and self.at_end:
            self.position = self.start
        self.paused = not self.paused

    def seek_by(self, seconds: float) -> None:
        self._go(self.position + seconds)

    def step(self, polls: int) -> None:
        """Jump to the poll `polls` away from the one on screen."""
        self._go(self.times[min(max(self.index + polls, 0), len(self.times) - 1)])

    def to_start(self) -> None:
        self._go(self.start)

    def to_end(self) -> None:
        self._go(self.end)

    def faster(self) -> None:
        self._speed = min(self._speed + 1, len(SPEEDS) - 1)

    def slower(self) -> None:
        self._speed = max(self._speed - 1, 0)

    def _go(self, position: float) -> None:
        self.position = min(max(position, self.start), self.end)
