"""How a call moves: queued → ringing → in-progress → ended, and what ending a parent does to its legs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from calltui.domain.call import ACTIVE_STATUSES
from calltui.simulator import records
from calltui.simulator.calllog import CallLog
from calltui.simulator.store import CallStore


def is_live(raw: dict[str, Any] | None) -> bool:
    return raw is not None and raw.get("status") in ACTIVE_STATUSES


def ring(store: CallStore, sid: str, now: datetime) -> dict[str, Any]:
    with store.lock:
        return store.update(sid, records.ringing_fields(store.get(sid) or {}, now))


def answer(store: CallStore, sid: str, now: datetime, **extra: Any) -> dict[str, Any]:
    return store.update(sid, {**records.answered_fields(now), **extra})


def end(store: CallStore, sid: str, status: str, now: datetime, log: CallLog | None = None) -> dict[str, Any]:
    """End a call and, as Twilio does, every leg it dialed that is still up; `log` hears of each end."""
    with store.lock:
        for child in store.children(sid):
            raw = store.get(child)
            if is_live(raw):
                end(store, child, "completed" if raw["status"] == "in-progress" else "canceled", now, log)
        ended = store.update(sid, records.ended_fields(store.get(sid) or {}, status, now))
    if log is not None:
        log.ended(ended, now)
    return ended
