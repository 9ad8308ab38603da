"""`CallTable`: the live call table, drawn line by line so a poll costs what changed, not what exists.

Textual's Line API (`ScrollView.render_line`) paints only the rows on screen; the rows themselves live in
a `RowModel` (by SID, plus a sorted display order). A poll diff repaints only the screen lines whose row
changed, and the cursor stays on its call like htop's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from calltui.domain.call import ENDED_STATUSES, Call, utcnow
from calltui.domain.diff import PollDiff
from calltui.ui.widgets.call_columns import (
    COLUMN_KEYS,
    Layout,
    RowCells,
    duration_cell,
    fit,
    header_text,
    layout_for,
    row_cells,
)
from calltui.ui.widgets.call_rows import RowModel, follow

_STATUS_CLASSES = {
    "queued": "call-table--status-queued",
    "ringing": "call-table--status-ringing",
    "in-progress": "call-table--status-in-progress",
    **dict.fromkeys(ENDED_STATUSES, "call-table--status-ended"),
}
MARK = "● "
"""The mark column: shown only while some call is marked, so an unmarked table keeps every cell."""
NO_MARK = " " * len(MARK)


class _Paint:
    """What every line of one paint shares: layout, scroll position, styles."""

    def __init__(
        self,
        layout: Layout,
        top: int,
        base: Style,
        header_style: Style,
        header_text: str,
        component_style: Callable[[str], Style],
        gutter: int = 0,
    ) -> None:
        self.layout = layout
        self.top = top
        self.base = base
        self.gutter = gutter
        self.blank = Strip.blank(layout.width + gutter, base)
        self.header = self.strip([Segment(" " * gutter + header_text, header_style)])
        self._component_style = component_style
        self._styles: dict[tuple[str | None, bool, bool, bool, bool], tuple[Style, Style]] = {}

    def styles(
        self,
        status_class: str | None,
        *,
        lingering: bool,
        cursor: bool,
        alert: bool = False,
        marked: bool = False,
    ) -> tuple[Style, Style]:
        """(row style, status cell style): alert, status colour, then dimming, the mark, the cursor."""
        key = (status_class, lingering, cursor, alert, marked)
        found = self._styles.get(key)
        if found is None:
            row = self.base
            status = row + self._component_style(status_class) if status_class else row
            if alert:  # the alert's background and weight cover the row; the status keeps its colour
                extra = self._component_style("call-table--alert")
                row, status = row + extra, status + Style(bgcolor=extra.bgcolor, bold=extra.bold)
            for component, wanted in (
                ("call-table--lingering", lingering),
                ("call-table--marked", marked),
                ("call-table--cursor", cursor),
            ):
                if wanted:
                    extra = self._component_style(component)
                    row, status = row + extra, status + extra
            found = self._styles[key] = (row, status)
        return found

    def strip(self, segments: list[Segment]) -> Strip:
        layout, gutter = self.layout, self.gutter
        strip = Strip(segments, gutter + max(layout.total, layout.width))
        # Narrower than the columns need: cut at the right edge rather than squeeze every column.
        return strip.crop(0, gutter + layout.width) if layout.total > layout.width else strip


class CallTable(ScrollView, can_focus=True):
    """The live call table: a fixed header row, then one row per call, the highlighted call tracked by SID."""

    ALLOW_SELECT = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Highlight the call above", show=False),
        Binding("down", "cursor_down", "Highlight the call below", show=False),
        Binding("pageup", "page_up", "One screen up", show=False),
        Binding("pagedown", "page_down", "One screen down", show=False),
        Binding("home,g", "first", "First call", show=False),
        Binding("end,G", "last", "Last call", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "call-table--header",
        "call-table--cursor",
        "call-table--lingering",
        "call-table--alert",
        "call-table--marked",
        *_STATUS_CLASSES.values(),
    }

    DEFAULT_CSS = """
    CallTable {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        background: $surface;
        color: $foreground;
        & > .call-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .call-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .call-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .call-table--status-queued { color: $warning; }
        & > .call-table--status-ringing { color: $accent; }
        & > .call-table--status-in-progress { color: $success; }
        & > .call-table--status-ended { color: $text-muted; }
        & > .call-table--lingering {
            color: $text-disabled;
            text-style: dim;
        }
        & > .call-table--alert {
            background: $error 35%;
            text-style: bold;
        }
        & > .call-table--marked {
            background: $secondary 35%;
            text-style: bold;
        }
    }
    """

    class Highlighted(Message):
        """The highlighted call changed (`sid` is None when the table became empty)."""

        def __init__(self, sid: str | None, call_table: CallTable) -> None:
            super().__init__()
            self.sid = sid
            self.call_table = call_table

        @property
        def control(self) -> CallTable:
            return self.call_table

    class MarksChanged(Message):
        """Calls were marked or unmarked (by a key, or because marked calls left the table)."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    def __init__(
        self,
        *,
        linger: float = 5.0,
        tz: tzinfo | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """`linger`: seconds an ended or vanished call stays (dimmed). `tz`: zone for start times
        (None: the machine's local zone)."""
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._rows = RowModel(linger=linger, tz=tz)
        self._now = utcnow()  # only a default until the app's first tick/apply says what time it is
        self._cursor_sid: str | None = None
        self._cursor_index = 0
        self._layout: Layout | None = None
        self._cells: dict[str, RowCells] = {}  # fitted to `_layout`; a row's entry goes when it changes
        self._anchoring = False
        self._paint: _Paint | None = None
        self._badges: dict[str, str] = {}  # by SID: a mark before the status (✓ verified, ✗ not)
        self._alerts: frozenset[str] = frozenset()

    # --- what the app reads ------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        """Rows shown (after the filter), lingering rows included."""
        return len(self._rows)

    @property
    def visible_sids(self) -> list[str]:
        """Every shown SID in display order (not only those on screen)."""
        return self._rows.sids()

    @property
    def highlighted_sid(self) -> str | None:
        return self._cursor_sid

    @property
    def highlighted_call(self) -> Call | None:
        return None if self._cursor_sid is None else self._rows.get(self._cursor_sid)

    @property
    def filter_text(self) -> str:
        return self._rows.filter_text

    @property
    def sort_column(self) -> str:
        return self._rows.sort_column

    @property
    def sort_descending(self) -> bool:
        return self._rows.descending

    def get_call(self, sid: str) -> Call | None:
        """The table's record of `sid` (shown, filtered out or lingering), None if unknown."""
        return self._rows.get(sid)

    def counts_by_status(self) -> dict[str, int]:
        """Rows by status, lingering rows excluded (a missing status counts under "")."""
        return self._rows.counts()

    def lingering(self, sid: str) -> bool:
        """Whether `sid` has ended or vanished and is only waiting to be dropped."""
        return self._rows.is_lingering(sid)

    def current_calls(self) -> Iterator[Call]:
        """Every call not lingering, shown or filtered out (what alert rules look at)."""
        return self._rows.current()

    def current_calls_copy(self) -> list[Call]:
        """`current_calls` for a worker thread (see `RowModel.current_copy`)."""
        return self._rows.current_copy()

    @property
    def alert_sids(self) -> frozenset[str]:
        """Rows highlighted as alerting."""
        return self._alerts

    # --- marks (bulk actions) ----------------------------------------------------------------

    @property
    def marked_count(self) -> int:
        return self._rows.marked_count

    def marked_sids(self) -> list[str]:
        """Marked SIDs: shown ones in display order, then those the filter hides."""
        return self._rows.marked()

    def is_marked(self, sid: str) -> bool:
        return self._rows.is_marked(sid)

    def is_shown(self, sid: str) -> bool:
        """Whether the filter shows `sid` now."""
        return self._rows.index_of(sid) is not None

    def toggle_mark(self) -> None:
        """Mark or unmark the highlighted call, then highlight the next one (like mutt's tag)."""
        if self._cursor_sid is None:
            return
        with self._marks_changing():
            self._rows.toggle_mark(self._cursor_sid)
            self.refresh_lines(self._cursor_index + 1)
        self._move_cursor(self._cursor_index + 1)

    def mark_shown(self) -> None:
        """Mark every row the filter shows."""
        with self._marks_changing():
            self._rows.mark_shown()
            self.refresh()

    def clear_marks(self) -> None:
        with self._marks_changing():
            self._rows.clear_marks()
            self.refresh()

    @contextmanager
    def _marks_changing(self) -> Iterator[None]:
        """Around anything that may change the marks: the mark column comes or goes with the first or
        last mark (a full repaint), and the app hears of any change in the count."""
        before = self._rows.marked_count
        yield
        after = self._rows.marked_count
        if bool(before) != bool(after):
            self.refresh()
        if before != after:
            self.post_message(self.MarksChanged(after))

    # --- what the app changes ----------------------------------------------------------------

    def set_calls(
        self, calls: Iterable[Call], now: datetime | None = None, *, ended_view: bool = False
    ) -> None:
        """Replace every row: first fill or view switch. `ended_view`: ended calls are the point of the
        view (recent calls), so they stay instead of lingering. The cursor keeps its call if present."""
        if now is not None:
            self._now = now
        self._rows.keep_ended = ended_view
        with self._marks_changing():
            self._rows.set_calls(calls, self._now)
        self._cells.clear()
        self._settle_all()

    def rows_for(self, calls: Iterable[Call], now: datetime, *, ended_view: bool = False) -> RowModel:
        """The rows `set_calls` would show, built apart: a thread may build them (sorting every call) and
        the loop show them with `take_rows`."""
        return self._rows.like(calls, now, keep_ended=ended_view)

    def take_rows(self, rows: RowModel, now: datetime) -> None:
        """Show rows from `rows_for` in place of every row: what `set_calls` does, without the sort."""
        self._now = now
        with self._marks_changing():
            rows.adopt(self._rows)
            self._rows = rows
        self._cells.clear()
        self._settle_all()

    def apply(self, diff: PollDiff, now: datetime) -> None:
        """Apply one poll's diff; repaints only screen lines whose row changed."""
        self._now = now
        top, height = self._top(), self._body_height()
        before = self._rows.window(top, height)
        with self._marks_changing():
            change = self._rows.apply(diff, now)
        self._forget_cells(change.touched)
        self._settle(before, top, change.touched, reordered=change.reordered)

    def expire(self, now: datetime) -> set[str]:
        """Drop lingering rows whose time is up (the app calls this on its tick); returns their SIDs."""
        top, height = self._top(), self._body_height()
        before = self._rows.window(top, height)
        with self._marks_changing():
            gone = self._rows.expire(now)
        if gone:
            self._forget_cells(gone)
            self._settle(before, top, gone, reordered=True)
        return gone

    def tick(self, now: datetime) -> None:
        """The clock moved: expire lingering rows and repaint the rows on screen (live durations)."""
        self._now = now
        self.expire(now)
        # Only durations move: repainting just that column keeps the terminal output small (think SSH).
        layout = self._current_layout()
        x, width = self._gutter() + layout.offset("duration"), layout.widths["duration"]
        self.refresh(Region(x, 1, width, self._body_height()))

    def set_alerts(self, sids: Iterable[str]) -> None:
        """Highlight exactly these rows as alerting; repaints only on-screen rows whose state changed."""
        alerts = frozenset(sids)
        changed = alerts ^ self._alerts
        self._alerts = alerts
        if not changed or not self.is_mounted:
            return
        top, height, width = self._top(), self._body_height(), self.size.width
        if len(changed) > height:  # many changed: cheaper to look at the rows on screen
            lines = [line for line, sid in enumerate(self._rows.window(top, height)) if sid in changed]
        else:
            indexes = (self._rows.index_of(sid) for sid in changed)
            lines = [i - top for i in indexes if i is not None and top <= i < top + height]
        for line in lines:
            self.refresh(Region(0, line + 1, width, 1))  # +1: below the header

    def set_filter(self, text: str) -> None:
        """Show only rows containing `text` (case-insensitive) in a shown cell or the caller name."""
        if self._rows.set_filter(text):
            self._settle_all()

    def sort_by(self, column: str) -> None:
        """Sort by a column key (see `call_columns.COLUMN_KEYS`); again on the same column flips the order."""
        self._rows.sort_by(column)
        self._settle_all()

    def cycle_sort(self) -> None:
        """Sort by the next column (left to right, wrapping), in that column's default direction."""
        columns = list(COLUMN_KEYS)
        self.sort_by(columns[(columns.index(self._rows.sort_column) + 1) % len(columns)])

    def reverse_sort(self) -> None:
        """Flip the current sort direction."""
        self.sort_by(self._rows.sort_column)

    def key_help(self) -> list[tuple[str, str]]:
        """(keys, what they do) for the help screen."""
        keys = [(b.key.replace(",", "/"), b.description) for b in self.BINDINGS if isinstance(b, Binding)]
        return [*keys, ("click", "Highlight a call; on the header, sort by that column")]

    def badge(self, sid: str) -> str | None:
        return self._badges.get(sid)

    def set_badge(self, sid: str, badge: str | None) -> None:
        """Show `badge` (one cell, e.g. ✓) before the call's status, in the status column; None removes it.
        Only that row is refitted and repainted."""
        if badge is None:
            self._badges.pop(sid, None)
        else:
            self._badges[sid] = badge
        self._cells.pop(sid, None)
        index = self._rows.index_of(sid)
        if index is not None and self.is_mounted:
            self.refresh_lines(index + 1)  # +1: the header is virtual line 0

    def move_cursor_to(self, sid: str) -> bool:
        """Highlight `sid` and scroll it into view; False if it is not shown."""
        index = self._rows.index_of(sid)
        if index is None:
            return False
        self._move_cursor(index)
        return True

    # --- keys and mouse ----------------------------------------------------------------------

    def on_mount(self) -> None:
        self._settle_all()  # rows may have been set before the table was mounted

    def on_resize(self) -> None:
        self._move_cursor(self._cursor_index)  # a shorter terminal must not hide the highlighted call

    def action_cursor_up(self) -> None:
        self._move_cursor(self._cursor_index - 1)

    def action_cursor_down(self) -> None:
        self._move_cursor(self._cursor_index + 1)

    def action_page_up(self) -> None:
        self._move_cursor(self._cursor_index - self._body_height(), scroll_by=-self._body_height())

    def action_page_down(self) -> None:
        self._move_cursor(self._cursor_index + self._body_height(), scroll_by=self._body_height())

    def action_first(self) -> None:
        self._move_cursor(0)

    def action_last(self) -> None:
        self._move_cursor(len(self._rows) - 1)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:  # the header: sort by the clicked column
            column = self._current_layout().column_at(offset.x - self._gutter())
            if column is not None:
                self.sort_by(column)
            return
        index = self._top() + offset.y - 1
        if 0 <= index < len(self._rows):
            self._move_cursor(index)

    # --- painting ----------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # Styles and geometry are the same for every line of a paint: look them up once, not per line
        # (`rich_style` alone walks every ancestor's styles).
        self._paint = self._paint_context()
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def render_line(self, y: int) -> Strip:
        paint = self._paint or self._paint_context()
        if y == 0:
            return paint.header
        index = paint.top + y - 1
        if not 0 <= index < len(self._rows):
            return paint.blank
        sid = self._rows.sid_at(index)
        call = self._rows.get(sid)
        assert call is not None  # the display order only holds known SIDs
        cells = self._cells.get(sid)
        if cells is None:
            cells = self._cells[sid] = self._fit_row(sid, paint.layout)
        marked = self._rows.is_marked(sid)
        row_style, status_style = paint.styles(
            _STATUS_CLASSES.get(call.status or ""),
            lingering=self._rows.is_lingering(sid),
            cursor=index == self._cursor_index,
            alert=sid in self._alerts,
            marked=marked,
        )
        segments = [
            *([Segment(MARK if marked else NO_MARK, row_style)] if paint.gutter else []),
            Segment(cells.status, status_style),
            Segment(cells.middle, row_style),
            Segment(duration_cell(call, self._now, paint.layout), row_style),
            Segment(cells.tail, row_style),
        ]
        return paint.strip(segments)

    def _fit_row(self, sid: str, layout: Layout) -> RowCells:
        texts = self._rows.texts(sid)
        cells = row_cells(texts, layout)
        badge = self._badges.get(sid)
        if badge is None:
            return cells
        return replace(cells, status=fit(f"{badge} {texts.status}", layout.widths["status"]))

    def _paint_context(self) -> _Paint:
        layout = self._current_layout()
        header = header_text(layout, self._rows.sort_column, self._rows.descending)
        return _Paint(
            layout,
            self._top(),
            self.rich_style,
            self.get_component_rich_style("call-table--header"),
            header,
            self.get_component_rich_style,
            self._gutter(),
        )

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        if self._anchoring:
            # Re-anchoring after a diff moves rows and scroll offset together: the lines that really
            # changed are repainted one by one, so skip ScrollView's repaint of the whole widget.
            if self.show_vertical_scrollbar:
                self.vertical_scrollbar.position = new_value
            return
        super().watch_scroll_y(old_value, new_value)

    # --- internals -----------------------------------------------------------------------------

    def _gutter(self) -> int:
        """Cells the mark column takes: none until some call is marked."""
        return len(MARK) if self._rows.marked_count else 0

    def _current_layout(self) -> Layout:
        width = max(0, self.scrollable_content_region.width - self._gutter())
        if self._layout is None or self._layout.width != width:
            self._layout = layout_for(width)
            self._cells.clear()
        return self._layout

    def _top(self) -> int:
        """Display index of the first row on screen."""
        return self.scroll_offset.y

    def _body_height(self) -> int:
        """Rows on screen (the header takes one line)."""
        return max(1, self.scrollable_content_region.height - 1)

    def _forget_cells(self, sids: Iterable[str]) -> None:
        for sid in sids:
            self._cells.pop(sid, None)

    def _set_cursor(self, sid: str | None, index: int) -> None:
        self._cursor_index = index
        if sid != self._cursor_sid:
            self._cursor_sid = sid
            self.post_message(self.Highlighted(sid, self))

    def _move_cursor(self, index: int, *, scroll_by: int = 0) -> None:
        """Highlight display `index` (clamped) and scroll just enough to show it."""
        if not len(self._rows):
            return
        index = min(max(index, 0), len(self._rows) - 1)
        old_index = self._cursor_index
        self._set_cursor(self._rows.sid_at(index), index)
        if not self.is_mounted:
            return  # on_mount scrolls to the cursor
        top, height = self._top() + scroll_by, self._body_height()
        if index < top:
            top = index
        elif index >= top + height:
            top = index - height + 1
        if top != self._top():
            self.scroll_to(y=top, animate=False, force=True)  # repaints the whole widget
        else:
            self.refresh_lines(old_index + 1)  # +1: the header is virtual line 0
            self.refresh_lines(index + 1)

    def _settle(self, before: list[str], top: int, touched: set[str], *, reordered: bool) -> None:
        """After rows changed: keep the cursor on its call, then repaint only the lines that differ.

        A line differs when it shows another row or its row was touched. The cursor needs no line of its
        own: it only changes row when its call left, and then the line it lands on shows another row or
        the scroll position moved.
        """
        if not self.is_mounted:
            return  # on_mount settles everything
        height = self._body_height()
        if reordered:
            sid, index, new_top = follow(self._rows, self._cursor_sid, self._cursor_index, top, height)
            self._resize_rows()
            self._anchoring = True
            try:
                self.scroll_to(y=new_top, animate=False, force=True)
            finally:
                self._anchoring = False
            self._set_cursor(sid, index)
        after = self._rows.window(self._top(), height)
        width = self.size.width
        for line in range(max(len(before), len(after))):
            if (
                line >= len(before)
                or line >= len(after)
                or before[line] != after[line]
                or after[line] in touched
            ):
                self.refresh(Region(0, line + 1, width, 1))  # +1: below the header

    def _resize_rows(self) -> None:
        """Tell the scrolling machinery how many lines there are: the header plus one per row."""
        size = Size(0, len(self._rows) + 1)
        if size == self.virtual_size:
            return
        if self.show_vertical_scrollbar and size.height > self.container_size.height:
            # The scrollbar stays, so only it needs to know. Assigning `virtual_size` would lay out and
            # repaint the whole screen (~15 ms at 10,000 rows) on every poll, to find nothing moved.
            self.set_reactive(CallTable.virtual_size, size)
            self.vertical_scrollbar.window_virtual_size = size.height
        else:
            self.virtual_size = size  # the scrollbar appears or goes: the width changes, lay out

    def _settle_all(self) -> None:
        """After a change that reorders everything (fill, filter, sort): re-anchor and repaint all."""
        sid, index, top = follow(
            self._rows, self._cursor_sid, self._cursor_index, self._top(), self._body_height()
        )
        self._set_cursor(sid, index)
        if self.is_mounted:
            self._resize_rows()
            self.scroll_to(y=top, animate=False, force=True)
            self.refresh()
