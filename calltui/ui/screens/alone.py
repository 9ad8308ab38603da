"""Asked when an action is confirmed while the team is offline: act alone only on an explicit yes."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from calltui.ui.screens.decision import Decision


class AloneScreen(Decision):
    """Dismisses with True only on `y`: Enter is not a yes here."""

    BINDINGS = [
        Binding("y", "confirm", "Act alone", priority=True),
        Binding("n,escape,enter", "cancel", "Cancel", priority=True),
    ]

    def __init__(self, what: str) -> None:
        super().__init__()
        self._what = what

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog danger"):
            yield Label("TEAM OFFLINE", classes="dialog-title")
            yield Static(Text(self._what))
            yield Static(
                Text("Teammates will not see this and the call is not claimed. Send it anyway?"),
                classes="dialog-hint",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("No (n)", id="cancel", compact=True)
                yield Button("Yes, alone (y)", id="confirm", variant="error", compact=True)
