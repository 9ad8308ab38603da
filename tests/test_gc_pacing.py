"""The collector pacing: what is alive after the first poll is frozen for good, what comes later is collected
in full only when the app says (as often as the interpreter would have), and the app gives everything back
when it closes."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from calltui.ui.gc_pacing import CollectionPacer, held_until_painted


class Cycle:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    threshold = gc.get_threshold()
    yield
    gc.set_threshold(*threshold)
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


def young_collections(count: int) -> None:
    for _ in range(count):
        gc.collect(1)  # what allocations trigger: each one counts towards a full collection


def test_after_the_freeze_the_interpreter_runs_no_full_collection_of_its_own() -> None:
    young, middle, oldest = gc.get_threshold()
    pacer = CollectionPacer()
    pacer.after_poll()
    assert gc.get_threshold()[:2] == (young, middle)  # young collections stay the interpreter's
    assert gc.get_threshold()[2] > 1_000_000
    pacer.stop()
    assert gc.get_threshold() == (young, middle, oldest)


def test_a_full_collection_runs_when_the_interpreter_would_have_run_one() -> None:
    oldest = gc.get_threshold()[2]
    pacer = CollectionPacer()
    pacer.after_poll()
    cycle = Cycle()
    alive = weakref.ref(cycle)
    gc.collect(1)  # it survives a young collection: it is old now
    del cycle
    young_collections(oldest - gc.get_count()[2] - 1)
    assert not pacer.collect_if_due()  # one young collection short of the interpreter's own schedule
    assert alive() is not None  # young collections leave old garbage alone
    young_collections(1)
    assert not pacer.collect_if_due(slack=3)  # the tick's fallback waits longer
    assert pacer.collect_if_due()
    assert alive() is None


def test_start_up_collects_nothing_until_the_first_frame_which_freezes_what_it_made() -> None:
    with held_until_painted():
        assert not gc.isenabled()
        made = [Cycle() for _ in range(100)]
        CollectionPacer().painted()
        assert gc.isenabled()
        assert gc.get_freeze_count() >= len(made)  # a young collection will not walk them
    assert gc.isenabled()


def test_a_start_up_that_never_paints_gives_the_collector_back() -> None:
    with pytest.raises(RuntimeError), held_until_painted():
        raise RuntimeError("the audit log cannot be written")
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    CollectionPacer().painted()  # a later app's first frame: nothing to end
    assert gc.get_freeze_count() == 0
