"""`calltui audit verify FILE` (is the hash chain intact, and where does it break) and `calltui audit show
FILE [--json]` (the log as a table, or as JSON lines for scripts). Every value read is cleaned for display."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import TextIO

from calltui.domain.text import clean
from calltui.monitor.audit_chain import verify
from calltui.ui.describe import short_sid

Columns = tuple[tuple[str, int], ...]
_WIDE: Columns = (("line", 5), ("time (UTC)", 19), ("operator", 16), ("kind", 7), ("action", 8))
_WIDE += (("call", 34), ("outcome", 16), ("request", 16))
# For an 80-column terminal: the time without its date (a date line comes first), the short SID, and no
# request id (an intent and its outcome are next to each other; `--json` has every field).
_NARROW: Columns = (("line", 4), ("UTC", 8), ("operator", 14), ("kind", 7), ("action", 8))
_NARROW += (("call", 11), ("outcome", 16))


def run_audit(
    command: str, path: Path, as_json: bool = False, out: TextIO | None = None, width: int | None = None
) -> int:
    """0: intact / shown; 1: the chain is broken; 2: the file cannot be read. `width`: the terminal's
    columns (by default, the terminal's when printing to one)."""
    out = out or sys.stdout
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"calltui audit: cannot read {clean(str(path), 200)}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    if command == "verify":
        return _verify(data, out)
    if width is None:
        width = shutil.get_terminal_size().columns if out.isatty() else _total(_WIDE)
    _show(data, as_json, out, _WIDE if _total(_WIDE) <= width else _NARROW)
    return 0


def _verify(data: bytes, out: TextIO) -> int:
    verdict = verify(data)
    old = (
        f", {verdict.unchained} written before the chain (readable, not checkable)"
        if verdict.unchained
        else ""
    )
    counts = f"{verdict.lines} lines, {verdict.chained} chained{old}"
    for number in verdict.torn:
        where = "last line" if number == verdict.lines else f"line {number}"
        print(f"torn: {where} (cut short by a crash mid-write; not tampering)", file=out)
    if verdict.intact:
        print(f"intact: {counts}", file=out)
        return 0
    for number, problem in verdict.breaks:
        print(f"BROKEN at line {number}: {problem}", file=out)
    print(f"not intact: {counts}; the chain first breaks at line {verdict.breaks[0][0]}", file=out)
    return 1


def _show(data: bytes, as_json: bool, out: TextIO, columns: Columns) -> None:
    if not as_json:
        print(_row([name for name, _ in columns], columns), file=out)
    day = ""
    for number, raw in enumerate(data.splitlines(), 1):
        try:
            record = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            record = None
        if not isinstance(record, dict):
            record = {"torn": True}
        if as_json:
            # ASCII escapes: a control character in the file reaches the terminal as `\u001b`, inert.
            print(json.dumps({"line": number, **record}, ensure_ascii=True), file=out)
            continue
        cells = _cells(number, record)
        if columns is _NARROW and len(cells) > 2:
            if cells[1][:10] != day:
                day = cells[1][:10]
                print(f"── {day}", file=out)
            cells[1], cells[5] = cells[1][11:], short_sid(cells[5])
        print(_row(cells, columns), file=out)


def _cells(number: int, record: dict[str, object]) -> list[str]:
    if record.get("torn"):
        return [str(number), "(torn or not an entry)"]
    time = clean(record.get("time"), 40).replace("T", " ")[:19]
    outcome = record.get("outcome")
    if record.get("kind") == "intent":
        outcome = "(rehearsal)" if record.get("dry_run") else "(sending)"
    return [
        str(number),
        time,
        clean(record.get("operator"), 60) or "—",
        clean(record.get("kind"), 20) or "—",
        clean(record.get("action"), 40),
        clean(record.get("call_sid"), 60),
        clean(outcome, 40) + (f" {clean(record['error_code'], 10)}" if record.get("error_code") else ""),
        clean(record.get("request"), 60),
    ]


def _total(columns: Columns) -> int:
    return sum(width for _, width in columns) + 2 * (len(columns) - 1)


def _row(cells: list[str], columns: Columns) -> str:
    """The cells under their columns, two spaces apart; in the narrow table a longer value is cut with `…`
    (the last column and a torn line's note run on)."""
    shown = []
    for n, (cell, (_, width)) in enumerate(zip(cells, columns, strict=False)):
        last = n == len(columns) - 1 or n == len(cells) - 1
        if columns is _NARROW and not last and len(cell) > width:
            cell = cell[: width - 1] + "…"
        shown.append(cell if last else cell.ljust(width))
    return "  ".join(shown).rstrip()
