"""The floor for start-up: a bare Textual app with one widget, launched as calltui is (`startup_bench`).

Run: `python -m bench.bare_app` (q quits).
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

MARKER = "BARE-APP-READY"


class BareApp(App[None]):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Static(MARKER)


if __name__ == "__main__":
    BareApp().run()
