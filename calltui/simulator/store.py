"""All calls of the simulated account, newest first, indexed by status so a filtered page costs O(page).

Records are the raw JSON dicts the API serves; tests may overwrite any field with any value, so the
indexes keep their own parsed copy of what they sort and filter on and never trust the raw types.
"""

from __future__ import annotations

import json
import threading
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from calltui.simulator.records import parse_rfc2822

# One encoder for all records: json.dumps with options builds a new one per call, at 3x the cost.
# default=str: a test may store values JSON cannot encode; serve their text rather than fail the page.
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)

SortKey = tuple[float, str]
"""(-date_created as epoch seconds, sid): ascending order is Twilio's newest-first order."""


@dataclass(slots=True)
class Entry:
    raw: dict[str, Any]
    key: SortKey
    status: str | None
    parent: str | None
    start_ts: float | None
    end_ts: float | None
    _json: bytes | None = field(default=None, repr=False)

    @property
    def sid(self) -> str:
        return self.key[1]

    def json(self) -> bytes:
        """The serialized record, cached until the record changes (a 1000-call page is a join)."""
        if self._json is None:
            self._json = _ENCODER.encode(self.raw).encode()
        return self._json


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _ts(value: object) -> float | None:
    moment = parse_rfc2822(value)
    return moment.timestamp() if moment else None


class CallStore:
    """Calls by SID plus sorted key lists: one for all calls, one per status value."""

    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}
        self._all: list[SortKey] = []
        self._by_status: dict[str | None, list[SortKey]] = {}
        self._children: dict[str, dict[str, None]] = {}
        # The simulator may run in its own thread while a test thread edits calls.
        self.lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, sid: object) -> bool:
        return sid in self._entries

    def add(self, raw: dict[str, Any], default_created: datetime | None = None) -> dict[str, Any]:
        """Store a new record (it must carry a `sid`); returns a copy.

        It sorts by its `date_created`, or by `default_created` when a test gave an unparseable one.
        """
        sid = raw["sid"]
        created = _ts(raw.get("date_created"))
        if created is None:
            if default_created is None:
                raise ValueError("date_created must be an RFC 2822 date")
            created = default_created.timestamp()
        with self.lock:
            if sid in self._entries:
                raise ValueError(f"duplicate call sid {sid}")
            entry = Entry(
                raw=dict(raw),
                key=(-created, sid),
                status=_str_or_none(raw.get("status")),
                parent=_str_or_none(raw.get("parent_call_sid")),
                start_ts=_ts(raw.get("start_time")),
                end_ts=_ts(raw.get("end_time")),
            )
            self._entries[sid] = entry
            self._index(entry)
            return dict(entry.raw)

    def get(self, sid: str) -> dict[str, Any] | None:
        with self.lock:
            entry = self._entries.get(sid)
            return dict(entry.raw) if entry else None

    def entry(self, sid: str) -> Entry | None:
        return self._entries.get(sid)

    def update(self, sid: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Overwrite raw fields and re-index what they affect; returns a copy of the record."""
        with self.lock:
            entry = self._entries[sid]
            old_key, old_status, old_parent = entry.key, entry.status, entry.parent
            entry.raw.update(fields)
            entry._json = None
            if "date_created" in fields and (created := _ts(fields["date_created"])) is not None:
                entry.key = (-created, sid)
            if "status" in fields:
                entry.status = _str_or_none(fields["status"])
            if "parent_call_sid" in fields:
                entry.parent = _str_or_none(fields["parent_call_sid"])
            if "start_time" in fields:
                entry.start_ts = _ts(fields["start_time"])
            if "end_time" in fields:
                entry.end_ts = _ts(fields["end_time"])
            if entry.key != old_key:
                _remove(self._all, old_key)
                insort(self._all, entry.key)
            if entry.key != old_key or entry.status != old_status:
                _remove(self._by_status[old_status], old_key)
                insort(self._by_status.setdefault(entry.status, []), entry.key)
            if entry.parent != old_parent:
                if old_parent is not None:
                    self._children.get(old_parent, {}).pop(sid, None)
                if entry.parent is not None:
                    self._children.setdefault(entry.parent, {})[sid] = None
            return dict(entry.raw)

    def children(self, sid: str) -> list[str]:
        with self.lock:
            return list(self._children.get(sid, ()))

    def sids_with_status(self, status: str) -> list[str]:
        """SIDs in newest-first order (a snapshot: safe to change calls while iterating it)."""
        with self.lock:
            return [key[1] for key in self._by_status.get(status, ())]

    def select(
        self,
        *,
        status: str | None,
        match: Callable[[Entry], bool] | None,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
    ) -> tuple[list[Entry], bool]:
        """Up to `limit` matching entries after `after` (or just before `before`), and whether more follow.

        With `status` the walk uses that status's index, so filtering live calls out of a large history
        costs only the live calls.
        """
        with self.lock:
            keys = self._all if status is None else self._by_status.get(status, [])
            if before is not None:
                end = bisect_left(keys, before)
                found = list(self._walk(keys, range(end - 1, -1, -1), match, limit))[::-1]
                # Whatever the anchor was, a next page exists if anything matches after this one.
                tail = range(bisect_right(keys, found[-1].key), len(keys)) if found else range(0)
                return found, next(self._walk(keys, tail, match, 1), None) is not None
            start = bisect_right(keys, after) if after is not None else 0
            found = list(self._walk(keys, range(start, len(keys)), match, limit + 1))
            return found[:limit], len(found) > limit

    def _walk(
        self, keys: list[SortKey], positions: range, match: Callable[[Entry], bool] | None, limit: int
    ) -> Iterator[Entry]:
        taken = 0
        for i in positions:
            if taken >= limit:
                return
            entry = self._entries[keys[i][1]]
            if match is None or match(entry):
                taken += 1
                yield entry

    def _index(self, entry: Entry) -> None:
        insort(self._all, entry.key)
        insort(self._by_status.setdefault(entry.status, []), entry.key)
        if entry.parent is not None:
            self._children.setdefault(entry.parent, {})[entry.sid] = None


def _remove(keys: list[SortKey], key: SortKey) -> None:
    i = bisect_left(keys, key)
    if i < len(keys) and keys[i] == key:
        del keys[i]
