"""Reading `Settings` from flags, the environment and a `.env` file (in that order of precedence).

Every problem is a `ConfigError` whose message is one line naming the setting and how to fix it.
Secret values never appear in a message; other values do (shortened), because seeing them helps.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from calltui.domain.call import ACCOUNT_SID_RE, API_KEY_SID_RE
from calltui.domain.text import clean
from calltui.monitor.team.url import check_team_url
from calltui.secret import Secret
from calltui.settings import OPERATOR_MAX, Settings, default_operator

DEFAULT_ENV_FILE = Path(".env")
DEFAULT_INTERVAL = 2.0
MIN_INTERVAL = 0.5  # Faster polling only spends the account's API concurrency.
_SID_HINT = "{} followed by 32 hex digits"
_NAME_RE = re.compile(r"[a-z0-9-]{1,40}")
# Printable ASCII without spaces: what HTTP basic auth can carry unchanged.
_SECRET_RE = re.compile(r"[!-~]+")


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line for the terminal."""


@dataclass(frozen=True, slots=True)
class _Value:
    text: str
    source: str
    """Where it came from, as a user would name it: `--interval`, `CALLTUI_POLL_INTERVAL in .env`."""


class _Sources:
    """Looks a setting up in flags, then the environment, then the env file; empty counts as unset."""

    def __init__(self, flags: Mapping[str, object], environ: Mapping[str, str], env_file: Path | None):
        self._flags = flags
        self._places = (("the environment", environ), (clean(str(env_file), 200), read_env_file(env_file)))

    def get(self, key: str, flag: str | None = None) -> _Value | None:
        if flag is not None:
            value = self._flags.get(flag.removeprefix("--").replace("-", "_"))
            if value is not None and str(value).strip():
                return _Value(str(value).strip(), flag)
        for where, mapping in self._places:
            value = mapping.get(key)
            if value is not None and value.strip():
                return _Value(value.strip(), f"{key} (from {where})")
        return None


def resolve_env_file(flag: str | Path | None, cwd: Path | None = None) -> Path | None:
    """The env file to read: `--env-file` (which must exist), else `./.env` when present, else none."""
    if flag is not None and str(flag).strip():
        path = Path(flag).expanduser()
        if not path.is_file():
            raise ConfigError(f"--env-file {clean(str(flag), 200)}: no such file")
        return path
    default = (cwd or Path.cwd()) / DEFAULT_ENV_FILE
    return default if default.is_file() else None


def read_env_file(path: Path | None) -> dict[str, str]:
    """The file's KEY=value pairs (python-dotenv syntax); os.environ is left untouched."""
    if path is None:
        return {}
    from dotenv import dotenv_values  # here: most runs have no env file, and the screen comes first

    try:
        values = dotenv_values(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the env file {clean(str(path), 200)}: {type(exc).__name__}") from None
    return {key: value for key, value in values.items() if value is not None}


def env_file_warning(path: Path | None) -> str | None:
    """A warning when the env file (which holds secrets) is readable by group or others."""
    if path is None:
        return None
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & 0o077:
        return f"{path} is readable by other users (mode {mode & 0o777:o}); run: chmod 600 {path}"
    return None


def load_settings(
    flags: argparse.Namespace | Mapping[str, object],
    environ: Mapping[str, str],
    env_file: Path | None,
) -> Settings:
    """Settings from flags > environment > env file. In demo mode the credentials are generated
    (the CLI gives them to the embedded simulator) and `api_url` is left for the CLI to fill in."""
    flag_values = vars(flags) if isinstance(flags, argparse.Namespace) else dict(flags)
    sources = _Sources(flag_values, environ, env_file)
    options = {
        "interval": _interval(sources.get("CALLTUI_POLL_INTERVAL", "--interval")),
        "read_only": bool(flag_values.get("read_only")),
        "dry_run": bool(flag_values.get("dry_run")),
        "audit_log": _path(sources.get("CALLTUI_AUDIT_LOG", "--audit-log")),
        "record": _flag_path(flag_values.get("record")),
        "operator": _operator(sources.get("CALLTUI_NAME", "--name")),
        "team_url": _team_url(sources.get("CALLTUI_TEAM_URL", "--team")),
    }
    if flag_values.get("demo"):
        import secrets  # here: only the demo makes credentials up

        account_sid = "AC" + secrets.token_hex(16)
        token = Secret(secrets.token_hex(16))
        return Settings(account_sid=account_sid, username=account_sid, secret=token, demo=True, **options)
    account_sid, username, secret = _credentials(sources)
    return Settings(
        account_sid=account_sid,
        username=username,
        secret=secret,
        api_url=_api_url(sources.get("CALLTUI_API_URL", "--api-url")),
        region=_name(sources.get("TWILIO_REGION"), "a Twilio region such as us1, ie1 or au1"),
        edge=_name(sources.get("TWILIO_EDGE"), "a Twilio edge such as ashburn, dublin or sydney"),
        **options,
    )


def _credentials(sources: _Sources) -> tuple[str, str, Secret]:
    """(account SID, who authenticates, their secret): an API key when one is set, else the auth token."""
    account = sources.get("TWILIO_ACCOUNT_SID")
    if account is None:
        raise ConfigError(
            "TWILIO_ACCOUNT_SID is not set: put it in .env or the environment "
            f"(it is {_SID_HINT.format('AC')}; see .env.example)"
        )
    _check_sid(account, "AC", ACCOUNT_SID_RE)
    key = sources.get("TWILIO_API_KEY")
    if key is not None:
        _check_sid(key, "SK", API_KEY_SID_RE)
        secret = _secret(sources, "TWILIO_API_SECRET", "the secret shown once when the API key was created")
        return account.text, key.text, secret
    if sources.get("TWILIO_API_SECRET") is not None:
        raise ConfigError("TWILIO_API_SECRET is set but TWILIO_API_KEY is not: set the key's SID (SK…) too")
    token = _secret(sources, "TWILIO_AUTH_TOKEN", "or set TWILIO_API_KEY and TWILIO_API_SECRET (recommended)")
    return account.text, account.text, token


def _check_sid(value: _Value, prefix: str, pattern: re.Pattern[str]) -> None:
    if not pattern.match(value.text):
        shown = clean(value.text, 40)
        raise ConfigError(f"{value.source} must be {_SID_HINT.format(prefix)}, not '{shown}'")


def _secret(sources: _Sources, key: str, hint: str) -> Secret:
    value = sources.get(key)
    if value is None:
        raise ConfigError(f"{key} is not set: put it in .env or the environment ({hint})")
    if not _SECRET_RE.fullmatch(value.text):
        raise ConfigError(
            f"{value.source} contains spaces or non-ASCII characters: copy it again from the Console"
        )
    return Secret(value.text)


def _interval(value: _Value | None) -> float:
    if value is None:
        return DEFAULT_INTERVAL
    try:
        seconds = float(value.text)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise ConfigError(
            f"{value.source} must be a number of seconds above 0 (e.g. 2), not '{clean(value.text, 40)}'"
        )
    return max(seconds, MIN_INTERVAL)


def _api_url(value: _Value | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value.text)
    problem = None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        problem = "must be an http(s) URL such as http://127.0.0.1:8080"
    elif parts.username is not None or parts.password is not None:
        problem = "must not contain a user name or password (credentials go in TWILIO_* settings)"
    elif parts.query or parts.fragment or parts.path.strip("/"):
        problem = "must be the API's base URL only, without path, query or fragment"
    if problem:
        raise ConfigError(f"{value.source} {problem}")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number or out of range
    except ValueError:
        raise ConfigError(f"{value.source} has an invalid port") from None
    return value.text.rstrip("/")


def _name(value: _Value | None, what: str) -> str | None:
    if value is None:
        return None
    if not _NAME_RE.fullmatch(value.text):
        raise ConfigError(f"{value.source} must be {what} (lowercase letters, digits, dashes)")
    return value.text


def _operator(value: _Value | None) -> str:
    """The operator's name as given, or `user@host`; one printable line, since every audit entry shows it."""
    if value is None:
        return default_operator()
    if len(value.text) > OPERATOR_MAX or clean(value.text, OPERATOR_MAX) != value.text:
        raise ConfigError(
            f"{value.source} must be one line of at most {OPERATOR_MAX} printable characters "
            f"(a name such as ada@ops), not '{clean(value.text, 40)}'"
        )
    return value.text


def _team_url(value: _Value | None) -> Secret | None:
    """A Redis URL, kept as a secret: the error says what is wrong with it and never repeats it."""
    if value is None:
        return None
    problem = check_team_url(value.text)
    if problem:
        raise ConfigError(f"{value.source} is not a team URL: {problem} (redis://[user:password@]host:port)")
    return Secret(value.text)


def _path(value: _Value | None) -> Path | None:
    return Path(value.text).expanduser() if value is not None else None


def _flag_path(flag: object) -> Path | None:
    """A path given only as a flag: a recording is per run, so an environment default would collide."""
    return Path(str(flag).strip()).expanduser() if flag is not None and str(flag).strip() else None
