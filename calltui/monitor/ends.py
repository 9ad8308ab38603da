"""`RecentEnds`: how the calls calltui saw end in the last minute ended (the header's counts), so a flood of
no-answer or failed calls shows as it happens."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from datetime import datetime, timedelta

from calltui.domain.call import ENDED_STATUSES, Call


class RecentEnds:
    """Ends by final status over a sliding window, timed by when calltui learned of them (our clock: an
    `end_time` from a skewed Twilio clock could put a fresh end outside the window)."""

    def __init__(self, window: timedelta = timedelta(minutes=1)) -> None:
        self.window = window
        self._ends: deque[tuple[datetime, str]] = deque()
        self._counts: Counter[str] = Counter()

    def record(self, calls: Iterable[Call], at: datetime) -> None:
        """Calls that ended by `at`; those without a final status (an unknown one) are not counted."""
        for call in calls:
            if call.status in ENDED_STATUSES:
                self._ends.append((at, call.status))
                self._counts[call.status] += 1

    def counts(self, now: datetime) -> dict[str, int]:
        """Ends in the window before `now`, by final status (statuses with none left out)."""
        ends, horizon = self._ends, now - self.window
        while ends and ends[0][0] <= horizon:
            self._counts[ends.popleft()[1]] -= 1
        return {status: self._counts[status] for status in ENDED_STATUSES if self._counts[status] > 0}
