"""Everything Twilio knows about one call, fetched fresh: its fields, and on further tabs Twilio's record of
what happened on it (webhook events, notifications, recordings) and its child calls."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static, TabbedContent, TabPane

from calltui.domain.call import Call
from calltui.domain.errors import GatewayError
from calltui.domain.gateway import CallGateway
from calltui.domain.text import clean
from calltui.ui import inspector_rows as rows
from calltui.ui.call_fields import call_fields
from calltui.ui.widgets.footer import PinnedFooter
from calltui.ui.widgets.record_list import RecordList

#: (pane id, tab title), in key order: 1 is Fields, 5 is Child calls.
TABS = (
    ("tab-fields", "Fields"),
    ("tab-events", "Events"),
    ("tab-notifications", "Notifications"),
    ("tab-recordings", "Recordings"),
    ("tab-children", "Child calls"),
)


@dataclass(frozen=True, slots=True)
class _ListTab:
    """A tab holding one of the call's lists: how to fetch it and how to show it."""

    name: str
    noun: str
    columns: Sequence[str]
    fetch: Callable[[str], Awaitable[Sequence[Any]]]
    rows: Callable[[Sequence[Any], datetime], list[rows.Row]]
    alarming: Callable[[Sequence[Any]], bool] = lambda items: False
    """Whether the tab's title should catch the eye (a notification at error level)."""
    spelled_out: Sequence[str] = ()
    """Columns too long for the table at 80 columns, shown whole under it for the highlighted record."""


class DetailsScreen(Screen[None]):
    DEFAULT_CSS = """
    #details-tabs { height: 1fr; }
    #details-tabs TabPane { padding: 0; }
    """
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("f5,ctrl+r", "reload", "Reload"),
        *(Binding(str(n), f"show_tab('{pane}')", title) for n, (pane, title) in enumerate(TABS, 1)),
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
        self._lists = {
            "tab-events": _ListTab(
                "events",
                "event",
                rows.EVENT_COLUMNS,
                gateway.list_events,
                rows.event_rows,
                spelled_out=("url",),
            ),
            "tab-notifications": _ListTab(
                "notifications",
                "notification",
                rows.NOTIFICATION_COLUMNS,
                gateway.list_notifications,
                rows.notification_rows,
                alarming=lambda notes: any(note.level == "error" for note in notes),
                spelled_out=("message", "request url", "more info"),
            ),
            "tab-recordings": _ListTab(
                "recordings",
                "recording",
                rows.RECORDING_COLUMNS,
                gateway.list_recordings,
                rows.recording_rows,
            ),
            "tab-children": _ListTab(
                "children", "child call", rows.CHILD_COLUMNS, gateway.list_children, rows.child_rows
            ),
        }

    def compose(self) -> ComposeResult:
        with Vertical(id="details"):
            yield Label(Text(f"Call {self._call.sid}"), id="details-title")
            with TabbedContent(id="details-tabs"):
                with TabPane("Fields", id="tab-fields"):
                    yield Static(Text("Loading…"), id="details-state")
                    yield DataTable(
                        id="details-fields", show_cursor=True, cursor_type="row", zebra_stripes=True
                    )
                for pane, title in TABS[1:]:
                    spec = self._lists[pane]
                    with TabPane(title, id=pane):
                        yield RecordList(
                            spec.columns,
                            spec.noun,
                            id=f"list-{spec.name}",
                            table_id=f"details-{spec.name}",
                            spelled_out=spec.spelled_out,
                        )
        yield PinnedFooter()

    def on_mount(self) -> None:
        self.query_one("#details-fields", DataTable).add_columns("field", "value")
        self._show(self._call)
        self.action_reload()

    def _show(self, call: Call) -> None:
        self._call = call
        table = self.query_one("#details-fields", DataTable)
        table.clear()
        for label, value in [*self._notes, *call_fields(call, self._clock())]:
            table.add_row(Text(label, style="bold"), Text(value))

    def action_reload(self) -> None:
        self._load()
        for pane in self._lists:
            # One worker per tab: a slow or failing list holds up no other.
            self.run_worker(self._load_list(pane), group=pane, exclusive=True)

    def action_show_tab(self, pane: str) -> None:
        self.query_one(TabbedContent).active = pane
        self.query_one(f"#{pane} DataTable", DataTable).focus()

    @work(exclusive=True, group="details")
    async def _load(self) -> None:
        state = self.query_one("#details-state", Static)
        state.update(Text("Loading…"))
        try:
            call = await self._gateway.fetch(self._call.sid)
        except GatewayError as error:
            state.update(Text(f"Could not load: {clean(error.summary(), 300)}", style="bold red"))
            return
        self._show(call)
        state.update(Text(f"Fetched {self._clock().astimezone():%H:%M:%S}", style="dim"))

    async def _load_list(self, pane: str) -> None:
        spec = self._lists[pane]
        widget = self.query_one(f"#list-{spec.name}", RecordList)
        tab = self.query_one(TabbedContent).get_tab(pane)
        title = dict(TABS)[pane]
        widget.loading()
        tab.label = Text(f"{title} …")
        try:
            items = await spec.fetch(self._call.sid)
        except GatewayError as error:
            widget.failed(error)
            tab.label = Text(f"{title} (!)", style="red")
            return
        widget.show(spec.rows(items, self._clock()))
        tab.label = Text(f"{title} ({len(items)})", style="bold red" if spec.alarming(items) else "")

    # -- for the app's help screen and command palette ------------------------------------------------

    @staticmethod
    def key_help() -> list[tuple[str, str]]:
        return [("1-5", "details: " + ", ".join(title for _, title in TABS)), ("F5", "details: reload")]

    def commands(self) -> Iterable[SystemCommand]:
        for n, (pane, title) in enumerate(TABS, 1):
            yield SystemCommand(
                f"Details: {title}",
                f"Show the {title} tab ({n})",
                lambda pane=pane: self.action_show_tab(pane),
            )
        yield SystemCommand("Details: Reload", "Fetch the call and every tab again (F5)", self.action_reload)
