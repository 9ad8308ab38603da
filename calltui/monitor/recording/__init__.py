"""Session recordings: every poll and action outcome of one run, in SQLite, for `calltui replay`."""

from calltui.monitor.recording.format import RecordingError
from calltui.monitor.recording.reader import PollMark, RecordedAction, Recording, SessionInfo
from calltui.monitor.recording.writer import SqliteRecorder

__all__ = ["PollMark", "RecordedAction", "Recording", "RecordingError", "SessionInfo", "SqliteRecorder"]
