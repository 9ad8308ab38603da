"""Keeps Python's full garbage collections short by freezing, once, what lives as long as the app.

A full collection walks every object the collector tracks. Measured at 10,000 calls (`make bench`):
about 100,000 tracked objects, 85,000 of them alive before the first call arrived — the libraries'
functions, classes and modules, Textual's screen, the twilio SDK — and alive until exit; a full
collection walked them all, 45-200 ms, for nothing. A call is one tracked object (its `Call`: strings,
numbers and dates are not tracked). So once the screen is up and the first poll applied (the SDK is
imported by then), everything alive is moved to the permanent generation (`gc.freeze()`, O(1)) and stays
there: the collector's own schedule keeps running and walks only what came later, about one object per
call, a few ms at 10,000 calls. Frozen objects are still freed by reference counting; only a reference
cycle among the objects alive at that moment is never collected, a bounded, one-time cost.
"""

from __future__ import annotations

import gc

FREEZE_AFTER = 1
"""Polls applied before the freeze: the first has loaded the SDK and painted the table."""


class CollectionPacer:
    def __init__(self, freeze_after: int = FREEZE_AFTER) -> None:
        self.freeze_after = max(1, freeze_after)
        self._polls = 0

    def after_poll(self) -> None:
        """Called once a poll has been applied to the table (or failed)."""
        self._polls += 1
        if self._polls == self.freeze_after:
            # Young objects only: the cycles start-up left behind go before they would be frozen for
            # good, without walking the old objects a full collection would (the stall this avoids).
            gc.collect(1)
            gc.freeze()

    @staticmethod
    def stop() -> None:
        """Give the frozen objects back to the collector (the app is closing; tests run many apps)."""
        gc.unfreeze()

    @staticmethod
    def full_collection() -> None:
        """A full collection now, as the collector's own schedule runs one (the bench times it)."""
        gc.collect()
