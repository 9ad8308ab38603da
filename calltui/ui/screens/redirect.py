"""The redirect prompt: a TwiML URL (or inline TwiML), a method, and recently used targets."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from calltui.domain.actions import ActionInputError, Redirect, build_redirect
from calltui.domain.call import Call
from calltui.domain.text import clean
from calltui.ui.describe import call_line


class RedirectScreen(ModalScreen[Redirect | None]):
    """Dismisses with the checked Redirect to send, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True)]

    def __init__(self, call: Call | str, now: datetime, history: list[str]) -> None:
        """`call`: the call to redirect, or a description of the calls (a bulk redirect)."""
        super().__init__()
        self._call = call
        self._now = now
        self._history = history
        self._acknowledged: str | None = None
        """A target whose warnings were shown once; Enter again sends it."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            if isinstance(self._call, str):
                title, subject = "Redirect calls", self._call
            else:
                title, subject = "Redirect call", call_line(self._call, self._now)
            yield Label(title, classes="dialog-title")
            yield Static(Text(subject), id="redirect-call")
            yield Input(placeholder="https://example.com/twiml  or  <Response>…</Response>", id="target")
            with RadioSet(id="method"):
                yield RadioButton("POST", value=True, id="method-post")
                yield RadioButton("GET", id="method-get")
            yield Static("", id="redirect-message", classes="dialog-message")
            if self._history:
                yield Label("Recent (Tab, then Enter to pick):", classes="dialog-hint")
                yield OptionList(
                    *(Option(Text(clean(item, 200)), id=str(i)) for i, item in enumerate(self._history)),
                    id="history",
                )
            yield Static(Text("Enter sends · Esc cancels · Url or inline TwiML"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#target", Input).focus()

    @property
    def method(self) -> str:
        return "GET" if self.query_one("#method-get", RadioButton).value else "POST"

    def _say(self, message: str, level: str) -> None:
        widget = self.query_one("#redirect-message", Static)
        widget.update(Text(message))
        widget.set_classes(f"dialog-message {level}")

    @on(Input.Changed, "#target")
    def _edited(self) -> None:
        self._acknowledged = None
        self._say("", "")

    @on(OptionList.OptionSelected, "#history")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        target = self.query_one("#target", Input)
        target.value = self._history[int(event.option.id or 0)]
        target.focus()

    @on(Input.Submitted, "#target")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            redirect, warnings = build_redirect(event.value, self.method)
        except ActionInputError as exc:
            self._say(str(exc), "error")
            return
        key = f"{self.method} {event.value.strip()}"
        if warnings and self._acknowledged != key:
            self._acknowledged = key
            self._say(" ".join(warnings) + " Press Enter again to send anyway.", "warning")
            return
        self.dismiss(redirect)

    def action_cancel(self) -> None:
        self.dismiss(None)
