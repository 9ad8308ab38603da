"""Asked when an action is confirmed while the team is offline: act alone only on an explicit yes."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class AloneScreen(ModalScreen[bool]):
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

    def on_mount(self) -> None:
        for button in self.query(Button):
            button.can_focus = False

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
