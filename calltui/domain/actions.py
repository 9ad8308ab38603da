"""Actions on a live call, and the checks they pass before anything is sent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

MAX_URL_LENGTH = 4096
MAX_TWIML_LENGTH = 4000  # Twilio refuses inline TwiML over 4,000 characters.


class ActionInputError(ValueError):
    """The engineer's input cannot be sent as it is; the message says why."""


@dataclass(frozen=True, slots=True)
class Redirect:
    """Send a call to new TwiML: a URL to fetch (with a method) or the TwiML itself."""

    url: str | None = None
    method: Literal["POST", "GET"] = "POST"
    twiml: str | None = None

    def parameters(self) -> dict[str, str]:
        """What goes on the wire (and in the audit log)."""
        if self.twiml is not None:
            return {"Twiml": self.twiml}
        return {"Url": self.url or "", "Method": self.method}


@dataclass(frozen=True, slots=True)
class Hangup:
    """End a call: `completed` for one in progress, `canceled` for one queued or ringing."""

    status: Literal["completed", "canceled"] = "completed"

    def parameters(self) -> dict[str, str]:
        return {"Status": self.status}

    def for_status(self, status: str | None) -> Hangup:
        """This hang-up as it must leave for a call now `status`: `canceled` does not affect a call in
        progress, so a call answered since the engineer confirmed (it rang then) is sent `completed`."""
        return Hangup("completed") if self.status == "canceled" and status == "in-progress" else self


Action = Redirect | Hangup


def validate_url(raw: str) -> tuple[str, list[str]]:
    """The URL to send and any warnings; raises ActionInputError when it cannot be sent."""
    url = raw.strip()
    if not url:
        raise ActionInputError("Enter a TwiML URL (or inline TwiML starting with <Response>).")
    if len(url) > MAX_URL_LENGTH:
        raise ActionInputError(f"The URL is {len(url)} characters; the limit is {MAX_URL_LENGTH}.")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise ActionInputError("The URL contains spaces or control characters.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (parsed on access: a port that is not a number raises here, not later)
    except ValueError:
        raise ActionInputError("The URL is malformed (check the host, the brackets and the port).") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ActionInputError("The URL must be absolute and start with https:// (or http://).")
    if not parts.hostname:
        raise ActionInputError("The URL has no host name.")
    warnings = ["Plain http: Twilio will fetch this TwiML unencrypted."] if parts.scheme == "http" else []
    return url, warnings


def validate_twiml(raw: str) -> str:
    """Inline TwiML, checked to be well-formed XML with a <Response> root."""
    twiml = raw.strip()
    if len(twiml) > MAX_TWIML_LENGTH:
        raise ActionInputError(
            f"Inline TwiML is {len(twiml)} characters; Twilio's limit is {MAX_TWIML_LENGTH}."
        )
    import xml.etree.ElementTree as ET  # here: only a redirect to inline TwiML needs an XML parser

    try:
        root = ET.fromstring(twiml)
    except ET.ParseError as exc:
        raise ActionInputError(f"The TwiML is not well-formed XML: {exc}.") from None
    if root.tag != "Response":
        raise ActionInputError(f"The TwiML root must be <Response>, not <{root.tag}>.")
    return twiml


def build_redirect(target: str, method: str = "POST") -> tuple[Redirect, list[str]]:
    """A Redirect from what the engineer typed: inline TwiML if it starts with `<`, else a URL."""
    text = target.strip()
    if text.startswith("<"):
        return Redirect(twiml=validate_twiml(text)), []
    if method not in ("POST", "GET"):
        raise ActionInputError("Method must be POST or GET.")
    url, warnings = validate_url(text)
    return Redirect(url=url, method=method), warnings  # type: ignore[arg-type]
