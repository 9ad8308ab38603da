"""Where calltui itself has sent each call: Twilio does not expose the TwiML URL a call was on before a
redirect, so the only record of it is ours (this session's redirects and the audit log's)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from calltui.domain.actions import Redirect
from calltui.monitor.audit import MASKED_PASSWORD

_KEPT = 2  # the last redirect and the one before it: enough to go back one step


@dataclass(frozen=True, slots=True)
class SentRedirect:
    target: str
    """The URL, or the inline TwiML, exactly as sent (a password in a URL read from the log is masked)."""
    method: str
    time: datetime
    masked: bool = False
    """Read from the log with its URL's password masked: fit to show, not to send again."""

    @classmethod
    def of(cls, redirect: Redirect, time: datetime) -> SentRedirect:
        return cls(redirect.twiml or redirect.url or "", redirect.method, time)


class RedirectMemory:
    def __init__(self) -> None:
        self._by_call: dict[str, list[SentRedirect]] = {}

    @classmethod
    def from_audit(cls, entries: Iterable[Mapping[str, object]]) -> RedirectMemory:
        """Rebuilt from audit log entries (oldest first); anything malformed is skipped."""
        memory = cls()
        for entry in entries:
            sent = _sent(entry)
            if sent is not None:
                memory._add(str(entry["call_sid"]), sent)
        return memory

    def remember(self, sid: str, redirect: Redirect, time: datetime) -> None:
        self._add(sid, SentRedirect.of(redirect, time))

    def last(self, sid: str) -> SentRedirect | None:
        """calltui's latest redirect of the call: where the call is now, unless its TwiML moved it on."""
        sent = self._by_call.get(sid)
        return sent[-1] if sent else None

    def before_last(self, sid: str) -> SentRedirect | None:
        """Where calltui had sent the call before its latest redirect: where "back" goes."""
        sent = self._by_call.get(sid)
        return sent[-2] if sent and len(sent) > 1 else None

    def back(self, sid: str) -> SentRedirect | None:
        """What the redirect prompt offers as "back": `before_last`, unless the log masked its password
        (sending `user:***@host` would point the live call at a URL that fails)."""
        before = self.before_last(sid)
        return None if before is None or before.masked else before

    def _add(self, sid: str, sent: SentRedirect) -> None:
        kept = self._by_call.setdefault(sid, [])
        kept.append(sent)
        del kept[:-_KEPT]


def _sent(entry: Mapping[str, object]) -> SentRedirect | None:
    if entry.get("action") != "redirect" or entry.get("outcome") != "ok":
        return None
    sid, parameters, time = entry.get("call_sid"), entry.get("parameters"), entry.get("time")
    if not isinstance(sid, str) or not isinstance(parameters, dict) or not isinstance(time, str):
        return None
    target = parameters.get("Twiml") or parameters.get("Url")
    method = parameters.get("Method", "POST")
    try:
        moment = datetime.fromisoformat(time)
    except ValueError:
        return None
    if not isinstance(target, str) or not target or moment.tzinfo is None:
        return None
    masked = target == parameters.get("Url") and _masks_a_password(target)
    return SentRedirect(target, method if method in ("POST", "GET") else "POST", moment, masked)


def _masks_a_password(url: str) -> bool:
    try:
        return urlsplit(url).password == MASKED_PASSWORD
    except ValueError:  # nothing the log could have written: do not offer to send it either
        return True
