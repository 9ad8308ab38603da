"""The collector pacing: what is alive after the first poll is frozen for good, what comes later is collected
as usual, and the app gives everything back when it closes."""

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


def test_the_first_poll_freezes_what_is_alive_once_and_later_cycles_are_collected() -> None:
    pacer = CollectionPacer()
    pacer.after_poll()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    cycle = Cycle()
    alive = weakref.ref(cycle)
    pacer.after_poll()  # later polls freeze nothing more
    assert gc.get_freeze_count() == frozen
    del cycle
    pacer.full_collection()
    assert alive() is None  # not frozen: the collector frees it


def test_a_cycle_dropped_before_the_freeze_is_collected_not_frozen() -> None:
    cycle = Cycle()
    alive = weakref.ref(cycle)
    del cycle
    CollectionPacer().after_poll()
    assert alive() is None


def test_stop_gives_the_frozen_objects_back() -> None:
    pacer = CollectionPacer()
    pacer.after_poll()
    pacer.stop()
    assert gc.get_freeze_count() == 0
