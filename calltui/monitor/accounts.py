"""Which accounts the engineer can switch to, and the settings that reach each one.

Three sources: named profiles in calltui's config.toml (secrets from the environment variable each
names), twilio-cli's own profiles (`$TWILIO_CONFIG_DIR/config.json`, else `~/.twilio-cli/config.json`),
and the accounts the live credentials reach (the main account and its subaccounts, from the API).
Everything here is pure but the file read; secrets are wrapped in `Secret` the moment they are read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from rich.color import Color, ColorParseError, ColorType

from calltui.domain.account import AccountInfo
from calltui.domain.call import ACCOUNT_SID_RE, API_KEY_SID_RE
from calltui.domain.errors import InvalidRequest
from calltui.domain.gateway import CallGateway
from calltui.domain.text import clean
from calltui.secret import Secret
from calltui.settings import Settings
from calltui.userconfig import Profile

CALLTUI = "calltui profile"
TWILIO_CLI = "twilio-cli profile"
MAIN = "main account"
SUBACCOUNT = "subaccount"

_MAX_FILE = 1_000_000  # twilio-cli's file is a few kB; refuse to parse anything huge
_NAME_RE = re.compile(r"[a-z0-9-]{1,40}")
_KEYCHAIN = "its secret is in the system keychain, which calltui does not read"
_DEMO = "this is the demo: a profile's own credentials never go to the built-in simulator"


@dataclass(frozen=True, slots=True)
class Login:
    """Who authenticates (an account SID with its auth token, or an API key SID with its secret)."""

    username: str
    secret: Secret


@dataclass(frozen=True, slots=True)
class AccountChoice:
    """One line of the account picker."""

    name: str
    account_sid: str
    source: str
    login: Login | None = None
    """None: the live credentials reach it (the main account or a subaccount listed by the API)."""
    region: str | None = None
    edge: str | None = None
    unavailable: str | None = None
    """Why it cannot be chosen; None when it can."""


@dataclass(frozen=True, slots=True)
class Candidates:
    choices: list[AccountChoice] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Files that could not be read, one line each."""


@dataclass(frozen=True, slots=True)
class AccountSwitcher:
    """What the app needs to switch accounts, wired by `calltui.ui.run` (the UI never builds gateways)."""

    connect: Callable[[AccountChoice], CallGateway]
    """A gateway for the chosen account; raises `GatewayError` when it cannot be built."""
    profiles: Callable[[], Candidates]
    """The profiles on file, read afresh each time the picker opens."""


# ----------------------------------------------------------------------------------- the header's badge


def badge_color(value: str | None) -> str | None:
    """`#rrggbb` for a Rich colour name or hex (`red`, `dark_orange`, `#cc0000`); None if not a colour."""
    if not value:
        return None
    try:
        color = Color.parse(value.strip())
    except ColorParseError:
        return None
    if color.type is ColorType.DEFAULT:
        return None
    return color.get_truecolor().hex


def profile_for(account_sid: str, profiles: Iterable[Profile], name: str | None = None) -> Profile | None:
    """The calltui profile called `name`, else the first for this account SID (which labels the account
    however it was reached: through twilio-cli, as a subaccount, or from the environment)."""
    profiles = list(profiles)
    by_name = next((p for p in profiles if name is not None and p.name == name), None)
    if by_name is not None and by_name.account_sid == account_sid:
        return by_name
    return next((p for p in profiles if p.account_sid == account_sid), None)


def color_warnings(profiles: Iterable[Profile]) -> list[str]:
    return [
        f"config.toml [profiles.{clean(p.name, 40)}]: color '{clean(p.color, 40)}' is not a colour "
        "(a name such as red or dark_orange, or #rrggbb); the label is shown without it"
        for p in profiles
        if p.color and badge_color(p.color) is None
    ]


# ----------------------------------------------------------------------------------- calltui's profiles


def calltui_choices(profiles: Iterable[Profile], environ: Mapping[str, str]) -> list[AccountChoice]:
    """Profiles that name credentials; one with only `account_sid`, `label` and `color` only labels."""
    choices = []
    for profile in profiles:
        if not (profile.api_key or profile.api_secret_env or profile.auth_token_env):
            continue
        login, problem = _calltui_login(profile, environ)
        choices.append(
            _checked(
                AccountChoice(
                    profile.name, profile.account_sid, CALLTUI, login, profile.region, profile.edge, problem
                )
            )
        )
    return choices


def _calltui_login(profile: Profile, environ: Mapping[str, str]) -> tuple[Login | None, str | None]:
    if profile.api_key:
        if not profile.api_secret_env:
            return None, "`api_key` needs `api_secret_env` (the variable that holds its secret)"
        username, variable = profile.api_key, profile.api_secret_env
    elif profile.auth_token_env:
        username, variable = profile.account_sid, profile.auth_token_env
    else:
        return None, "`api_secret_env` needs `api_key` (the key's SK… SID)"
    secret = environ.get(variable, "").strip()
    if not secret:
        return None, f"{clean(variable, 60)} is not set in the environment"
    return Login(username, Secret(secret)), None


# ----------------------------------------------------------------------------------- twilio-cli's profiles


def twilio_cli_config(environ: Mapping[str, str], home: Path) -> Path:
    """Where twilio-cli keeps its config: `$TWILIO_CONFIG_DIR`, else `~/.twilio-cli` (as twilio-cli does)."""
    folder = environ.get("TWILIO_CONFIG_DIR", "").strip()
    return (Path(folder).expanduser() if folder else home / ".twilio-cli") / "config.json"


def twilio_cli_choices(path: Path) -> Candidates:
    """twilio-cli's profiles: `profiles` {id: {accountSid, apiKey, apiSecret, region, edge}}; the
    historical `projects` list and profiles without `apiSecret` keep their secret in the keychain."""
    where = clean(str(path), 200)
    try:
        with path.open("rb") as file:
            raw = file.read(_MAX_FILE + 1)  # bounded: never the whole of a huge or endless file
    except FileNotFoundError:
        return Candidates()
    except OSError as exc:
        return Candidates(problems=[f"{where}: cannot read it ({exc.strerror or type(exc).__name__})"])
    if len(raw) > _MAX_FILE:
        return Candidates(problems=[f"{where}: too large to be twilio-cli's config; not read"])
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        line = f" (line {exc.lineno})" if isinstance(exc, json.JSONDecodeError) else ""
        return Candidates(problems=[f"{where}: not valid JSON{line}; its profiles are not listed"])
    if not isinstance(data, dict):
        return Candidates(problems=[f"{where}: not twilio-cli's config (no JSON object); not read"])
    profiles = data.get("profiles")
    projects = data.get("projects")
    edge = data.get("edge") if isinstance(data.get("edge"), str) else None
    choices = (
        [_cli_profile(str(name), entry, edge) for name, entry in (profiles or {}).items()]
        if isinstance(profiles, dict)
        else []
    )
    listed = {choice.name for choice in choices}
    for entry in projects if isinstance(projects, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("id"), str) and entry["id"] not in listed:
            sid = entry.get("accountSid")
            choice = AccountChoice(entry["id"], _text(sid), TWILIO_CLI, unavailable=_KEYCHAIN)
            choices.append(_checked(choice))
    return Candidates(choices)


def _cli_profile(name: str, entry: object, edge: str | None) -> AccountChoice:
    if not isinstance(entry, dict):
        return AccountChoice(name, "", TWILIO_CLI, unavailable="malformed entry (not a JSON object)")
    account_sid = _text(entry.get("accountSid"))
    key, secret = entry.get("apiKey"), entry.get("apiSecret")
    # Wrapped at once: from here on the secret only travels inside a Secret.
    usable = isinstance(key, str) and isinstance(secret, str) and secret
    login = Login(key, Secret(secret)) if usable else None
    problem = None if login else _KEYCHAIN
    if login and not (API_KEY_SID_RE.match(login.username) or login.username == account_sid):
        login, problem = None, "its apiKey is not an API key SID (SK followed by 32 hex digits)"
    region = entry.get("region")
    choice = AccountChoice(
        name,
        account_sid,
        TWILIO_CLI,
        login,
        region if isinstance(region, str) else None,
        _text(entry.get("edge")) or edge,
        problem,
    )
    return _checked(choice)


# ----------------------------------------------------------------------------------- from the API


def api_choices(accounts: Iterable[AccountInfo]) -> list[AccountChoice]:
    """The main account and its subaccounts as listed; closed accounts are left out."""
    choices = []
    for account in accounts:
        if account.status == "closed":
            continue
        problem = None if account.status in (None, "active") else f"{clean(account.status, 20)}"
        source = SUBACCOUNT if account.is_subaccount else MAIN
        name = account.friendly_name or account.sid
        choices.append(AccountChoice(name, account.sid, source, unavailable=problem))
    return choices


# ----------------------------------------------------------------------------------- switching


def via(choice: AccountChoice) -> str:
    """How the header says the account was reached: `profile prod`, `twilio-cli dev`, `subaccount`."""
    if choice.source == CALLTUI:
        return f"profile {clean(choice.name, 30)}"
    if choice.source == TWILIO_CLI:
        return f"twilio-cli {clean(choice.name, 30)}"
    return choice.source


def for_session(found: Candidates, settings: Settings) -> Candidates:
    """`found`, with every profile that brings its own login unavailable in the demo: the engineer's real
    secrets must never go to the embedded simulator. (With `--api-url` they go where the engineer
    pointed calltui, as the live credentials do.)"""
    if not settings.demo:
        return found
    choices = [
        replace(choice, login=None, unavailable=_DEMO) if choice.login is not None else choice
        for choice in found.choices
    ]
    return replace(found, choices=choices)


def settings_for(current: Settings, choice: AccountChoice) -> Settings:
    """The settings that reach `choice`: its own login, or the live one (a subaccount is reached with its
    parent's credentials). The API URL, poll interval and read-only mode stay as the session began.
    Raises InvalidRequest for a profile's own login in the demo (see `for_session`)."""
    if choice.login is None:
        return replace(current, account_sid=choice.account_sid)
    if current.demo:
        raise InvalidRequest(f"Not switching: {_DEMO}.")
    return replace(
        current,
        account_sid=choice.account_sid,
        username=choice.login.username,
        secret=choice.login.secret,
        region=choice.region,
        edge=choice.edge,
    )


def gather(sources: Sequence[Callable[[], Candidates]]) -> Candidates:
    choices: list[AccountChoice] = []
    problems: list[str] = []
    for source in sources:
        found = source()
        choices.extend(found.choices)
        problems.extend(found.problems)
    return Candidates(choices, problems)


def _checked(choice: AccountChoice) -> AccountChoice:
    """`choice`, unavailable when its SID or region/edge could not be used in a URL."""
    problem = choice.unavailable
    if not ACCOUNT_SID_RE.match(choice.account_sid):
        problem = "its account SID is not AC followed by 32 hex digits"
    elif any(value is not None and not _NAME_RE.fullmatch(value) for value in (choice.region, choice.edge)):
        problem = "its region or edge is not a Twilio region/edge name"
    return choice if problem == choice.unavailable else replace(choice, login=None, unavailable=problem)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
