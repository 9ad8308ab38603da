"""Raw records of a call's Events, Notifications and Recordings lists to domain values, tolerating junk.

A record that is not a JSON object is left out; any field of the wrong type reads as unknown (None).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from calltui.domain.inspector import RECORDING_UNFINISHED, CallEvent, CallNotification, CallRecording

# The field readers the Calls parser uses: one set of rules for every untrusted value.
from calltui.gateway.parse import _count, _date, _text

T = TypeVar("T")
_BODY_LIMIT = 4096  # a response body is shown shortened; this only bounds memory


def parse_event(record: Mapping[object, object]) -> CallEvent:
    request = _mapping(record.get("request"))
    response = _mapping(record.get("response"))
    body = response.get("response_body")
    return CallEvent(
        method=_text(request.get("method")),
        url=_text(request.get("url")),
        response_code=_count(response.get("response_code")),
        request_duration=_count(response.get("request_duration")),
        content_type=_text(response.get("content_type")),
        response_body=body[:_BODY_LIMIT] if isinstance(body, str) else None,
        date_created=_date(response.get("date_created")),
    )


def parse_notification(record: Mapping[object, object]) -> CallNotification:
    return CallNotification(
        sid=_text(record.get("sid")),
        error_code=_text(record.get("error_code")),
        log=_text(record.get("log")),
        message_text=_text(record.get("message_text")),
        more_info=_text(record.get("more_info")),
        request_url=_text(record.get("request_url")),
        request_method=_text(record.get("request_method")),
        message_date=_date(record.get("message_date")),
        date_created=_date(record.get("date_created")),
    )


def parse_recording(record: Mapping[object, object]) -> CallRecording:
    return CallRecording(
        sid=_text(record.get("sid")),
        status=_text(record.get("status")),
        source=_text(record.get("source")),
        duration=_recording_duration(record.get("duration")),
        channels=_count(record.get("channels")),
        track=_text(record.get("track")),
        start_time=_date(record.get("start_time")),
        error_code=_count(record.get("error_code")),
        price=_text(record.get("price")),  # a number here, unlike a call's price: shown as its text
        price_unit=_text(record.get("price_unit")),
    )


def _recording_duration(value: object) -> int | None:
    """Seconds, or Twilio's `"-1"` for a recording still being made (kept: it says something)."""
    if value == "-1" or value == -1:
        return RECORDING_UNFINISHED
    return _count(value)


def parse_all(records: Iterable[object], parse: Callable[[Mapping[object, object]], T]) -> list[T]:
    """Every record that is a JSON object, parsed; anything else is left out so it hides nothing."""
    return [parse(record) for record in records if isinstance(record, Mapping)]


def _mapping(value: object) -> Mapping[object, object]:
    return value if isinstance(value, Mapping) else {}
