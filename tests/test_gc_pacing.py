"""The collector pacing: what survives a poll is frozen, a full collection comes every N polls, and the
app gives everything back when it closes."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from calltui.ui.gc_pacing import CollectionPacer


class Cycle:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_poll_freezes_what_is_alive_and_every_nth_collects_the_cycles_frozen_meanwhile() -> None:
    pacer = CollectionPacer(thaw_every=3)
    pacer.after_poll()
    assert gc.get_freeze_count() > 0
    cycle = Cycle()
    alive = weakref.ref(cycle)
    pacer.after_poll()  # the cycle is alive: frozen with the rest
    del cycle
    gc.collect()
    assert alive() is not None  # frozen: a collection does not see it
    pacer.after_poll()  # the third: thawed and collected, then frozen again
    assert alive() is None
    assert gc.get_freeze_count() > 0


def test_stop_gives_the_frozen_objects_back() -> None:
    pacer = CollectionPacer()
    pacer.after_poll()
    pacer.stop()
    assert gc.get_freeze_count() == 0
