"""Parsing fast without parsing differently: Twilio's date format read directly, unchanged records reused."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from hypothesis import given
from hypothesis import strategies as st

from calltui.gateway.parse import ParseCache, ParsedCalls, parse_call, parse_calls

SID = "CA" + "a" * 32
RECORD = {
    "sid": SID,
    "status": "in-progress",
    "from": "+15550001111",
    "date_created": "Tue, 31 Aug 2010 20:36:28 +0000",
    "start_time": "Tue, 31 Aug 2010 20:36:29 +0000",
    "end_time": None,
    "queue_time": "0",
}


def general(value: str) -> datetime | None:
    """What the RFC 2822 parser alone makes of a date (the behaviour before the fast path)."""
    try:
        parsed = parsedate_to_datetime(value[:100])
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@given(st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31)))
def test_twilio_dates_read_as_the_general_parser_reads_them(moment: datetime) -> None:
    text = format_datetime(moment.replace(microsecond=0, tzinfo=UTC))  # "Tue, 31 Aug 2010 20:36:29 +0000"
    parsed = parse_call({"sid": SID, "date_created": text}).date_created
    assert parsed == general(text) and parsed is not None and parsed.tzinfo is UTC


NEAR_MISSES = [
    "Tue, 31 Feb 2010 20:36:29 +0000",  # no such day
    "Tue, 31 Aug 2010 24:36:29 +0000",
    "Tue, 31 aug 2010 20:36:29 +0000",  # lower-case month: the general parser takes it
    "Tue 31 Aug 2010 20:36:29 +0000 ",
    "Tuesday 31 Aug 2010 20:36:29 +00",
    "Tue, 3¹ Aug 2010 20:36:29 +0000",  # a digit to isdigit(), not to int()
    "Tue, 31 Aug 2010 20:36:29 -0000",
    "Tue, 31 Aug 2010 20:36:29 +0100",
    "Tue, +1 Aug 2010 20:36:29 +0000",
    "Tue, 31 Aug 2010 20:3:291 +0000",
]


@given(st.sampled_from(NEAR_MISSES) | st.text(alphabet="Tue, 31Aug2010:+-0¹ ", min_size=25, max_size=35))
def test_anything_else_is_read_as_before(text: str) -> None:
    assert parse_call({"sid": SID, "date_created": text}).date_created == general(text)


def raw(record: object) -> bytes:
    """A record as a page gives it to the parse cache: the bytes of its JSON."""
    return json.dumps(record).encode()


def test_an_unchanged_record_gives_the_same_call_and_a_changed_one_a_new_call() -> None:
    cache = ParseCache()
    seen = ParsedCalls()
    [first] = cache.parse([raw(RECORD)], seen)
    cache.keep(seen)

    seen = ParsedCalls()
    [again, other] = cache.parse([raw(RECORD), raw({**RECORD, "sid": "CA" + "b" * 32})], seen)
    assert again is first and other.sid.endswith("b")
    cache.keep(seen)

    [changed] = cache.parse([raw({**RECORD, "status": "completed"})], ParsedCalls())
    assert changed.status == "completed" and changed == parse_call({**RECORD, "status": "completed"})


def test_only_what_the_last_complete_read_saw_is_reused() -> None:
    cache = ParseCache()
    seen = ParsedCalls()
    [first] = cache.parse([raw(RECORD)], seen)
    # Not kept (the read failed half-way): nothing to reuse yet.
    assert cache.parse([raw(RECORD)], ParsedCalls())[0] is not first
    cache.keep(seen)
    cache.keep(ParsedCalls())  # a read in which the call was gone
    assert cache.parse([raw(RECORD)], ParsedCalls())[0] is not first


def test_a_call_is_never_reused_for_a_record_of_another_call() -> None:
    """Two records whose fingerprints collide (here made to) still give each its own call."""
    cache = ParseCache()
    seen = ParsedCalls()
    [first] = cache.parse([raw(RECORD)], seen)
    other = raw({**RECORD, "sid": "CA" + "b" * 32})
    seen.calls[hash(other)] = first
    cache.keep(seen)
    [call] = cache.parse([other], ParsedCalls())
    assert call.sid == "CA" + "b" * 32


def test_numbers_that_compare_equal_to_other_values_are_parsed_again() -> None:
    """1 == 1.0 == True in Python, but not in JSON: such records are never reused."""
    cache = ParseCache()
    for duration, expected in ((1, 1), (True, None), (1.0, None), (1, 1)):
        seen = ParsedCalls()
        [call] = cache.parse([raw({**RECORD, "duration": duration, "price": duration})], seen)
        cache.keep(seen)
        assert call.duration == expected
        assert call.price == (None if duration is True else str(duration))


VALUES = st.none() | st.text(max_size=3) | st.integers(0, 2) | st.booleans() | st.floats(0, 2)
RECORDS = st.lists(
    st.one_of(
        st.none(),
        st.fixed_dictionaries(
            {"sid": st.sampled_from([SID, "CA" + "b" * 32, "", None])},
            optional={"status": VALUES, "duration": VALUES, "x": VALUES, "date_created": VALUES},
        ),
    ),
    max_size=6,
)


@given(st.lists(RECORDS, min_size=1, max_size=4), st.booleans())
def test_every_read_parses_as_parse_calls_would(reads: list[list[object]], as_bytes: bool) -> None:
    """Whether the records come as bytes (reused when unchanged) or as JSON objects (a page msgspec
    refused, read by the standard library)."""
    cache = ParseCache()
    for records in reads:
        seen = ParsedCalls()
        given_records = [raw(record) for record in records] if as_bytes else records
        assert cache.parse(given_records, seen) == parse_calls(records)
        cache.keep(seen)


def test_a_record_given_as_the_bytes_of_its_json_parses_as_the_object_does() -> None:
    assert parse_call(raw(RECORD)) == parse_call(RECORD)
