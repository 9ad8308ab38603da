"""All keys, generated from the bindings in force so the list cannot drift from the code."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, keys: list[tuple[str, str]], notes: list[str]) -> None:
        super().__init__()
        self._keys = keys
        self._notes = notes

    def compose(self) -> ComposeResult:
        width = max((len(key) for key, _ in self._keys), default=0) + 2
        table = Text()
        for key, description in self._keys:
            table.append(key.ljust(width), style="bold")
            table.append(f"{description}\n")
        with VerticalScroll(id="dialog", classes="dialog"):
            # How to close it first: at 80x24 the end of the list is below the fold.
            yield Label("calltui keys · Esc or ? closes", classes="dialog-title")
            yield Static(table)
            for note in self._notes:
                yield Static(Text(note), classes="dialog-hint")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
