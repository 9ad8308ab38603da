"""The hang-up confirmation: names the call; y/Enter ends it, n/Escape cancels."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from calltui.domain.call import Call
from calltui.ui.describe import call_line
from calltui.ui.screens.decision import Decision


def hangup_terms(status: str, grace_seconds: float, dry_run: bool) -> str:
    """What confirming does, when, and whether it can be taken back."""
    sends = f"Sends Status={status}"
    if dry_run:
        sends = f"DRY-RUN: nothing is sent; Status={status} is rehearsed and audited as dry-run"
    if grace_seconds > 0:
        return f"{sends} after a {grace_seconds:g}s countdown: u cancels it until then."
    return f"{sends} at once." if dry_run else f"{sends} at once. This cannot be undone."


class HangupScreen(Decision):
    """Dismisses with True to end the call, False to leave it."""

    BINDINGS = [
        Binding("y,enter", "confirm", "Hang up", priority=True),
        Binding("n,escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(
        self,
        call: Call,
        now: datetime,
        *,
        grace_seconds: float = 0.0,
        dry_run: bool = False,
        stale: str | None = None,
    ) -> None:
        """`grace_seconds`: how long `u` can still take it back once confirmed (0: sent at once).
        `stale`: a warning that the table's data is old (polls failing), shown under the call."""
        super().__init__()
        self._stale = stale
        self._call = call
        self._now = now
        self._grace = grace_seconds
        self._dry_run = dry_run

    def compose(self) -> ComposeResult:
        verb = "Cancel" if self._call.end_status == "canceled" else "End"
        prefix = "DRY-RUN: " if self._dry_run else ""
        with Vertical(id="dialog", classes="dialog danger"):
            yield Label(f"{prefix}{verb} this call?", classes="dialog-title")
            yield Static(Text(call_line(self._call, self._now)), id="hangup-call")
            if self._stale:
                yield Static(Text(self._stale), classes="dialog-message warning")
            yield Static(
                Text(hangup_terms(self._call.end_status, self._grace, self._dry_run)), classes="dialog-hint"
            )
            with Horizontal(classes="dialog-buttons"):
                # Not focusable: Enter and y/n decide, so a stray Tab cannot arm the wrong button.
                yield Button("Cancel (n)", id="cancel", compact=True)
                yield Button("Hang up (y)", id="confirm", variant="error", compact=True)
