"""The replay's timeline bar (position, actions as markers, failed polls in red) and its list of actions, each
with its proof of effect (the recording's `verify` rows) once the playhead has passed it."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import UTC, datetime

from rich.text import Text
from textual.widget import Widget

from calltui.domain.call import format_elapsed
from calltui.domain.text import clean
from calltui.monitor.recording import RecordedAction
from calltui.ui.describe import counted, short_sid
from calltui.ui.replay.playhead import Playhead
from calltui.ui.widgets.call_columns import clock_text

MARKER = "▼"
#: Outcome colours; where markers share a column the worst outcome shows.
_OUTCOME_STYLES = {
    "ok": "green",
    "refused": "magenta",
    "dry-run": "magenta",
    "unknown": "yellow",
    "failed": "red",
}
_RANK = {outcome: rank for rank, outcome in enumerate(_OUTCOME_STYLES)}


VERIFY = "verify"
"""A recorded row that is not an action but the proof of effect of one (as in the audit log)."""


class ActionTimeline:
    """The recording's actions in time order with their times, and each one's verification, worked out
    once: each tick of the replay finds what it needs by bisection rather than a pass over every action."""

    def __init__(self, recorded: Sequence[RecordedAction]) -> None:
        rows = sorted(recorded, key=lambda row: row.at)
        self.actions = [row for row in rows if row.action != VERIFY]
        self.times = [action.at.timestamp() for action in self.actions]
        self.verdicts: dict[int, RecordedAction] = {}
        """By the index of the action verified: the latest verification of it."""
        latest: dict[tuple[str, str], int] = {}  # (call, action) -> index of its latest action so far
        actions = iter(enumerate(self.actions))
        pending = next(actions, None)
        for row in rows:
            if row.action != VERIFY:
                continue
            while pending is not None and pending[1].at <= row.at:
                latest[(pending[1].call_sid, pending[1].action)] = pending[0]
                pending = next(actions, None)
            index = latest.get((row.call_sid, row.parameters.get("action", "")))
            if index is not None:  # a verification of no recorded action is not shown
                self.verdicts[index] = row
        self.verdict_times = sorted(row.at.timestamp() for row in self.verdicts.values())

    def __len__(self) -> int:
        return len(self.actions)

    def passed(self, position: float) -> int:
        """How many actions happened at or before `position`."""
        return bisect.bisect_right(self.times, position)

    def verified(self, position: float) -> int:
        """How many of the shown verifications were made at or before `position`."""
        return bisect.bisect_right(self.verdict_times, position)

    def between(self, after: float, until: float) -> Sequence[RecordedAction]:
        """The actions after `after` and at or before `until`."""
        return self.actions[self.passed(after) : self.passed(until)]


def _clock(seconds: float) -> str:
    return clock_text(datetime.fromtimestamp(seconds, UTC), None)


def _column(playhead: Playhead, seconds: float, width: int) -> int:
    span = playhead.end - playhead.start
    if span <= 0 or width <= 1:
        return 0
    return min(width - 1, max(0, round((seconds - playhead.start) / span * (width - 1))))


def status_line(playhead: Playhead, polls: int, actions: int, source: str, loading: bool = False) -> Text:
    """`REPLAY ▶ PLAYING 1x 12:00:03 (0:02 of 0:14) │ poll 2 of 8 │ 1 action │ file`: the mode first, so a
    replay is never mistaken for a live account; only the file name is cut on a narrow screen."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if playhead.paused:
        text.append(" REPLAY ❚❚ PAUSED ", style="bold black on yellow")
    else:
        text.append(" REPLAY ▶ PLAYING ", style="bold black on green")
    text.append(f" {playhead.speed:g}x ", style="bold")
    elapsed = format_elapsed(int(playhead.position - playhead.start))
    total = format_elapsed(int(playhead.end - playhead.start))
    text.append(f"{_clock(playhead.position)} ({elapsed} of {total})", style="bold")
    text.append(f" │ poll {playhead.index + 1} of {polls}")
    if loading:  # the table and header still show an earlier poll
        text.append(" loading…", style="italic")
    text.append(f" │ {counted(actions, 'action')}")
    text.append(f" │ {clean(source, 60)}", style="dim")
    return text


def marker_line(playhead: Playhead, actions: Sequence[RecordedAction], width: int) -> Text:
    worst: dict[int, str] = {}
    for action in actions:
        column = _column(playhead, action.at.timestamp(), width)
        outcome = action.outcome if action.outcome in _RANK else "failed"
        if column not in worst or _RANK[outcome] > _RANK[worst[column]]:
            worst[column] = outcome
    text = Text(no_wrap=True)
    for column in range(width):
        outcome = worst.get(column)
        text.append(MARKER if outcome else " ", style=_OUTCOME_STYLES[outcome] if outcome else "")
    return text


def failed_columns(playhead: Playhead, failed: Sequence[float], width: int) -> frozenset[int]:
    return frozenset(_column(playhead, seconds, width) for seconds in failed)


def bar_line(playhead: Playhead, bad: frozenset[int], width: int) -> Text:
    here = _column(playhead, playhead.position, width)
    text = Text(no_wrap=True)
    for column in range(width):
        if column == here:
            text.append("●", style="bold")
            continue
        style = "red" if column in bad else ("bold" if column < here else "dim")
        text.append("━" if column < here else "─", style=style)
    return text


def _verdict(row: RecordedAction) -> Text:
    """`✓ verified: call completed` or `✗ not verified: 11200 HTTP retrieval failure`, cleaned."""
    detail = clean(row.error, 120) if row.error else ""
    if row.outcome == "verified":
        return Text(f"✓ verified{': ' if detail else ''}{detail}", style="green")
    what = "not verified" if row.outcome == "not-verified" else clean(row.outcome, 20)
    return Text(f"✗ {what}{': ' if detail else ''}{detail}", style="bold red")


def action_lines(timeline: ActionTimeline, passed_count: int, limit: int, position: float) -> Text:
    """The last `limit` of the first `passed_count` actions, oldest first, each with its verification if
    it was made by `position`; every recorded value cleaned."""
    actions = timeline.actions
    first = max(0, passed_count - limit)
    passed = actions[first:passed_count]
    text = Text(no_wrap=True, overflow="ellipsis")
    if not actions:
        return text.append("No actions in this recording.", style="dim")
    if not passed:
        later = len(actions)
        return text.append(f"No actions yet; {later} later on the timeline ({MARKER}).", style="dim")
    for number, action in enumerate(passed, start=first):
        if number > first:
            text.append("\n")
        # Single spaces: at 80 columns a verdict such as "✗ not verified: 11200 HTTP retrieval failure"
        # fits beside its action; the parameters, least needed, come last.
        text.append(_clock(action.at.timestamp()) + " ", style="bold")
        text.append(f"{clean(action.action, 20):<8} {short_sid(action.call_sid)} ")
        outcome = clean(action.outcome, 20)
        text.append(outcome, style=_OUTCOME_STYLES.get(action.outcome, "red"))
        if action.error_code is not None:
            text.append(f" {action.error_code}", style="red")
        verdict = timeline.verdicts.get(number)
        if verdict is not None and verdict.at.timestamp() <= position:
            text.append(" ").append_text(_verdict(verdict))
        details = "  ".join(f"{clean(k, 20)}={clean(v, 80)}" for k, v in action.parameters.items())
        text.append(f"  {details}", style="dim")
        if action.error:
            text.append(f"  {clean(action.error, 120)}", style="red")
    return text


class Timeline(Widget):
    """Three lines: the replay's state, the actions as markers, and the bar with the playhead."""

    DEFAULT_CSS = "Timeline { height: 3; text-wrap: nowrap; text-overflow: ellipsis; }"

    def __init__(
        self,
        playhead: Playhead,
        actions: ActionTimeline,
        failed: Sequence[float],
        source: str,
        polls: int,
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._playhead = playhead
        self._actions = actions
        self._failed = failed
        self._source = source
        self._polls = polls
        self.loading = False
        """Whether the playhead's poll is still being read."""
        self._fixed: tuple[int, Text, frozenset[int]] | None = None
        """For one width: the marker line and the failed polls' columns, which only a resize changes."""

    def render(self) -> Text:
        width = max(1, self.size.width)
        if self._fixed is None or self._fixed[0] != width:
            markers = marker_line(self._playhead, self._actions.actions, width)
            self._fixed = (width, markers, failed_columns(self._playhead, self._failed, width))
        _, markers, bad = self._fixed
        lines = [
            status_line(self._playhead, self._polls, len(self._actions), self._source, self.loading),
            markers,
            bar_line(self._playhead, bad, width),
        ]
        return Text("\n").join(lines)
