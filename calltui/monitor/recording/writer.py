"""`SqliteRecorder`: writes a session recording from a thread of its own, so a poll only enqueues.

The writer keeps the last snapshot and stores each poll as the difference from it (a keyframe of every
call every `keyframe_every` polls), commits once per batch of queued items, and runs SQLite in WAL mode.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from calltui import __version__
from calltui.domain.call import Call, utcnow
from calltui.domain.diff import PollDiff
from calltui.domain.text import clean
from calltui.monitor.actions import ActionOutcome
from calltui.monitor.activity import active_count
from calltui.monitor.audit import redact_parameters
from calltui.monitor.poller import PollResult, View
from calltui.monitor.recording.codec import PollEncoder
from calltui.monitor.recording.format import (
    DIFF,
    KEYFRAME,
    KEYFRAME_EVERY,
    NO_DATA,
    SCHEMA,
    SCHEMA_VERSION,
    RecordingError,
)
from calltui.monitor.verify import Verdict
from calltui.paths import open_private

_BATCH = 200
PAGE_CACHE_KIB = 256
"""SQLite's page cache for the file, in KiB. Its default (2,000 KiB) filled as the recording grew: the soak
bench's (a 0.1 s poll) took 7 minutes to reach it, 0.3 MB a minute of the app's memory. The writer only
appends rows (and updates an action's row it wrote moments before), which touches a few pages at the end
of each table."""
_STOP = object()


@dataclass(frozen=True, slots=True)
class _Poll:
    at: float
    view: str
    calls: dict[str, Call] | None
    """The whole snapshot (the poller replaces, never mutates, its dict); None when the poll failed."""
    error: str | None
    diff: PollDiff | None = None
    base: dict[str, Call] | None = None
    """The snapshot `diff` was taken from: when it is the writer's last, the poller's diff is reused."""


@dataclass(frozen=True, slots=True)
class _Switch:
    account_sid: str


@dataclass(frozen=True, slots=True)
class _Action:
    at: float
    call_sid: str
    action: str
    parameters: str
    outcome: str
    error_code: int | None
    error: str | None
    request: str | None


class SqliteRecorder:
    """A `SessionRecorder` into a new SQLite file."""

    def __init__(
        self,
        path: Path,
        *,
        account_sid: str,
        interval: float,
        linger: float,
        keyframe_every: int = KEYFRAME_EVERY,
        max_queue: int = 1000,
    ) -> None:
        self.path = path
        self._session = {
            "account_sid": account_sid,
            "interval": repr(float(interval)),
            "linger": repr(float(linger)),
            "started": utcnow().isoformat(),
            "calltui": __version__,
        }
        self._queue: queue.Queue[object] = queue.Queue(max_queue)
        self._db: sqlite3.Connection | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._problem: str | None = None
        # Writer-thread state: the encoder keeps the snapshot the next diff is taken from.
        self._seq = 0
        self._encoder = PollEncoder(keyframe_every)
        self._account: str | None = None
        self._action_rows: dict[str, int] = {}  # request id -> its row, until the outcome replaces it

    # --- on the event loop ---------------------------------------------------------------------

    def open(self) -> None:
        """Create the file now, so a path that cannot be written fails at start-up. An existing file is
        never overwritten: it may be the only record of an incident."""
        where = clean(str(self.path), 200)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.close(open_private(self.path, overwrite=False))
            except FileExistsError:
                raise RecordingError(f"the recording {where} already exists; record to a new file") from None
        except OSError as exc:
            raise RecordingError(f"cannot write the recording {where}: {exc.strerror or exc}") from None
        try:
            db = sqlite3.connect(self.path, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(f"PRAGMA cache_size=-{PAGE_CACHE_KIB}")
            db.executescript(SCHEMA)
            db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
            db.executemany("INSERT INTO session VALUES (?, ?)", self._session.items())
            db.commit()
        except sqlite3.Error as exc:
            raise RecordingError(f"cannot write the recording {where}: {exc}") from None
        self._db = db
        self._thread = threading.Thread(target=self._run, name="calltui-recorder", daemon=True)
        self._thread.start()

    def poll(self, result: PollResult, now: datetime, view: View) -> None:
        error = result.state.error
        if result.diff is None and error is None:
            return  # discarded (the view switched while it was in flight): not a poll of this view
        calls = result.calls if result.diff is not None else None
        summary = error.summary() if calls is None and error is not None else None
        self._put(_Poll(now.timestamp(), view.value, calls, summary, result.diff, result.base))

    def switched(self, account_sid: str) -> None:
        self._put(_Switch(account_sid))

    def action(self, outcome: ActionOutcome, now: datetime) -> None:
        """An outcome; or a request about to leave (result `unknown`), whose row its outcome then replaces:
        a session killed in between leaves it `unknown` in the replay."""
        error = outcome.error
        self._put(
            _Action(
                now.timestamp(),
                outcome.call_sid,
                outcome.action,
                json.dumps(redact_parameters(outcome.parameters)),
                outcome.result,
                error.code if error else None,
                error.summary() if error else None,
                outcome.request,
            )
        )

    def verdict(self, verdict: Verdict, now: datetime) -> None:
        """A row like an action's, as the audit log keeps it: action `verify`, the action verified as its
        parameter, the detail as its error."""
        code = verdict.codes[0] if verdict.codes else None
        parameters = json.dumps({"action": verdict.action})
        self._put(
            _Action(
                now.timestamp(),
                verdict.sid,
                "verify",
                parameters,
                verdict.outcome,
                code,
                verdict.detail,
                None,
            )
        )

    def take_problem(self) -> str | None:
        problem, self._problem = self._problem, None
        return problem

    def close(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        with contextlib.suppress(queue.Full):  # the writer is stuck or gone; it is a daemon thread
            self._queue.put(_STOP, timeout=5)
        thread.join(timeout=30)

    def _put(self, item: object) -> None:
        if self._stopped or self._thread is None:
            return
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self._fail("the recording stopped: writing fell too far behind the polls")

    def _fail(self, problem: str) -> None:
        if not self._stopped:
            self._stopped = True
            self._problem = problem

    # --- on the writer thread ------------------------------------------------------------------

    def _run(self) -> None:
        db = self._db
        assert db is not None
        try:
            while True:
                batch = [self._queue.get()]
                while len(batch) < _BATCH:
                    try:
                        batch.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                for item in batch:
                    if item is not _STOP:
                        self._write(db, item)
                db.commit()
                if _STOP in batch:
                    break
            # Back to a single self-contained file (no -wal/-shm beside it) for whoever replays it.
            db.execute("PRAGMA journal_mode=DELETE")
        except (sqlite3.Error, OSError) as exc:
            self._fail(f"the recording stopped: {clean(str(exc), 200)}")
        finally:
            db.close()

    def _write(self, db: sqlite3.Connection, item: object) -> None:
        if isinstance(item, _Action):
            row = self._action_rows.pop(item.request, None) if item.request else None
            if row is not None:
                db.execute(
                    "UPDATE actions SET at = ?, outcome = ?, error_code = ?, error = ? WHERE seq = ?",
                    (item.at, item.outcome, item.error_code, item.error, row),
                )
                return
            cursor = db.execute(
                "INSERT INTO actions (at, call_sid, action, parameters, outcome, error_code, error) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    item.at,
                    item.call_sid,
                    item.action,
                    item.parameters,
                    item.outcome,
                    item.error_code,
                    item.error,
                ),
            )
            if item.request and item.outcome == "unknown" and cursor.lastrowid is not None:
                self._action_rows[item.request] = cursor.lastrowid
            return
        if isinstance(item, _Switch):
            self._account = item.account_sid
            self._encoder.restart()  # another account's calls: the next poll is a keyframe
            return
        assert isinstance(item, _Poll)
        kind, data = self._encode(item)
        db.execute(
            "INSERT INTO polls (seq, at, view, error, kind, data, active, account) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (self._seq, item.at, item.view, item.error, kind, data, _active(item.calls), self._account),
        )
        self._seq += 1

    def _encode(self, poll: _Poll) -> tuple[int, bytes | None]:
        calls = poll.calls
        if calls is None:
            return NO_DATA, None
        # The poller took its diff from this very snapshot (the same dict, never mutated): reused.
        keyframe, data = self._encoder.encode(calls, poll.diff, poll.base)
        return (KEYFRAME if keyframe else DIFF), data


def _active(calls: dict[str, Call] | None) -> int | None:
    """What the header's activity sparkline samples; counted here so a replay need not decode every poll."""
    return None if calls is None else active_count(calls.values())
