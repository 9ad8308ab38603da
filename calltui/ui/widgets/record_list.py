"""One list on the details screen: a state line (loading, how many, or Twilio's error) over a table, and
under it the highlighted record's long values in full (a URL or Twilio's message is wider than 80 columns)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from calltui.domain.errors import GatewayError
from calltui.domain.text import clean
from calltui.ui.describe import counted


class RecordList(Vertical):
    DEFAULT_CSS = """
    RecordList { height: 1fr; }
    RecordList > .list-state { height: auto; }
    RecordList > DataTable { height: 1fr; }
    RecordList > .list-spelled { height: auto; max-height: 12; overflow-y: auto; border-top: solid $panel; }
    RecordList > .list-spelled.-empty { display: none; }
    """

    def __init__(
        self,
        columns: Sequence[str],
        noun: str,
        *,
        id: str,
        table_id: str,
        spelled_out: Sequence[str] = (),
    ) -> None:
        """`spelled_out`: the columns whose values are shown whole, wrapped, for the highlighted record."""
        super().__init__(id=id)
        self._columns = tuple(columns)
        self._spelled = tuple(self._columns.index(name) for name in spelled_out)
        self._noun = noun
        self._table_id = table_id

    def compose(self) -> ComposeResult:
        yield Static(Text("Loading…"), classes="list-state")
        yield DataTable(id=self._table_id, cursor_type="row", zebra_stripes=True)
        yield Static(classes="list-spelled -empty")

    def on_mount(self) -> None:
        self.table.add_columns(*self._columns)

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one(DataTable)

    @property
    def state(self) -> Static:
        return self.query_one(".list-state", Static)

    @property
    def spelled(self) -> Static:
        return self.query_one(".list-spelled", Static)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._spell_out(event.cursor_row)

    def _spell_out(self, row: int | None) -> None:
        table, panel = self.table, self.spelled
        shown = Text()
        if self._spelled and row is not None and 0 <= row < table.row_count:
            cells = table.get_row_at(row)
            for index in self._spelled:
                value = cells[index]
                if value.plain:
                    shown.append("\n" if shown else "").append(f"{self._columns[index]}  ", style="bold")
                    shown.append_text(value)
        panel.update(shown)
        panel.set_class(not shown, "-empty")

    def loading(self) -> None:
        self.state.update(Text("Loading…"))

    def show(self, rows: Sequence[Sequence[Text]]) -> None:
        table = self.table
        table.clear()
        for row in rows:
            table.add_row(*row)
        # The state line says how many, in words: "none" once, not again as a row under the headings.
        count = counted(len(rows), self._noun) if rows else f"No {self._noun}s for this call."
        self.state.update(Text(count, style="dim"))
        self._spell_out(table.cursor_row if rows else None)

    def failed(self, error: GatewayError) -> None:
        """Twilio's error in place of the list; whatever was shown before is cleared, not left stale."""
        self.table.clear()
        self._spell_out(None)
        message = Text(f"Could not load: {clean(error.summary(), 300)}", style="bold red")
        if error.more_info:
            message.append(f"\n{clean(error.more_info, 200)}", style="red")
        self.state.update(message)
