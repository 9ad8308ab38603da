"""A page of records read without turning every record into Python objects: each record stays the bytes of
its JSON text until something needs what is in it.

At 10,000 live calls a poll reads ten 1,000-record pages, and from one poll to the next most records are
unchanged. `json.loads` builds a dict of ~30 strings for every one of them, only for the parse cache to
find it equal to last time's and throw it away: 300,000 short-lived objects a poll, the bulk of a poll's
CPU, and, freed among the few objects that outlive the poll (the changed calls), the holes that kept
pymalloc's arenas from being given back. msgspec finds where each record starts and ends without building
it; the parse cache compares a record's bytes, and only a changed record is decoded.

msgspec is stricter than the JSON Twilio's SDK reads (it refuses NaN, 1e400, lone surrogates): where it
refuses, the standard library reads the page or the record, so a server's junk is read exactly as before.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

_RECORDS = list[msgspec.Raw]
_ENVELOPE = dict[str, msgspec.Raw]


def decode_page(text: str | bytes) -> Any:
    """A list page's JSON: its envelope's arrays as lists of records (bytes, one record's JSON each), every
    other value decoded. A page msgspec refuses is decoded whole by `json.loads`, as the SDK would."""
    try:
        envelope = msgspec.json.decode(text, type=_ENVELOPE)
    except (msgspec.DecodeError, RecursionError):  # not an object, or JSON only the standard library reads
        return json.loads(text)
    return {key: _records_or_value(value) for key, value in envelope.items()}


def decode_record(record: bytes) -> Any:
    """One record's JSON (from `decode_page`) as Python objects; None when it is not JSON at all."""
    try:
        return msgspec.json.decode(record)
    except (msgspec.DecodeError, RecursionError):
        try:
            return json.loads(record)
        except (ValueError, RecursionError):
            return None


class _Sid(msgspec.Struct, gc=False):
    """A record read for its SID alone: msgspec skips every other field without building it."""

    sid: object = None


def record_sid(record: object) -> str | None:
    """A page's record's "sid" when it is text (None otherwise), from bytes without decoding the rest of
    the record."""
    if isinstance(record, bytes):
        try:
            sid = msgspec.json.decode(record, type=_Sid).sid
        except (msgspec.DecodeError, RecursionError):  # not an object, or JSON only Python reads
            sid = record_sid(decode_record(record))
    else:
        sid = record.get("sid") if isinstance(record, dict) else None
    return sid if isinstance(sid, str) else None


def _records_or_value(value: msgspec.Raw) -> Any:
    try:
        return [bytes(record) for record in msgspec.json.decode(value, type=_RECORDS)]
    except msgspec.DecodeError:  # not an array (ValidationError is a DecodeError)
        return decode_record(bytes(value))
