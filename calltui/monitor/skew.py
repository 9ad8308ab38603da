"""Twilio's clock: the local clock corrected by the `Date` header of Twilio's answers.

Durations (now minus a call's start time, which Twilio stamped) and alert thresholds are only right on
Twilio's clock. A laptop three minutes fast would show every call three minutes longer; past
`THRESHOLD` seconds of difference, `now()` is shifted by it (and the header shows it).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta

from calltui.domain.call import utcnow

THRESHOLD = 2.0
"""Seconds of difference below which the local clock is trusted as it is (Date has 1 s resolution)."""
_SAMPLES = 7
"""The median of the latest answers: one slow answer does not move the estimate."""


class TwilioClock:
    """A callable clock (`clock()` → aware UTC datetime), like `utcnow`, that follows Twilio's time.

    `observe` may be called from any thread (the gateway's SDK runs on a loop of its own)."""

    def __init__(self, local: Callable[[], datetime] = utcnow) -> None:
        self._local = local
        self._samples: deque[float] = deque(maxlen=_SAMPLES)
        self._lock = threading.Lock()
        self._skew = 0.0

    def __call__(self) -> datetime:
        return self._local() + timedelta(seconds=self._skew)

    @property
    def skew(self) -> float:
        """Seconds Twilio's clock is ahead of the local one (negative: behind); 0 within the threshold."""
        return self._skew

    def observe(self, date_header: str | None) -> None:
        """One answer's `Date` header (untrusted: anything unparsable is ignored)."""
        if not date_header:
            return
        # Imported here, on the gateway's thread after the first paint, rather than before it.
        import statistics
        from email.utils import parsedate_to_datetime

        try:
            twilio = parsedate_to_datetime(date_header)
        except (TypeError, ValueError, IndexError, OverflowError):
            return
        if twilio.tzinfo is None:
            return
        # `Date` is truncated to the second: the answer was made somewhere in the half-open second after it.
        try:
            sample = (twilio - self._local()).total_seconds() + 0.5
        except OverflowError:
            return
        with self._lock:
            self._samples.append(sample)
            estimate = statistics.median(self._samples)
            self._skew = estimate if abs(estimate) > THRESHOLD else 0.0


def skew_text(seconds: float) -> str | None:
    """`clock -3:00` when the local clock is three minutes fast against Twilio's; None when in step."""
    if not seconds:
        return None
    whole = round(abs(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    amount = f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"
    # The sign says how the local clock stands against Twilio's: fast (+) or slow (-).
    return f"local clock {'+' if seconds < 0 else '-'}{amount} vs Twilio"
