"""Keeps Python's full garbage collections short, and out of the moments when the app is busy.

A full collection walks every object the collector tracks. Measured at 10,000 calls (`make bench`):
about 100,000 tracked objects, 85,000 of them alive before the first call arrived — the libraries'
functions, classes and modules, Textual's screen, the twilio SDK — and alive until exit; a full
collection walked them all, 45-200 ms, for nothing. A call is one tracked object (its `Call`: strings,
numbers and dates are not tracked). So once the screen is up and the first poll applied (the SDK is
imported by then), everything alive is moved to the permanent generation (`gc.freeze()`, O(1)) and stays
there: later collections walk only what came later. Frozen objects are still freed by reference counting;
only a reference cycle among the objects alive at that moment is never collected, a bounded, one-time cost.

What is left to walk (the calls, Textual's cached lines: 13,000-20,000 objects at 10,000 calls) still
takes 10-20 ms, and the interpreter starts a full collection whenever an allocation tips its count: most
often in the middle of a poll, while the gateway's thread parses pages (holding the interpreter lock) or
while the table applies a diff and repaints, so the collection added to the longest stalls. From the
freeze on, the oldest generation is taken off the interpreter's schedule and collected here instead, as
often as the interpreter would (after as many young collections), but only a moment after a poll has
been applied and painted: the gateway is idle until the next poll and the loop has nothing else to do.

At 50,000 calls what is left to walk is the calls themselves (a `Call` is one tracked object: ~55,000
objects, 30-45 ms of CPU), and a key pressed meanwhile waits for it. So while the engineer is typing (a
key in the last `TYPING_WINDOW`), a collection that is due waits for the next key and runs `AFTER_KEY`
later, once that key's frame is painted and before a human's next press. A held key repeating every
~30 ms leaves no such gap: the collection then waits for the key's release, or the tick's fallback.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from time import monotonic

FREEZE_AFTER = 1
"""Polls applied before the freeze: the first has loaded the SDK and painted the table."""
NEVER = 2**31 - 1
"""An oldest-generation threshold the interpreter never reaches."""
TYPING_WINDOW = 1.0
"""Seconds after a key during which the engineer counts as typing: a due collection waits for a key."""
AFTER_KEY = 0.08
"""Seconds after a key that a due collection runs: its frame is painted by then (10-30 ms at 50,000 calls),
and a human's next key is not there yet (a person typing or moving through rows presses a few keys a
second)."""

_held = False


@contextmanager
def held_until_painted() -> Iterator[None]:
    """No collection from here to the first frame (`CollectionPacer.painted`), or the end of the block.

    Start-up makes what lives as long as the app (modules, classes, the screen): collecting then walks
    the same objects over and over for nothing, and a full collection among them (80,000 objects) took
    30-50 ms of the time to the first frame."""
    global _held
    _held = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _held:
            _held = False
            gc.enable()


class CollectionPacer:
    def __init__(self, freeze_after: int = FREEZE_AFTER, clock: Callable[[], float] = monotonic) -> None:
        self.freeze_after = max(1, freeze_after)
        self._clock = clock
        self._last_key = -math.inf
        self._polls = 0
        self._threshold: tuple[int, int, int] | None = None
        """The interpreter's thresholds while the oldest generation is collected here."""

    @staticmethod
    def painted() -> None:
        """The first frame is on screen: a hold (`held_until_painted`) ends. What start-up made is frozen
        first, or the first young collection would walk all of it (the stall the freeze below avoids)."""
        global _held
        if _held:
            _held = False
            gc.freeze()
            gc.enable()

    def after_poll(self) -> None:
        """Called once a poll has been applied to the table (or failed); the app calls `collect_if_due`
        once that poll is painted."""
        self._polls += 1
        if self._polls == self.freeze_after:
            # Young objects only: the cycles start-up left behind go before they would be frozen for
            # good, without walking the old objects a full collection would (the stall this avoids).
            gc.collect(1)
            gc.freeze()
            self._take_over()

    def _take_over(self) -> None:
        young, middle, oldest = gc.get_threshold()
        if young and oldest and gc.isenabled():  # else whoever set them wants no (full) collections
            self._threshold = (young, middle, oldest)
            gc.set_threshold(young, middle, NEVER)

    def due(self, slack: int = 1) -> bool:
        """Whether the interpreter would have run a full collection by now (`slack` times over)."""
        return self._threshold is not None and gc.get_count()[2] >= self._threshold[2] * slack

    def collect_if_due(self, slack: int = 1) -> bool:
        """A full collection now if it is due (`slack`: a fallback on a timer, for when polls stop or
        keys never pause); returns whether it ran."""
        if not self.due(slack):
            return False
        gc.collect()
        return True

    def key_pressed(self) -> None:
        """A key arrived from the terminal: the engineer is typing for the next `TYPING_WINDOW`."""
        self._last_key = self._clock()

    def collect_after_key(self) -> bool:
        """`collect_if_due` `AFTER_KEY` after a key, unless another key came since (the collection waits
        for that key's own turn: a key in the last half of the wait, on a timer that may fire early)."""
        if self._clock() - self._last_key < AFTER_KEY / 2:
            return False
        return self.collect_if_due()

    def collect_unless_typing(self, slack: int = 1) -> bool:
        """`collect_if_due`, unless a key came in the last `TYPING_WINDOW`: then the app runs it right after
        the next key's frame."""
        if self._clock() - self._last_key < TYPING_WINDOW:
            return False
        return self.collect_if_due(slack)

    def stop(self) -> None:
        """Give the frozen objects and the schedule back to the collector (the app is closing; tests run
        many apps)."""
        if self._threshold is not None:
            gc.set_threshold(*self._threshold)
            self._threshold = None
        gc.unfreeze()

    @staticmethod
    def full_collection() -> None:
        """A full collection now, as the collector's own schedule runs one (the bench times it)."""
        gc.collect()
