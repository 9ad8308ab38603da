"""Everything Twilio knows about one call, fetched fresh, with its child calls."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from calltui.domain.call import Call, format_elapsed
from calltui.domain.errors import GatewayError
from calltui.domain.gateway import CallGateway
from calltui.domain.text import clean
from calltui.ui.call_fields import call_fields


class DetailsScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("f5,ctrl+r", "reload", "Reload"),
    ]

    def __init__(
        self,
        call: Call,
        gateway: CallGateway,
        clock: Callable[[], datetime],
        *,
        notes: Sequence[tuple[str, str]] = (),
    ) -> None:
        """`notes`: what calltui knows and Twilio does not say (its redirects, action checks); shown first."""
        super().__init__()
        self._notes = list(notes)
        self._call = call
        self._gateway = gateway
        self._clock = clock

    def compose(self) -> ComposeResult:
        with Vertical(id="details"):
            yield Label(Text(f"Call {self._call.sid}"), id="details-title")
            yield Static(Text("Loading…"), id="details-state")
            yield DataTable(id="details-fields", show_cursor=True, cursor_type="row", zebra_stripes=True)
            yield Label("Child calls", classes="section-title")
            yield DataTable(id="details-children", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        fields_table = self.query_one("#details-fields", DataTable)
        fields_table.add_columns("field", "value")
        children = self.query_one("#details-children", DataTable)
        children.add_columns("status", "direction", "from", "to", "duration", "sid")
        self._show(self._call)
        self.action_reload()

    def _show(self, call: Call) -> None:
        self._call = call
        table = self.query_one("#details-fields", DataTable)
        table.clear()
        for label, value in [*self._notes, *call_fields(call, self._clock())]:
            table.add_row(Text(label, style="bold"), Text(value))

    def _show_children(self, children: list[Call]) -> None:
        table = self.query_one("#details-children", DataTable)
        table.clear()
        now = self._clock()
        for child in children:
            table.add_row(
                *(Text(clean(v, 60)) for v in (child.status, child.direction, child.from_, child.to)),
                Text(format_elapsed(child.elapsed(now))),
                Text(child.sid),
            )
        if not children:
            table.add_row(Text("none", style="dim"), *(Text("") for _ in range(5)))

    def action_reload(self) -> None:
        self._load()

    @work(exclusive=True, group="details")
    async def _load(self) -> None:
        state = self.query_one("#details-state", Static)
        state.update(Text("Loading…"))
        try:
            call = await self._gateway.fetch(self._call.sid)
            children = await self._gateway.list_children(self._call.sid)
        except GatewayError as error:
            state.update(Text(f"Could not load: {clean(error.summary(), 300)}", style="bold red"))
            return
        self._show(call)
        self._show_children(children)
        state.update(Text(f"Fetched {self._clock().astimezone():%H:%M:%S}", style="dim"))
