"""The installed `calltui` command: version, help, and configuration errors as one line with exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from calltui import __version__
from calltui.cli import main

CALLTUI = Path(sys.executable).with_name("calltui")
TOKEN = "tok-" + "c0ffee" * 5
AC = "AC" + "1" * 32


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The console script in a clean environment (no credentials unless given), from `cwd`."""
    environ = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), **(env or {})}
    return subprocess.run(
        [str(CALLTUI), *args], cwd=cwd, env=environ, capture_output=True, text=True, timeout=60, check=False
    )


def test_version(tmp_path: Path) -> None:
    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == f"calltui {__version__}"


def test_help_never_shows_a_secret(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"TWILIO_ACCOUNT_SID={AC}\nTWILIO_AUTH_TOKEN={TOKEN}\n")
    for args in (("--help",), ("simulate", "--help")):
        result = run(*args, cwd=tmp_path, env={"TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_API_SECRET": TOKEN})
        assert result.returncode == 0 and "usage: calltui" in result.stdout
        assert TOKEN not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        ((), {}, "calltui: TWILIO_ACCOUNT_SID is not set"),
        ((), {"TWILIO_ACCOUNT_SID": AC}, "calltui: TWILIO_AUTH_TOKEN is not set"),
        (
            ("--interval", "soon"),
            {"TWILIO_ACCOUNT_SID": AC, "TWILIO_AUTH_TOKEN": TOKEN},
            "calltui: --interval",
        ),
        (("--env-file", "nope.env"), {}, "calltui: --env-file nope.env: no such file"),
        (
            ("--api-url", "api.twilio.com"),
            {"TWILIO_ACCOUNT_SID": AC, "TWILIO_AUTH_TOKEN": TOKEN},
            "calltui: --api-url",
        ),
        (
            ("--name", "ada\x1b]0;owned\x07"),
            {"TWILIO_ACCOUNT_SID": AC, "TWILIO_AUTH_TOKEN": TOKEN},
            "calltui: --name must be one line",
        ),
    ],
)
def test_bad_config_is_one_line_on_stderr_and_exit_2(
    tmp_path: Path, args: tuple[str, ...], env: dict[str, str], expected: str
) -> None:
    result = run(*args, cwd=tmp_path, env=env)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(expected), result.stderr
    assert "Traceback" not in result.stderr and TOKEN not in result.stderr


def test_a_bad_env_file_value_is_reported_from_main(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env_file = tmp_path / "prod.env"
    env_file.write_text(f"TWILIO_ACCOUNT_SID={AC}\nTWILIO_AUTH_TOKEN={TOKEN}\nCALLTUI_POLL_INTERVAL=-1\n")
    assert main(["--env-file", str(env_file)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"calltui: CALLTUI_POLL_INTERVAL (from {env_file}) must be a number of seconds")
    assert err.endswith("not '-1'\n") and err.count("\n") == 1


def test_an_unwritable_audit_log_stops_start_up_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file where a folder should be")
    env = {"TWILIO_ACCOUNT_SID": AC, "TWILIO_AUTH_TOKEN": TOKEN}
    result = run("--audit-log", str(tmp_path / "blocker" / "audit.jsonl"), cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert result.stderr.startswith("calltui: cannot write the audit log")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert TOKEN not in result.stderr
