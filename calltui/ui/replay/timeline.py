"""The replay's timeline bar (position, actions as markers, failed polls in red), and the recording's
actions in time order with their proof of effect (its `verify` rows), which the action list shows."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import UTC, datetime

from rich.text import Text
from textual.widget import Widget

from calltui.domain.call import format_elapsed
from calltui.domain.text import clean
from calltui.monitor.recording import RecordedAction
from calltui.ui.describe import counted
from calltui.ui.replay.playhead import Playhead
from calltui.ui.widgets.call_columns import clock_text

MARKER = "▼"
#: Outcome colours; where markers share a column the worst outcome shows.
OUTCOME_STYLES = {
    "ok": "green",
    "refused": "magenta",
    "dry-run": "magenta",
    "unknown": "yellow",
    "failed": "red",
}
_RANK = {outcome: rank for rank, outcome in enumerate(OUTCOME_STYLES)}


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


def time_of_day(seconds: float) -> str:
    """`12:00:03`, as the table writes times."""
    return clock_text(datetime.fromtimestamp(seconds, UTC), None)


def _column(playhead: Playhead, seconds: float, width: int) -> int:
    span = playhead.end - playhead.start
    if span <= 0 or width <= 1:
        return 0
    return min(width - 1, max(0, round((seconds - playhead.start) / span * (width - 1))))


def status_line(
    playhead: Playhead, polls: int, actions: int, source: str, loading: bool = False, width: int = 200
) -> Text:
    """`REPLAY ▶ PLAYING 1x 12:00:03 (0:02 of 0:14) │ poll 2 of 8 │ 1 action │ file` in `width` cells: the
    mode first, so a replay is never mistaken for a live account. On a narrow screen the file name is cut
    first, then the times and the poll take short forms (`0:02/0:14`, `poll 2/8`) and the badge its symbol
    alone: never a count."""
    symbol, word, style = ("❚❚", "PAUSED", "yellow") if playhead.paused else ("▶", "PLAYING", "green")
    now = time_of_day(playhead.position)
    elapsed = format_elapsed(int(playhead.position - playhead.start))
    total = format_elapsed(int(playhead.end - playhead.start))
    poll = playhead.index + 1
    forms = (
        (f" REPLAY {symbol} {word} ", f"{now} ({elapsed} of {total})", f"poll {poll} of {polls}"),
        (f" REPLAY {symbol} {word} ", f"{now} {elapsed}/{total}", f"poll {poll}/{polls}"),
        (f" REPLAY {symbol} ", f"{elapsed}/{total}", f"poll {poll}/{polls}"),
    )
    for badge, times, poll_text in forms:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(badge, style=f"bold black on {style}")
        text.append(f" {playhead.speed:g}x ", style="bold")
        text.append(times, style="bold")
        text.append(f" │ {poll_text}")
        if loading:  # the table and header still show an earlier poll
            text.append(" loading…", style="italic")
        text.append(f" │ {counted(actions, 'action')}")
        if text.cell_len <= width:
            break
    name = clean(source, 60)
    if text.cell_len + len(" │ ") + min(len(name), 8) <= width:  # else it would be no more than `…`
        text.append(f" │ {name}", style="dim")  # cut at the edge if need be
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
        text.append(MARKER if outcome else " ", style=OUTCOME_STYLES[outcome] if outcome else "")
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
        self.reading = False
        """Whether the playhead's poll is still being read. (Not `loading`: Textual's own would cover the
        timeline with a spinner just when it has something to say.)"""
        self._fixed: tuple[int, Text, frozenset[int]] | None = None
        """For one width: the marker line and the failed polls' columns, which only a resize changes."""

    def render(self) -> Text:
        width = max(1, self.size.width)
        if self._fixed is None or self._fixed[0] != width:
            markers = marker_line(self._playhead, self._actions.actions, width)
            self._fixed = (width, markers, failed_columns(self._playhead, self._failed, width))
        _, markers, bad = self._fixed
        lines = [
            status_line(self._playhead, self._polls, len(self._actions), self._source, self.reading, width),
            markers,
            bar_line(self._playhead, bad, width),
        ]
        return Text("\n").join(lines)
