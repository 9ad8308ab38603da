"""One list on the details screen: a state line (loading, how many, or Twilio's error) over a table."""

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
    """

    def __init__(self, columns: Sequence[str], noun: str, *, id: str, table_id: str) -> None:
        super().__init__(id=id)
        self._columns = tuple(columns)
        self._noun = noun
        self._table_id = table_id

    def compose(self) -> ComposeResult:
        yield Static(Text("Loading…"), classes="list-state")
        yield DataTable(id=self._table_id, cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.table.add_columns(*self._columns)

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one(DataTable)

    @property
    def state(self) -> Static:
        return self.query_one(".list-state", Static)

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

    def failed(self, error: GatewayError) -> None:
        """Twilio's error in place of the list; whatever was shown before is cleared, not left stale."""
        self.table.clear()
        message = Text(f"Could not load: {clean(error.summary(), 300)}", style="bold red")
        if error.more_info:
            message.append(f"\n{clean(error.more_info, 200)}", style="red")
        self.state.update(message)
