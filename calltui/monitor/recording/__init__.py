"""Session recordings: every poll and action outcome of one run, in SQLite, for `calltui replay`.

Each name is imported the first time it is asked for: a run without `--record` never needs the writer
(nor sqlite3), and importing it would delay the first paint."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from calltui.monitor.recording.format import RecordingError
    from calltui.monitor.recording.reader import PollMark, RecordedAction, Recording, SessionInfo
    from calltui.monitor.recording.writer import SqliteRecorder

_MODULES = {
    "PollMark": "reader",
    "RecordedAction": "reader",
    "Recording": "reader",
    "RecordingError": "format",
    "SessionInfo": "reader",
    "SqliteRecorder": "writer",
}

__all__ = ["PollMark", "RecordedAction", "Recording", "RecordingError", "SessionInfo", "SqliteRecorder"]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
