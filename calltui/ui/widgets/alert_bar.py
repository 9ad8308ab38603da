"""The alert notice: one line under the table for an alert going off, gone after a while.

One line, replaced by the next: a burst of alerts never stacks up over the table as notifications did.
The header counts the alerts standing and `!` lists them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from rich.text import Text
from textual.widgets import Static

from calltui.monitor.alerts import Alert
from calltui.ui.describe import short_sid

SHOWN_FOR = timedelta(seconds=15)
"""How long a notice stays (by the app's clock, Twilio's time)."""
_PARTY = 16
"""Cells of the caller on the line (an E.164 number fits whole): with the longest rule's words and a short
SID, one alert fits 80 columns."""


def notice_line(new: Sequence[Alert]) -> Text:
    """`ALERT  +1555… ringing for 0:32 (limit 30s) · CA12ab…89ef`. Several at once: their count and the key
    that lists them first, then the first of them (its end may be cut at 80 columns: `!` has it whole)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if len(new) == 1:
        text.append("ALERT", style="bold")
    else:
        text.append(f"{len(new)} NEW ALERTS", style="bold")
        text.append(" · ! lists them ·", style="italic")
    text.append("  " + new[0].describe(short_sid, _PARTY))
    return text


class AlertBar(Static):
    DEFAULT_CSS = """
    AlertBar {
        height: 1;
        padding: 0 1;
        background: $error 35%;
        color: $text;
        display: none;
    }
    """

    def __init__(self, **kwargs: str) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._until: datetime | None = None

    def announce(self, new: Sequence[Alert], now: datetime) -> None:
        """Show the alerts that just went off (the newest notice replaces the one before)."""
        self.update(notice_line(new))
        self._until = now + SHOWN_FOR
        self.display = True

    def expire(self, now: datetime) -> None:
        """Hide the notice once its time is up."""
        if self._until is not None and now >= self._until:
            self.withdraw()

    def withdraw(self) -> None:
        self._until = None
        self.display = False
