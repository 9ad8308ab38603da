"""The audit log: write-ahead, hash-chained JSON lines, each fsynced before calltui goes on.

Before a write request leaves, its `intent` line is on disk; its `outcome` line (same `request` id)
follows. A line that cannot be written is a refusal, not a silent loss: an intent that fails stops the
request, an outcome that fails is held and written first once the log accepts writes again. The chain
(`seq`, `prev`) is described in `calltui.monitor.audit_chain`.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import itertools
import json
import os
import secrets
import threading
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from calltui import __version__
from calltui.domain.call import utcnow
from calltui.domain.text import clean
from calltui.monitor.audit_chain import FORMAT, Tail, line_hash, read_tail
from calltui.settings import OPERATOR_MAX, default_operator

INTENT, OUTCOME, EVENT = "intent", "outcome", "event"
"""Entry kinds: a request about to leave, what became of it (or of an action never sent), the log itself."""


_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.ENOENT: "the file was removed and its folder is gone",
    errno.EROFS: "the file system is read-only",
}


class AuditLogError(OSError):
    """The audit log cannot be written; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    time: str
    account: str
    call_sid: str
    action: str
    parameters: dict[str, str]
    outcome: str | None
    """`ok`, `failed`, `unknown` (it may have reached Twilio), `refused` (read-only), `dry-run`,
    `not-sent` (its intent could not be written), `canceled-by-user` (stopped in the grace window) or
    `skipped-call-ended` (the call was over when its grace window ended: not sent, `error` says why);
    for action `verify`: `verified` or `not-verified`; None on an intent."""
    error_code: int | None = None
    error: str | None = None
    previous_url: str | None = None
    """On a redirect: where calltui last sent this call (Twilio does not expose it); omitted if none."""
    kind: str = OUTCOME
    request: str | None = None
    """Pairs an intent with its outcome."""
    dry_run: bool = False
    """On an intent: a rehearsal, nothing will be sent."""


@dataclass(frozen=True, slots=True)
class Origin:
    """Who and where every entry of one run comes from: the operator, the calltui session and version."""

    operator: str
    session: str
    version: str = __version__

    @classmethod
    def new(cls, operator: str | None = None) -> Origin:
        """A fresh session id (random, so two runs never share one) for `operator` (default `user@host`)."""
        return cls(clean(operator or default_operator(), OPERATOR_MAX), secrets.token_hex(6))


MASKED_PASSWORD = "***"
"""What the log writes in place of a password inside a URL."""


def url_password(url: str) -> str | None:
    """The password inside a URL (`https://user:pass@host`); None without one, or when it cannot be parsed."""
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def redact_parameters(parameters: Mapping[str, str]) -> dict[str, str]:
    """Parameters fit for the log: a password inside a URL (https://user:pass@host) is masked."""
    out: dict[str, str] = {}
    for key, value in parameters.items():
        parts = urlsplit(value) if key.endswith("Url") else None
        if parts is not None and parts.password:
            host = parts.hostname or ""
            netloc = f"{parts.username}:{MASKED_PASSWORD}@{host}" + (f":{parts.port}" if parts.port else "")
            value = urlunsplit(parts._replace(netloc=netloc))
        out[key] = value
    return out


class AuditLog:
    """Append-only, chained JSON lines: one write(2) per line on an O_APPEND descriptor, then fsync.

    Thread-safe; every method but `append_async` and `probe_async` blocks (call them off the event loop).
    `problem` says why writes fail, until one succeeds again.
    """

    def __init__(self, path: Path, origin: Origin | None = None) -> None:
        self.path = path
        self.origin = origin or Origin.new()
        """Stamped on every entry: who sent it, from which session and version."""
        self.problem: str | None = None
        """Why the log does not accept writes now; None while it does."""
        self._failing_since: str | None = None
        self._held: list[AuditEntry] = []
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._file: tuple[int, int] = (0, 0)  # (device, inode) of the file we write
        self._size = 0
        self._tail = Tail(0, "")
        self._requests = itertools.count(1)

    @property
    def held(self) -> int:
        """Entries waiting for the log to accept writes again."""
        return len(self._held)

    def new_request(self) -> str:
        """A request id no other session shares (the session id is random)."""
        return f"{self.origin.session}-{next(self._requests)}"

    def open(self) -> None:
        """Create the file (and its folder) now, so a path that cannot be written fails at start-up."""
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._open_file()
            except OSError as exc:
                raise AuditLogError(
                    f"cannot write the audit log {self.path}: {exc.strerror or exc}"
                ) from None

    def close(self) -> None:
        with self._lock:
            if self._held:
                with contextlib.suppress(OSError):  # the session is ending: nothing more can be done
                    self._ready()
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def append(self, entry: AuditEntry, *, hold: bool = False) -> None:
        """Returns once the line is on disk; raises AuditLogError (why, one line) when it cannot be.
        With `hold`, a refused entry is kept and written first once the log accepts writes again."""
        with self._lock:
            try:
                self._ready()
                self._write(entry)
            except OSError as exc:
                if hold:
                    self._held.append(entry)
                raise AuditLogError(self._failed(exc)) from None

    async def append_async(self, entry: AuditEntry, *, hold: bool = False) -> None:
        await asyncio.to_thread(self.append, entry, hold=hold)

    def probe(self) -> str | None:
        """Notice a removed, replaced or read-only file without an action; while failing, try again (the
        line saying writes resumed is the test). The problem, or None."""
        with self._lock:
            try:
                self._ready()
            except OSError as exc:
                self._failed(exc)
            return self.problem

    async def probe_async(self) -> str | None:
        return await asyncio.to_thread(self.probe)

    # --- under the lock -------------------------------------------------------------------------

    def _open_file(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            self._end_torn_line(fd)
            self._tail = read_tail(fd)
            stat = os.fstat(fd)
        except OSError:
            os.close(fd)
            raise
        if self._fd is not None:
            os.close(self._fd)
        self._fd, self._file, self._size = fd, (stat.st_dev, stat.st_ino), stat.st_size

    @staticmethod
    def _end_torn_line(fd: int) -> None:
        """A crash mid-write leaves a last line without its newline; end it so the next entry stands alone."""
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            os.write(fd, b"\n")

    def _ready(self) -> None:
        """Check the file is still the one we write and writable; then write what was held back."""
        if self._fd is None:
            self._open_file()
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            stat = None
        if stat is None or (stat.st_dev, stat.st_ino) != self._file:
            lost = self._tail
            self._open_file()  # a new file where ours was: the chain starts again, and says so
            gone = "removed" if stat is None else "replaced"
            self._write(self._event("audit-log-reopened", f"the file was {gone}; it had {lost.lines} lines"))
        elif not stat.st_mode & 0o200:
            raise PermissionError(errno.EACCES, "the audit log was made read-only")
        elif stat.st_size != self._size:  # another process appended, or a write of ours was cut short
            assert self._fd is not None
            self._end_torn_line(self._fd)
            self._tail, self._size = read_tail(self._fd), os.fstat(self._fd).st_size
        if self.problem is not None:
            self._write(
                self._event("audit-log-resumed", f"writes failed since {self._failing_since}: {self.problem}")
            )
            self.problem = self._failing_since = None
        while self._held:
            self._write(self._held[0])
            self._held.pop(0)

    def _write(self, entry: AuditEntry) -> None:
        assert self._fd is not None
        raw = json.dumps(self._record(entry), ensure_ascii=False, separators=(",", ":")).encode()
        self._size = -1  # unknown until the write is through: the next call re-reads the tail
        written = os.write(self._fd, raw + b"\n")
        if written != len(raw) + 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        os.fsync(self._fd)
        self._tail = Tail(self._tail.lines + 1, line_hash(raw))
        self._size = os.fstat(self._fd).st_size

    def _record(self, entry: AuditEntry) -> dict[str, Any]:
        record: dict[str, Any] = {"v": FORMAT, "seq": self._tail.next_seq, "time": entry.time}
        record |= {"kind": entry.kind, "request": entry.request, **asdict(self.origin)}
        record |= {key: value for key, value in asdict(entry).items() if key not in record}
        record["parameters"] = redact_parameters(entry.parameters)
        if entry.previous_url is not None:
            record["previous_url"] = redact_parameters({"PreviousUrl": entry.previous_url})["PreviousUrl"]
        if not entry.dry_run:
            del record["dry_run"]
        record = {key: value for key, value in record.items() if value is not None}
        record["prev"] = self._tail.last_hash
        return record

    def _event(self, what: str, detail: str) -> AuditEntry:
        return AuditEntry(utcnow().isoformat(), "", "", what, {}, None, error=detail, kind=EVENT)

    def _failed(self, exc: OSError) -> str:
        reason = _REASONS.get(exc.errno or 0) or clean(exc.strerror or str(exc), 120)
        if self.problem is None:
            self._failing_since = utcnow().isoformat(timespec="seconds")
        self.problem = reason
        return reason


def read_entries(path: Path) -> Iterator[dict[str, object]]:
    """Every complete entry; a torn or corrupt line (a crash mid-write) is skipped."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return
    for raw in data.split(b"\n"):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            continue
        if isinstance(record, dict):
            yield record
