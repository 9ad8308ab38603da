"""The pieces behind the grace window, proof of effect and dry run, without the UI: the simulator's
Notifications over the real SDK, the gateway's reading of them, the redirect memory, flags and config."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sim_helpers import Clock, running, sdk

from calltui.cli import build_parser
from calltui.config import load_settings
from calltui.domain.actions import Redirect
from calltui.domain.errors import MalformedResponse
from calltui.gateway.parse import parse_error_codes
from calltui.monitor.audit import AuditEntry, AuditLog, read_entries
from calltui.monitor.grace import GraceQueue
from calltui.monitor.redirects import RedirectMemory
from calltui.monitor.verify import describe_codes
from calltui.userconfig import DEFAULT_GRACE_SECONDS, UserConfig, parse_user_config

T0 = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)


async def test_a_redirect_to_a_url_that_cannot_be_fetched_logs_11200_against_the_call() -> None:
    clock = Clock(T0)
    async with running(clock=clock) as sim, sdk(sim) as client:
        sid = sim.add_call(status="in-progress")["sid"]
        other = sim.add_call(status="in-progress")["sid"]
        await client.calls(sid).update_async(url="http://127.0.0.1:9/nothing.xml", method="GET")
        await sim.settle()
        [notice] = await client.calls(sid).notifications.list_async()
        assert notice.error_code == "11200" and notice.log == "0"
        assert notice.request_url == "http://127.0.0.1:9/nothing.xml" and notice.request_method == "GET"
        assert notice.call_sid == sid and notice.message_date == T0
        assert await client.calls(other).notifications.list_async() == []
    # `running` checks every answer above against Twilio's OpenAPI spec on the way out.


async def test_a_redirect_that_is_fetched_logs_nothing() -> None:
    async with running() as sim, sdk(sim) as client:
        sid = sim.add_call(status="in-progress")["sid"]
        await client.calls(sid).update_async(url=f"{sim.base_url}/twiml/hold")
        await sim.settle()
        assert await client.calls(sid).notifications.list_async() == []


def test_error_codes_are_read_defensively() -> None:
    since = T0 + timedelta(microseconds=500)  # notifications are dated to the second
    page = {
        "notifications": [
            {"log": "0", "error_code": "11200", "message_date": "Mon, 02 Mar 2026 12:00:00 +0000"},
            {"log": "1", "error_code": "12200", "message_date": "Mon, 02 Mar 2026 12:00:05 +0000"},  # warning
            {"log": "0", "error_code": "11205", "message_date": "Mon, 02 Mar 2026 11:59:59 +0000"},  # before
            {"log": "0", "error_code": "nope", "message_date": None},
            {"log": "0", "error_code": 12100, "message_date": 5},  # undated: counted
            "junk",
            None,
        ]
    }
    assert parse_error_codes(page, since) == [11200, 12100]
    with pytest.raises(MalformedResponse):
        parse_error_codes({"calls": []}, since)
    assert describe_codes((11200, 11200, 99999)) == "11200 HTTP retrieval failure, 99999 error"


def test_the_redirect_memory_is_rebuilt_from_the_audit_log(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    sid = "CA" + "2" * 32

    def entry(url: str, outcome: str = "ok", minute: int = 0, **kw: object) -> AuditEntry:
        return AuditEntry(
            time=(T0 + timedelta(minutes=minute)).isoformat(),
            account="AC" + "1" * 32,
            call_sid=sid,
            action="redirect",
            parameters={"Url": url, "Method": "GET"},
            outcome=outcome,
            **kw,  # type: ignore[arg-type]
        )

    log.append(entry("https://a.example/t", minute=1))
    log.append(entry("https://failed.example/t", outcome="failed", minute=2))
    log.append(entry("https://ops:hunter2@b.example/t", minute=3, previous_url="https://x:pw@a.example/t"))
    log.close()
    with (tmp_path / "audit.jsonl").open("a") as f:
        f.write('{"action": "redirect", "outcome": "ok", "call_sid": 5}\n{"torn": \n')
    text = (tmp_path / "audit.jsonl").read_text()
    assert "hunter2" not in text and '"previous_url":"https://x:***@a.example/t"' in text
    assert "previous_url" not in json.loads(text.splitlines()[0])

    memory = RedirectMemory.from_audit(read_entries(tmp_path / "audit.jsonl"))
    last, before = memory.last(sid), memory.before_last(sid)
    assert last is not None and last.target == "https://ops:***@b.example/t"
    assert before is not None and (before.target, before.method) == ("https://a.example/t", "GET")
    assert before.time == T0 + timedelta(minutes=1)
    memory.remember(sid, Redirect(twiml="<Response/>"), T0)
    assert memory.before_last(sid) == last and memory.last(sid).target == "<Response/>"  # type: ignore[union-attr]
    assert memory.last("CA" + "3" * 32) is None


def test_going_back_never_offers_a_url_whose_password_the_log_masked(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    sid = "CA" + "2" * 32
    for minute, url in enumerate(("https://ops:hunter2@b.example/t", "https://c.example/t")):
        when = (T0 + timedelta(minutes=minute)).isoformat()
        log.append(AuditEntry(when, "AC" + "1" * 32, sid, "redirect", {"Url": url}, "ok"))
    log.close()
    memory = RedirectMemory.from_audit(read_entries(tmp_path / "audit.jsonl"))
    before = memory.before_last(sid)
    assert before is not None and before.target == "https://ops:***@b.example/t"  # still shown as history
    assert memory.back(sid) is None  # resending it would point the live call at a broken URL
    # This session's memory has the real URL, so it can go back there; it is only ever logged masked.
    memory.remember(sid, Redirect(url="https://ops:hunter2@d.example/t"), T0)
    memory.remember(sid, Redirect(url="https://e.example/t"), T0)
    assert memory.back(sid).target == "https://ops:hunter2@d.example/t"  # type: ignore[union-attr]


def test_the_grace_queue_hands_each_action_out_once_and_cancels_the_newest() -> None:
    from calltui.domain.actions import Hangup
    from calltui.domain.call import Call

    queue = GraceQueue(3)
    a, b = Call(sid="CA" + "a" * 32), Call(sid="CA" + "b" * 32)
    queue.add(a, Hangup(), T0)
    queue.add(b, Hangup(), T0 + timedelta(seconds=1))
    assert queue.pending[0].seconds_left(T0 + timedelta(seconds=0.5)) == 3
    assert queue.due(T0 + timedelta(seconds=2.9)) == []
    assert [p.call for p in queue.due(T0 + timedelta(seconds=3))] == [a]
    assert queue.due(T0 + timedelta(seconds=3)) == []
    assert queue.holds(b.sid) and not queue.holds(a.sid)
    assert queue.cancel_latest().call == b  # type: ignore[union-attr]
    assert queue.cancel_latest() is None and queue.due(T0 + timedelta(hours=1)) == []


def test_dry_run_flag_reaches_the_settings() -> None:
    args = build_parser().parse_args(["--dry-run", "--demo"])
    assert load_settings(args, {}, None).dry_run
    assert not load_settings(build_parser().parse_args(["--demo"]), {}, None).dry_run


def test_the_grace_window_defaults_to_three_seconds_and_zero_turns_it_off() -> None:
    assert UserConfig().grace_seconds == DEFAULT_GRACE_SECONDS == 3.0
    assert parse_user_config({}).grace_seconds == 3.0
    assert parse_user_config({"actions": {"grace_seconds": 0}}).grace_seconds == 0.0
