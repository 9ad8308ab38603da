"""Asked on `q` while actions or a bulk run wait in their grace window, requests are in flight or a bulk
run is sending: send them now, cancel what waits, or stay. Quitting never drops a confirmed action
silently, and the counts follow what happens while the dialog is open (a countdown may end meanwhile)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from calltui.ui.pending import Pending

SEND = "send"
CANCEL = "cancel"


class QuitScreen(ModalScreen[str | None]):
    """Dismisses with SEND, CANCEL, or None to stay (Esc, n, Enter: staying is the safe default)."""

    BINDINGS = [
        Binding("s", "choose('send')", "Send now", priority=True),
        Binding("c", "choose('cancel')", "Cancel them", priority=True),
        Binding("n,escape,enter", "choose('')", "Stay", priority=True),
    ]

    def __init__(self, pending: Pending) -> None:
        super().__init__()
        self._pending = pending

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog danger"):
            yield Label("QUIT WITH ACTIONS PENDING", classes="dialog-title")
            yield Static(Text("\n".join(self._pending.lines())), id="quit-pending")
            yield Static(Text(self._pending.hint()), id="quit-hint", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Stay (n)", id="stay", compact=True)
                yield Button("Cancel (c)", id="cancel", compact=True)
                yield Button("Send now (s)", id="send", variant="error", compact=True)

    def on_mount(self) -> None:
        for button in self.query(Button):
            button.can_focus = False  # a stray Tab must not arm the wrong button

    def show(self, pending: Pending) -> None:
        """What is pending now (called on every tick while the dialog is open)."""
        if pending == self._pending or not self.is_mounted:
            return
        self._pending = pending
        self.query_one("#quit-pending", Static).update(Text("\n".join(pending.lines())))
        self.query_one("#quit-hint", Static).update(Text(pending.hint()))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_choose("" if event.button.id == "stay" else str(event.button.id))

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice or None)
