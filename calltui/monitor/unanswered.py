"""Requests an earlier session sent (its intent is on disk) whose outcome it never wrote: calltui stopped
between the two (killed, power lost). Each may have reached Twilio. Found at start, reported once (by
writing an `unknown` outcome for it), never sent again."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from calltui.domain.call import format_local
from calltui.domain.text import clean
from calltui.monitor.audit import INTENT, OUTCOME, AuditEntry, AuditLog

UNANSWERED_OUTCOME = "unknown"
UNANSWERED_ERROR = "calltui stopped before Twilio answered (found at the next start)"


@dataclass(frozen=True, slots=True)
class Unanswered:
    request: str
    time: datetime
    account: str
    call_sid: str
    action: str
    parameters: dict[str, str]


def find_unanswered(entries: Iterable[Mapping[str, object]]) -> list[Unanswered]:
    """Intents (not rehearsals) with no outcome of the same request id, oldest first."""
    waiting: dict[str, Mapping[str, object]] = {}
    for entry in entries:
        request = entry.get("request")
        if not isinstance(request, str):
            continue
        if entry.get("kind") == INTENT and entry.get("dry_run") is not True:
            waiting[request] = entry
        elif entry.get("kind") == OUTCOME:
            waiting.pop(request, None)
    found = []
    for request, entry in waiting.items():
        try:
            time = datetime.fromisoformat(str(entry.get("time")))
        except ValueError:
            continue  # not a line calltui wrote; nothing to say about it
        parameters = entry.get("parameters")
        found.append(
            Unanswered(
                request,
                time,
                str(entry.get("account", "")),
                str(entry.get("call_sid", "")),
                str(entry.get("action", "")),
                {str(k): str(v) for k, v in parameters.items()} if isinstance(parameters, dict) else {},
            )
        )
    return found


def close_unanswered(audit: AuditLog, found: Iterable[Unanswered], now: datetime) -> None:
    """Write each one's outcome as `unknown`, so the next start does not report it again. Blocking."""
    for item in found:
        audit.append(
            AuditEntry(
                now.isoformat(),
                item.account,
                item.call_sid,
                item.action,
                item.parameters,
                UNANSWERED_OUTCOME,
                error=UNANSWERED_ERROR,
                request=item.request,
            )
        )


def unanswered_notice(found: list[Unanswered]) -> str | None:
    """ "3 actions from 14:02 may have reached Twilio; their outcome is unknown." (local time)."""
    if not found:
        return None
    when = format_local(found[0].time, "%H:%M") or "an earlier session"
    if len(found) == 1:
        what = (
            f"1 action ({clean(found[0].action, 20)} of {clean(found[0].call_sid, 40)}) from {when} may have"
        )
        return f"{what} reached Twilio; its outcome is unknown. It was not sent again."
    return (
        f"{len(found)} actions from {when} may have reached Twilio; their outcome is unknown. "
        "None was sent again."
    )
