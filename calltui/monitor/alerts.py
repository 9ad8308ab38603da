"""Alert rules evaluated against the live calls: which rows to highlight, and what is newly wrong.

Pure: no I/O, no clock of its own. The app calls `AlertMonitor.evaluate` after each poll and on its tick
(durations grow between polls). A standing condition is reported as new once; it is new again only after
it cleared and came back, so a long-ringing call notifies once, not every second.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from calltui.domain.call import Call, format_elapsed
from calltui.domain.text import clean
from calltui.userconfig import AlertRules

_WAITING = ("queued", "ringing")


@dataclass(frozen=True, slots=True)
class Alert:
    """One standing condition. `key` identifies it across evaluations (rule + call SID or number)."""

    key: tuple[str, str]
    message: str
    sids: frozenset[str]
    """The calls it is about (highlighted in the table); empty for the account-wide count."""


@dataclass(frozen=True, slots=True)
class AlertReport:
    alerts: tuple[Alert, ...] = ()
    """Every condition standing now."""
    new: tuple[Alert, ...] = ()
    """Those that were not standing at the previous evaluation."""
    sids: frozenset[str] = frozenset()
    """Every call some standing alert is about."""


def _elapsed(call: Call, now: datetime) -> int | None:
    try:
        return call.elapsed(now)
    except (TypeError, OverflowError, ValueError):  # a date Twilio sent that `now` cannot be compared with
        return None


def _party(call: Call) -> str:
    return clean(call.from_, 60) or "?"


def standing_alerts(rules: AlertRules, calls: Iterable[Call], now: datetime) -> list[Alert]:
    """Every alert `rules` raise for `calls` (only live ones count) at `now`."""
    if not rules.enabled:
        return []
    live = [call for call in calls if call.is_active]
    alerts: list[Alert] = []
    wait_limit, talk_limit = rules.waiting_longer_than, rules.in_progress_longer_than
    if wait_limit is not None or talk_limit is not None:
        for call in live:
            seconds = _elapsed(call, now)
            if seconds is None:
                continue
            if wait_limit is not None and call.status in _WAITING and seconds > wait_limit:
                alerts.append(
                    Alert(
                        ("waiting", call.sid),
                        f"{_party(call)} {call.status} for {format_elapsed(seconds)} "
                        f"(limit {wait_limit:g}s) · {clean(call.sid, 40)}",
                        frozenset((call.sid,)),
                    )
                )
            if talk_limit is not None and call.status == "in-progress" and seconds > talk_limit * 60:
                alerts.append(
                    Alert(
                        ("in-progress", call.sid),
                        f"{_party(call)} in progress for {format_elapsed(seconds)} "
                        f"(limit {talk_limit:g} min) · {clean(call.sid, 40)}",
                        frozenset((call.sid,)),
                    )
                )
    if rules.calls_from_one_number is not None:
        by_number: dict[str, set[str]] = defaultdict(set)
        for call in live:
            if call.from_:
                by_number[call.from_].add(call.sid)
        for number, sids in by_number.items():
            if len(sids) > rules.calls_from_one_number:
                alerts.append(
                    Alert(
                        ("number", number),
                        f"{len(sids)} live calls from {clean(number, 60)} "
                        f"(limit {rules.calls_from_one_number})",
                        frozenset(sids),
                    )
                )
    if rules.active_above is not None and len(live) > rules.active_above:
        alerts.append(
            Alert(("active", ""), f"{len(live)} live calls (limit {rules.active_above})", frozenset())
        )
    return alerts


class AlertMonitor:
    """Remembers which alerts stood at the last evaluation, so each is announced once per occurrence."""

    def __init__(self) -> None:
        self._standing: set[tuple[str, str]] = set()

    def evaluate(self, rules: AlertRules, calls: Iterable[Call], now: datetime) -> AlertReport:
        alerts = standing_alerts(rules, calls, now)
        new = tuple(alert for alert in alerts if alert.key not in self._standing)
        self._standing = {alert.key for alert in alerts}
        return AlertReport(tuple(alerts), new, frozenset().union(*(alert.sids for alert in alerts)))
