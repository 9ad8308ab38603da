"""Paces Python's cyclic garbage collector so that full collections stay off the event loop's path.

A full collection walks every tracked object; with the libraries' own objects and 10,000 calls that is a
60-120 ms stall of the loop on a 2-core machine (`make bench`), several times a minute while polling.
After each applied poll the objects alive then move to the permanent generation (`gc.freeze()`, O(1)),
so later collections walk only what is newer. Frozen objects are still freed by reference counting; only
reference cycles among them (Textual's rendered strips make a few every frame) wait for the next thaw,
which puts everything back and collects once, every `thaw_every` polls: one stall a minute
instead of one every few seconds, and a bounded amount of memory held meanwhile.
"""

from __future__ import annotations

import gc

THAW_EVERY = 30
"""Polls between full collections: a minute at the default 2 s interval (the memory held meanwhile stays
under a few MB at 10,000 calls)."""


class CollectionPacer:
    def __init__(self, thaw_every: int = THAW_EVERY) -> None:
        self.thaw_every = max(1, thaw_every)
        self._polls = 0

    def after_poll(self) -> None:
        """Called once a poll has been applied to the table."""
        self._polls += 1
        if self._polls % self.thaw_every == 0:
            self.thaw()
        gc.freeze()

    @staticmethod
    def stop() -> None:
        """Give the frozen objects back to the collector (the app is closing; tests run many apps)."""
        gc.unfreeze()

    @staticmethod
    def thaw() -> None:
        """Collect everything frozen so far (the one full collection, and its stall)."""
        gc.unfreeze()
        gc.collect()
