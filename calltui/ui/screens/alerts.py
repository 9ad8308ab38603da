"""`!`: every alert standing now, one line each, in a dialog that scrolls (a notice listing them covered
half the table at 80 columns and had to stop at ten)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from calltui.monitor.alerts import Alert
from calltui.ui.describe import counted, short_sid


def alert_lines(alerts: Sequence[Alert]) -> list[str]:
    """One line each: the short SID and a caller cut to fit, so a line fits an 80-column dialog."""
    return [alert.describe(short_sid, party=20) for alert in alerts]


class AlertsScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,exclamation_mark", "dismiss", "Close")]

    def __init__(self, alerts: Sequence[Alert], as_of: str) -> None:
        super().__init__()
        self.title_text = f"{counted(len(alerts), 'alert')} standing at {as_of}"
        self.lines = alert_lines(alerts)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", classes="dialog"):
            yield Label(f"{self.title_text} · Esc or ! closes", classes="dialog-title")
            yield Static(Text("\n".join(self.lines)), id="alert-lines")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
