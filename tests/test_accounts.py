"""Finding the accounts to switch to: twilio-cli's config file, calltui's profiles, labels and colours."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from calltui.domain.account import AccountInfo
from calltui.domain.errors import InvalidRequest
from calltui.monitor.accounts import (
    CALLTUI,
    MAIN,
    SUBACCOUNT,
    TWILIO_CLI,
    AccountChoice,
    Login,
    api_choices,
    badge_color,
    calltui_choices,
    color_warnings,
    profile_for,
    settings_for,
    twilio_cli_choices,
    twilio_cli_config,
)
from calltui.secret import Secret
from calltui.settings import Settings
from calltui.userconfig import Profile

AC1 = "AC" + "a" * 32
AC2 = "AC" + "b" * 32
SK1 = "SK" + "c" * 32
CLI_SECRET = "cli-secret-" + "9" * 20


def write_cli_config(folder: Path, data: object) -> Path:
    path = folder / "config.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def test_twilio_cli_config_lives_in_home_unless_twilio_config_dir_says_otherwise(tmp_path: Path) -> None:
    assert twilio_cli_config({}, tmp_path) == tmp_path / ".twilio-cli" / "config.json"
    assert twilio_cli_config({"TWILIO_CONFIG_DIR": "/etc/tw"}, tmp_path) == Path("/etc/tw/config.json")


def test_twilio_cli_profiles_are_read_with_their_secret_wrapped(tmp_path: Path) -> None:
    path = write_cli_config(
        tmp_path,
        {
            "profiles": {
                "dev": {"accountSid": AC1, "apiKey": SK1, "apiSecret": CLI_SECRET, "region": "ie1"},
                "legacy": {"accountSid": AC2, "apiKey": SK1},  # secret kept in the keychain
            },
            "projects": [{"id": "older", "accountSid": AC2}],
            "activeProject": "dev",
            "edge": "dublin",
        },
    )
    found = twilio_cli_choices(path)
    assert found.problems == []
    dev, legacy, older = found.choices
    assert dev == AccountChoice("dev", AC1, TWILIO_CLI, Login(SK1, Secret(CLI_SECRET)), "ie1", "dublin")
    assert isinstance(dev.login.secret, Secret) and CLI_SECRET not in repr(dev)
    for keychain in (legacy, older):
        assert keychain.login is None and keychain.unavailable and "keychain" in keychain.unavailable


def test_no_twilio_cli_config_means_no_profiles(tmp_path: Path) -> None:
    found = twilio_cli_choices(tmp_path / "missing" / "config.json")
    assert found.choices == [] and found.problems == []


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"profiles": {', "not valid JSON (line 1)"),
        ("[1, 2]", "no JSON object"),
        (b"\xff\xfe".decode("latin-1"), "not valid JSON"),
    ],
)
def test_a_malformed_twilio_cli_config_is_one_problem_line_and_no_profiles(
    tmp_path: Path, content: str, problem: str
) -> None:
    found = twilio_cli_choices(write_cli_config(tmp_path, content))
    assert found.choices == []
    [line] = found.problems
    assert problem in line and "\n" not in line


def test_hostile_twilio_cli_entries_are_unavailable_not_fatal(tmp_path: Path) -> None:
    path = write_cli_config(
        tmp_path,
        {
            "profiles": {
                "list": [1, 2],
                "badsid": {"accountSid": "AC../../x", "apiKey": SK1, "apiSecret": CLI_SECRET},
                "badkey": {"accountSid": AC1, "apiKey": "\x1b[31mSK", "apiSecret": CLI_SECRET},
                "badregion": {"accountSid": AC1, "apiKey": SK1, "apiSecret": CLI_SECRET, "region": "x/../y"},
            },
            "projects": "nope",
        },
    )
    choices = twilio_cli_choices(path).choices
    assert [c.name for c in choices] == ["list", "badsid", "badkey", "badregion"]
    assert all(c.unavailable and c.login is None for c in choices)


def test_calltui_profiles_take_their_secret_from_the_named_variable() -> None:
    profiles = [
        Profile("prod", AC1, api_key=SK1, api_secret_env="PROD_SECRET", label="PRODUCTION", color="red"),
        Profile("token", AC2, auth_token_env="TOKEN_VAR"),
        Profile("unset", AC2, auth_token_env="NOT_SET"),
        Profile("label-only", AC2, label="EU"),
    ]
    environ = {"PROD_SECRET": "s3cret-value", "TOKEN_VAR": "tok"}
    prod, token, unset = calltui_choices(profiles, environ)
    assert prod.source == CALLTUI and prod.login == Login(SK1, Secret("s3cret-value"))
    assert token.login == Login(AC2, Secret("tok"))
    assert unset.login is None and unset.unavailable == "NOT_SET is not set in the environment"


def test_api_accounts_become_choices_closed_ones_left_out() -> None:
    accounts = [
        AccountInfo(AC1, "Main", "active", AC1),
        AccountInfo(AC2, "EU", "active", AC1),
        AccountInfo("AC" + "d" * 32, "Old", "closed", AC1),
        AccountInfo("AC" + "e" * 32, None, "suspended", AC1),
    ]
    main, eu, suspended = api_choices(accounts)
    assert (main.source, eu.source, eu.name, eu.login) == (MAIN, SUBACCOUNT, "EU", None)
    assert suspended.name == "AC" + "e" * 32 and suspended.unavailable == "suspended"


def test_a_subaccount_is_reached_with_the_live_credentials_a_profile_with_its_own() -> None:
    live = Settings(AC1, SK1, Secret("live"), api_url="http://127.0.0.1:1", read_only=True)
    sub = settings_for(live, AccountChoice("EU", AC2, SUBACCOUNT))
    assert (sub.account_sid, sub.username, sub.secret, sub.read_only) == (AC2, SK1, Secret("live"), True)
    other = settings_for(live, AccountChoice("p", AC2, CALLTUI, Login(AC2, Secret("tok")), region="ie1"))
    assert (other.username, other.secret, other.region, other.api_url) == (
        AC2,
        Secret("tok"),
        "ie1",
        "http://127.0.0.1:1",
    )


def test_the_demo_refuses_a_profiles_own_login() -> None:
    demo = Settings(AC1, AC1, Secret("demo"), api_url="http://127.0.0.1:1", demo=True)
    with pytest.raises(InvalidRequest, match="demo"):
        settings_for(demo, AccountChoice("p", AC2, CALLTUI, Login(SK1, Secret("real"))))
    assert settings_for(demo, AccountChoice("EU", AC2, SUBACCOUNT)).secret == Secret("demo")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("red", "#800000"),
        ("#CC0000", "#cc0000"),
        ("dark_orange", "#ff8700"),
        ("grean", None),
        ("default", None),
    ],
)
def test_badge_colours_are_rich_names_or_hex_anything_else_none(value: str, expected: str | None) -> None:
    assert badge_color(value) == expected


def test_a_bad_colour_is_a_warning_not_a_failure() -> None:
    [warning] = color_warnings([Profile("prod", AC1, color="grean"), Profile("ok", AC2, color="red")])
    assert "prod" in warning and "grean" in warning


def test_the_label_comes_from_the_chosen_profile_else_the_first_for_that_account() -> None:
    eu = Profile("eu", AC2, label="EU")
    prod, prod_ro = Profile("prod", AC1, label="PRODUCTION"), Profile("prod-ro", AC1, label="PROD (ro)")
    assert profile_for(AC1, [eu, prod, prod_ro]) is prod
    assert profile_for(AC1, [eu, prod, prod_ro], "prod-ro") is prod_ro
    assert profile_for(AC1, [eu, prod, prod_ro], "eu") is prod  # a name for another account is ignored
    assert profile_for("AC" + "f" * 32, [eu]) is None
