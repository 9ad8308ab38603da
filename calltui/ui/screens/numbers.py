"""Calls grouped by number, biggest groups first: one number calling (or called) far more than the rest is
a flood. Enter on a number filters the call table on it."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from calltui.domain.call import ALL_STATUSES, Call
from calltui.domain.numbers import NumberCount, Side, count_by_number
from calltui.domain.text import clean
from calltui.ui.widgets.call_columns import MISSING, safe_text
from calltui.ui.widgets.footer import PinnedFooter

#: Groups listed per side: a flood is at the top, and tens of thousands of rows would only slow the screen.
MAX_GROUPS = 500
_OTHER = "other"
_SIDES: tuple[tuple[Side, str], ...] = (("from", "From (callers)"), ("to", "To (called)"))


def status_columns(calls: Sequence[Call]) -> list[str]:
    """Known statuses present, in lifecycle order; any unknown or missing status goes under "other"
    (network text never becomes a column of its own)."""
    present = {call.status for call in calls}
    columns = [status for status in ALL_STATUSES if status in present]
    return [*columns, _OTHER] if present - set(ALL_STATUSES) else columns


class NumbersScreen(Screen[str | None]):
    """Dismisses with the number to filter on (as the table shows it), or None."""

    BINDINGS = [Binding("escape,q", "back", "Back")]

    def __init__(self, calls: Sequence[Call], what: str) -> None:
        """`what`: which calls these are, for the title ("active calls")."""
        super().__init__()
        self._calls = calls
        self._what = what
        self._columns = status_columns(calls)
        self._groups: dict[str, list[NumberCount]] = {
            side: count_by_number(calls, side)[:MAX_GROUPS] for side, _ in _SIDES
        }

    def compose(self) -> ComposeResult:
        with Vertical(id="numbers"):
            yield Label(Text(f"Calls by number: {len(self._calls)} {self._what}"), id="numbers-title")
            for side, title in _SIDES:
                yield Label(title, classes="section-title")
                yield DataTable(id=f"numbers-{side}", cursor_type="row", zebra_stripes=True)
            yield Static(
                Text("Enter filters the call table on that number · Tab switches lists · Esc goes back"),
                classes="dialog-hint",
            )
        yield PinnedFooter()

    def on_mount(self) -> None:
        for side, _ in _SIDES:
            table = self.query_one(f"#numbers-{side}", DataTable)
            table.add_column("calls", key="calls")
            table.add_column("number", key="number")
            for status in self._columns:
                table.add_column(status, key=status)
            for index, group in enumerate(self._groups[side]):
                table.add_row(*self._cells(group), key=str(index))
            if not self._groups[side]:
                table.add_row(Text("none", style="dim"), *(Text("") for _ in range(len(self._columns) + 1)))
        self.query_one("#numbers-from", DataTable).focus()

    def _cells(self, group: NumberCount) -> list[Text]:
        by_column: dict[str, int] = {}
        for status, n in group.by_status.items():
            column = status if status in self._columns and status != _OTHER else _OTHER
            by_column[column] = by_column.get(column, 0) + n
        number = Text(clean(group.number, 60)) if group.number is not None else Text(MISSING, style="dim")
        counts = [Text(str(by_column.get(c, "")), justify="right") for c in self._columns]
        return [Text(str(group.total), style="bold", justify="right"), number, *counts]

    def action_back(self) -> None:
        self.dismiss(None)

    @on(DataTable.RowSelected)
    def _picked(self, event: DataTable.RowSelected) -> None:
        """Enter on a row (the DataTable's own key)."""
        event.stop()
        side = (event.data_table.id or "").removeprefix("numbers-")
        groups = self._groups.get(side, [])
        if not 0 <= event.cursor_row < len(groups):
            return  # the "none" row of an empty list
        number = groups[event.cursor_row].number
        if not safe_text(number):
            self.notify("These calls have no number to filter on.", severity="warning", markup=False)
            return
        self.dismiss(safe_text(number))
