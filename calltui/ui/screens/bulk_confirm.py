"""The bulk confirmation: states the count and what will be sent; the engineer types the count to go ahead.

A single key is too easy to press by reflex when the action ends dozens of calls; typing the number
makes the engineer read it.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from calltui.ui.bulk_plan import BulkPlan, confirm_lines


class BulkConfirmScreen(ModalScreen[bool]):
    """Dismisses with True once the count is typed and Enter pressed; False on Escape."""

    DEFAULT_CSS = """
    BulkConfirmScreen {
        align: center middle;
        & .bulk-prompt { text-style: bold; margin-top: 1; }
        & #bulk-count { width: 24; }
    }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True)]

    def __init__(self, plan: BulkPlan, *, dry_run: bool = False, grace_seconds: float = 0.0) -> None:
        super().__init__()
        self._plan = plan
        self._dry_run = dry_run
        self._grace = grace_seconds

    def compose(self) -> ComposeResult:
        count = self._plan.count
        with Vertical(id="dialog", classes="dialog danger"):
            prefix = "DRY-RUN: " if self._dry_run else ""
            yield Label(Text(f"{prefix}{self._plan.title}?"), classes="dialog-title")
            for line in confirm_lines(self._plan, dry_run=self._dry_run, grace_seconds=self._grace):
                yield Static(Text(line), classes="bulk-line")
            yield Label(Text(f"Type {count} and press Enter to send:"), classes="bulk-prompt")
            yield Input(
                placeholder="number of calls",
                restrict=r"[0-9]*",
                max_length=len(str(count)) + 2,
                id="bulk-count",
            )
            yield Static("", id="bulk-message", classes="dialog-message")
            yield Static(Text("Esc cancels · nothing is sent until the count matches"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#bulk-count", Input).focus()

    @on(Input.Submitted, "#bulk-count")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip() == str(self._plan.count):
            self.dismiss(True)
            return
        event.input.value = ""
        message = self.query_one("#bulk-message", Static)
        message.update(Text(f"That is not {self._plan.count}: nothing was sent. Type {self._plan.count}."))
        message.set_classes("dialog-message error")

    def action_cancel(self) -> None:
        self.dismiss(False)
