"""A one-line bar under the table: how many calls are marked, or how far a bulk action has got."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

BAR_WIDTH = 20


class BulkBar(Static):
    """Hidden while nothing is marked and no bulk action runs. One widget drawing its own progress bar:
    Textual's ProgressBar is five widgets, styled at start-up though hidden until a bulk action runs."""

    DEFAULT_CSS = """
    BulkBar {
        height: 1;
        background: $secondary 35%;
        padding: 0 1;
        display: none;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self._text = ""

    @property
    def text(self) -> str:
        """What the bar says, without its progress bar."""
        return self._text

    def show_marks(self, count: int, *, can_act: bool) -> None:
        hint = " · r / h act on all of them" if can_act else ""
        self._show(f"● {count} marked{hint} · A clears" if count else "")

    def show_progress(self, title: str, done: int, total: int) -> None:
        filled = BAR_WIDTH * min(done, total) // total if total > 0 else 0
        self._show(f"{title}: {done}/{total} sent…", filled)

    def _show(self, text: str, filled: int | None = None) -> None:
        self._text = text
        line = Text(text)
        if filled is not None:
            line.append("  ").append("━" * filled, style="bold")
            line.append("━" * (BAR_WIDTH - filled), style="dim")
        self.update(line)
        self.display = bool(text)
