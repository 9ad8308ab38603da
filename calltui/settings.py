"""The resolved settings of one calltui run (how they are read lives in `calltui.config`)."""

from __future__ import annotations

import getpass
import socket
from dataclasses import dataclass, field
from pathlib import Path

from calltui.domain.text import clean
from calltui.secret import Secret

TWILIO_API_URL = "https://api.twilio.com"
OPERATOR_MAX = 64
"""The longest operator name (`CALLTUI_NAME` / `--name`) accepted."""


def default_operator() -> str:
    """`user@host`: who is at this terminal when `CALLTUI_NAME` does not say."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (some containers)
        user = "unknown"
    return clean(f"{user}@{socket.gethostname() or 'localhost'}", OPERATOR_MAX)


@dataclass(frozen=True, slots=True)
class Settings:
    account_sid: str
    """The account whose calls are shown (`AC` + 32 hex); always in the URL."""
    username: str
    """Who authenticates: the account SID itself, or an API key SID (`SK` + 32 hex)."""
    secret: Secret
    """The auth token or the API key's secret."""
    api_url: str | None = None
    """Base URL of a Twilio-compatible API; None means Twilio's own (honouring region/edge)."""
    region: str | None = None
    edge: str | None = None
    interval: float = 2.0
    read_only: bool = False
    dry_run: bool = False
    """Every prompt and confirm works, and is audited, but no write is sent."""
    demo: bool = False
    audit_log: Path | None = None
    """Where actions are appended (JSON lines); None means the default in the user's data directory."""
    record: Path | None = None
    """`--record FILE`: keep every poll and action in a new SQLite file for `calltui replay`."""
    linger: float = 5.0
    """Seconds an ended call stays visible, dimmed, before it leaves the table."""
    request_timeout: float = 10.0
    operator: str = field(default_factory=default_operator)
    """Who is sending (`CALLTUI_NAME` / `--name`, else `user@host`): named in every audit entry."""
    team_url: Secret | None = None
    """`CALLTUI_TEAM_URL` / `--team`: the team's Redis (it may hold a password); None: no team mode."""
