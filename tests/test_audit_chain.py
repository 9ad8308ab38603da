"""The hash chain and `calltui audit verify|show`: an edited line, a deleted line and a torn line are each
told apart; lines from before the chain stay readable."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from calltui.audit_cmd import run_audit
from calltui.cli import main
from calltui.monitor.audit import AuditEntry, AuditLog, Origin
from calltui.monitor.audit_chain import GENESIS, line_hash, verify

CALL = "CA" + "2" * 32


def entry(n: int, **kw: object) -> AuditEntry:
    values: dict[str, object] = {
        "time": f"2026-11-28T12:00:{n:02}+00:00",
        "account": "AC" + "1" * 32,
        "call_sid": CALL,
        "action": "hangup",
        "parameters": {"Status": "completed"},
        "outcome": "ok",
    }
    values.update(kw)
    return AuditEntry(**values)  # type: ignore[arg-type]


def write_log(path: Path, count: int) -> list[bytes]:
    log = AuditLog(path, Origin.new("ada@ops"))
    log.open()
    for n in range(1, count + 1):
        log.append(entry(n))
    log.close()
    return path.read_bytes().splitlines()


def test_each_line_records_its_number_and_the_hash_of_the_line_before(tmp_path: Path) -> None:
    lines = write_log(tmp_path / "audit.jsonl", 3)
    records = [json.loads(line) for line in lines]
    assert [r["seq"] for r in records] == [1, 2, 3] and all(r["v"] == 2 for r in records)
    assert records[0]["prev"] == GENESIS
    assert records[1]["prev"] == line_hash(lines[0]) and records[2]["prev"] == line_hash(lines[1])
    verdict = verify((tmp_path / "audit.jsonl").read_bytes())
    assert verdict.intact and (verdict.lines, verdict.chained, verdict.torn) == (3, 3, [])


def test_a_later_session_chains_on_from_the_last_line(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    first = write_log(path, 2)
    log = AuditLog(path)
    log.append(entry(3))
    log.close()
    third = json.loads(path.read_bytes().splitlines()[2])
    assert (third["seq"], third["prev"]) == (3, line_hash(first[1]))
    assert verify(path.read_bytes()).intact


def test_an_edited_line_is_found_by_the_line_after_it(tmp_path: Path) -> None:
    lines = write_log(tmp_path / "audit.jsonl", 4)
    lines[1] = lines[1].replace(b'"outcome":"ok"', b'"outcome":"failed"')
    verdict = verify(b"\n".join(lines) + b"\n")
    assert verdict.breaks == [(3, "line 2 was changed after it was written")]


def test_a_deleted_line_is_told_apart_from_an_edit(tmp_path: Path) -> None:
    lines = write_log(tmp_path / "audit.jsonl", 4)
    del lines[1]
    verdict = verify(b"\n".join(lines) + b"\n")
    assert verdict.breaks[0] == (2, "1 line missing before it (deleted)")
    assert not verdict.torn


def test_a_torn_last_line_is_a_crash_not_tampering(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    lines = write_log(path, 3)
    torn = b"\n".join(lines) + b"\n" + lines[2][:40]  # a crash half-way through writing line 4
    verdict = verify(torn)
    assert verdict.intact and verdict.torn == [4]
    # The next start ends the torn line and chains on from it: still a crash, still intact.
    path.write_bytes(torn)
    log = AuditLog(path)
    log.open()
    log.append(entry(9))
    log.close()
    verdict = verify(path.read_bytes())
    assert verdict.intact and verdict.torn == [4] and verdict.lines == 5


def test_a_garbled_middle_line_the_next_does_not_chain_to_is_a_break(tmp_path: Path) -> None:
    lines = write_log(tmp_path / "audit.jsonl", 3)
    lines[1] = lines[1][:30]  # cut short by hand, after the fact: line 3 recorded the whole line
    verdict = verify(b"\n".join(lines) + b"\n")
    assert not verdict.intact and verdict.breaks[0][0] == 2 and not verdict.torn


def test_lines_from_before_the_chain_are_read_and_the_chain_starts_after_them(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    old = json.dumps(
        {"time": "2026-11-01T10:00:00+00:00", "call_sid": CALL, "action": "hangup", "outcome": "ok"}
    )
    path.write_text(old + "\n" + old + "\n")
    log = AuditLog(path)
    log.append(entry(1))
    log.close()
    verdict = verify(path.read_bytes())
    assert verdict.intact and (verdict.unchained, verdict.chained) == (2, 1)
    assert json.loads(path.read_bytes().splitlines()[2])["seq"] == 3
    inserted = path.read_bytes() + old.encode() + b"\n"  # an old-style line after chained ones
    assert not verify(inserted).intact


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["audit", *args])
    return code, capsys.readouterr().out


def test_audit_verify_says_intact_torn_or_where_it_breaks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "audit.jsonl"
    lines = write_log(path, 3)
    assert run_cli(capsys, "verify", str(path)) == (0, "intact: 3 lines, 3 chained\n")
    path.write_bytes(b"\n".join(lines) + b"\n" + b'{"v":2,"se')
    code, out = run_cli(capsys, "verify", str(path))
    assert code == 0 and "torn: last line (cut short by a crash mid-write; not tampering)" in out
    path.write_bytes(b"\n".join([lines[0], lines[2]]) + b"\n")
    code, out = run_cli(capsys, "verify", str(path))
    assert code == 1 and "BROKEN at line 2: 1 line missing before it (deleted)" in out
    assert main(["audit", "verify", str(tmp_path / "missing.jsonl")]) == 2


def test_audit_show_prints_a_table_and_json_lines_with_control_characters_made_inert(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, Origin.new("ada@ops"))
    log.append(entry(1, outcome=None, kind="intent", request="s-1"))
    log.append(entry(2, request="s-1", error="evil \x1b[31mred\x07"))
    log.close()
    code, out = run_cli(capsys, "show", str(path))
    rows = out.splitlines()
    assert code == 0 and rows[0].split()[:4] == ["line", "time", "(UTC)", "operator"]
    assert "ada@ops" in rows[1] and "intent" in rows[1] and "(sending)" in rows[1] and "s-1" in rows[1]
    assert "outcome" in rows[2] and " ok " in rows[2] and "2026-11-28 12:00:02" in rows[2]
    code, out = run_cli(capsys, "show", "--json", str(path))
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["line"], r["kind"], r["request"]) for r in records] == [
        (1, "intent", "s-1"),
        (2, "outcome", "s-1"),
    ]
    assert "\x1b" not in out and "\x07" not in out and records[1]["error"] == "evil \x1b[31mred\x07"


def test_audit_show_fits_an_80_column_terminal(tmp_path: Path) -> None:
    """The full table is 133 columns: at 80 every row wrapped in the middle of a SID."""
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, Origin.new("a-very-long-operator-name@ops.example"))
    log.append(entry(1, outcome=None, kind="intent", request="s-1"))
    log.append(entry(2, request="s-1", outcome="failed", error_code=21220))
    log.close()
    out = io.StringIO()
    assert run_audit("show", path, out=out, width=80) == 0
    rows = out.getvalue().splitlines()
    assert all(len(row) <= 80 for row in rows), rows
    assert rows[1] == "── 2026-11-28", rows
    assert rows[2].split()[:3] == ["1", "12:00:01", "a-very-long-o…"], rows
    assert f"{CALL[:6]}…{CALL[-4:]}" in rows[3] and rows[3].endswith("failed 21220"), rows
