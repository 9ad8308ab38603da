"""`Recording`: a session recording opened for replay. The file is untrusted input: anything damaged,
truncated or foreign raises `RecordingError` with one line, never a traceback."""

from __future__ import annotations

import bisect
import json
import math
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from calltui.domain.call import ACCOUNT_SID_RE, Call
from calltui.domain.diff import PollDiff
from calltui.domain.text import clean
from calltui.monitor.recording.codec import apply_poll
from calltui.monitor.recording.format import DIFF, KEYFRAME, NO_DATA, SCHEMA_VERSION, RecordingError


@dataclass(frozen=True, slots=True)
class SessionInfo:
    account_sid: str
    interval: float
    linger: float


@dataclass(frozen=True, slots=True)
class PollMark:
    at: datetime
    view: str
    """`active` or `recent`."""
    error: str | None
    """The failed poll's error summary; None when it succeeded."""
    kind: int
    active: int | None = None
    """Live calls after the poll; None when it failed."""
    account_sid: str | None = None
    """The account polled, after an account switch; None: the session's."""


@dataclass(frozen=True, slots=True)
class RecordedAction:
    at: datetime
    call_sid: str
    action: str
    parameters: dict[str, str]
    outcome: str
    error_code: int | None
    error: str | None


#: Times from 1970 to 3000 only: near datetime's limits, adding the linger or going to local time overflows.
_LAST_MOMENT = 32503680000.0
#: Bounds of the session settings: beyond them the table's timedelta arithmetic overflows, and no real
#: session polls less than daily or lingers an ended call for over an hour.
_MAX_INTERVAL = 86400.0
_MAX_LINGER = 3600.0


def _moment(value: object) -> datetime:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < _LAST_MOMENT:
        return datetime.fromtimestamp(value, UTC)
    raise RecordingError("damaged recording: a time that is not a time")


def _seconds(session: dict[str, object], key: str, default: float, most: float, *, allow_zero: bool) -> float:
    """A session setting in seconds, above 0 (or 0 if `allow_zero`) up to `most`; anything else is damage."""
    raw = session.get(key, default)
    try:
        value = float(raw) if isinstance(raw, str | int | float) else math.nan
    except ValueError:
        value = math.nan
    if not (0 <= value <= most) or (value == 0 and not allow_zero):  # nan fails every comparison
        raise RecordingError(
            f"damaged recording: the session's {key} is not a number of seconds up to {most:g}"
        )
    return value


def _text(value: object, optional: bool = False) -> str | None:
    if isinstance(value, str) or (optional and value is None):
        return value
    raise RecordingError("damaged recording: text expected")


class Recording:
    """Polls and actions of one session. Poll `i`'s calls are rebuilt from the keyframe at or before `i`.

    `snapshot` and `advance` may be called from any thread (the replay reads off its event loop); the
    connection serves one of them at a time."""

    def __init__(self, db: sqlite3.Connection, where: str) -> None:
        self._db = db
        self._lock = threading.Lock()
        self.where = where
        self.info = self._read_info()
        self.polls = self._read_polls()
        self.actions = self._read_actions()
        self._keyframes = [i for i, mark in enumerate(self.polls) if mark.kind == KEYFRAME]
        self.times = [mark.at.timestamp() for mark in self.polls]

    @classmethod
    def open(cls, path: Path) -> Recording:
        where = clean(str(path), 200)
        if not path.is_file():
            raise RecordingError(f"{where}: no such recording")
        try:
            # Not bound to this thread: reads come from worker threads, serialised by `_lock`.
            db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        except sqlite3.Error as exc:
            raise RecordingError(f"{where}: cannot open it ({clean(str(exc), 100)})") from None
        try:
            check = db.execute("PRAGMA quick_check").fetchone()
            if not check or check[0] != "ok":
                raise RecordingError(f"{where}: the file is damaged (truncated or corrupt)")
            recording = cls(db, where)
        except sqlite3.DatabaseError as exc:
            db.close()
            raise RecordingError(
                f"{where} is not a calltui recording, or it is damaged ({clean(str(exc), 100)})"
            ) from None
        except RecordingError as exc:
            db.close()
            message = str(exc)
            raise RecordingError(message if message.startswith(where) else f"{where}: {message}") from None
        if not recording.polls:
            recording.close()
            raise RecordingError(f"{where}: the recording has no polls")
        return recording

    def close(self) -> None:
        with self._lock:  # not under a read still running in a worker thread
            self._db.close()

    def __enter__(self) -> Recording:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading the calls ---------------------------------------------------------------------

    def snapshot(self, index: int) -> dict[str, Call]:
        """Every call as at poll `index` (none before the first poll)."""
        index = min(index, len(self.polls) - 1)
        k = bisect.bisect_right(self._keyframes, index) - 1
        state: dict[str, Call] = {}
        if k < 0:
            return state  # only failed polls so far
        rows = self._query(
            "SELECT seq, kind, data FROM polls WHERE seq BETWEEN ? AND ? AND kind != ? ORDER BY seq",
            (self._keyframes[k], index, NO_DATA),
        )
        for _, kind, data in rows:
            self._apply(state, kind, data)
        return state

    def advance(self, state: dict[str, Call], index: int) -> PollDiff:
        """Turn `state` (the calls at poll `index - 1`) into the calls at poll `index`; returns the diff."""
        rows = self._query("SELECT kind, data FROM polls WHERE seq = ?", (index,))
        if not rows:
            raise RecordingError(f"damaged recording: poll {index} is missing")
        kind, data = rows[0]
        return self._apply(state, kind, data)

    def _apply(self, state: dict[str, Call], kind: object, data: object) -> PollDiff:
        if kind == NO_DATA:
            return PollDiff()
        if kind not in (DIFF, KEYFRAME):
            raise RecordingError("damaged recording: poll data of an unknown shape")
        return apply_poll(state, kind == KEYFRAME, data)

    def _query(self, sql: str, args: tuple[object, ...]) -> list[tuple[object, ...]]:
        try:
            with self._lock:
                return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise RecordingError(f"damaged recording: {clean(str(exc), 100)}") from None

    # --- the index, read once at open -----------------------------------------------------------

    def _read_info(self) -> SessionInfo:
        rows = self._db.execute("SELECT version FROM schema_version").fetchall()
        version = rows[0][0] if len(rows) == 1 else None
        if type(version) is not int:
            raise RecordingError("no schema version: not a calltui recording")
        if version != SCHEMA_VERSION:
            raise RecordingError(
                f"recording format {version}; this calltui reads format {SCHEMA_VERSION} (a newer calltui?)"
            )
        rows = self._db.execute("SELECT key, value FROM session")
        session: dict[str, object] = {k: v for k, v in rows if isinstance(k, str)}
        account_sid = session.get("account_sid")
        if not isinstance(account_sid, str) or not ACCOUNT_SID_RE.fullmatch(account_sid):
            raise RecordingError("damaged recording: the account SID is missing or malformed")
        return SessionInfo(
            account_sid=account_sid,
            interval=_seconds(session, "interval", 2.0, _MAX_INTERVAL, allow_zero=False),
            linger=_seconds(session, "linger", 5.0, _MAX_LINGER, allow_zero=True),
        )

    def _read_polls(self) -> list[PollMark]:
        marks = []
        rows = self._db.execute("SELECT seq, at, view, error, kind, active, account FROM polls ORDER BY seq")
        for expected, (seq, at, view, error, kind, active, account) in enumerate(rows):
            if account is not None and not (isinstance(account, str) and ACCOUNT_SID_RE.fullmatch(account)):
                raise RecordingError(f"damaged recording: poll {expected} names a malformed account SID")
            if seq != expected or view not in ("active", "recent") or kind not in (NO_DATA, DIFF, KEYFRAME):
                raise RecordingError(f"damaged recording: poll {expected} is missing or malformed")
            moment = _moment(at)
            if marks:  # the wall clock may step back (NTP); the timeline must not
                moment = max(moment, marks[-1].at)
            count = active if isinstance(active, int) and active >= 0 else None
            marks.append(PollMark(moment, view, _text(error, optional=True), kind, count, account))
        return marks

    def _read_actions(self) -> list[RecordedAction]:
        actions = []
        rows = self._db.execute(
            "SELECT at, call_sid, action, parameters, outcome, error_code, error FROM actions ORDER BY seq"
        )
        for at, call_sid, action, parameters, outcome, error_code, error in rows:
            try:
                params = json.loads(_text(parameters) or "")
            except ValueError:
                params = None
            if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
                raise RecordingError("damaged recording: an action's parameters cannot be read")
            if error_code is not None and type(error_code) is not int:
                raise RecordingError("damaged recording: an action's error code is not a number")
            actions.append(
                RecordedAction(
                    _moment(at),
                    _text(call_sid) or "",
                    _text(action) or "",
                    params,
                    _text(outcome) or "",
                    error_code,
                    _text(error, optional=True),
                )
            )
        return actions
