"""The traffic generator: seeded, deterministic, and every record it makes consistent with its status."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any

from sim_helpers import Clock, running, sdk

from calltui.domain.call import ACTIVE_STATUSES, ALL_STATUSES, CALL_SID_RE
from calltui.simulator import Simulator
from calltui.simulator.records import parse_rfc2822


def all_calls(sim: Simulator) -> list[dict[str, Any]]:
    return [sim.call(sid) for status in ALL_STATUSES for sid in sim.store.sids_with_status(status)]


def run(sim: Simulator, clock: Clock, seconds: int) -> None:
    for _ in range(seconds):
        sim.traffic.step(clock.advance(1))


def assert_consistent(calls: list[dict[str, Any]]) -> None:
    """What Twilio shows for each status: no start before answer (but a ringing <Dial> leg has its start
    and a duration of "0"), no end/duration/price while live, a price only some seconds after the end."""
    by_sid = {c["sid"]: c for c in calls}
    for c in calls:
        status = c["status"]
        assert CALL_SID_RE.match(c["sid"]) and status in ALL_STATUSES
        created = parse_rfc2822(c["date_created"])
        assert created is not None and parse_rfc2822(c["date_updated"]) >= created
        dialling = status == "ringing" and c["direction"] == "outbound-dial"
        if status in ("queued", "ringing"):
            assert (c["start_time"] is not None) == dialling
        if status == "in-progress":
            assert parse_rfc2822(c["start_time"]) >= created
        if status in ACTIVE_STATUSES:
            assert (c["end_time"], c["duration"], c["price"]) == (None, "0" if dialling else None, None)
        else:
            started, ended = parse_rfc2822(c["start_time"]), parse_rfc2822(c["end_time"])
            assert ended is not None and int(c["duration"]) >= 0
            assert c["price"] is None or isinstance(c["price"], str)  # null until Twilio prices it
            if started is not None:
                assert int(c["duration"]) == int((ended - started).total_seconds())
        if c["direction"] == "outbound-dial":
            parent = by_sid[c["parent_call_sid"]]
            assert parent["direction"] == "inbound"
            if parent["status"] not in ACTIVE_STATUSES:
                assert status not in ACTIVE_STATUSES, "a leg outlived the call that dialed it"
        else:
            assert c["parent_call_sid"] is None


def test_initial_population_is_live_and_mixed() -> None:
    sim = Simulator(seed=5, initial_calls=60, traffic=False, clock=Clock())
    calls = all_calls(sim)
    assert len(calls) == 60
    statuses = Counter(c["status"] for c in calls)
    assert set(statuses) <= set(ACTIVE_STATUSES)
    assert statuses["in-progress"] > 30 and statuses["ringing"] > 0 and statuses["queued"] > 0
    directions = Counter(c["direction"] for c in calls)
    assert directions["inbound"] and directions["outbound-api"] and directions["outbound-dial"]
    assert any(c["to"].startswith(("client:", "sip:")) for c in calls)
    assert any(c["caller_name"] for c in calls) and any(c["caller_name"] is None for c in calls)
    assert all(parse_rfc2822(c["date_created"]) <= Clock().now for c in calls)  # begun in the past
    assert_consistent(calls)


def test_steps_move_calls_through_their_lives_and_keep_them_consistent() -> None:
    clock = Clock()
    sim = Simulator(seed=11, initial_calls=30, traffic=False, target_active=30, clock=clock)
    before = {c["sid"]: c["status"] for c in all_calls(sim)}
    run(sim, clock, 300)
    calls = all_calls(sim)
    after = {c["sid"]: c["status"] for c in calls}
    assert len(after) > len(before)  # arrivals
    assert any(before[sid] == "queued" and after[sid] != "queued" for sid in before)
    assert any(before[sid] == "ringing" and after[sid] != "ringing" for sid in before)
    ended = Counter(status for status in after.values() if status not in ACTIVE_STATUSES)
    assert ended["completed"] > 10 and len(ended) >= 3  # hang-ups plus busy/no-answer/failed/canceled
    assert 10 <= sum(after[sid] in ACTIVE_STATUSES for sid in after) <= 60  # about the target
    assert_consistent(calls)


def test_calls_have_the_shapes_real_accounts_show() -> None:
    """Empty strings where Twilio sends them, a ringing <Dial> leg already started, prices posted some
    seconds after the end, and nothing the Call resource does not have (stir_verstat is a webhook's)."""
    clock = Clock()
    sim = Simulator(seed=11, initial_calls=30, traffic=False, target_active=30, clock=clock)
    unpriced: dict[str, Any] = {}
    for _ in range(300):
        sim.traffic.step(clock.advance(1))
        for c in all_calls(sim):
            if c["status"] not in ACTIVE_STATUSES and c["price"] is None:
                unpriced.setdefault(c["sid"], parse_rfc2822(c["end_time"]))
    calls = all_calls(sim)
    assert not any("stir_verstat" in c for c in calls)
    assert {c["trunk_sid"] for c in calls} == {""}
    assert any(c["caller_name"] == "" for c in calls) and any(c["caller_name"] for c in calls)
    assert any(c["status"] == "ringing" and c["start_time"] and c["duration"] == "0" for c in calls)
    priced_later = [
        sim.call(sid) for sid, ended in unpriced.items() if clock.now - ended > timedelta(seconds=30)
    ]
    assert priced_later and all(c["price"] is not None for c in priced_later)
    assert all(parse_rfc2822(c["date_updated"]) > parse_rfc2822(c["end_time"]) for c in priced_later)


def test_same_seed_and_ticks_give_the_same_calls_and_another_seed_does_not() -> None:
    def history(seed: int) -> list[dict[str, Any]]:
        clock = Clock()
        sim = Simulator(seed=seed, initial_calls=25, traffic=False, target_active=25, clock=clock)
        run(sim, clock, 120)
        return all_calls(sim)

    assert history(3) == history(3)
    assert [c["sid"] for c in history(3)] != [c["sid"] for c in history(4)]


def test_calls_created_through_the_api_or_by_tests_are_moved_too() -> None:
    clock = Clock()
    sim = Simulator(seed=2, initial_calls=0, traffic=False, target_active=0, clock=clock)
    queued = sim.add_call(status="queued", direction="outbound-api")["sid"]
    talking = sim.add_call(status="in-progress")["sid"]
    run(sim, clock, 3600)
    assert sim.call(queued)["status"] not in ("queued", "ringing")
    assert sim.call(talking)["status"] == "completed"
    assert len(sim.store) == 2  # target 0: no arrivals


def test_a_call_ended_by_the_api_is_not_revived_by_the_generator() -> None:
    clock = Clock()
    sim = Simulator(seed=9, initial_calls=10, traffic=False, target_active=10, clock=clock)
    run(sim, clock, 2)
    sid = sim.store.sids_with_status("in-progress")[0]
    sim.end_call(sid, "completed")
    ended = sim.call(sid)
    run(sim, clock, 600)
    assert sim.call(sid) == ended


async def test_without_traffic_nothing_moves_on_its_own() -> None:
    async with running(initial_calls=15, tick=0.001) as sim, sdk(sim) as client:
        before = all_calls(sim)
        await asyncio.sleep(0.05)  # dozens of ticks, were the generator running
        await client.calls.list_async()
        assert all_calls(sim) == before


async def test_with_traffic_the_background_task_steps_on_each_tick() -> None:
    async with running(initial_calls=5, traffic=True, tick=0.001, target_active=50) as sim:
        for _ in range(2000):  # wait for an arrival, however slow the machine: no timing assertion
            if len(sim.store) > 5:
                break
            await asyncio.sleep(0.005)
        assert len(sim.store) > 5
        assert_consistent(all_calls(sim))
