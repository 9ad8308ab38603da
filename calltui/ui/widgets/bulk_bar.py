"""A one-line bar under the table: how many calls are marked, or how far a bulk action has got."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static


class BulkBar(Horizontal):
    """Hidden while nothing is marked and no bulk action runs."""

    DEFAULT_CSS = """
    BulkBar {
        height: 1;
        background: $secondary 35%;
        padding: 0 1;
        display: none;
        & > #bulk-text { width: auto; margin-right: 2; }
        & > ProgressBar { width: auto; }
    }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="bulk-text")
        yield ProgressBar(show_eta=False, id="bulk-progress")

    @property
    def text(self) -> str:
        return str(self.query_one("#bulk-text", Static).render())

    def show_marks(self, count: int, *, can_act: bool) -> None:
        hint = " · r / h act on all of them" if can_act else ""
        self._show(f"● {count} marked{hint} · A clears" if count else "")
        self.query_one(ProgressBar).display = False

    def show_progress(self, title: str, done: int, total: int) -> None:
        self._show(f"{title}: {done}/{total} sent…")
        bar = self.query_one(ProgressBar)
        bar.display = True
        bar.update(total=total, progress=done)

    def _show(self, text: str) -> None:
        self.query_one("#bulk-text", Static).update(Text(text))
        self.display = bool(text)
