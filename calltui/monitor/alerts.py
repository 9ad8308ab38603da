"""Alert rules evaluated against the live calls: which rows to highlight, and what is newly wrong.

Pure: no I/O, no clock of its own (`now` is Twilio's time as the app keeps it). The app calls
`AlertMonitor.evaluate` after each poll and on its tick (durations grow between polls). A standing
condition fires once; it can fire again only after it has stayed clear for `REARM_AFTER` (hysteresis), so
a long-ringing call fires once, not every second, and a count flapping around its limit fires once, not on
every flap. Of the alerts that fire, only the first few in a while get a notice (`NoticeBudget`); the
header's count and `!` tell of the rest.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from calltui.domain.call import Call, format_elapsed
from calltui.domain.text import clean
from calltui.userconfig import AlertRules

_WAITING = ("queued", "ringing")

REARM_AFTER = timedelta(seconds=60)
"""How long an alert that fired must stay clear before it can fire again: longer than a few polls, so a
count hovering at its limit or a call missing from one poll does not fire again; short enough that a
problem that really went away and came back is told again."""
NOTICES_PER_WINDOW = 3
"""Alert notices shown at most per `NOTICE_WINDOW`; alerts firing past that are only counted."""
NOTICE_WINDOW = timedelta(seconds=60)


def _whole_sid(sid: str) -> str:
    return clean(sid, 40)


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
        return self.describe()

    def describe(self, sid: Callable[[str], str] = _whole_sid, party: int = 60) -> str:
        """The message with the SID written by `sid` and the caller cut to `party` cells (a one-line notice
        shortens both)."""
        if self.call is not None:
            who, sid_text = clean(self.call.from_, party) or "?", sid(self.call.sid)
            if self.rule == "waiting":
                what = f"{self.call.status} for {format_elapsed(self.value)} (limit {self.limit:g}s)"
            else:
                what = f"in progress for {format_elapsed(self.value)} (limit {self.limit:g} min)"
            return f"{who} {what} · {sid_text}"
        if self.rule == "number":
            return f"{self.value} live calls from {clean(self.subject, party)} (limit {self.limit:g})"
        return f"{self.value} live calls (limit {self.limit:g})"


@dataclass(frozen=True, slots=True)
class AlertReport:
    alerts: tuple[Alert, ...] = ()
    """Every condition standing now."""
    new: tuple[Alert, ...] = ()
    """Those that fire now: not standing at the previous evaluation, and not fired within `REARM_AFTER`."""
    notice: bool = False
    """Whether the firing gets a notice: the first `NOTICES_PER_WINDOW` in `NOTICE_WINDOW` do."""
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


class NoticeBudget:
    """At most `most` notices in any `window`: after the first few, alerts going off are only counted."""

    def __init__(self, most: int = NOTICES_PER_WINDOW, window: timedelta = NOTICE_WINDOW) -> None:
        self._most = most
        self._window = window
        self._given: deque[datetime] = deque()

    def take(self, now: datetime) -> bool:
        """Whether a notice may be shown at `now` (and count it if so)."""
        while self._given and now - self._given[0] >= self._window:
            self._given.popleft()
        if len(self._given) >= self._most:
            return False
        self._given.append(now)
        return True


class AlertMonitor:
    """Remembers which alerts fired and when they were last seen clear, so each fires once per occurrence
    (see `REARM_AFTER`)."""

    def __init__(self, rearm_after: timedelta = REARM_AFTER, notices: NoticeBudget | None = None) -> None:
        self._rearm_after = rearm_after
        self._notices = notices or NoticeBudget()
        self._fired: dict[tuple[str, str], datetime | None] = {}
        """Alerts that fired and cannot fire again yet: when each was first seen clear (None: standing)."""

    def evaluate(self, rules: AlertRules, calls: Iterable[Call], now: datetime) -> AlertReport:
        alerts = standing_alerts(rules, calls, now)
        fired = self._fired
        new = tuple(alert for alert in alerts if alert.key not in fired)
        standing = {alert.key for alert in alerts}
        for key in standing:
            fired[key] = None
        for key, clear_since in list(fired.items()):
            if key in standing:
                continue
            if clear_since is None:
                fired[key] = clear_since = now
            if now - clear_since >= self._rearm_after:
                del fired[key]  # clear long enough: it may fire again
        sids: set[str] = set()
        for alert in alerts:
            sids |= alert.sids
        notice = bool(new) and self._notices.take(now)
        return AlertReport(tuple(alerts), new, notice, frozenset(sids))
