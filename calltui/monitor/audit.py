"""The audit log: one JSON line per action outcome, appended and fsynced before we report it."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import threading
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from calltui import __version__
from calltui.domain.text import clean
from calltui.settings import OPERATOR_MAX, default_operator


class AuditLogError(OSError):
    """The audit log cannot be written; reported at start-up rather than losing entries silently."""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    time: str
    account: str
    call_sid: str
    action: str
    parameters: dict[str, str]
    outcome: str
    """`ok`, `failed`, `unknown` (it may have reached Twilio), `refused` (read-only), `dry-run` or
    `canceled-by-user` (stopped in the grace window); for action `verify`: `verified` or `not-verified`."""
    error_code: int | None = None
    error: str | None = None
    previous_url: str | None = None
    """On a redirect: where calltui last sent this call (Twilio does not expose it); omitted if none."""


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
    """Append-only JSON lines. Each append is a single write(2) on an O_APPEND descriptor, then fsync."""

    def __init__(self, path: Path, origin: Origin | None = None) -> None:
        self.path = path
        self.origin = origin or Origin.new()
        """Stamped on every entry: who sent it, from which session and version."""
        self._lock = threading.Lock()
        self._fd: int | None = None

    def open(self) -> None:
        """Create the file (and its folder) now, so a path that cannot be written fails at start-up."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            self._end_torn_line(self._fd)
        except OSError as exc:
            raise AuditLogError(f"cannot write the audit log {self.path}: {exc.strerror or exc}") from None

    @staticmethod
    def _end_torn_line(fd: int) -> None:
        """A crash mid-write leaves a last line without its newline; end it so the next entry stands alone."""
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            os.write(fd, b"\n")

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def append(self, entry: AuditEntry) -> None:
        """Blocking: returns once the line is on disk."""
        record = {"time": entry.time, **asdict(self.origin), **asdict(entry)}
        record["parameters"] = redact_parameters(entry.parameters)
        if entry.previous_url is None:
            del record["previous_url"]
        else:
            record["previous_url"] = redact_parameters({"PreviousUrl": entry.previous_url})["PreviousUrl"]
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        with self._lock:
            if self._fd is None:
                self.open()
            assert self._fd is not None
            os.write(self._fd, line)
            os.fsync(self._fd)

    async def append_async(self, entry: AuditEntry) -> None:
        await asyncio.to_thread(self.append, entry)


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
