"""The replay's list of the actions played so far, newest at the bottom, each with its proof of effect (the
recording's `verify` rows) once the playhead has passed it.

Fitted to its width, so nothing that says what happened is cut: a verdict or an error that does not fit
beside its action is shown whole on the lines under it. Only the parameters sent, the least needed (the
audit log and the recording keep them whole), may end in an ellipsis."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text
from textual.widget import Widget

from calltui.domain.text import clean
from calltui.monitor.recording import RecordedAction
from calltui.ui.describe import short_sid
from calltui.ui.replay.timeline import MARKER, OUTCOME_STYLES, ActionTimeline, time_of_day

INDENT = 9
"""Lines under an action start under its name, past its time."""


def _verdict(row: RecordedAction) -> Text:
    """`✓ verified: call completed` or `✗ not verified: 11200 HTTP retrieval failure`, cleaned."""
    detail = clean(row.error, 120) if row.error else ""
    if row.outcome == "verified":
        return Text(f"✓ verified{': ' if detail else ''}{detail}", style="green")
    what = "not verified" if row.outcome == "not-verified" else clean(row.outcome, 20)
    return Text(f"✗ {what}{': ' if detail else ''}{detail}", style="bold red")


def _head(action: RecordedAction) -> Text:
    """`12:00:03 hangup   CA12…cdef ok`: when, what, which call, how it went."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(time_of_day(action.at.timestamp()) + " ", style="bold")
    text.append(f"{clean(action.action, 20):<8} {short_sid(action.call_sid)} ")
    text.append(clean(action.outcome, 20), style=OUTCOME_STYLES.get(action.outcome, "red"))
    if action.error_code is not None:
        text.append(f" {action.error_code}", style="red")
    return text


def _action_block(
    action: RecordedAction, verdict: RecordedAction | None, width: int, console: Console
) -> list[Text]:
    """One action's lines at `width` cells: its verdict (if shown) and its error beside it while they fit
    whole, on lines of their own under it when not; then the parameters, cut at the edge if need be."""
    line = _head(action)
    whole = [(" ", _verdict(verdict))] if verdict is not None else []
    if action.error:
        whole.append(("  ", Text(clean(action.error, 120), style="red")))
    details = "  ".join(f"{clean(k, 20)}={clean(v, 80)}" for k, v in action.parameters.items())
    reserve = 1 if details else 0  # an ellipsis cutting the parameters lands after what must be whole
    below: list[Text] = []
    for sep, item in whole:
        if not below and line.cell_len + len(sep) + item.cell_len + reserve <= width:
            line.append(sep).append_text(item)
        else:
            below.append(item)
    if details:
        line.append(f"  {details}", style="dim")
    line.truncate(width, overflow="ellipsis")
    lines = [line]
    indent = min(INDENT, width // 4)
    for item in below:
        for piece in item.wrap(console, max(1, width - indent)):
            piece.rstrip()
            lines.append(Text(" " * indent, no_wrap=True) + piece)
    return lines


def action_lines(
    timeline: ActionTimeline, passed_count: int, rows: int, position: float, width: int, console: Console
) -> Text:
    """The newest of the first `passed_count` actions that fit in `rows` lines of `width` cells, oldest
    first, each with its verification if it was made by `position`; every recorded value cleaned."""
    if not timeline.actions:
        return Text("No actions in this recording.", style="dim", no_wrap=True, overflow="ellipsis")
    if not passed_count:
        later = len(timeline.actions)
        note = f"No actions yet; {later} later on the timeline ({MARKER})."
        return Text(note, style="dim", no_wrap=True, overflow="ellipsis")
    lines: list[Text] = []
    for number in range(passed_count - 1, -1, -1):
        verdict = timeline.verdicts.get(number)
        if verdict is not None and verdict.at.timestamp() > position:
            verdict = None
        block = _action_block(timeline.actions[number], verdict, width, console)
        if lines and len(lines) + len(block) > rows:
            break
        lines[:0] = block
    if len(lines) > rows:  # the newest alone needs more (a long verdict and a long error): the last resort
        lines = lines[:rows]
        lines[-1].truncate(max(0, width - 1))
        lines[-1].append("…")
    return Text("\n", no_wrap=True, overflow="ellipsis").join(lines)


class ActionList(Widget):
    """The actions played so far and their proof of effect, as many of the newest as fit."""

    def __init__(self, timeline: ActionTimeline, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._timeline = timeline
        self._passed = 0
        self._position = float("-inf")

    def show(self, passed_count: int, position: float) -> None:
        """List the first `passed_count` actions, with the verifications made by `position`."""
        self._passed, self._position = passed_count, position
        self.refresh()

    def render(self) -> Text:
        size = self.content_size
        return action_lines(
            self._timeline,
            self._passed,
            max(1, size.height),
            self._position,
            max(1, size.width),
            self.app.console,
        )
