"""Alert rules evaluated against the live calls: which rows to highlight, and what is newly wrong.

Pure: no I/O, no clock of its own. The app calls `AlertMonitor.evaluate` after each poll and on its tick
(durations grow between polls). A standing condition is reported as new once; it is new again only after
it cleared and came back, so a long-ringing call notifies once, not every second.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from calltui.domain.call import Call, format_elapsed
from calltui.domain.text import clean
from calltui.userconfig import AlertRules

_WAITING = ("queued", "ringing")


@dataclass(frozen=True, slots=True)
class Alert:
    """One standing condition: `rule` broken by `subject` (a call SID, a number, or "" for the account).

    The message is built only when asked for: on a busy account most alerts stand unchanged every
    second and are never shown again.
    """

    rule: str
    """"waiting", "in-progress", "number" or "active"."""
    subject: str
    sids: frozenset[str]
    """The calls it is about (highlighted in the table); empty for the account-wide count."""
    value: int
    """Seconds for the time rules, calls for the count rules."""
    limit: float
    call: Call | None = None
    """The call, for the time rules."""

    @property
    def key(self) -> tuple[str, str]:
        """What identifies it across evaluations."""
        return (self.rule, self.subject)

    @property
    def message(self) -> str:
        if self.call is not None:
            party, sid = clean(self.call.from_, 60) or "?", clean(self.call.sid, 40)
            if self.rule == "waiting":
                what = f"{self.call.status} for {format_elapsed(self.value)} (limit {self.limit:g}s)"
            else:
                what = f"in progress for {format_elapsed(self.value)} (limit {self.limit:g} min)"
            return f"{party} {what} · {sid}"
        if self.rule == "number":
            return f"{self.value} live calls from {clean(self.subject, 60)} (limit {self.limit:g})"
        return f"{self.value} live calls (limit {self.limit:g})"


@dataclass(frozen=True, slots=True)
class AlertReport:
    alerts: tuple[Alert, ...] = ()
    """Every condition standing now."""
    new: tuple[Alert, ...] = ()
    """Those that were not standing at the previous evaluation."""
    sids: frozenset[str] = frozenset()
    """Every call some standing alert is about."""


def _cutoff(now: datetime, seconds: float | None) -> datetime | None:
    """Calls that began at or before this have lasted more than `seconds` as the table counts them (whole
    seconds, rounded down). None: the rule is off, or its limit is beyond any date."""
    if seconds is None:
        return None
    try:
        return now - timedelta(seconds=math.floor(seconds) + 1)
    except OverflowError:
        return None


def _overdue(call: Call, cutoff: datetime | None) -> bool:
    began = call.start_time or call.date_created  # as `Call.elapsed` counts a live call
    if cutoff is None or began is None:
        return False
    try:
        return began <= cutoff
    except TypeError:  # a date Twilio sent without a zone cannot be compared with `now`
        return False


def standing_alerts(rules: AlertRules, calls: Iterable[Call], now: datetime) -> list[Alert]:
    """Every alert `rules` raise for `calls` (only live ones count) at `now`."""
    if not rules.enabled:
        return []
    live = [call for call in calls if call.is_active]
    alerts: list[Alert] = []
    # Checked every second on every live call: a date comparison each, the duration only for alerts.
    wait_limit, talk_limit = rules.waiting_longer_than, rules.in_progress_longer_than
    wait_cutoff = _cutoff(now, wait_limit)
    talk_cutoff = _cutoff(now, None if talk_limit is None else talk_limit * 60)
    if wait_cutoff is not None or talk_cutoff is not None:
        for call in live:
            if call.status in _WAITING:
                rule, limit, cutoff = "waiting", wait_limit, wait_cutoff
            else:
                rule, limit, cutoff = "in-progress", talk_limit, talk_cutoff
            if limit is not None and _overdue(call, cutoff):
                seconds = call.elapsed(now) or 0
                alerts.append(Alert(rule, call.sid, frozenset((call.sid,)), seconds, limit, call))
    if rules.calls_from_one_number is not None:
        by_number: dict[str, set[str]] = defaultdict(set)
        for call in live:
            if call.from_:
                by_number[call.from_].add(call.sid)
        limit = rules.calls_from_one_number
        alerts.extend(
            Alert("number", number, frozenset(sids), len(sids), limit)
            for number, sids in by_number.items()
            if len(sids) > limit
        )
    if rules.active_above is not None and len(live) > rules.active_above:
        alerts.append(Alert("active", "", frozenset(), len(live), rules.active_above))
    return alerts


class AlertMonitor:
    """Remembers which alerts stood at the last evaluation, so each is announced once per occurrence."""

    def __init__(self) -> None:
        self._standing: set[tuple[str, str]] = set()

    def evaluate(self, rules: AlertRules, calls: Iterable[Call], now: datetime) -> AlertReport:
        alerts = standing_alerts(rules, calls, now)
        standing = {alert.key for alert in alerts}
        new = tuple(alert for alert in alerts if alert.key not in self._standing)
        self._standing = standing
        sids: set[str] = set()
        for alert in alerts:
            sids |= alert.sids
        return AlertReport(tuple(alerts), new, frozenset(sids))
