"""The audit log: appended, durable, readable after a crash mid-write, and loud when unwritable."""

import json
import os
from pathlib import Path

import pytest

from calltui import __version__
from calltui.monitor.audit import AuditEntry, AuditLog, AuditLogError, Origin, read_entries


def entry(n: int, **kw: object) -> AuditEntry:
    values: dict[str, object] = {
        "time": f"2026-11-28T12:00:0{n}+00:00",
        "account": "AC" + "1" * 32,
        "call_sid": "CA" + "2" * 32,
        "action": "hangup",
        "parameters": {"Status": "completed"},
        "outcome": "ok",
    }
    values.update(kw)
    return AuditEntry(**values)  # type: ignore[arg-type]


def test_entries_append_in_order_as_json_lines(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "sub" / "audit.jsonl")
    log.open()
    log.append(entry(1))
    log.append(entry(2, outcome="failed", error_code=21220, error="Twilio 21220: not live"))
    log.close()
    lines = (tmp_path / "sub" / "audit.jsonl").read_text().splitlines()
    assert [json.loads(line)["outcome"] for line in lines] == ["ok", "failed"]
    assert json.loads(lines[1])["error_code"] == 21220
    assert os.stat(tmp_path / "sub" / "audit.jsonl").st_mode & 0o077 == 0


def test_a_torn_last_line_is_skipped_and_does_not_swallow_the_next_entry(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    log.append(entry(1))
    log.close()
    with path.open("ab") as f:  # a crash half-way through writing an entry
        f.write(b'{"time": "2026-11-28T12:00:02+00:00", "acc')
    log = AuditLog(path)
    log.open()
    log.append(entry(3))
    log.close()
    assert [e["time"] for e in read_entries(path)] == [
        "2026-11-28T12:00:01+00:00",
        "2026-11-28T12:00:03+00:00",
    ]


def test_an_unwritable_log_fails_at_open(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(AuditLogError, match="cannot write the audit log"):
        AuditLog(blocker / "audit.jsonl").open()


def test_a_password_inside_a_url_is_masked(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    log.append(
        entry(1, action="redirect", parameters={"Url": "https://ops:hunter2@example.com/t", "Method": "POST"})
    )
    log.close()
    text = (tmp_path / "audit.jsonl").read_text()
    assert "hunter2" not in text
    assert "https://ops:***@example.com/t" in text


def test_every_entry_names_the_operator_the_session_and_the_version(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl", Origin.new("ada@ops"))
    log.append(entry(1))
    log.append(entry(2, outcome="failed"))
    log.close()
    records = list(read_entries(tmp_path / "audit.jsonl"))
    assert {(r["operator"], r["session"], r["version"]) for r in records} == {
        ("ada@ops", log.origin.session, __version__)
    }
    assert len(log.origin.session) == 12 and Origin.new("ada@ops").session != log.origin.session
    assert "@" in str(AuditLog(tmp_path / "other.jsonl").origin.operator)  # user@host by default
