"""The call table's columns: which cells a call shows, how wide each column is, and fitting text to a width.

Pure functions, no Textual: cell text is measured in terminal cells (`rich.cells`), so wide, emoji and
combining characters never push a column out of line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.cells import cell_len, set_cell_size

from calltui.domain.call import Call, format_elapsed, format_local
from calltui.domain.text import clean

COLUMN_KEYS: tuple[str, ...] = ("status", "direction", "from", "to", "started", "duration", "sid")
LABELS: dict[str, str] = {
    "status": "STATUS",
    "direction": "DIRECTION",
    "from": "FROM",
    "to": "TO",
    "started": "STARTED",
    "duration": "DURATION",
    "sid": "CALL SID",
}
MISSING = "—"
ELLIPSIS = "…"
GAP = 1
"""Blank cells between two columns."""

SID_FULL = 34
SID_SHORT = 11  # CA12ab…89ef
_TEXT_LIMIT = 256

# (minimum width, comfortable width) per column; from/to may grow further, up to _PARTY_MAX.
_STATUS = 11  # "in-progress"
_DIRECTION = (8, 13)  # "outbound-dial" needs 13; narrower, every direction takes its short form
SHORT_DIRECTIONS = {"outbound-api": "out-api", "outbound-dial": "out-dial"}
"""Narrow screens: a whole short word beats `outbound…`, which cannot tell api from dial, and the cells
saved keep phone numbers whole."""
SHORT_LABELS = {"direction": "DIR"}
"""A label for a column narrower than its long one."""
_PARTY = (8, 20)
_PARTY_MAX = 40
_CLOCK = 8  # HH:MM:SS
_DURATION = 8  # "DURATION", and up to 99:59:59


def safe_text(value: object) -> str:
    return clean(value, limit=_TEXT_LIMIT)


def fit(text: str, width: int, *, right: bool = False) -> str:
    """`text` as exactly `width` terminal cells: padded, or cut with an ellipsis."""
    if width <= 0:
        return ""
    length = cell_len(text)
    if length > width:
        # set_cell_size never splits a wide character: it pads with a space instead.
        return set_cell_size(text, width - 1) + ELLIPSIS
    padding = " " * (width - length)
    return padding + text if right else text + padding


def short_sid(sid: str) -> str:
    """`CA12ab…89ef`: enough of both ends to tell calls apart on a narrow screen."""
    return sid if cell_len(sid) <= SID_SHORT else f"{sid[:6]}{ELLIPSIS}{sid[-4:]}"


def clock_text(moment: datetime | None, tz: tzinfo | None) -> str:
    """`HH:MM:SS` in `tz` (None: the machine's local zone); an em dash when unknown or unrepresentable."""
    text = None if moment is None else format_local(moment, "%H:%M:%S", tz)
    return MISSING if text is None else text


def started_at(call: Call) -> datetime | None:
    """When the call began, or when it was created if it has not started (queued calls)."""
    return call.start_time or call.date_created


@dataclass(frozen=True, slots=True)
class RowTexts:
    """A call's cell texts, cleaned and whole (not yet fitted to a column)."""

    status: str
    direction: str
    from_: str
    to: str
    started: str
    sid: str
    haystack: str
    """What the filter searches: the shown texts plus the caller name, case-folded."""

    @classmethod
    def of(cls, call: Call, tz: tzinfo | None) -> RowTexts:
        status = safe_text(call.status) or MISSING
        direction = safe_text(call.direction) or MISSING
        from_ = safe_text(call.from_ if call.from_ is not None else call.from_formatted) or MISSING
        to = safe_text(call.to if call.to is not None else call.to_formatted) or MISSING
        sid = safe_text(call.sid)
        haystack = "\0".join((status, direction, from_, to, sid, safe_text(call.caller_name))).casefold()
        return cls(status, direction, from_, to, clock_text(started_at(call), tz), sid, haystack)


@dataclass(frozen=True, slots=True)
class Layout:
    """Column widths for one table width. Columns are laid out left to right, `GAP` cells apart."""

    width: int
    widths: dict[str, int]

    @property
    def full_sid(self) -> bool:
        return self.widths["sid"] >= SID_FULL

    @property
    def total(self) -> int:
        """Cells the columns need; more than `width` only when the table is too narrow for them."""
        return sum(self.widths.values()) + GAP * (len(self.widths) - 1)

    def offset(self, key: str) -> int:
        """First cell of column `key`."""
        x = 0
        for column in COLUMN_KEYS:
            if column == key:
                return x
            x += self.widths[column] + GAP
        raise KeyError(key)

    def column_at(self, x: int) -> str | None:
        """The column under cell `x` (a gap belongs to the column on its left)."""
        start = 0
        for column in COLUMN_KEYS:
            start += self.widths[column] + GAP
            if x < start:
                return column
        return None


def layout_for(width: int) -> Layout:
    """Share `width` cells between the columns: fixed ones first, then from/to, direction, full SIDs."""
    widths = {
        "status": _STATUS,
        "direction": _DIRECTION[0],
        "from": _PARTY[0],
        "to": _PARTY[0],
        "started": _CLOCK,
        "duration": _DURATION,
        "sid": SID_SHORT,
    }
    spare = width - (sum(widths.values()) + GAP * (len(widths) - 1))

    def grow(key: str, upto: int) -> None:
        nonlocal spare
        extra = max(0, min(spare, upto - widths[key]))
        widths[key] += extra
        spare -= extra

    # Most space goes to the parties (numbers are the first thing an engineer reads) ...
    while spare > 0 and (widths["from"] < _PARTY[1] or widths["to"] < _PARTY[1]):
        for key in ("from", "to"):
            grow(key, min(widths[key] + 1, _PARTY[1]))
    grow("direction", _DIRECTION[1])
    # ... a SID is useful only whole or as the short form, never cut in the middle.
    if spare >= SID_FULL - SID_SHORT:
        grow("sid", SID_FULL)
    while spare > 0 and (widths["from"] < _PARTY_MAX or widths["to"] < _PARTY_MAX):
        for key in ("from", "to"):
            grow(key, min(widths[key] + 1, _PARTY_MAX))
    return Layout(width, widths)


@dataclass(frozen=True, slots=True)
class RowCells:
    """A row fitted to a layout, split where the styles differ (status colour, live duration)."""

    status: str
    middle: str
    """Gap + direction, from, to, started + gap: everything between status and duration."""
    tail: str
    """Gap + SID + padding up to the layout's width."""


def row_cells(texts: RowTexts, layout: Layout) -> RowCells:
    w = layout.widths
    gap = " " * GAP
    direction = texts.direction
    if w["direction"] < _DIRECTION[1]:
        direction = SHORT_DIRECTIONS.get(direction, direction)
    middle = gap.join(
        (
            "",
            fit(direction, w["direction"]),
            fit(texts.from_, w["from"]),
            fit(texts.to, w["to"]),
            fit(texts.started, w["started"]),
            "",
        )
    )
    sid = texts.sid if layout.full_sid else short_sid(texts.sid)
    tail = gap + fit(sid, w["sid"]) + " " * max(0, layout.width - layout.total)
    return RowCells(fit(texts.status, w["status"]), middle, tail)


def duration_cell(call: Call, now: datetime, layout: Layout) -> str:
    """The live duration, right-aligned: computed at paint time because it changes every second."""
    try:
        text = format_elapsed(call.elapsed(now))
    except (TypeError, OverflowError, ValueError):  # a date Twilio sent that `now` cannot be compared with
        text = MISSING
    return fit(text, layout.widths["duration"], right=True)


def label_for(key: str, layout: Layout) -> str:
    """The column's label, or its short form when the column is narrower than the label."""
    label = LABELS[key]
    return SHORT_LABELS.get(key, label) if cell_len(label) > layout.widths[key] else label


def header_text(layout: Layout, sort_key: str, descending: bool) -> str:
    """The header row: labels, the sort column marked ▼ (descending) or ▲, padded to the layout's width.

    The arrow goes beside the label (before a right-aligned one); when the label fills its column, it takes
    the blank gap on the column's left, so the label stays whole."""
    text = ""
    for n, key in enumerate(COLUMN_KEYS):
        width, label, right = layout.widths[key], label_for(key, layout), key == "duration"
        gap = " " * GAP if n else ""
        if key == sort_key:
            arrow = "▼" if descending else "▲"
            if cell_len(label) < width:
                label = arrow + label if right else label + arrow
            elif gap:
                gap = gap[:-1] + arrow
            else:  # the first column, too narrow: cut the label, never the arrow that tells the order
                label = set_cell_size(label, width - 1) + arrow
        text += gap + fit(label, width, right=right)
    return text + " " * max(0, layout.width - layout.total)
