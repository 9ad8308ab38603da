"""Asked on `q` while actions wait in their grace window, are in flight or a bulk run is going: send them
now, cancel what waits, or stay. Quitting never drops a confirmed action silently."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

SEND = "send"
CANCEL = "cancel"


class QuitScreen(ModalScreen[str | None]):
    """Dismisses with SEND, CANCEL, or None to stay (Esc, n, Enter: staying is the safe default)."""

    BINDINGS = [
        Binding("s", "choose('send')", "Send now", priority=True),
        Binding("c", "choose('cancel')", "Cancel them", priority=True),
        Binding("n,escape,enter", "choose('')", "Stay", priority=True),
    ]

    def __init__(self, waiting: int, going: int, bulk: bool) -> None:
        super().__init__()
        self._waiting, self._going, self._bulk = waiting, going, bulk

    def compose(self) -> ComposeResult:
        lines = []
        if self._waiting:
            lines.append(f"{self._waiting} confirmed action(s) wait in the grace window.")
        if self._going:
            lines.append(f"{self._going} request(s) in flight: calltui waits for their answer.")
        if self._bulk:
            lines.append("A bulk run is going: calltui waits for it to finish.")
        with Vertical(id="dialog", classes="dialog danger"):
            yield Label("QUIT WITH ACTIONS PENDING", classes="dialog-title")
            yield Static(Text("\n".join(lines)))
            yield Static(
                Text("s sends what waits now, c cancels it (nothing sent), n stays."), classes="dialog-hint"
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Stay (n)", id="stay", compact=True)
                yield Button("Cancel (c)", id="cancel", compact=True)
                yield Button("Send now (s)", id="send", variant="error", compact=True)

    def on_mount(self) -> None:
        for button in self.query(Button):
            button.can_focus = False  # a stray Tab must not arm the wrong button

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_choose("" if event.button.id == "stay" else str(event.button.id))

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice or None)
