"""The `Call` value: what calltui knows about one Twilio call, parsed and immutable."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

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
