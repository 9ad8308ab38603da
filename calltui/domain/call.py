"""The `Call` value: what calltui knows about one Twilio call, parsed and immutable."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

ACTIVE_STATUSES: tuple[str, ...] = ("queued", "ringing", "in-progress")
ENDED_STATUSES: tuple[str, ...] = ("completed", "busy", "failed", "no-answer", "canceled")
ALL_STATUSES: tuple[str, ...] = ACTIVE_STATUSES + ENDED_STATUSES

# \Z, not $: `$` also matches before a trailing newline.
CALL_SID_RE = re.compile(r"^CA[0-9a-fA-F]{32}\Z")
ACCOUNT_SID_RE = re.compile(r"^AC[0-9a-fA-F]{32}\Z")
API_KEY_SID_RE = re.compile(r"^SK[0-9a-fA-F]{32}\Z")


def is_call_sid(value: str) -> bool:
    return bool(CALL_SID_RE.match(value))


@dataclass(frozen=True, slots=True)
class Call:
    """One call as Twilio reports it. Every field but `sid` may be missing (None)."""

    sid: str
    status: str | None = None
    direction: str | None = None
    from_: str | None = None
    to: str | None = None
    from_formatted: str | None = None
    to_formatted: str | None = None
    caller_name: str | None = None
    forwarded_from: str | None = None
    answered_by: str | None = None
    parent_call_sid: str | None = None
    account_sid: str | None = None
    phone_number_sid: str | None = None
    group_sid: str | None = None
    trunk_sid: str | None = None
    api_version: str | None = None
    date_created: datetime | None = None
    date_updated: datetime | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration: int | None = None
    """Seconds, as Twilio reports it once the call has ended."""
    queue_time: int | None = None
    """Milliseconds spent queued before the call was placed."""
    price: str | None = None
    price_unit: str | None = None
    uri: str | None = None
    extra: tuple[tuple[str, str], ...] = field(default=(), compare=True)
    """Fields Twilio sent that this version does not model (shown in details)."""

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def end_status(self) -> str:
        """The Status value that ends this call: `canceled` only reaches queued/ringing calls."""
        return "canceled" if self.status in ("queued", "ringing") else "completed"

    def elapsed(self, now: datetime) -> int | None:
        """Seconds the call has lasted: Twilio's duration once ended, else counted from start."""
        if self.duration is not None and not self.is_active:
            return self.duration
        began = self.start_time or self.date_created
        if began is None:
            return None
        stop = self.end_time if (self.end_time and not self.is_active) else now
        return max(0, int((stop - began).total_seconds()))


class _OwnUri:
    """`Call.uri`, kept only when it is not the URI the call's account and call SIDs make, as Twilio's
    always is (`/2010-04-01/Accounts/{account_sid}/Calls/{sid}.json`): at 10,000 calls that is 1.5 MB of
    text the SIDs already hold. Reading it gives the URI either way; a value equal to the one made from
    the SIDs is that value, so nothing is lost. Wraps the slot dataclass made for the field."""

    __slots__ = ("_slot",)

    def __init__(self, slot: Any) -> None:
        self._slot = slot

    def __get__(self, call: Call | None, owner: type | None = None) -> Any:
        if call is None:
            return self
        value = self._slot.__get__(call, owner)
        return _made_uri(call) if value is _MADE else value

    def __set__(self, call: Call, value: str | None) -> None:
        # Called by __init__ (and unpickling) after `sid` and `account_sid`, which come first.
        self._slot.__set__(call, _MADE if value is not None and value == _made_uri(call) else value)


_MADE: Any = object()
"""What the `uri` slot holds when the URI is the one the SIDs make."""


def _made_uri(call: Call) -> str:
    return f"/2010-04-01/Accounts/{call.account_sid}/Calls/{call.sid}.json"


Call.uri = _OwnUri(Call.__dict__["uri"])  # type: ignore[assignment, misc]


def utcnow() -> datetime:
    return datetime.now(UTC)


def format_local(moment: datetime, fmt: str, tz: tzinfo | None = None) -> str | None:
    """`moment` in `tz` (None: the machine's zone) as `fmt`; None when that zone puts it outside datetime's
    range (Twilio may send year 1 or 9999) or the platform cannot convert it."""
    try:
        return moment.astimezone(tz).strftime(fmt)
    except (OverflowError, ValueError, OSError):
        return None


def format_elapsed(seconds: int | None) -> str:
    """`1:05`, `1:02:03`; an em dash when unknown."""
    if seconds is None:
        return "—"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"
