"""Raw Calls API records (JSON objects) to domain `Call`s, tolerating any junk a server may send.

We parse the raw JSON rather than the SDK's `CallInstance`: its constructor raises on hostile dates
(`"date_created": 5`, "31 Feb"), and one such record would take a whole page of calls down with it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from calltui.domain.call import Call, is_call_sid
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
_MONTHS = {name: number for number, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1
)}  # fmt: skip
# Values most calls share (statuses, directions, the account and API version, numbers a call centre dials
# often, the dates of one busy second) are kept once rather than once per call: at 10,000 calls that is
# most of a call's text. The memo is bounded, and only short values go in (a SID or a URI is unique).
_SHARED_LIMIT = 8192
_SHARED_MAX_LEN = 64
_UNSHARED = frozenset({"uri"})
_shared_texts: dict[str, str] = {}
_shared_dates: dict[str, datetime | None] = {}


def parse_call(record: object) -> Call:
    """One call, from a JSON object or the bytes of one (a page read raw: see calltui.gateway.raw_json).
    Raises MalformedResponse only when the record cannot be a call at all."""
    if isinstance(record, bytes):
        from calltui.gateway.raw_json import decode_record  # with the SDK, off the start-up path

        record = decode_record(record)
    if not isinstance(record, Mapping):
        raise MalformedResponse("The API sent a call record that is not a JSON object.")
    sid = record.get("sid")
    if not isinstance(sid, str) or not is_call_sid(sid):
        # A call that cannot be addressed cannot be acted on, and its SID is shown everywhere.
        raise MalformedResponse("The API sent a call record without a valid sid.")
    return Call(
        sid=sid,
        from_=_shared(_text(record.get("from"))),
        **{
            name: _text(record.get(name)) if name in _UNSHARED else _shared(_text(record.get(name)))
            for name in _TEXT_FIELDS
        },
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


@dataclass(slots=True)
class ParsedCalls:
    """The calls parsed in one read, by the fingerprint of the record each was parsed from."""

    calls: dict[int, Call] = field(default_factory=dict)


class ParseCache:
    """The calls of the last complete read, by the fingerprint of the records they were parsed from.

    At 10,000 live calls parsing is most of what a poll costs, and from one poll to the next most records
    are unchanged: a record whose JSON is byte for byte last time's gives last time's `Call`, which parsing
    it again would have built (parsing is a pure function of the record), and is never decoded at all (see
    calltui.gateway.raw_json). A record's fingerprint is the hash of its bytes, 64 bits of SipHash keyed at
    random per process, so two records that hash alike are a chance of 2^-64 per pair and cannot be crafted
    by a server that does not know the key; and a call is only reused for a record that names its SID.
    Records that are JSON objects already (a page only the standard library could read) are parsed.
    """

    def __init__(self) -> None:
        self._last = ParsedCalls()

    def parse(self, records: Iterable[object], seen: ParsedCalls) -> list[Call]:
        """Like `parse_calls`; calls parsed from bytes also go into `seen`, for `keep` once the read is
        whole."""
        last = self._last.calls
        calls = []
        for record in records:
            if not isinstance(record, bytes):
                calls += parse_calls((record,))
                continue
            fingerprint = hash(record)
            call = last.get(fingerprint)
            if call is None or call.sid.encode() not in record:
                try:
                    call = parse_call(record)
                except MalformedResponse:
                    continue
            seen.calls[fingerprint] = call
            calls.append(call)
        return calls

    def keep(self, seen: ParsedCalls) -> None:
        """Reuse what this read saw (and forget what it did not: calls that ended)."""
        self._last = seen


def _text(value: object) -> str | None:
    """Strings as sent (bounded); numbers as their text; anything else (objects, lists, bools) unknown."""
    if isinstance(value, str):
        return value[:_TEXT_LIMIT]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value) if math.isfinite(value) else None
    return None


def _shared(value: str | None) -> str | None:
    """`value`, or an equal string parsed before (see `_SHARED_LIMIT`)."""
    if value is None or len(value) > _SHARED_MAX_LEN:
        return value
    if len(_shared_texts) >= _SHARED_LIMIT:
        _shared_texts.clear()  # the calls keep their strings; only later ones stop sharing them
    return _shared_texts.setdefault(value, value)


def _date(value: object) -> datetime | None:
    """An RFC 2822 date as aware UTC; None when absent or unreadable. One object per distinct text:
    a call's dates are often the same second, and so are calls created together."""
    if not isinstance(value, str) or len(value) > _SHARED_MAX_LEN:
        return _parse_date(value)
    try:
        return _shared_dates[value]
    except KeyError:
        pass
    if len(_shared_dates) >= _SHARED_LIMIT:
        _shared_dates.clear()
    parsed = _shared_dates[value] = _parse_date(value)
    return parsed


def _parse_date(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    fast = _twilio_date(value)
    if fast is not None:
        return fast
    from email.utils import parsedate_to_datetime  # here: Twilio's own dates never need it

    try:
        parsed = parsedate_to_datetime(value[:100])
        # "-0000" means "UTC, source unknown" and parses naive; Twilio always means UTC.
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _twilio_date(value: str) -> datetime | None:
    """Twilio's own format, `Tue, 31 Aug 2010 20:36:29 +0000`, read 6x faster than the general RFC 2822
    parser does; None for anything else (the general parser decides)."""
    parts = value.split(" ")
    if len(value) != 31 or len(parts) != 6 or not parts[0].endswith(",") or parts[5] != "+0000":
        return None
    _, day, month, year, clock, _ = parts
    numbers = (day, year, *clock.split(":"))
    if len(numbers) != 5 or month not in _MONTHS or not all(n.isascii() and n.isdigit() for n in numbers):
        return None
    try:
        return datetime(int(year), _MONTHS[month], int(day), *map(int, numbers[2:]), tzinfo=UTC)
    except ValueError:  # 31 Feb, 25:00: let the general parser have its say
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
    for key in record.keys() - _KNOWN:  # a set difference: Twilio's own fields are most of a record
        value = record[key]
        if not isinstance(key, str) or value is None:
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
