"""A poll never invents an ended call: the real poller and gateway over HTTP, against a simulator that moves
calls between (and during) the reads of one poll."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from conftest import make_settings
from sim_helpers import Clock

from calltui.domain.call import ACTIVE_STATUSES
from calltui.gateway import TwilioGateway, twilio_gateway
from calltui.monitor.poller import Poller, PollResult
from calltui.monitor.reconcile import FETCH_MAX
from calltui.simulator import Simulator, records


@pytest.fixture
async def gateway(sim: Simulator) -> AsyncIterator[TwilioGateway]:
    assert sim.base_url
    made = TwilioGateway(make_settings(sim.base_url))
    try:
        yield made
    finally:
        await made.close()


@pytest.fixture
def poller(gateway: TwilioGateway, clock: Clock) -> Poller:
    return Poller(gateway, 2.0, clock=clock)


def add(sim: Simulator, clock: Clock, status: str, count: int) -> list[str]:
    """`count` calls, each created a second after the last (the lists show the newest first)."""
    sids = []
    for _ in range(count):
        clock.advance(1)
        sids.append(sim.add_call(status=status)["sid"])
    return sids


def live_in_sim(sim: Simulator) -> dict[str, str]:
    return {sid: status for status in ACTIVE_STATUSES for sid in sim.store.sids_with_status(status)}


def lookups(sim: Simulator, since: int) -> tuple[list[str], list[dict[str, str]]]:
    """(SIDs fetched one by one, queries of `EndTime>` lists) among the requests from index `since` on."""
    requests = sim.requests[since:]
    fetched = [r.path.rsplit("/", 1)[1].removesuffix(".json") for r in requests if "/Calls/" in r.path]
    ended_lists = [r.query for r in requests if r.path.endswith("/Calls.json") and "EndTime>" in r.query]
    return fetched, ended_lists


async def good_poll(poller: Poller) -> PollResult:
    result = await poller.poll()
    assert result.diff is not None, result.state.error
    return result


async def test_a_call_answered_between_the_reads_of_every_poll_is_never_lost(
    sim: Simulator, clock: Clock, poller: Poller
) -> None:
    ringing = add(sim, clock, "ringing", 5)
    talking = add(sim, clock, "in-progress", 3)
    await good_poll(poller)
    # The race, on every poll: the ringing read waits until an in-progress read has been answered
    # (or 0.2 s), then its newest call is answered, then the ringing read is answered without it.
    sim.moves.add("ringing", "in-progress", after="in-progress", hold=0.2, times=None)
    for moved in range(1, 5):
        start = len(sim.requests)
        result = await good_poll(poller)
        assert result.diff is not None and result.diff.removed == ()
        assert {sid: call.status for sid, call in result.calls.items()} == live_in_sim(sim)
        assert sum(call.status == "in-progress" for call in result.calls.values()) == len(talking) + moved
        assert lookups(sim, start) == ([], [])  # read in lifecycle order: nothing went missing at all
    assert set(result.calls) == {*ringing, *talking}


async def test_a_live_call_no_list_showed_is_fetched_and_stays_live(
    sim: Simulator, clock: Clock, poller: Poller
) -> None:
    [sid] = add(sim, clock, "in-progress", 1)
    await good_poll(poller)
    # Sent back to ringing as its in-progress read arrives, after the ringing list was read: no list has
    # it (a stand-in for any way a server's lists can miss a live call).
    sim.moves.add("in-progress", "ringing", sid=sid)
    start = len(sim.requests)
    result = await good_poll(poller)
    assert result.diff is not None and result.diff.removed == ()
    assert result.calls[sid].status == "ringing" and result.calls[sid].is_active
    assert lookups(sim, start) == ([sid], [])


async def test_a_call_that_really_ended_shows_its_final_record_then_leaves(
    sim: Simulator, clock: Clock, poller: Poller
) -> None:
    [sid] = add(sim, clock, "ringing", 1)
    await good_poll(poller)
    clock.advance(30)
    sim.end_call(sid, "no-answer")
    result = await good_poll(poller)
    assert result.diff is not None and result.diff.removed == ()
    [final] = result.diff.changed
    assert (final.sid, final.status, final.end_time) == (sid, "no-answer", clock())
    assert poller.recent_ends.counts(clock()) == {"no-answer": 1}
    assert sid not in poller.calls  # not among the live calls any more
    result = await good_poll(poller)
    assert result.diff is not None and result.diff.removed == (sid,)
    assert poller.recent_ends.counts(clock() + timedelta(seconds=61)) == {}


async def test_few_missing_calls_are_fetched_many_are_read_from_one_ended_list(
    sim: Simulator, clock: Clock, poller: Poller
) -> None:
    calls = add(sim, clock, "in-progress", 12)
    await good_poll(poller)
    few = calls[:FETCH_MAX]
    for sid, status in zip(few, ("completed", "busy", "failed"), strict=True):
        sim.end_call(sid, status)
    start = len(sim.requests)
    result = await good_poll(poller)
    fetched, ended_lists = lookups(sim, start)
    assert sorted(fetched) == sorted(few) and ended_lists == []
    assert {result.calls[sid].status for sid in few} == {"completed", "busy", "failed"}

    many = calls[FETCH_MAX : FETCH_MAX + 5]
    for sid in many:
        sim.end_call(sid, "canceled")
    start = len(sim.requests)
    result = await good_poll(poller)
    fetched, ended_lists = lookups(sim, start)
    assert fetched == [] and len(ended_lists) == 1 and ended_lists[0]["PageSize"] == "1000"
    assert all(result.calls[sid].status == "canceled" for sid in many)
    assert result.diff is not None and sorted(result.diff.removed) == sorted(few)  # last poll's ends leave
    assert poller.recent_ends.counts(clock()) == {"completed": 1, "busy": 1, "failed": 1, "canceled": 5}


async def test_ends_the_ended_list_misses_are_fetched_a_few_a_poll_and_stay_live_until_then(
    sim: Simulator, clock: Clock, poller: Poller
) -> None:
    calls = add(sim, clock, "in-progress", 5)
    await good_poll(poller)
    for sid in calls:
        sim.end_call(sid)
        # Twilio's clock far behind ours: the EndTime> list cannot show these ends.
        sim.set_call(sid, end_time=records.rfc2822(clock() - timedelta(hours=2)))
    start = len(sim.requests)
    result = await good_poll(poller)
    fetched, ended_lists = lookups(sim, start)
    assert len(ended_lists) == 1 and len(fetched) == FETCH_MAX
    assert result.diff is not None and result.diff.removed == ()
    waiting = [sid for sid in calls if sid not in fetched]
    assert all(result.calls[sid].status == "completed" for sid in fetched)
    assert all(result.calls[sid].status == "in-progress" for sid in waiting)  # not known yet: still live
    start = len(sim.requests)
    result = await good_poll(poller)
    assert sorted(lookups(sim, start)[0]) == sorted(waiting)
    assert all(result.calls[sid].status == "completed" for sid in waiting)


async def test_a_call_twilio_no_longer_knows_leaves_as_before(
    sim: Simulator, clock: Clock, poller: Poller
) -> None:
    [sid] = add(sim, clock, "in-progress", 1)
    await good_poll(poller)
    sim.end_call(sid)
    sim.faults.add("status", path_contains=f"/Calls/{sid}.json", status=404, code=20404, message="Not found")
    result = await good_poll(poller)
    assert result.diff is not None and result.diff.removed == (sid,) and sid not in result.calls


async def test_a_failed_lookup_fails_the_poll_and_concludes_nothing(
    sim: Simulator, clock: Clock, poller: Poller
) -> None:
    [sid] = add(sim, clock, "in-progress", 1)
    await good_poll(poller)
    sim.end_call(sid, "failed")
    sim.faults.add("status", path_contains=f"/Calls/{sid}.json", status=503, times=1)
    failed = await poller.poll()
    assert failed.diff is None and failed.state.stale()
    assert poller.calls[sid].status == "in-progress"
    result = await good_poll(poller)
    assert result.diff is not None and [c.status for c in result.diff.changed] == ["failed"]


async def test_pages_shifting_under_a_poll_lose_nothing(
    sim: Simulator, clock: Clock, poller: Poller, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(twilio_gateway, "PAGE_SIZE", 3)  # pages of 3: every list here has three pages
    ringing = add(sim, clock, "ringing", 7)[::-1]  # newest first, as listed: pages [0:3], [3:6], [6:]
    talking = add(sim, clock, "in-progress", 7)[::-1]
    await good_poll(poller)
    # Calls leave a list while it is paged: the anchor of a page token, a call on a page already read and
    # one on a page not read yet.
    sim.moves.add("ringing", "in-progress", sid=ringing[2], page=1)  # page 0's last call: page 1's anchor
    sim.moves.add("ringing", "in-progress", sid=ringing[6], page=2)  # on the page about to be read
    sim.moves.add("in-progress", "completed", sid=talking[0], page=1)  # on the page already read
    sim.moves.add("in-progress", "busy", sid=talking[2], page=1)  # the anchor
    sim.moves.add("in-progress", "completed", sid=talking[6], page=2)  # on the page about to be read
    result = await good_poll(poller)
    assert len(sim.moves) == 0  # every move happened
    assert result.diff is not None and result.diff.removed == ()
    live = live_in_sim(sim)
    assert live.keys() <= result.calls.keys()  # no live call lost
    assert all(result.calls[sid].is_active for sid in live)
    assert result.calls[talking[6]].status == "completed"  # read after it ended: reconciled, final
    result = await good_poll(poller)
    assert {sid: c.status for sid, c in result.calls.items() if c.is_active} == live
    assert {result.calls[sid].status for sid in (talking[0], talking[2])} == {"completed", "busy"}


async def test_the_ended_list_starts_by_twilio_s_clock_not_ours(
    sim: Simulator, clock: Clock, gateway: TwilioGateway
) -> None:
    poller = Poller(gateway, 2.0, clock=lambda: clock() + timedelta(minutes=10))  # ours runs 10 min ahead
    calls = add(sim, clock, "in-progress", FETCH_MAX + 2)
    await good_poll(poller)
    await end_and_find_in_one_list(sim, clock, poller, calls)


async def end_and_find_in_one_list(
    sim: Simulator, clock: Clock, poller: Poller, calls: list[str], ended_before: tuple[str, ...] = ()
) -> None:
    """End `calls` a moment later: the next poll finds them (and `ended_before`) in one EndTime> list."""
    clock.advance(1)
    for sid in calls:
        sim.end_call(sid)
    start = len(sim.requests)
    result = await good_poll(poller)
    fetched, ended_lists = lookups(sim, start)
    assert fetched == [] and len(ended_lists) == 1  # all found in the list: none left to fetch
    assert all(result.calls[sid].status == "completed" for sid in [*calls, *ended_before])


async def test_a_follower_counts_the_ends_in_a_teammates_poll_once(
    sim: Simulator, clock: Clock, poller: Poller
) -> None:
    [sid] = add(sim, clock, "ringing", 1)
    result = await good_poll(poller)
    follower = Poller(poller.gateway, 2.0, clock=clock)
    follower.adopt(dict(result.calls), clock())
    clock.advance(30)
    sim.end_call(sid, "no-answer")
    result = await good_poll(poller)
    follower.adopt(dict(result.calls), clock())
    assert follower.recent_ends.counts(clock()) == {"no-answer": 1}
    follower.adopt(dict(result.calls), clock())  # the same feed again: the end is not counted twice
    assert follower.recent_ends.counts(clock()) == {"no-answer": 1}


async def test_calls_an_ended_list_missed_do_not_stretch_the_next_one_past_this_poll_s_ends(
    sim: Simulator, clock: Clock, poller: Poller, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pages of 3: the EndTime> list reads 3 pages, 9 ends, at most (at 10,000 calls: 3,000).
    monkeypatch.setattr(twilio_gateway, "PAGE_SIZE", 3)
    calls = add(sim, clock, "in-progress", 12)
    await good_poll(poller)
    clock.advance(30)
    hidden, ending, live = calls[: FETCH_MAX + 2], calls[FETCH_MAX + 2 : FETCH_MAX + 6], calls[-1]
    for sid in hidden:  # ends no list shows: fetched, a few a poll
        sim.end_call(sid)
        sim.set_call(sid, end_time=records.rfc2822(clock() - timedelta(hours=2)))
    for sid in add(sim, clock, "in-progress", 9):  # calls this app never saw end: a busy account's others
        sim.end_call(sid)
    clock.advance(30)
    sim.set_call(live, date_updated=records.rfc2822(clock()))  # a busy account: something just changed
    result = await good_poll(poller)
    waiting = [sid for sid in hidden if result.calls[sid].status == "in-progress"]  # to be fetched
    assert len(waiting) == 2
    clock.advance(30)
    for sid in ending:
        sim.end_call(sid, "busy")
    clock.advance(1)
    start = len(sim.requests)
    result = await good_poll(poller)
    # The list starts from the last poll, not from when the two still waiting were listed: the others' nine
    # ends are not in it, so this poll's four are on its first page; the two waiting are fetched.
    assert all(result.calls[sid].status == "busy" for sid in ending)
    assert all(result.calls[sid].status == "completed" for sid in waiting)
    fetched, ended_lists = lookups(sim, start)
    assert sorted(fetched) == sorted(waiting) and len(ended_lists) == 2  # the four ends: two pages of 3


async def test_the_ended_list_allows_for_how_long_the_last_poll_took_to_read(
    sim: Simulator, clock: Clock, gateway: TwilioGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    poller = Poller(gateway, 2.0, clock=lambda: clock() + timedelta(minutes=10))  # ours runs 10 min ahead
    [queued] = add(sim, clock, "queued", 1)
    [ringing] = add(sim, clock, "ringing", 1)
    others = add(sim, clock, "in-progress", FETCH_MAX)
    await good_poll(poller)
    read_calls = gateway._read_calls

    async def slow_read(*args: object, **kwargs: object) -> object:  # each list takes 30 s to read
        found = await read_calls(*args, **kwargs)  # type: ignore[arg-type]
        clock.advance(30)
        return found

    monkeypatch.setattr(gateway, "_read_calls", slow_read)
    # Listed by the first read, ended before the second; answered just before the last: the latest update
    # among the poll's calls is a minute after the queued call was listed, and 30 s after it ended.
    sim.moves.add("ringing", "completed", sid=queued)
    sim.moves.add("in-progress", "in-progress", sid=ringing)
    result = await good_poll(poller)
    assert len(sim.moves) == 0 and result.calls[queued].status == "queued"
    monkeypatch.setattr(gateway, "_read_calls", read_calls)
    await end_and_find_in_one_list(sim, clock, poller, others, ended_before=(queued,))
