"""The audit log's hash chain: each line records its own line number and the hash of the line before it.

A line written by this format holds `"v": 2`, `"seq"` (its 1-based line number in the file) and `"prev"`
(the SHA-256 of the previous line's bytes, without the newline; 64 zeros on line 1). So an edited line no
longer matches what the next line recorded, a deleted or inserted line shifts the numbers after it, and a
line torn by a crash (no closing brace; ended by the next start, or still the last line) is told apart
from tampering because the next line still chains to its bytes. Lines written before the chain (no `"v"`)
are read and counted but cannot be checked; the first chained line after them chains to the last of them.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field

FORMAT = 2
GENESIS = "0" * 64


def line_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True, slots=True)
class Tail:
    """Where the next line goes: its number and the hash it must record."""

    lines: int
    last_hash: str

    @property
    def next_seq(self) -> int:
        return self.lines + 1


def read_tail(fd: int) -> Tail:
    """Count the lines of an open log and hash its last one (the file ends with a newline, or is empty)."""
    size = os.fstat(fd).st_size
    lines, offset = 0, 0
    while offset < size:
        data = os.pread(fd, min(1 << 20, size - offset), offset)
        if not data:
            break
        lines += data.count(b"\n")
        offset += len(data)
    if not lines:
        return Tail(0, GENESIS)
    back = 4096
    while True:  # the last line, read backwards from the end in growing steps
        start = max(0, size - back)
        body = os.pread(fd, size - start, start).removesuffix(b"\n")
        cut = body.rfind(b"\n")
        if cut >= 0 or start == 0:
            return Tail(lines, line_hash(body[cut + 1 :]))
        back *= 4


@dataclass(slots=True)
class Verdict:
    """What `calltui audit verify` found."""

    lines: int = 0
    chained: int = 0
    unchained: int = 0
    """Lines written before the chain (no `"v"`): readable, not checkable."""
    torn: list[int] = field(default_factory=list)
    """Lines a crash cut short (the last line, or one the next start ended and chained on from)."""
    breaks: list[tuple[int, str]] = field(default_factory=list)
    """(line number, what is wrong): the chain does not hold there."""

    @property
    def intact(self) -> bool:
        return not self.breaks


def verify(data: bytes) -> Verdict:
    """Check the whole chain of a log's bytes; every break is listed with its line number."""
    verdict = Verdict()
    pieces = data.split(b"\n")
    ends_open = pieces[-1] != b""
    if not ends_open:
        pieces.pop()
    verdict.lines = len(pieces)
    previous: bytes | None = None
    seen_chain = False
    for number, raw in enumerate(pieces, 1):
        record = _record(raw)
        last = number == len(pieces)
        if record is None:
            if last and ends_open:
                verdict.torn.append(number)  # a crash mid-write: the line never got its newline
            elif _chains_to(pieces, number, raw):
                verdict.torn.append(number)  # ended by the next start, which chained on from it
            else:
                verdict.breaks.append((number, "not an audit entry, and the next line does not chain to it"))
        elif "v" not in record:
            verdict.unchained += 1
            if seen_chain:
                verdict.breaks.append(
                    (number, "an unchained line after chained ones (inserted or rewritten)")
                )
        else:
            seen_chain = True
            verdict.chained += 1
            problem = _link_problem(record, number, previous)
            if problem:
                verdict.breaks.append((number, problem))
        previous = raw
    return verdict


def _record(raw: bytes) -> dict[str, object] | None:
    try:
        record = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    return record if isinstance(record, dict) else None


def _chains_to(pieces: list[bytes], number: int, raw: bytes) -> bool:
    """Whether the line after `number` (1-based) records `raw` as the line before it."""
    if number >= len(pieces):
        return False
    after = _record(pieces[number])
    return after is not None and after.get("prev") == line_hash(raw) and after.get("seq") == number + 1


def _link_problem(record: dict[str, object], number: int, previous: bytes | None) -> str | None:
    seq, prev = record.get("seq"), record.get("prev")
    if not isinstance(seq, int) or isinstance(seq, bool) or not isinstance(prev, str):
        return "a chained line without its line number or hash (rewritten)"
    if seq > number:
        missing = seq - number
        return f"{missing} line{'s' if missing != 1 else ''} missing before it (deleted)"
    if seq < number:
        extra = number - seq
        return f"{extra} line{'s' if extra != 1 else ''} more than written before it (inserted)"
    expected = GENESIS if previous is None else line_hash(previous)
    if prev != expected:
        return f"line {number - 1} was changed after it was written" if number > 1 else "rewritten"
    return None
