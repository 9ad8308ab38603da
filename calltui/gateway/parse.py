"""Raw Calls API records (JSON objects) to domain `Call`s, tolerating any junk a server may send.

We parse the raw JSON rather than the SDK's `CallInstance`: its constructor raises on hostile dates
(`"date_created": 5`, "31 Feb"), and one such record would take a whole page of calls down with it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from calltui.domain.call import Call
from calltui.domain.errors import MalformedResponse

_TEXT_LIMIT = 2048  # Bounds memory per field; the UI shortens further for display.
_EXTRA_LIMIT = 40
_TEXT_FIELDS = (
    "status", "direction", "to", "from_formatted", "to_formatted", "caller_name", "forwarded_from",
    "answered_by", "parent_call_sid", "account_sid", "phone_number_sid", "group_sid", "trunk_sid",
    "api_version", "price", "price_unit", "uri",
)  # fmt: skip
_DATE_FIELDS = ("date_created", "date_updated", "start_time", "end_time")
_COUNT_FIELDS = ("duration", "queue_time")
# Known fields that are not shown as extras: `subresource_uris` is navigation, not information.
_KNOWN = {"sid", "from", "subresource_uris", *_TEXT_FIELDS, *_DATE_FIELDS, *_COUNT_FIELDS}
_DIGITS = re.compile(r"\s*\d{1,15}\s*")


def parse_call(record: object) -> Call:
    """One call. Raises MalformedResponse only when the record cannot be a call at all."""
    if not isinstance(record, Mapping):
        raise MalformedResponse("The API sent a call record that is not a JSON object.")
    sid = record.get("sid")
    if not isinstance(sid, str) or not sid.strip():
        raise MalformedResponse("The API sent a call record without a sid.")
    return Call(
        sid=sid[:_TEXT_LIMIT],
        from_=_text(record.get("from")),
        **{name: _text(record.get(name)) for name in _TEXT_FIELDS},
        **{name: _date(record.get(name)) for name in _DATE_FIELDS},
        **{name: _count(record.get(name)) for name in _COUNT_FIELDS},
        extra=_extra(record),
    )


def parse_calls(records: Iterable[object]) -> list[Call]:
    """Every usable call; records that cannot be a call are left out so they do not hide the others."""
    calls = []
    for record in records:
        try:
            calls.append(parse_call(record))
        except MalformedResponse:
            continue
    return calls


def _text(value: object) -> str | None:
    """Strings as sent (bounded); numbers as their text; anything else (objects, lists, bools) unknown."""
    if isinstance(value, str):
        return value[:_TEXT_LIMIT]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value) if math.isfinite(value) else None
    return None


def _date(value: object) -> datetime | None:
    """An RFC 2822 date as aware UTC; None when absent or unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = parsedate_to_datetime(value[:100])
        # "-0000" means "UTC, source unknown" and parses naive; Twilio always means UTC.
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _count(value: object) -> int | None:
    """A non-negative whole number sent as text ("12") or a number; anything else unknown."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    return None


def _extra(record: Mapping[object, object]) -> tuple[tuple[str, str], ...]:
    """Fields this version does not model, as text, sorted so equal records compare equal."""
    pairs = []
    for key, value in record.items():
        if not isinstance(key, str) or key in _KNOWN or value is None:
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        pairs.append((key[:_TEXT_LIMIT], text[:_TEXT_LIMIT]))
    return tuple(sorted(pairs)[:_EXTRA_LIMIT])


def parse_error_codes(payload: object, since: datetime) -> list[int]:
    """Error codes of the ERROR-level (`log` "0") notifications in a Notifications page logged at or
    after `since` (to the second, as Twilio dates them). An undated error counts: better a false alarm
    than a failure called a success."""
    records = payload.get("notifications") if isinstance(payload, Mapping) else None
    if not isinstance(records, list):
        raise MalformedResponse("The API's page of notifications has no 'notifications' list.")
    floor = since.astimezone(UTC).replace(microsecond=0)
    codes = []
    for record in records:
        if not isinstance(record, Mapping) or str(record.get("log")).strip() != "0":
            continue
        logged = _date(record.get("message_date")) or _date(record.get("date_created"))
        code = _count(record.get("error_code"))
        if code is not None and (logged is None or logged >= floor):
            codes.append(code)
    return codes
