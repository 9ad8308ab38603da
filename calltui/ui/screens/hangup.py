"""The hang-up confirmation: names the call; y/Enter ends it, n/Escape cancels."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from calltui.domain.call import Call
from calltui.ui.describe import call_line


class HangupScreen(ModalScreen[bool]):
    """Dismisses with True to end the call, False to leave it."""

    BINDINGS = [
        Binding("y,enter", "confirm", "Hang up", priority=True),
        Binding("n,escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(self, call: Call, now: datetime) -> None:
        super().__init__()
        self._call = call
        self._now = now

    def compose(self) -> ComposeResult:
        verb = "Cancel" if self._call.end_status == "canceled" else "End"
        with Vertical(id="dialog", classes="dialog danger"):
            yield Label(f"{verb} this call?", classes="dialog-title")
            yield Static(Text(call_line(self._call, self._now)), id="hangup-call")
            yield Static(
                Text(f"Sends Status={self._call.end_status}. This cannot be undone."), classes="dialog-hint"
            )
            with Horizontal(classes="dialog-buttons"):
                # Not focusable: Enter and y/n decide, so a stray Tab cannot arm the wrong button.
                yield Button("Cancel (n)", id="cancel", compact=True)
                yield Button("Hang up (y)", id="confirm", variant="error", compact=True)

    def on_mount(self) -> None:
        for button in self.query(Button):
            button.can_focus = False

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
