"""The replay's timeline bar (position, actions as markers, failed polls in red) and its list of actions."""

from __future__ import annotations

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


def _clock(seconds: float) -> str:
    return clock_text(datetime.fromtimestamp(seconds, UTC), None)


def _column(playhead: Playhead, seconds: float, width: int) -> int:
    span = playhead.end - playhead.start
    if span <= 0 or width <= 1:
        return 0
    return min(width - 1, max(0, round((seconds - playhead.start) / span * (width - 1))))


def status_line(playhead: Playhead, polls: int, actions: int, source: str, loading: bool = False) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    if playhead.paused:
        text.append(" ❚❚ PAUSED ", style="bold black on yellow")
    else:
        text.append(" ▶ PLAYING ", style="bold black on green")
    text.append(f" {playhead.speed:g}x  ", style="bold")
    elapsed = format_elapsed(int(playhead.position - playhead.start))
    total = format_elapsed(int(playhead.end - playhead.start))
    text.append(f"{_clock(playhead.position)}  ({elapsed} of {total})", style="bold")
    text.append(f"  │  poll {playhead.index + 1} of {polls}")
    if loading:  # the table and header still show an earlier poll
        text.append(" loading…", style="italic")
    text.append(f"  │  {counted(actions, 'action')}")
    text.append(f"  │  REPLAY {clean(source, 60)}", style="dim")
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


def bar_line(playhead: Playhead, failed: Sequence[float], width: int) -> Text:
    here = _column(playhead, playhead.position, width)
    bad = {_column(playhead, seconds, width) for seconds in failed}
    text = Text(no_wrap=True)
    for column in range(width):
        if column == here:
            text.append("●", style="bold")
            continue
        style = "red" if column in bad else ("bold" if column < here else "dim")
        text.append("━" if column < here else "─", style=style)
    return text


def action_lines(actions: Sequence[RecordedAction], position: float, limit: int) -> Text:
    """The last `limit` actions up to `position`, oldest first, every recorded value cleaned."""
    passed = [a for a in actions if a.at.timestamp() <= position]
    text = Text(no_wrap=True, overflow="ellipsis")
    if not actions:
        return text.append("No actions in this recording.", style="dim")
    if not passed:
        later = len(actions)
        return text.append(f"No actions yet; {later} later on the timeline ({MARKER}).", style="dim")
    for number, action in enumerate(passed[-limit:]):
        if number:
            text.append("\n")
        text.append(_clock(action.at.timestamp()) + "  ", style="bold")
        text.append(f"{clean(action.action, 20):<9}{short_sid(action.call_sid)}  ")
        outcome = clean(action.outcome, 20)
        text.append(outcome, style=_OUTCOME_STYLES.get(action.outcome, "red"))
        if action.error_code is not None:
            text.append(f" {action.error_code}", style="red")
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
        actions: Sequence[RecordedAction],
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

    def render(self) -> Text:
        width = max(1, self.size.width)
        lines = [
            status_line(self._playhead, self._polls, len(self._actions), self._source, self.loading),
            marker_line(self._playhead, self._actions, width),
            bar_line(self._playhead, self._failed, width),
        ]
        return Text("\n").join(lines)
