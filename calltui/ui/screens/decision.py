"""`Decision`: a yes-or-no dialog whose buttons cannot take the focus (y/n and the bindings decide)."""

from __future__ import annotations

from textual.screen import ModalScreen
from textual.widgets import Button


class Decision(ModalScreen[bool]):
    """Dismisses with True on `confirm` (the button or its key), False on `cancel`."""

    def on_mount(self) -> None:
        # Not focusable: a stray Tab must not arm the wrong button.
        for button in self.query(Button):
            button.can_focus = False

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
