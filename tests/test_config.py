"""Settings from flags > environment > .env, with one-line errors that never show a secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from calltui.config import (
    ConfigError,
    env_file_warning,
    load_settings,
    read_env_file,
    resolve_env_file,
)

AC = "AC" + "1" * 32
SK = "SK" + "2" * 32
TOKEN = "token-" + "7f" * 13
KEY_SECRET = "keysecret-" + "9e" * 11
BASE = {"TWILIO_ACCOUNT_SID": AC, "TWILIO_AUTH_TOKEN": TOKEN}


def env_file(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / ".env"
    path.write_text(text)
    path.chmod(mode)
    return path


def one_line_error(flags: dict[str, object], environ: dict[str, str], path: Path | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load_settings(flags, environ, path)
    message = str(info.value)
    assert "\n" not in message and message.strip() == message and message
    assert TOKEN not in message and KEY_SECRET not in message
    return message


def test_auth_token_settings_and_defaults() -> None:
    settings = load_settings({}, BASE, None)
    assert (settings.account_sid, settings.username, settings.secret.reveal()) == (AC, AC, TOKEN)
    assert settings.interval == 2.0 and not settings.read_only and not settings.demo
    assert settings.api_url is settings.region is settings.edge is settings.audit_log is None
    assert TOKEN not in repr(settings) and TOKEN not in str(settings)


def test_flags_beat_environment_beat_env_file(tmp_path: Path) -> None:
    path = env_file(
        tmp_path,
        f"TWILIO_ACCOUNT_SID={AC}\nTWILIO_AUTH_TOKEN=from-file\n"
        "CALLTUI_POLL_INTERVAL=7\nCALLTUI_API_URL=http://file:1\nTWILIO_REGION=ie1\n",
    )
    assert load_settings({}, {}, path).secret.reveal() == "from-file"
    environ = {"TWILIO_AUTH_TOKEN": TOKEN, "CALLTUI_POLL_INTERVAL": "5", "CALLTUI_API_URL": "http://env:2"}
    settings = load_settings({}, environ, path)
    assert (settings.secret.reveal(), settings.interval, settings.api_url) == (TOKEN, 5.0, "http://env:2")
    assert settings.region == "ie1"  # only the file sets it
    flags = {"interval": "3", "api_url": "http://flag:3/", "read_only": True, "audit_log": "~/a.jsonl"}
    settings = load_settings(flags, environ, path)
    assert (settings.interval, settings.api_url, settings.read_only) == (3.0, "http://flag:3", True)
    assert settings.audit_log == Path("~/a.jsonl").expanduser()


def test_an_empty_value_counts_as_unset(tmp_path: Path) -> None:
    path = env_file(tmp_path, f"TWILIO_AUTH_TOKEN={TOKEN}\n")
    assert (
        load_settings({"interval": ""}, {"TWILIO_ACCOUNT_SID": AC, "TWILIO_AUTH_TOKEN": ""}, path).interval
        == 2
    )


def test_the_environment_mapping_is_not_modified(tmp_path: Path) -> None:
    environ = {"TWILIO_ACCOUNT_SID": AC}
    load_settings({}, environ, env_file(tmp_path, f"TWILIO_AUTH_TOKEN={TOKEN}\n"))
    assert environ == {"TWILIO_ACCOUNT_SID": AC}


def test_an_api_key_is_used_when_set() -> None:
    settings = load_settings({}, {**BASE, "TWILIO_API_KEY": SK, "TWILIO_API_SECRET": KEY_SECRET}, None)
    assert (settings.account_sid, settings.username, settings.secret.reveal()) == (AC, SK, KEY_SECRET)


@pytest.mark.parametrize(
    ("environ", "names"),
    [
        ({}, "TWILIO_ACCOUNT_SID is not set"),
        (
            {"TWILIO_ACCOUNT_SID": "AC123"},
            "TWILIO_ACCOUNT_SID (from the environment) must be AC followed by 32",
        ),
        ({"TWILIO_ACCOUNT_SID": SK, "TWILIO_AUTH_TOKEN": TOKEN}, "TWILIO_ACCOUNT_SID"),
        ({"TWILIO_ACCOUNT_SID": AC}, "TWILIO_AUTH_TOKEN is not set"),
        (
            {"TWILIO_ACCOUNT_SID": AC, "TWILIO_AUTH_TOKEN": TOKEN + " x"},
            "TWILIO_AUTH_TOKEN (from the environment) contains",
        ),
        ({"TWILIO_ACCOUNT_SID": AC, "TWILIO_AUTH_TOKEN": TOKEN + "é"}, "TWILIO_AUTH_TOKEN"),
        ({"TWILIO_ACCOUNT_SID": AC, "TWILIO_API_KEY": SK}, "TWILIO_API_SECRET is not set"),
        ({"TWILIO_ACCOUNT_SID": AC, "TWILIO_API_KEY": AC, "TWILIO_API_SECRET": KEY_SECRET}, "TWILIO_API_KEY"),
        ({"TWILIO_ACCOUNT_SID": AC, "TWILIO_API_SECRET": KEY_SECRET}, "TWILIO_API_KEY is not"),
        ({**BASE, "TWILIO_REGION": "Ireland 1"}, "TWILIO_REGION"),
        ({**BASE, "TWILIO_EDGE": "dub/lin"}, "TWILIO_EDGE"),
        ({**BASE, "CALLTUI_POLL_INTERVAL": "fast"}, "CALLTUI_POLL_INTERVAL (from the environment) must be"),
        ({**BASE, "CALLTUI_POLL_INTERVAL": "0"}, "CALLTUI_POLL_INTERVAL"),
        ({**BASE, "CALLTUI_POLL_INTERVAL": "-2"}, "CALLTUI_POLL_INTERVAL"),
        ({**BASE, "CALLTUI_POLL_INTERVAL": "nan"}, "CALLTUI_POLL_INTERVAL"),
        ({**BASE, "CALLTUI_POLL_INTERVAL": "inf"}, "CALLTUI_POLL_INTERVAL"),
        ({**BASE, "CALLTUI_API_URL": "ftp://x"}, "CALLTUI_API_URL"),
        ({**BASE, "CALLTUI_API_URL": "127.0.0.1:8080"}, "CALLTUI_API_URL"),
        ({**BASE, "CALLTUI_API_URL": "http://h/2010-04-01"}, "CALLTUI_API_URL"),
        (
            {**BASE, "CALLTUI_API_URL": "http://h:99999"},
            "CALLTUI_API_URL (from the environment) has an invalid port",
        ),
    ],
)
def test_each_malformed_setting_is_one_line_naming_it(environ: dict[str, str], names: str) -> None:
    assert names in one_line_error({}, environ)


def test_a_url_with_credentials_is_refused_without_echoing_them() -> None:
    message = one_line_error({}, {**BASE, "CALLTUI_API_URL": f"http://user:{TOKEN}@h"})
    assert "user name or password" in message


def test_flag_errors_name_the_flag_and_file_errors_name_the_file(tmp_path: Path) -> None:
    assert one_line_error({"interval": "abc"}, BASE).startswith("--interval must be a number")
    path = env_file(tmp_path, "TWILIO_ACCOUNT_SID=ACnope\n")
    assert f"TWILIO_ACCOUNT_SID (from {path}) must be AC" in one_line_error({}, {}, path)


def test_a_short_interval_is_raised_to_the_floor() -> None:
    assert load_settings({"interval": "0.1"}, BASE, None).interval == 0.5
    assert load_settings({"interval": "0.75"}, BASE, None).interval == 0.75


def test_demo_mode_needs_no_credentials_and_generates_fresh_ones() -> None:
    first = load_settings({"demo": True, "interval": "4"}, {}, None)
    second = load_settings({"demo": True}, {"TWILIO_AUTH_TOKEN": TOKEN}, None)
    assert first.demo and first.interval == 4.0 and first.api_url is None
    assert first.account_sid.startswith("AC") and len(first.account_sid) == 34
    assert first.secret != second.secret and second.secret.reveal() != TOKEN


def test_env_file_resolution(tmp_path: Path) -> None:
    assert resolve_env_file(None, tmp_path) is None
    path = env_file(tmp_path, "")
    assert resolve_env_file(None, tmp_path) == path
    assert resolve_env_file(str(path)) == path
    with pytest.raises(ConfigError, match=r"--env-file .*: no such file"):
        resolve_env_file(str(tmp_path / "missing.env"))


def test_env_file_values_follow_dotenv_syntax(tmp_path: Path) -> None:
    path = env_file(tmp_path, "# comment\nexport A='quoted value'\nB=\"x\"  # trailing\nC\n")
    assert read_env_file(path) == {"A": "quoted value", "B": "x"}


def test_a_group_or_world_readable_env_file_is_warned_about(tmp_path: Path) -> None:
    path = env_file(tmp_path, f"TWILIO_AUTH_TOKEN={TOKEN}\n", mode=0o644)
    warning = env_file_warning(path)
    assert warning is not None and "chmod 600" in warning and "644" in warning and TOKEN not in warning
    path.chmod(0o640)
    assert env_file_warning(path) is not None
    path.chmod(0o600)
    assert env_file_warning(path) is None
    assert env_file_warning(None) is None


def test_the_operator_comes_from_name_or_calltui_name_else_user_at_host(tmp_path: Path) -> None:
    default = load_settings({}, BASE, None).operator
    assert "@" in default and default.isprintable()
    path = env_file(tmp_path, f"TWILIO_ACCOUNT_SID={AC}\nTWILIO_AUTH_TOKEN={TOKEN}\nCALLTUI_NAME=file@ops\n")
    assert load_settings({}, {}, path).operator == "file@ops"
    assert load_settings({}, {"CALLTUI_NAME": " ada@ops "}, path).operator == "ada@ops"
    assert load_settings({"name": "grace"}, {"CALLTUI_NAME": "ada@ops"}, path).operator == "grace"


@pytest.mark.parametrize("name", ["ada\nmallory", "ada\x1b[31m", "x" * 65, "ada\u202eops"])
def test_an_operator_name_that_is_not_one_printable_line_is_refused(tmp_path: Path, name: str) -> None:
    message = one_line_error({}, {**BASE, "CALLTUI_NAME": name})
    assert message.startswith("CALLTUI_NAME (from the environment) must be one line")
    assert "\x1b" not in message and "\u202e" not in message
