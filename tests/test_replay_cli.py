"""`calltui replay FILE` and `--record FILE` from the command line: a bad file is one line and exit 2."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from recording_helpers import Session, sid

from calltui.cli import main
from calltui.config import load_settings
from calltui.domain.call import Call

CALLTUI = Path(sys.executable).with_name("calltui")
AC = "AC" + "1" * 32
TOKEN = "tok-" + "c0ffee" * 5


def one_line_error(capsys: pytest.CaptureFixture[str], start: str) -> str:
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1, captured.err
    assert captured.err.startswith(start) and "Traceback" not in captured.err
    return captured.err


def test_replaying_a_missing_file_from_the_shell(tmp_path: Path) -> None:
    environ = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    result = subprocess.run(
        [str(CALLTUI), "replay", "nope.db"],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "calltui replay: nope.db: no such recording\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is not a calltui recording, or it is damaged"),
        (b"\x00garbage\xff" * 1000, "is not a calltui recording, or it is damaged (file is not a database)"),
    ],
)
def test_replaying_a_file_that_is_not_a_recording(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, expected: str
) -> None:
    path = tmp_path / "rec.db"
    path.write_bytes(content)
    assert main(["replay", str(path)]) == 2
    assert expected in one_line_error(capsys, f"calltui replay: {path}")


def test_replaying_a_truncated_recording(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    session = Session(tmp_path / "rec.db")
    for i in range(100):
        session.at(i)
        session.poll(
            {sid(n): Call(sid(n), status="in-progress", from_="+1555" * 9) for n in range(i, i + 40)}
        )
    session.close()
    data = (tmp_path / "rec.db").read_bytes()
    (tmp_path / "cut.db").write_bytes(data[: len(data) // 2])
    assert main(["replay", str(tmp_path / "cut.db")]) == 2
    assert "damaged" in one_line_error(capsys, f"calltui replay: {tmp_path / 'cut.db'}")


def test_replaying_a_crafted_recording(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A linger the table's time arithmetic would overflow on: one line and exit 2, not a traceback."""
    session = Session(tmp_path / "rec.db")
    session.poll({sid(1): Call(sid(1), status="in-progress")})
    session.close()
    db = sqlite3.connect(tmp_path / "rec.db")
    db.execute("UPDATE session SET value = 'inf' WHERE key = 'linger'")
    db.commit()
    db.close()
    assert main(["replay", str(tmp_path / "rec.db")]) == 2
    assert "linger is not a number of seconds" in one_line_error(capsys, f"calltui replay: {tmp_path}")


def test_recording_never_overwrites_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    existing = tmp_path / "incident.db"
    existing.write_text("yesterday's incident")
    env_file = tmp_path / "test.env"
    env_file.write_text(f"TWILIO_ACCOUNT_SID={AC}\nTWILIO_AUTH_TOKEN={TOKEN}\n")
    env_file.chmod(0o600)
    args = [
        "--env-file",
        str(env_file),
        "--audit-log",
        str(tmp_path / "audit.jsonl"),
        "--record",
        str(existing),
    ]
    assert main(args) == 2
    error = one_line_error(capsys, "calltui: the recording ")
    assert error.endswith("incident.db already exists; record to a new file\n") and TOKEN not in error
    assert existing.read_text() == "yesterday's incident"


def test_record_is_a_flag_only(tmp_path: Path) -> None:
    env = {"TWILIO_ACCOUNT_SID": AC, "TWILIO_AUTH_TOKEN": TOKEN, "CALLTUI_RECORD": "/tmp/x.db"}
    assert load_settings({}, env, None).record is None
    settings = load_settings({"record": "~/incident.db"}, env, None)
    assert settings.record == Path("~/incident.db").expanduser()
    assert load_settings({"record": "rec.db", "demo": True}, {}, None).record == Path("rec.db")
