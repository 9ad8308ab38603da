"""The per-account session without the UI: the real gateway over HTTP to the simulator, a clock the test
moves, and the audit log on disk."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from conftest import ACCOUNT_SID, make_settings
from sim_helpers import Clock

from calltui.domain.actions import Hangup, Redirect
from calltui.domain.call import Call
from calltui.gateway import TwilioGateway
from calltui.monitor.audit import AuditLog, read_entries
from calltui.monitor.bulk import BulkItem
from calltui.monitor.poller import View
from calltui.monitor.session import AccountSession, SessionSettings
from calltui.monitor.verify import REDIRECT_WINDOW
from calltui.simulator import Simulator
from calltui.userconfig import AlertRules


def posts(sim: Simulator) -> list[str]:
    return [request.path for request in sim.requests if request.method == "POST"]


def outcomes(tmp_path: Path) -> list[tuple[str, str]]:
    """(action, outcome) of each audited outcome (the write-ahead intents left out)."""
    entries = read_entries(tmp_path / "audit.jsonl")
    return [(str(e["action"]), str(e["outcome"])) for e in entries if "outcome" in e]


@pytest.fixture
async def make_session(sim: Simulator, clock: Clock, tmp_path: Path) -> AsyncIterator:
    made: list[AccountSession] = []

    def build(grace: float = 0.0, dry_run: bool = False) -> AccountSession:
        assert sim.base_url
        audit = AuditLog(tmp_path / "audit.jsonl")
        audit.open()
        settings = SessionSettings(audit, 3600.0, clock, grace_seconds=grace, dry_run=dry_run)
        session = AccountSession(TwilioGateway(make_settings(sim.base_url)), ACCOUNT_SID, settings)
        made.append(session)
        return session

    yield build
    for session in made:
        await session.close()


async def first_poll(session: AccountSession) -> dict[str, Call]:
    polls = session.polls()
    result = await anext(polls)
    await polls.aclose()
    assert result.diff is not None
    return result.calls


async def test_a_poll_reads_the_live_calls_and_samples_activity(sim, make_session) -> None:
    sid = sim.add_call(status="in-progress")["sid"]
    sim.add_call(status="completed")
    session = make_session()
    polls = session.polls()
    result = await anext(polls)
    assert list(result.calls) == [sid] and result.delay == 3600.0
    session.record_activity(result, lambda: 1)
    assert [sample.active for sample in session.activity.samples] == [1]
    # poll_now cuts the hour's wait short: the next poll comes at once.
    sim.end_call(sid)
    following = asyncio.ensure_future(anext(polls))
    await asyncio.sleep(0)  # the loop is waiting out the interval now
    session.poll_now()
    result = await asyncio.wait_for(following, 10)
    await polls.aclose()
    # The call that ended since comes once more, with its final record, then leaves.
    assert [call.status for call in result.calls.values()] == ["completed"]


async def test_a_confirmed_action_waits_out_the_grace_window_then_is_sent_once_and_verified(
    sim, make_session, clock, tmp_path
) -> None:
    sid = sim.add_call(status="in-progress")["sid"]
    session = make_session(grace=3.0)
    call = (await first_poll(session))[sid]
    assert session.confirm(call, Hangup(call.end_status))  # waits
    assert session.held(sid) and not session.idle
    assert session.due(clock()) == ([], [])
    clock.advance(3)
    [item], checks = session.due(clock())
    assert checks == [] and session.due(clock()) == ([], [])  # handed out once
    outcome = await session.send(item.call, item.action)
    assert outcome is not None and outcome.result == "ok"
    assert len(posts(sim)) == 1 and not session.held(sid) and session.idle
    # Proof of effect: the check is due two seconds later, and Twilio has the call ended.
    clock.advance(2)
    _, [check] = session.due(clock())
    verdict = await session.verify(check, clock())
    assert verdict is not None and verdict.verified and session.verdicts[sid] is verdict
    assert await session.record_verdict(verdict) is None
    assert outcomes(tmp_path) == [("hangup", "ok"), ("verify", "verified")]
    assert ("hangup check", "verified: call completed") in session.safety_notes(sid)


async def test_verdicts_on_calls_gone_longer_than_the_ended_view_looks_back_are_forgotten(
    sim, make_session, clock
) -> None:
    """A long session's verdicts were all kept until it closed (the soak bench: one every 5 s)."""
    ended, live, later = (sim.add_call(status="in-progress")["sid"] for _ in range(3))
    session = make_session()
    calls = await first_poll(session)

    async def verdict_on(sid: str) -> None:
        [check] = session.due(clock())[1]
        assert check.sid == sid and await session.verify(check, clock()) is not None

    await session.send(calls[ended], Hangup(calls[ended].end_status))
    clock.advance(2)
    await verdict_on(ended)
    session.verifier.start(live, "redirect", clock())  # a redirect Twilio took: the call goes on
    clock.advance(REDIRECT_WINDOW.total_seconds())
    await verdict_on(live)
    await first_poll(session)  # the live view: `ended` is over, `live` is not
    clock.advance(session.poller.recent_window.total_seconds())
    assert set(session.verdicts) == {ended, live}  # nothing is forgotten until the next verdict
    await session.send(calls[later], Hangup(calls[later].end_status))
    clock.advance(2)
    await verdict_on(later)
    assert list(session.verdicts) == [live, later]
    assert not [label for label, _ in session.safety_notes(ended) if label.endswith("check")]


async def test_without_a_grace_window_an_action_is_sent_at_once(sim, make_session) -> None:
    sid = sim.add_call(status="in-progress")["sid"]
    session = make_session()
    call = (await first_poll(session))[sid]
    assert not session.confirm(call, Hangup(call.end_status))
    assert not session.held(sid)


async def test_undo_takes_back_the_newest_waiting_action_and_nothing_is_sent(
    sim, make_session, clock, tmp_path
) -> None:
    first, second = (sim.add_call(status="in-progress")["sid"] for _ in range(2))
    session = make_session(grace=5.0)
    calls = await first_poll(session)
    session.confirm(calls[first], Hangup("completed"))
    session.confirm(calls[second], Redirect(url="https://example.com/hold"))
    item = session.cancel_latest()
    assert item is not None and item.call.sid == second
    assert await session.record_canceled(item) is None
    clock.advance(5)
    [due], _ = session.due(clock())
    assert due.call.sid == first
    assert session.cancel_latest() is None
    assert posts(sim) == [] and outcomes(tmp_path) == [("redirect", "canceled-by-user")]


async def test_a_second_action_on_a_call_in_flight_is_not_sent(sim, make_session) -> None:
    sid = sim.add_call(status="in-progress")["sid"]
    session = make_session()
    call = (await first_poll(session))[sid]
    sim.faults.add("latency", method="POST", seconds=0.3)  # the first is in flight when the second comes
    first = asyncio.ensure_future(session.send(call, Hangup(call.end_status)))
    await asyncio.sleep(0)  # it runs up to its request: the call is in flight from there
    assert session.held(sid)
    assert await session.send(call, Hangup(call.end_status)) is None
    assert (await first).result == "ok"  # type: ignore[union-attr]
    assert len(posts(sim)) == 1


async def test_a_bulk_run_holds_its_calls_from_confirmation_to_the_end(sim, make_session, tmp_path) -> None:
    sids = [sim.add_call(status="in-progress")["sid"] for _ in range(3)]
    session = make_session()
    await first_poll(session)
    session.start_bulk([BulkItem(sid, Hangup("completed")) for sid in sids])
    assert session.bulk_running and all(session.held(sid) for sid in sids) and not session.idle
    progress: list[tuple[int, int]] = []
    report = await session.run_bulk(lambda done, total: progress.append((done, total)))
    assert report.count("ok") == 3 and progress[-1] == (3, 3)
    assert not session.bulk_running and session.idle and not any(session.held(sid) for sid in sids)
    assert len(posts(sim)) == 3 and outcomes(tmp_path) == [("hangup", "ok")] * 3


async def test_a_bulk_run_waits_in_the_grace_window_as_one_and_is_taken_back_whole(
    sim, make_session, clock, tmp_path
) -> None:
    sids = [sim.add_call(status="in-progress")["sid"] for _ in range(3)]
    session = make_session(grace=5.0)
    await first_poll(session)
    assert session.start_bulk([BulkItem(sid, Hangup("completed")) for sid in sids])  # it waits
    assert session.bulk_running and not session.bulk_sending and all(session.held(sid) for sid in sids)
    run = session.cancel_latest()
    assert run is not None and [one.sid for one in run.items] == sids
    assert not session.bulk_running and session.idle and not any(session.held(sid) for sid in sids)
    assert await session.record_canceled(run) is None
    clock.advance(10)
    assert session.due(clock()) == ([], [])
    assert posts(sim) == [] and outcomes(tmp_path) == [("hangup", "canceled-by-user")] * 3

    session.start_bulk([BulkItem(sid, Hangup("completed")) for sid in sids])
    clock.advance(5)
    [due], _ = session.due(clock())
    assert session.ended(due) == [] and session.bulk_sending
    report = await session.run_bulk()
    assert report.count("ok") == 3 and len(posts(sim)) == 3 and session.idle


async def test_dry_run_sends_nothing_and_starts_no_check(sim, make_session, tmp_path) -> None:
    sid = sim.add_call(status="in-progress")["sid"]
    session = make_session(dry_run=True)
    call = (await first_poll(session))[sid]
    outcome = await session.send(call, Hangup(call.end_status))
    assert outcome is not None and outcome.result == "dry-run"
    assert posts(sim) == [] and not session.verifier.checking(sid)
    assert outcomes(tmp_path) == [("hangup", "dry-run")]


async def test_alerts_stand_in_the_live_view_only(sim, make_session, clock) -> None:
    sid = sim.add_call(status="ringing")["sid"]
    session = make_session()
    calls = await first_poll(session)
    rules = AlertRules(waiting_longer_than=30)
    clock.advance(60)
    report = session.check_alerts(rules, calls.values(), clock())
    assert [alert.subject for alert in report.new] == [sid] and len(report.alerts) == 1
    assert session.check_alerts(rules, calls.values(), clock()).new == ()  # announced once
    session.switch_view(View.RECENT)
    ended = session.check_alerts(rules, calls.values(), clock())
    assert ended.sids == frozenset() and ended.alerts == ()


async def test_an_account_switch_builds_a_fresh_session_with_the_same_settings(sim, make_session) -> None:
    sid = sim.add_call(status="in-progress")["sid"]
    session = make_session(grace=2.0)
    call = (await first_poll(session))[sid]
    await session.send(call, Hangup(call.end_status))
    other = session.switched_to(TwilioGateway(make_settings(sim.base_url)), ACCOUNT_SID)
    try:
        assert other.settings is session.settings and other.grace.seconds == 2.0
        assert other.poller.calls == {} and not other.verifier.checking(sid) and other.verdicts == {}
    finally:
        await other.close()


async def test_refetch_reads_one_call_and_says_none_when_it_cannot(sim, make_session) -> None:
    sid = sim.add_call(status="in-progress")["sid"]
    session = make_session()
    fetched = await session.refetch(sid)
    assert fetched is not None and fetched.sid == sid
    assert await session.refetch("CA" + "9" * 32) is None


async def test_a_poll_asked_for_while_the_last_one_is_being_applied_is_not_lost(sim, make_session) -> None:
    sim.add_call(status="in-progress")
    session = make_session()
    polls = session.polls()
    await anext(polls)
    session.poll_now()  # the engineer's ctrl+r while the app still applies that poll (it may take steps)
    result = await asyncio.wait_for(anext(polls), 10)  # not the hour's interval
    await polls.aclose()
    assert result.diff is not None
