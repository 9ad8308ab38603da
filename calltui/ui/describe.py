"""Short, safe descriptions of a call for dialogs and notifications."""

from __future__ import annotations

from datetime import datetime

from calltui.domain.call import Call, format_elapsed
from calltui.domain.text import clean
from calltui.monitor.poller import PollState


def short_sid(sid: str) -> str:
    """`CA12ab…89ef`; cleaned, as a SID may come from a file or a payload."""
    sid = clean(sid, 200)
    return f"{sid[:6]}…{sid[-4:]}" if len(sid) > 12 else sid


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`1 call`, `3 calls`: the count with its noun, singular only for one."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def call_line(call: Call, now: datetime) -> str:
    """`+1555… → sip:bob@x · in-progress · 1:05 · CA…` with every network value cleaned."""
    parties = f"{clean(call.from_, 60) or '?'} → {clean(call.to, 60) or '?'}"
    status = clean(call.status, 20) or "unknown"
    return f"{parties} · {status} · {format_elapsed(call.elapsed(now))} · {clean(call.sid, 40)}"


def stale_warning(poll: PollState, now: datetime) -> str | None:
    """For a dialog about to act on a call: how old the table's picture of it is, while polls fail."""
    if poll.error is None:
        return None
    if poll.last_ok is None:
        return "The table is STALE: no poll has succeeded yet, so this call may have changed or ended."
    age = format_elapsed(max(0, int((now - poll.last_ok).total_seconds())))
    return f"The table is STALE (last good poll {age} ago): this call may have changed or ended."
