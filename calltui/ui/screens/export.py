"""The export prompt: where to write the shown calls; the extension (.csv or .json) picks the format."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from calltui.monitor.export import ExportPathError, inspect_export_path

ExportChoice = tuple[Path, bool]
"""(file, overwrite it)."""


class ExportScreen(ModalScreen[ExportChoice | None]):
    """Dismisses with the file to write, or None when cancelled. An existing file needs Enter twice."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True)]

    def __init__(self, default_path: str, description: str) -> None:
        """`description`: what will be written ("12 calls shown (filter …)")."""
        super().__init__()
        self._default = default_path
        self._description = description
        self._acknowledged: Path | None = None
        """An existing file the engineer was warned about once; Enter again overwrites it."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label("Export the table", classes="dialog-title")
            yield Static(Text(self._description), id="export-what")
            yield Input(value=self._default, id="export-path")
            yield Static("", id="export-message", classes="dialog-message")
            yield Static(Text("Enter writes · Esc cancels · .csv or .json"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    def _say(self, message: str, level: str) -> None:
        widget = self.query_one("#export-message", Static)
        widget.update(Text(message))
        widget.set_classes(f"dialog-message {level}")

    @on(Input.Changed, "#export-path")
    def _edited(self) -> None:
        self._acknowledged = None
        self._say("", "")

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        self._check(event.value)

    @work(exclusive=True, group="export-path")
    async def _check(self, text: str) -> None:
        """The file system is asked in a thread: the UI never waits on a slow or hung mount."""
        try:
            path, kind = await asyncio.to_thread(inspect_export_path, text)
        except ExportPathError as exc:
            self._say(str(exc), "error")
            return
        if kind == "folder":
            self._say("That is a folder: add a file name.", "error")
            return
        if kind == "link":  # the export would not follow it (O_NOFOLLOW): say so before, not after
            self._say("That is a symbolic link: type the file it points to.", "error")
            return
        exists = kind == "file"
        if exists and self._acknowledged != path:
            self._acknowledged = path
            self._say("That file exists. Press Enter again to overwrite it.", "warning")
            return
        self.dismiss((path, exists))

    def action_cancel(self) -> None:
        self.dismiss(None)
