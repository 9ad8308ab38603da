"""Active calls over the session: one sample per good poll of the active view, the most recent kept."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from calltui.domain.call import Call

DEFAULT_SIZE = 120


@dataclass(frozen=True, slots=True)
class Sample:
    at: datetime
    active: int


def active_count(calls: Iterable[Call]) -> int:
    """Live calls (queued, ringing, in progress) among `calls`; unknown statuses do not count."""
    return sum(1 for call in calls if call.is_active)


class ActivityHistory:
    """A ring buffer of samples: memory stays bounded however long the session runs."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._samples: deque[Sample] = deque(maxlen=max(1, size))

    def record(self, at: datetime, active: int) -> None:
        self._samples.append(Sample(at, max(0, active)))

    @property
    def samples(self) -> tuple[Sample, ...]:
        """Oldest first."""
        return tuple(self._samples)

    def __len__(self) -> int:
        return len(self._samples)
