"""The user's own calltui preferences: `config.toml` in the config directory (presets, alerts, profiles).

Everything has a default, so a missing file is normal. A malformed file raises `ConfigError` with one
line naming the key and how to fix it. Example:

    [actions]
    grace_seconds = 5            # a confirmed action waits this long (default 3, max 60); u cancels; 0 = off
    bell = false                 # ring the terminal bell when an alert fires

    [[presets]]                  # chosen by key in the redirect prompt
    name = "maintenance message"
    url = "https://example.com/twiml/maintenance.xml"
    method = "POST"

    [[presets]]
    name = "send to backup queue"
    twiml = "<Response><Enqueue>backup</Enqueue></Response>"

    [alerts]
    waiting_longer_than = 30     # seconds a call may be queued or ringing
    in_progress_longer_than = 60 # minutes a call may be in progress
    calls_from_one_number = 10   # more live calls than this from one number at once
    active_above = 500           # more live calls than this in all

    [profiles.prod]              # switch accounts without restarting
    account_sid = "AC…"
    api_key = "SK…"
    api_secret_env = "PROD_TWILIO_API_SECRET"   # the secret stays in the environment, not in this file
    label = "PRODUCTION"
    color = "red"
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from calltui.config import ConfigError
from calltui.domain.actions import ActionInputError, build_redirect
from calltui.domain.text import clean
from calltui.paths import config_dir

MAX_GRACE_SECONDS = 60.0
"""A minute: longer than anyone would hold an action back; also keeps its deadline a sane datetime."""
MAX_ALERT_LIMIT = 10_000_000
"""Beyond any real call or count (10 million minutes is 19 years), and within what timedelta can hold."""


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    url: str | None = None
    method: str = "POST"
    twiml: str | None = None


@dataclass(frozen=True, slots=True)
class AlertRules:
    """None turns a rule off."""

    waiting_longer_than: float | None = None
    """Seconds a call may stay queued or ringing."""
    in_progress_longer_than: float | None = None
    """Minutes a call may stay in progress."""
    calls_from_one_number: int | None = None
    active_above: int | None = None

    @property
    def enabled(self) -> bool:
        """Whether any rule is on."""
        return any(
            limit is not None
            for limit in (
                self.waiting_longer_than,
                self.in_progress_longer_than,
                self.calls_from_one_number,
                self.active_above,
            )
        )


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    account_sid: str
    api_key: str | None = None
    api_secret_env: str | None = None
    auth_token_env: str | None = None
    region: str | None = None
    edge: str | None = None
    label: str | None = None
    color: str | None = None


DEFAULT_GRACE_SECONDS = 3.0
"""Long enough to see the countdown and press `u`, short enough not to slow an emergency."""


@dataclass(frozen=True, slots=True)
class UserConfig:
    grace_seconds: float = DEFAULT_GRACE_SECONDS
    bell: bool = False
    presets: tuple[Preset, ...] = ()
    alerts: AlertRules = field(default_factory=AlertRules)
    profiles: tuple[Profile, ...] = ()


def default_path() -> Path:
    return config_dir() / "config.toml"


def load_user_config(path: Path | None = None) -> UserConfig:
    """The preferences at `path` (default: the user's config directory); defaults when there is no file."""
    path = path or default_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return UserConfig()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it ({exc})") from None
    import tomllib  # here: without a file (the usual case) the screen comes without it

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    return parse_user_config(data, str(path))


def parse_user_config(data: dict[str, Any], where: str = "config.toml") -> UserConfig:
    actions = _table(data, "actions", where)
    alerts = _table(data, "alerts", where)
    return UserConfig(
        grace_seconds=_number(
            actions, "grace_seconds", f"{where} [actions]", DEFAULT_GRACE_SECONDS, maximum=MAX_GRACE_SECONDS
        )
        or 0.0,
        bell=_bool(actions, "bell", f"{where} [actions]"),
        presets=tuple(
            _preset(item, f"{where} [[presets]] #{i + 1}")
            for i, item in enumerate(_list(data, "presets", where))
        ),
        alerts=AlertRules(
            waiting_longer_than=_number(alerts, "waiting_longer_than", f"{where} [alerts]", None),
            in_progress_longer_than=_number(alerts, "in_progress_longer_than", f"{where} [alerts]", None),
            calls_from_one_number=_int(alerts, "calls_from_one_number", f"{where} [alerts]"),
            active_above=_int(alerts, "active_above", f"{where} [alerts]"),
        ),
        profiles=tuple(
            _profile(
                name, _table({"p": value}, "p", f"{where} [profiles.{name}]"), f"{where} [profiles.{name}]"
            )
            for name, value in _table(data, "profiles", where).items()
        ),
    )


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: `{key}` must be a table")
    return value


def _list(data: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ConfigError(f"{where}: `{key}` must be an array of tables ([[{key}]])")
    return value


def _number(
    data: dict[str, Any], key: str, where: str, default: float | None, maximum: float = MAX_ALERT_LIMIT
) -> float | None:
    """A number from 0 to `maximum`. TOML allows nan and inf: both are refused here (nan fails every
    comparison), since arithmetic on them later (floor, timedelta) would raise in a running session."""
    value = data.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= maximum:
        raise ConfigError(f"{where}: `{key}` must be a number from 0 to {maximum:.10g}")
    return float(value)


def _int(data: dict[str, Any], key: str, where: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ALERT_LIMIT:
        raise ConfigError(f"{where}: `{key}` must be a whole number from 1 to {MAX_ALERT_LIMIT}")
    return value


def _bool(data: dict[str, Any], key: str, where: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: `{key}` must be true or false")
    return value


def _str(data: dict[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{where}: `{key}` must be a string")
    return value


def _preset(item: dict[str, Any], where: str) -> Preset:
    name, url, twiml = (_str(item, k, where) for k in ("name", "url", "twiml"))
    method = (_str(item, "method", where) or "POST").upper()
    if not name:
        raise ConfigError(f"{where}: a preset needs a `name`")
    if (url is None) == (twiml is None):
        raise ConfigError(f"{where}: give a preset exactly one of `url` or `twiml`")
    if method not in ("POST", "GET"):
        raise ConfigError(f"{where}: `method` must be POST or GET")
    try:  # the prompt's own checks: a preset it would refuse is refused now, not mid-incident
        build_redirect(url if twiml is None else twiml, method)
    except ActionInputError as exc:
        raise ConfigError(f"{where} “{clean(name, 40)}”: {exc}") from None
    return Preset(name=name, url=url, method=method, twiml=twiml)


def _profile(name: str, item: dict[str, Any], where: str) -> Profile:
    account_sid = _str(item, "account_sid", where)
    if not account_sid:
        raise ConfigError(f"{where}: a profile needs an `account_sid`")
    if "api_secret" in item or "auth_token" in item:
        raise ConfigError(
            f"{where}: keep secrets out of this file: name an environment variable with "
            "`api_secret_env` or `auth_token_env`"
        )
    fields = ("api_key", "api_secret_env", "auth_token_env", "region", "edge", "label", "color")
    return Profile(name, account_sid, **{key: _str(item, key, where) for key in fields})
