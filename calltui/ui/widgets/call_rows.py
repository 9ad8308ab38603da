"""The call table's row model: calls by SID, their display order (filter + sort), lingering ended calls.

Pure bookkeeping, no Textual. Costs are what keep the table live at 50,000 calls:
- a poll diff costs O(changed · log rows), never a pass over every row (the display order is a
  `SortedBlocks` of sort keys: a row that moves is taken out and put back, one block touched each);
- looking up the call at a display index, or the index of a call, is O(log rows).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from itertools import chain

from calltui.domain.call import ALL_STATUSES, ENDED_STATUSES, Call
from calltui.domain.diff import PollDiff
from calltui.ui.widgets.call_columns import COLUMN_KEYS, RowTexts, safe_text, started_at
from calltui.ui.widgets.sorted_blocks import LOAD, SortedBlocks

DEFAULT_SORT = "started"
_STATUS_RANK = {status: rank for rank, status in enumerate(ALL_STATUSES)}
SortKey = tuple[int, object, str]
"""(rank, value, SID): the SID last, so keys are unique and a key names its row."""


@dataclass(slots=True)
class Change:
    """What a model update did, so the widget repaints only what it must."""

    touched: set[str] = field(default_factory=set)
    """Rows whose content or look changed (including starting or ending to linger)."""
    reordered: bool = False
    """Rows entered, left or moved within the display order."""


def _timestamp(moment: datetime | None) -> float | None:
    if moment is None:
        return None
    try:
        return moment.timestamp()
    except (OverflowError, ValueError, OSError):
        return None


def sort_value(call: Call, column: str) -> object:
    """What `column` sorts `call` by (None: unknown). Values of one column compare with each other."""
    if column == "started":
        return _timestamp(started_at(call))
    if column == "duration":
        if call.status in ENDED_STATUSES and call.duration is not None:
            return (0, float(call.duration))
        began = _timestamp(started_at(call))
        # A live call's duration grows every second: ordering live calls by start keeps the order
        # stable between polls (later start = shorter); they sort after calls with a final duration.
        return None if began is None else (1, -began)
    if column == "status":
        if call.status is None:
            return None
        return (_STATUS_RANK.get(call.status, len(_STATUS_RANK)), safe_text(call.status))
    raw = {"direction": call.direction, "from": call.from_, "to": call.to, "sid": call.sid}[column]
    return None if raw is None else safe_text(raw).casefold()


class RowModel:
    """Calls by SID and the order the table shows them in.

    The order is kept ascending by sort key in `_order` (the keys themselves, each ending with its SID);
    a descending table reads it back to front, so both directions share one sorted sequence.
    """

    def __init__(self, *, linger: float = 5.0, tz: tzinfo | None = None) -> None:
        self.linger = timedelta(seconds=max(0.0, linger))
        self.keep_ended = False
        """Recent-calls view: ended calls are what is shown, so they stay instead of lingering."""
        self.tz = tz
        self.sort_column = DEFAULT_SORT
        self.descending = True  # newest first, like Twilio's own list order
        self.filter_text = ""
        self._needle = ""
        self._calls: dict[str, Call] = {}
        self._keys: dict[str, SortKey] = {}
        self._texts: dict[str, RowTexts] = {}  # filled lazily: only shown or filtered rows need text
        self._order: SortedBlocks[SortKey] = SortedBlocks()
        self._shown: set[str] = set()
        self._linger_until: dict[str, datetime] = {}
        self._counts: Counter[str] = Counter()
        self._marked: set[str] = set()  # by SID, so a mark stays with its call while rows move

    # --- reading -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._order)

    def get(self, sid: str) -> Call | None:
        return self._calls.get(sid)

    def sid_at(self, index: int) -> str:
        """The SID at display `index` (0 = top). Raises IndexError outside 0..len-1."""
        n = len(self._order)
        if not 0 <= index < n:
            raise IndexError(index)
        return self._order[n - 1 - index if self.descending else index][2]

    def index_of(self, sid: str) -> int | None:
        """Display index of `sid`, None when it is not shown (unknown or filtered out)."""
        if sid not in self._shown:
            return None
        i = self._order.index(self._keys[sid])
        return len(self._order) - 1 - i if self.descending else i

    def window(self, start: int, count: int) -> list[str]:
        """SIDs at display indexes start..start+count-1 (fewer at the end)."""
        n = len(self._order)
        start = max(0, start)
        stop = min(n, start + max(0, count))
        if start >= stop:
            return []
        if self.descending:
            return [key[2] for key in reversed(self._order.slice(n - stop, n - start))]
        return [key[2] for key in self._order.slice(start, stop)]

    def sids(self) -> list[str]:
        """Every shown SID in display order."""
        ascending = [key[2] for key in self._order]
        return ascending[::-1] if self.descending else ascending

    def texts(self, sid: str) -> RowTexts:
        texts = self._texts.get(sid)
        if texts is None:
            texts = self._texts[sid] = RowTexts.of(self._calls[sid], self.tz)
        return texts

    def is_lingering(self, sid: str) -> bool:
        return sid in self._linger_until

    def counts(self) -> dict[str, int]:
        """Rows by status, lingering rows excluded (a missing status counts under "")."""
        return {status: n for status, n in self._counts.items() if n > 0}

    def current(self) -> Iterator[Call]:
        """Every call not lingering, shown or filtered out."""
        return (call for sid, call in self._calls.items() if sid not in self._linger_until)

    def current_copy(self) -> list[Call]:
        """`current`, from a worker thread while the loop changes the rows: each map is copied in one C
        call, which holds the interpreter lock throughout (the loop cannot change it meanwhile), and the
        copies are gone through after. A copy costs 3-17 ms at 50,000 calls: the loop does not take it."""
        calls, lingering = self._calls.copy(), set(self._linger_until)
        return [call for sid, call in calls.items() if sid not in lingering]

    # --- marks (bulk actions) ------------------------------------------------------------------

    @property
    def marked_count(self) -> int:
        return len(self._marked)

    def is_marked(self, sid: str) -> bool:
        return sid in self._marked

    def marked(self) -> list[str]:
        """Marked SIDs: shown ones in display order, then those the filter hides (by SID)."""
        shown = sorted((self.index_of(sid), sid) for sid in self._marked if sid in self._shown)
        hidden = sorted(sid for sid in self._marked if sid not in self._shown)
        return [sid for _, sid in shown] + hidden

    def toggle_mark(self, sid: str) -> bool:
        """Mark or unmark a known call; returns whether it is marked now."""
        if sid in self._marked:
            self._marked.discard(sid)
            return False
        if sid in self._calls:
            self._marked.add(sid)
        return sid in self._marked

    def mark_shown(self) -> None:
        """Mark every row the filter shows (O(shown): a keypress, not a poll)."""
        self._marked.update(key[2] for key in self._order)

    def clear_marks(self) -> None:
        self._marked.clear()

    # --- building apart ------------------------------------------------------------------------

    def like(self, calls: Iterable[Call], now: datetime, *, keep_ended: bool) -> RowModel:
        """A new model holding `calls`, sorted and filtered as this one is. It touches nothing of this
        model, so a thread can build it (sorting 10,000 calls) while this one is shown."""
        rows = RowModel(linger=self.linger.total_seconds(), tz=self.tz)
        rows.sort_column, rows.descending = self.sort_column, self.descending
        rows.filter_text, rows._needle = self.filter_text, self._needle
        rows.keep_ended = keep_ended
        rows.set_calls(calls, now)
        return rows

    def adopt(self, before: RowModel) -> None:
        """Take over `before`'s marks (those still known) and its sort and filter, if they changed since
        this model was built (`like`): then, and only then, it sorts again."""
        self._marked = before._marked & self._calls.keys()
        order = (before.sort_column, before.descending, before._needle)
        if order != (self.sort_column, self.descending, self._needle):
            self.sort_column, self.descending = before.sort_column, before.descending
            self.filter_text, self._needle = before.filter_text, before._needle
            self._resort()

    # --- updating ------------------------------------------------------------------------------

    def set_calls(self, calls: Iterable[Call], now: datetime) -> None:
        """Replace every row (first fill, view switch). Ended calls start to linger unless `keep_ended`."""
        self._calls = {call.sid: call for call in calls}
        self._marked &= self._calls.keys()
        self._texts.clear()
        self._linger_until.clear()
        self._counts.clear()
        for sid, call in self._calls.items():
            if self._ends(call):
                self._linger_until[sid] = now + self.linger
            else:
                self._counts[call.status or ""] += 1
        self._resort()

    def apply(self, diff: PollDiff, now: datetime) -> Change:
        """Apply one poll: new and changed calls take their place, removed calls start to linger."""
        change = Change()
        entering: set[str] = set()  # to put (back) in the display order (a set: a SID may come twice)
        until = now + self.linger
        for call in chain(diff.added, diff.changed):
            sid = call.sid
            self._count(sid, -1)  # the old record's status, if it was counted
            self._calls[sid] = call
            self._texts.pop(sid, None)
            change.touched.add(sid)
            if self._ends(call):
                self._linger_until.setdefault(sid, until)
            else:
                self._linger_until.pop(sid, None)  # removed earlier, seen again: a live row again
            self._count(sid, +1)
            key = self._key(call)
            if sid in self._shown:
                if key == self._keys[sid] and self._matches(sid):
                    continue  # stays where it is: only its line needs repainting
                self._take_out((sid,))  # under its old key
                change.reordered = True
            self._keys[sid] = key
            if self._matches(sid):
                entering.add(sid)
            else:
                entering.discard(sid)
        gone: set[str] = set()
        for sid in diff.removed:
            if sid not in self._calls or sid in self._linger_until:
                continue
            if self.linger:
                self._count(sid, -1)
                self._linger_until[sid] = until
                change.touched.add(sid)
            else:
                gone.add(sid)
        if gone:
            self._forget(gone)
            entering -= gone
            change.touched |= gone
            change.reordered = True
        if entering:
            change.reordered = True
            self._put_in(entering)
        return change

    def expire(self, now: datetime) -> set[str]:
        """Drop lingering rows whose time is up; returns their SIDs."""
        gone = {sid for sid, until in self._linger_until.items() if until <= now}
        self._forget(gone)
        return gone

    def set_filter(self, text: str) -> bool:
        """Show only rows whose texts contain `text` (case-insensitive). Returns whether anything changed."""
        self.filter_text = text
        needle = text.casefold()
        if needle == self._needle:
            return False
        self._needle = needle
        self._resort()
        return True

    def sort_by(self, column: str) -> None:
        """Sort by `column`; the same column again flips the direction. New columns start ascending,
        except start time, which starts newest first."""
        if column not in COLUMN_KEYS:
            raise KeyError(column)
        if column == self.sort_column:
            self.descending = not self.descending
        else:
            self.sort_column = column
            self.descending = column == DEFAULT_SORT
        self._resort()

    # --- internals -----------------------------------------------------------------------------

    def _ends(self, call: Call) -> bool:
        """Whether `call` should linger: it has definitely ended (an unknown status is not an end)."""
        return not self.keep_ended and call.status in ENDED_STATUSES

    def _count(self, sid: str, delta: int) -> None:
        if sid in self._calls and sid not in self._linger_until:
            self._counts[self._calls[sid].status or ""] += delta

    def _key(self, call: Call) -> SortKey:
        value = sort_value(call, self.sort_column)
        # Unknown values go to the bottom in both directions; the SID breaks ties, so keys are unique
        # and each key names exactly one row.
        # (None never meets a real value: they differ in rank, and tuples compare equal items first.)
        missing = value is None
        rank = int(missing) if not self.descending else int(not missing)
        return (rank, value, call.sid)

    def _matches(self, sid: str) -> bool:
        return not self._needle or self._needle in self.texts(sid).haystack

    def _forget(self, sids: set[str]) -> None:
        self._take_out(sids)
        for sid in sids:
            self._count(sid, -1)
            del self._calls[sid], self._keys[sid]
            self._texts.pop(sid, None)
            self._linger_until.pop(sid, None)
            self._marked.discard(sid)

    def _take_out(self, sids: Iterable[str]) -> None:
        """Take shown rows out of the display order, each under the key it was put in with."""
        for sid in sids:
            if sid in self._shown:
                self._order.remove(self._keys[sid])
                self._shown.discard(sid)

    def _put_in(self, sids: set[str]) -> None:
        """Show rows not shown yet, each under its current key."""
        self._shown |= sids
        keys = [self._keys[sid] for sid in sids]
        if len(keys) > max(LOAD, len(self._order) // 4):  # a fill: one sort beats placing each
            self._order = SortedBlocks(chain(self._order, keys))
        else:
            for key in keys:
                self._order.add(key)

    def _resort(self) -> None:
        """Recompute every key and the whole order (sort or filter changed, or all rows replaced)."""
        self._keys = {sid: self._key(call) for sid, call in self._calls.items()}
        self._order = SortedBlocks(self._keys[sid] for sid in self._calls if self._matches(sid))
        self._shown = {key[2] for key in self._order}


def follow(rows: RowModel, sid: str | None, index: int, top: int, height: int) -> tuple[str | None, int, int]:
    """Where the cursor and the scroll top go after the rows changed: `(sid, index, top)`.

    The cursor keeps its call and that call keeps its screen row (like htop), so rows arriving or
    leaving above it do not shift what the engineer is looking at. At the head of the list the view
    stays at the head while the cursor's call is still on screen, so new calls come into view. If its
    call is no longer shown, the cursor takes the row now at its old index. `height` is the number of
    rows on screen.
    """
    n = len(rows)
    if n == 0:
        return None, 0, 0
    found = rows.index_of(sid) if sid is not None else None
    if found is None:
        found = min(max(index, 0), n - 1)
    elif top > 0 or found >= height:
        top += found - index
    top = min(max(top, 0), max(0, n - max(1, height)))
    return rows.sid_at(found), found, top
