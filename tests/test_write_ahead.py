"""Write-ahead: the intent is on disk before the request leaves; no intent, no request; a log that stops
accepting writes refuses actions, loses nothing and recovers; intents left unanswered are reported once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from audit_helpers import all_lines, audit_lines, intent_lines
from conftest import ACCOUNT_SID, make_settings
from recording_helpers import Session

from calltui.domain.actions import Hangup
from calltui.gateway import TwilioGateway
from calltui.monitor.actions import ActionRunner
from calltui.monitor.audit import AuditLog, Origin
from calltui.monitor.audit_chain import verify
from calltui.monitor.recording import Recording
from calltui.monitor.unanswered import close_unanswered, find_unanswered, unanswered_notice
from calltui.simulator import Simulator


@pytest.fixture
async def gateway(sim: Simulator) -> AsyncIterator[TwilioGateway]:
    assert sim.base_url
    gateway = TwilioGateway(make_settings(sim.base_url))
    yield gateway
    await gateway.close()


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    log = AuditLog(tmp_path / "audit.jsonl", Origin.new("ada@ops"))
    log.open()
    return log


def posts(sim: Simulator) -> int:
    return sum(1 for r in sim.requests if r.method == "POST")


async def test_the_intent_is_on_disk_while_the_request_is_in_flight(
    sim: Simulator, gateway: TwilioGateway, audit: AuditLog, tmp_path: Path
) -> None:
    sid = sim.add_call()["sid"]
    sim.faults.add("latency", method="POST", seconds=0.5)
    task = asyncio.create_task(ActionRunner(gateway, audit, ACCOUNT_SID).run(sid, Hangup()))
    for _ in range(200):  # bounded: until the simulator holds the request
        if posts(sim):
            break
        await asyncio.sleep(0.01)
    assert posts(sim) == 1
    [intent] = intent_lines(tmp_path)
    assert audit_lines(tmp_path) == []  # no outcome yet: only the intent
    assert (intent["call_sid"], intent["action"], intent["parameters"]) == (
        sid,
        "hangup",
        {"Status": "completed"},
    )
    assert intent["operator"] == "ada@ops" and "dry_run" not in intent
    outcome = await task
    assert outcome is not None and outcome.result == "ok"
    [line] = audit_lines(tmp_path)
    assert line["request"] == intent["request"] == outcome.request and line["outcome"] == "ok"
    assert verify((tmp_path / "audit.jsonl").read_bytes()).intact


async def test_a_dry_run_writes_a_rehearsal_intent_and_sends_nothing(
    sim: Simulator, gateway: TwilioGateway, audit: AuditLog, tmp_path: Path
) -> None:
    sid = sim.add_call()["sid"]
    outcome = await ActionRunner(gateway, audit, ACCOUNT_SID, dry_run=True).run(sid, Hangup())
    assert outcome is not None and outcome.result == "dry-run" and posts(sim) == 0
    [intent] = intent_lines(tmp_path)
    assert intent["dry_run"] is True
    assert [line["outcome"] for line in audit_lines(tmp_path)] == ["dry-run"]
    assert find_unanswered(all_lines(tmp_path)) == []


async def test_a_read_only_log_refuses_the_action_then_recovers_without_losing_a_line(
    sim: Simulator, gateway: TwilioGateway, audit: AuditLog, tmp_path: Path
) -> None:
    path = tmp_path / "audit.jsonl"
    sid = sim.add_call()["sid"]
    runner = ActionRunner(gateway, audit, ACCOUNT_SID)
    path.chmod(0o400)  # someone made the log read-only mid-session
    assert audit.probe() == "the audit log was made read-only"
    outcome = await runner.run(sid, Hangup())
    assert outcome is not None and outcome.result == "not-sent" and posts(sim) == 0
    assert outcome.audit_error == "the audit log was made read-only" and audit.held == 1
    path.chmod(0o600)
    assert audit.probe() is None and audit.held == 0
    lines = all_lines(tmp_path)
    assert [(line["kind"], line["action"]) for line in lines] == [
        ("event", "audit-log-resumed"),
        ("outcome", "hangup"),  # the refusal, held while the log was read-only
    ]
    assert "read-only" in lines[0]["error"] and lines[1]["outcome"] == "not-sent"
    assert (await runner.run(sid, Hangup())).result == "ok"  # type: ignore[union-attr]
    assert posts(sim) == 1 and verify(path.read_bytes()).intact


async def test_a_full_disk_refuses_actions_and_a_removed_file_is_started_again_and_says_so(
    sim: Simulator, gateway: TwilioGateway, audit: AuditLog, tmp_path: Path
) -> None:
    path = tmp_path / "audit.jsonl"
    sid = sim.add_call()["sid"]
    runner = ActionRunner(gateway, audit, ACCOUNT_SID)
    assert (await runner.run(sid, Hangup())).result == "ok"  # type: ignore[union-attr]
    path.unlink()
    path.symlink_to("/dev/full")  # the log's place now refuses every write: ENOSPC
    outcome = await runner.run(sim.add_call()["sid"], Hangup())
    assert outcome is not None and outcome.result == "not-sent" and outcome.audit_error == "the disk is full"
    assert posts(sim) == 1 and audit.problem == "the disk is full"
    path.unlink()  # space again: the next write starts a new file, saying why
    assert audit.probe() is None
    kinds = [(line["kind"], line["action"]) for line in all_lines(tmp_path)]
    assert kinds[0] == ("event", "audit-log-reopened") and ("outcome", "hangup") in kinds
    assert verify(path.read_bytes()).intact


async def test_an_unwritable_outcome_is_held_and_written_when_the_log_comes_back(
    sim: Simulator, gateway: TwilioGateway, audit: AuditLog, tmp_path: Path
) -> None:
    path = tmp_path / "audit.jsonl"
    sid = sim.add_call()["sid"]
    sim.faults.add("latency", method="POST", seconds=0.3)
    task = asyncio.create_task(ActionRunner(gateway, audit, ACCOUNT_SID).run(sid, Hangup()))
    for _ in range(200):
        if posts(sim):
            break
        await asyncio.sleep(0.01)
    path.chmod(0o400)  # read-only while the request is on its way: the outcome cannot be written
    outcome = await task
    assert outcome is not None and outcome.result == "ok" and outcome.audit_error and audit.held == 1
    path.chmod(0o600)
    assert audit.probe() is None
    [line] = audit_lines(tmp_path)[-1:]
    assert line["outcome"] == "ok" and line["request"] == outcome.request
    assert find_unanswered(all_lines(tmp_path)) == [] and verify(path.read_bytes()).intact


def test_intents_without_an_outcome_are_reported_once_as_unknown(tmp_path: Path, audit: AuditLog) -> None:
    from test_audit_chain import entry

    for n, request in enumerate(["s-1", "s-2", "s-3"], 1):
        audit.append(entry(n, outcome=None, kind="intent", request=request, call_sid=f"CA{n:032}"))
    audit.append(entry(4, request="s-2"))  # answered
    audit.append(entry(5, outcome=None, kind="intent", request="s-4", dry_run=True))  # a rehearsal
    found = find_unanswered(all_lines(tmp_path))
    assert [(u.request, u.call_sid) for u in found] == [
        ("s-1", "CA" + "0" * 31 + "1"),
        ("s-3", "CA" + "0" * 31 + "3"),
    ]
    notice = unanswered_notice(found)
    assert notice is not None
    assert (
        notice.startswith("2 actions from ") and "may have reached Twilio; their outcome is unknown" in notice
    )
    close_unanswered(audit, found, datetime(2026, 11, 28, 13, tzinfo=UTC))
    closing = audit_lines(tmp_path)[-2:]
    assert [(c["request"], c["outcome"]) for c in closing] == [("s-1", "unknown"), ("s-3", "unknown")]
    assert find_unanswered(all_lines(tmp_path)) == []  # reported once: the next start says nothing
    assert unanswered_notice([]) is None


async def test_the_recording_keeps_a_request_unknown_until_its_outcome_replaces_it(
    sim: Simulator, gateway: TwilioGateway, audit: AuditLog, tmp_path: Path
) -> None:
    session = Session(tmp_path / "session.sqlite")
    session.poll({})
    answered, unanswered = sim.add_call()["sid"], sim.add_call()["sid"]
    runner = ActionRunner(
        gateway, audit, ACCOUNT_SID, on_intent=lambda o: session.recorder.action(o, session.now)
    )
    outcome = await runner.run(answered, Hangup())
    assert outcome is not None
    session.recorder.action(outcome, session.now)
    # A request whose session died before its answer: only the intent reached the recording.
    session.act(unanswered, "hangup", {"Status": "completed"}, "unknown", request="x-9")
    session.close()
    with Recording.open(tmp_path / "session.sqlite") as recording:
        assert [(a.call_sid, a.outcome) for a in recording.actions] == [
            (answered, "ok"),
            (unanswered, "unknown"),
        ]
