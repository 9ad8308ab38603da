"""Table rows for the details screen's lists (events, notifications, recordings, child calls).

Pure: no Textual. Every network value goes through `clean` into a `Text`, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text

from calltui.domain.call import Call, format_elapsed
from calltui.domain.inspector import RECORDING_UNFINISHED, CallEvent, CallNotification, CallRecording
from calltui.domain.text import clean
from calltui.ui.widgets.call_columns import MISSING, clock_text

Row = tuple[Text, ...]

# The one long column last: at 80 columns it runs off the edge, the short ones stay whole.
EVENT_COLUMNS = ("time", "method", "response", "ms", "content type", "url")
NOTIFICATION_COLUMNS = ("time", "level", "code", "message", "request url", "more info")
RECORDING_COLUMNS = ("start", "status", "source", "duration", "channels", "track", "sid")
CHILD_COLUMNS = ("status", "direction", "from", "to", "duration", "sid")
_LONG = 300  # URLs and messages: long enough to read, bounded so one value cannot swamp the table


def _time(value: datetime | None) -> Text:
    text = clock_text(value, None)
    return Text(text, style="dim") if text == MISSING else Text(text)


def _plain(value: object, limit: int = 60) -> Text:
    text = clean(value, limit)
    return Text(text) if text else Text("—", style="dim")


def _number(value: int | None) -> Text:
    return Text("—", style="dim") if value is None else Text(str(value))


def event_rows(events: Sequence[CallEvent], now: datetime) -> list[Row]:
    rows = []
    for event in events:
        code = "no answer" if event.response_code is None else str(event.response_code)
        rows.append(
            (
                _time(event.date_created),
                _plain(event.method, 10),
                Text(code, style="bold red" if event.failed else "green"),
                _number(event.request_duration),
                _plain(event.content_type),
                _plain(event.url, _LONG),
            )
        )
    return rows


def notification_rows(notifications: Sequence[CallNotification], now: datetime) -> list[Row]:
    styles = {"error": "bold red", "warning": "yellow"}
    return [
        (
            _time(note.when),
            Text(clean(note.level, 20), style=styles.get(note.level, "")),
            _plain(note.error_code, 10),
            _plain(note.message_text, _LONG),
            _plain(note.request_url, _LONG),
            _plain(note.more_info, _LONG),
        )
        for note in notifications
    ]


def recording_rows(recordings: Sequence[CallRecording], now: datetime) -> list[Row]:
    return [
        (
            _time(recording.start_time),
            _plain(recording.status, 20),
            _plain(recording.source, 30),
            _recording_duration(recording.duration),
            _number(recording.channels),
            _plain(recording.track, 20),
            _plain(recording.sid, 40),
        )
        for recording in recordings
    ]


def _recording_duration(seconds: int | None) -> Text:
    if seconds == RECORDING_UNFINISHED:  # Twilio's own "-1": shown as sent, with what it means
        return Text("-1 (still recording)", style="yellow")
    return Text(format_elapsed(seconds))


def child_rows(children: Sequence[Call], now: datetime) -> list[Row]:
    return [
        (
            *(Text(clean(v, 60)) for v in (child.status, child.direction, child.from_, child.to)),
            Text(format_elapsed(child.elapsed(now))),
            Text(child.sid),
        )
        for child in children
    ]
