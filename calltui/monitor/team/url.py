"""The team URL: checked without repeating it, and shown without its user or password."""

from __future__ import annotations

from urllib.parse import urlsplit

from calltui.secret import Secret

SCHEMES = ("redis", "rediss")


def check_team_url(url: str) -> str | None:
    """Why `url` cannot be a team URL (None when it can). Never repeats the URL: it may hold a password."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        return "it cannot be parsed as a URL"
    if parts.scheme not in SCHEMES:
        return "it must start with redis:// or rediss://"
    if not parts.hostname:
        return "it names no host"
    return None


def shown_url(url: Secret) -> str:
    """What may be shown of the team URL: scheme, host and port; never the user or the password."""
    try:
        parts = urlsplit(url.reveal())
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{parts.hostname or '?'}{port}"
    except ValueError:
        return "redis://?"
