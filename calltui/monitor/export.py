"""Writing calls to a CSV or JSON file: every field of `Call`, in the order given. Blocking: run it in a
worker thread.

The CSV is meant for spreadsheets, so its cells are made inert there: text that starts like a formula
(= + - @) gets a leading `'`, and control characters and escape sequences are removed (the file may also
be `cat` to a terminal). The JSON keeps values exactly; it is written ASCII-only, so escapes stay escaped.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from calltui.domain.call import Call
from calltui.domain.text import clean
from calltui.paths import open_private

FORMATS = (".csv", ".json")
#: Twilio's names for the fields (`from`, not Python's `from_`), in `Call`'s order.
COLUMNS: tuple[str, ...] = tuple("from" if f.name == "from_" else f.name for f in fields(Call))
_FORMULA_START = ("=", "+", "-", "@")
_CELL_MAX = 32767  # the most a spreadsheet cell holds (Excel)


class ExportPathError(ValueError):
    """The path cannot be exported to (empty, unusable, or an extension that names no format)."""


def default_export_path(now: datetime) -> str:
    """`~/calltui-export-YYYYmmdd-HHMMSS.csv` in local time, as the engineer would type it."""
    return f"~/calltui-export-{now.astimezone():%Y%m%d-%H%M%S}.csv"


def resolve_export_path(text: str) -> Path:
    """The file `text` names (`~` expanded); raises ExportPathError with a message for the prompt."""
    text = text.strip()
    if not text:
        raise ExportPathError("Type a file name ending in .csv or .json.")
    if "\x00" in text:  # no file system takes one, and os.open would raise ValueError rather than OSError
        raise ExportPathError("A file name cannot contain a NUL character.")
    try:
        path = Path(text).expanduser()
    except RuntimeError:  # `~name` for a user this machine does not know (or no home folder at all)
        raise ExportPathError(f"“{clean(text.split('/', 1)[0], 60)}” names no home folder here.") from None
    if path.suffix.lower() not in FORMATS:
        raise ExportPathError("The file name must end in .csv or .json (that picks the format).")
    return path


def inspect_export_path(text: str) -> tuple[Path, str]:
    """The file `text` names and what is there now: "folder", "link", "file" or "new". Raises
    ExportPathError. It reads the file system (a hung network mount would block it): run it in a thread."""
    path = resolve_export_path(text)
    if path.is_dir():
        return path, "folder"
    if path.is_symlink():
        return path, "link"
    if not path.parent.is_dir():  # said in the prompt, where the typed path can still be corrected
        raise ExportPathError(f"No folder “{clean(str(path.parent), 80)}”: create it or pick another.")
    return path, "file" if path.exists() else "new"


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def call_record(call: Call) -> dict[str, Any]:
    """`call` as JSON-ready values: datetimes ISO 8601 in UTC, Twilio's unmodelled fields as an object."""
    record: dict[str, Any] = {}
    for column, f in zip(COLUMNS, fields(Call), strict=True):
        value = getattr(call, f.name)
        if isinstance(value, datetime):
            value = _iso(value)
        elif f.name == "extra":
            value = dict(value)
        record[column] = value
    return record


def csv_cell(value: object) -> object:
    """One CSV cell, inert in a spreadsheet: numbers as they are, text cleaned and formula-safe."""
    if value is None:
        return ""
    if isinstance(value, int):
        return value  # a number is never a formula
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False) if value else ""
    text = clean(value, _CELL_MAX)
    # A leading blank does not stop every spreadsheet from reading a formula, so look past it.
    return "'" + text if text.lstrip().startswith(_FORMULA_START) else text


def write_export(path: Path, calls: Sequence[Call], *, overwrite: bool = False) -> int:
    """Write `calls` to `path` (format from its extension); returns how many were written.

    The file is created readable by its owner only: it holds phone numbers. Without `overwrite`, an
    existing file is an error (FileExistsError) rather than silently replaced.
    """
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ExportPathError(f"unknown export format {suffix or '(none)'}")
    records = [call_record(call) for call in calls]
    with open(open_private(path, overwrite=overwrite), "w", encoding="utf-8", newline="") as out:
        if suffix == ".json":
            json.dump(records, out, indent=2, ensure_ascii=True)
            out.write("\n")
        else:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            writer.writerows([csv_cell(record[column]) for column in COLUMNS] for record in records)
    return len(records)
