"""`!`: every alert standing now, one line each, in a dialog that scrolls (a notice listing them covered
half the table at 80 columns and had to stop at ten). While open it follows each evaluation of the rules,
so it always lists what the header counts."""

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

NONE_STANDING = "No alert is standing."


def alert_lines(alerts: Sequence[Alert]) -> list[str]:
    """One line each: the short SID and a caller cut to fit, so a line fits an 80-column dialog."""
    return [alert.describe(short_sid, party=20) for alert in alerts]


class AlertsScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,exclamation_mark", "dismiss", "Close")]

    def __init__(self, alerts: Sequence[Alert], as_of: str) -> None:
        super().__init__()
        self.title_text = ""
        self.lines: list[str] = []
        self._take(alerts, as_of)

    def _take(self, alerts: Sequence[Alert], as_of: str) -> None:
        self.title_text = f"{counted(len(alerts), 'alert')} standing at {as_of}"
        self.lines = alert_lines(alerts) or [NONE_STANDING]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", classes="dialog"):
            yield Label(self._title(), id="alerts-title", classes="dialog-title")
            yield Static(self._body(), id="alert-lines")

    def _title(self) -> Text:
        return Text(f"{self.title_text} · Esc or ! closes")

    def _body(self) -> Text:
        return Text("\n".join(self.lines))

    def show(self, alerts: Sequence[Alert], as_of: str) -> None:
        """The alerts of the latest evaluation, the ones the header counts from now on."""
        self._take(alerts, as_of)
        if self.is_mounted:
            self.query_one("#alerts-title", Label).update(self._title())
            self.query_one("#alert-lines", Static).update(self._body())

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
