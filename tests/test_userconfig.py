"""The user's config.toml: defaults without a file, every section parsed, one clear line when malformed."""

from pathlib import Path

import pytest

from calltui.config import ConfigError
from calltui.userconfig import AlertRules, Preset, UserConfig, load_user_config


def test_no_file_means_defaults(tmp_path: Path) -> None:
    assert load_user_config(tmp_path / "missing.toml") == UserConfig()


def test_every_section_is_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        "[actions]\ngrace_seconds = 3\nbell = true\n"
        '[[presets]]\nname = "maintenance"\nurl = "https://example.com/m.xml"\nmethod = "get"\n'
        '[[presets]]\nname = "bye"\ntwiml = "<Response><Hangup/></Response>"\n'
        "[alerts]\nwaiting_longer_than = 30\nactive_above = 500\n"
        f'[profiles.prod]\naccount_sid = "AC{"1" * 32}"\nlabel = "PRODUCTION"\ncolor = "red"\n'
    )
    config = load_user_config(path)
    assert config.grace_seconds == 3 and config.bell
    assert config.presets[0] == Preset("maintenance", url="https://example.com/m.xml", method="GET")
    assert config.presets[1].twiml == "<Response><Hangup/></Response>"
    assert config.alerts == AlertRules(waiting_longer_than=30, active_above=500)
    assert config.profiles[0].name == "prod" and config.profiles[0].label == "PRODUCTION"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[actions\n", "not valid TOML"),
        ("[actions]\ngrace_seconds = -1\n", "grace_seconds"),
        ("[actions]\nbell = 'yes'\n", "bell"),
        ('[[presets]]\nname = "x"\n', "exactly one of `url` or `twiml`"),
        ('[[presets]]\nurl = "https://e.com"\n', "needs a `name`"),
        ('[[presets]]\nname = "x"\nurl = "https://e.com"\nmethod = "PUT"\n', "POST or GET"),
        # What the redirect prompt would refuse is refused at start-up, naming the preset.
        ('[[presets]]\nname = "old ftp"\nurl = "ftp://e.com/x.xml"\n', "“old ftp”: The URL must be absolute"),
        ('[[presets]]\nname = "half"\ntwiml = "<Response>"\n', "“half”:"),
        ("[alerts]\nactive_above = 0\n", "active_above"),
        # Not finite, or beyond any sensible limit: refused here, not a crash on the first tick or confirm.
        ("[actions]\ngrace_seconds = inf\n", "grace_seconds"),
        ("[actions]\ngrace_seconds = nan\n", "grace_seconds` must be a number from 0 to 60"),
        ("[actions]\ngrace_seconds = 1e12\n", "grace_seconds"),
        ("[actions]\ngrace_seconds = 61\n", "from 0 to 60"),
        ("[alerts]\nwaiting_longer_than = nan\n", "from 0 to 10000000"),
        ("[alerts]\nwaiting_longer_than = -inf\n", "waiting_longer_than"),
        ("[alerts]\nin_progress_longer_than = inf\n", "in_progress_longer_than"),
        ("[alerts]\nin_progress_longer_than = 1e300\n", "in_progress_longer_than"),
        ("[alerts]\ncalls_from_one_number = 9223372036854775807\n", "calls_from_one_number"),
        ('[profiles.p]\nlabel = "x"\n', "account_sid"),
        (f'[profiles.p]\naccount_sid = "AC{"1" * 32}"\nauth_token = "hunter2"\n', "keep secrets out"),
    ],
)
def test_a_malformed_file_is_one_line_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=r"config\.toml") as caught:
        load_user_config(path)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_the_largest_sensible_limits_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        "[actions]\ngrace_seconds = 60.0\n"
        "[alerts]\nwaiting_longer_than = 1e7\nin_progress_longer_than = 0\nactive_above = 10000000\n"
    )
    config = load_user_config(path)
    assert config.grace_seconds == 60.0
    assert config.alerts == AlertRules(
        waiting_longer_than=1e7, in_progress_longer_than=0.0, active_above=10_000_000
    )
