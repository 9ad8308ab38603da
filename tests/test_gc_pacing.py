"""The collector pacing: what is alive after the first poll is frozen for good, what comes later is collected
in full only when the app says (as often as the interpreter would have), and the app gives everything back
when it closes."""

from __future__ import annotations

import gc
import sys
import weakref
from collections.abc import Callable, Iterator

import pytest
from sim_helpers import Clock
from uihelpers import first_poll, until

from calltui.simulator import Simulator
from calltui.ui.app import CallTuiApp
from calltui.ui.gc_pacing import AFTER_KEY, TYPING_WINDOW, CollectionPacer, held_until_painted


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


def old_garbage_due(pacer: CollectionPacer) -> weakref.ref[Cycle]:
    """A cycle only a full collection frees, and as many young collections as make one due."""
    oldest = gc.get_threshold()[2]
    pacer.after_poll()
    cycle = Cycle()
    alive = weakref.ref(cycle)
    gc.collect(1)  # old now
    del cycle
    young_collections(oldest - gc.get_count()[2])
    assert pacer.due()
    return alive


def test_while_the_engineer_types_a_due_collection_waits_for_a_key_and_runs_after_it() -> None:
    now = [100.0]
    pacer = CollectionPacer(clock=lambda: now[0])
    alive = old_garbage_due(pacer)
    pacer.key_pressed()
    now[0] += TYPING_WINDOW / 2
    assert not pacer.collect_unless_typing()  # the moment after a poll is skipped: keys are coming
    pacer.key_pressed()
    now[0] += AFTER_KEY / 4
    pacer.key_pressed()  # another key before the first one's turn: it waits for that key's
    assert not pacer.collect_after_key()
    assert alive() is not None
    now[0] += AFTER_KEY
    assert pacer.collect_after_key()
    assert alive() is None


def test_once_the_engineer_stops_typing_the_moment_after_a_poll_collects_again() -> None:
    now = [100.0]
    pacer = CollectionPacer(clock=lambda: now[0])
    alive = old_garbage_due(pacer)
    pacer.key_pressed()
    now[0] += TYPING_WINDOW
    assert pacer.collect_unless_typing()
    assert alive() is None


async def test_a_key_pressed_with_a_collection_due_collects_after_its_frame_not_after_the_poll(
    make_app: Callable[..., CallTuiApp], sim: Simulator, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(3):
        sim.add_call(status="in-progress")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await first_poll(app, pilot)
        pacer = app.gc_pacer
        after_key: list[str | None] = []
        collected: list[int] = []
        monkeypatch.setattr(pacer, "due", lambda slack=1: True)
        monkeypatch.setattr(pacer, "collect_if_due", lambda slack=1: bool(collected.append(slack)) or True)
        monkeypatch.setattr(pacer, "collect_after_key", lambda: after_key.append(app.table.highlighted_sid))
        before = app.table.highlighted_sid
        await pilot.press("down")
        await until(pilot, lambda: bool(after_key), "the collection after the key")
        assert after_key == [app.table.highlighted_sid] and after_key[0] != before  # the key's move was made
        before_collections = len(collected)
        assert not pacer.collect_unless_typing()  # a key came from the terminal: typing
        assert len(collected) == before_collections


async def test_while_the_app_polls_a_thread_holds_the_interpreter_lock_a_millisecond_at_a_time(
    make_app: Callable[..., CallTuiApp],
) -> None:
    before = sys.getswitchinterval()
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await first_poll(app, pilot)
        assert sys.getswitchinterval() == pytest.approx(0.001)  # the gateway's thread parsing a page
    assert sys.getswitchinterval() == pytest.approx(before)
