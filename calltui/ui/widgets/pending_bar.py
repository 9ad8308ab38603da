"""The grace-window line above the footer: each confirmed action still waiting, with its countdown."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from calltui.domain.actions import Hangup
from calltui.domain.text import clean
from calltui.monitor.grace import PendingAction
from calltui.ui.describe import short_sid


def pending_line(item: PendingAction, now: datetime) -> Text:
    action = item.action
    if isinstance(action, Hangup):
        what = "Canceling" if action.status == "canceled" else "Hanging up"
        line = Text(f"{what} {short_sid(item.call.sid)}")
    else:
        target = action.url or "inline TwiML"
        line = Text(f"Redirecting {short_sid(item.call.sid)} to {clean(target, 60)}")
    line.append(f" in {item.seconds_left(now)}…", style="bold")
    return line


def pending_text(pending: Sequence[PendingAction], now: datetime, *, dry_run: bool = False) -> Text:
    """One line per waiting action, oldest first; the newest says that `u` cancels it."""
    lines = []
    for n, item in enumerate(pending, start=1):
        line = Text("DRY-RUN ", style="bold") if dry_run else Text()
        line.append_text(pending_line(item, now))
        if n == len(pending):
            line.append(" press u to cancel" + (" (the newest first)" if n > 1 else ""), style="italic")
        lines.append(line)
    return Text("\n").join(lines)


class PendingBar(Static):
    DEFAULT_CSS = """
    PendingBar {
        height: auto;
        padding: 0 1;
        background: $warning 30%;
        color: $text;
        display: none;
    }
    PendingBar.in-front {
        dock: bottom;
        margin-bottom: 1;  /* above the footer of the screen in front */
    }
    """

    def show(self, pending: Sequence[PendingAction], now: datetime, *, dry_run: bool = False) -> None:
        self.display = bool(pending)
        if pending:
            self.update(pending_text(pending, now, dry_run=dry_run))
