"""The grace-window line above the footer: each confirmed action (or bulk run) still waiting, with its
countdown."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from calltui.domain.actions import Hangup, Redirect
from calltui.domain.text import clean
from calltui.monitor.grace import PendingAction, PendingRun, Waiting
from calltui.ui.describe import counted, short_sid


def pending_line(item: Waiting, now: datetime) -> Text:
    """`Hanging up CA12…89ef in 3…`, or for a bulk run `Hanging up 12 calls in 3…`."""
    action = item.items[0].action if item.items else None
    single = isinstance(item, PendingAction)
    subject = short_sid(item.items[0].sid) if single else counted(len(item.items), "call")
    if isinstance(action, Redirect):
        target = action.url or "inline TwiML"
        line = Text(f"Redirecting {subject} to {clean(target, 60)}")
    else:
        # Twilio's word for ending a call not yet answered is "canceled"; "Canceling CA… press u to cancel"
        # read as if `u` would go ahead.
        unanswered = single and isinstance(action, Hangup) and action.status == "canceled"
        line = Text(f"Hanging up {'unanswered ' if unanswered else ''}{subject}")
    line.append(f" in {item.seconds_left(now)}…", style="bold")
    return line


def pending_text(pending: Sequence[Waiting], now: datetime, *, dry_run: bool = False) -> Text:
    """One line per waiting action or bulk run, oldest first; the newest says that `u` cancels it."""
    lines = []
    for n, item in enumerate(pending, start=1):
        line = Text("DRY-RUN ", style="bold") if dry_run else Text()
        line.append_text(pending_line(item, now))
        if n == len(pending):
            whole = " the whole run" if isinstance(item, PendingRun) else ""
            newest = " (the newest first)" if n > 1 else ""
            line.append(f" press u to cancel{whole}{newest}", style="italic")
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

    def show(self, pending: Sequence[Waiting], now: datetime, *, dry_run: bool = False) -> None:
        self.display = bool(pending)
        if pending:
            self.update(pending_text(pending, now, dry_run=dry_run))
