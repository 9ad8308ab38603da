"""Raw Calls API records to domain `Call`s, and SDK/HTTP failures to domain errors: pure functions."""

from __future__ import annotations

import json
import pickle
import sys
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.response import Response

from calltui.domain.call import Call
from calltui.domain.errors import (
    AuthError,
    CallNotLive,
    GatewayError,
    InvalidRequest,
    MalformedResponse,
    NotFound,
    RateLimited,
    RequestTimeout,
    ServerError,
)
from calltui.gateway.errors import classify, error_from_response, map_exception
from calltui.gateway.parse import parse_call, parse_calls
from calltui.gateway.twilio_gateway import dedupe_calls

SID = "CA" + "a" * 32
TWILIO_RECORD = {  # The shape of the spec's example, with Twilio's string types and nulls.
    "sid": SID,
    "account_sid": "AC" + "b" * 32,
    "date_created": "Tue, 31 Aug 2010 20:36:28 +0000",
    "date_updated": "Tue, 31 Aug 2010 20:36:44 +0000",
    "parent_call_sid": None,
    "to": "+14155551212",
    "to_formatted": "(415) 555-1212",
    "from": "client:alice",
    "from_formatted": "client:alice",
    "phone_number_sid": None,
    "status": "in-progress",
    "start_time": "Tue, 31 Aug 2010 20:36:29 +0000",
    "end_time": None,
    "duration": None,
    "price": None,
    "price_unit": "USD",
    "direction": "outbound-api",
    "answered_by": None,
    "api_version": "2010-04-01",
    "forwarded_from": None,
    "group_sid": None,
    "caller_name": None,
    "queue_time": "1200",
    "trunk_sid": None,
    "uri": f"/2010-04-01/Accounts/AC{'b' * 32}/Calls/{SID}.json",
    "subresource_uris": {"events": "/x/Events.json"},
    "stir_verstat": "TN-Validation-Passed-A",
}
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def test_a_twilio_record_parses_to_every_field() -> None:
    call = parse_call(TWILIO_RECORD)
    assert call.sid == SID and call.status == "in-progress" and call.direction == "outbound-api"
    assert (call.from_, call.to, call.to_formatted) == ("client:alice", "+14155551212", "(415) 555-1212")
    assert call.start_time == datetime(2010, 8, 31, 20, 36, 29, tzinfo=UTC)
    assert call.date_updated == datetime(2010, 8, 31, 20, 36, 44, tzinfo=UTC)
    assert (call.end_time, call.duration, call.price) == (None, None, None)
    assert call.queue_time == 1200 and call.price_unit == "USD" and call.uri == TWILIO_RECORD["uri"]
    assert call.extra == (("stir_verstat", "TN-Validation-Passed-A"),)  # subresource_uris is navigation


def test_a_call_keeps_its_uri_only_when_its_sids_do_not_make_it() -> None:
    """Twilio's URI is the account and call SIDs in a fixed pattern: the call does not hold a copy of it
    (150 bytes a call), yet reads, compares, copies and pickles as if it did."""
    records = json.loads(json.dumps([TWILIO_RECORD, {**TWILIO_RECORD, "uri": "/elsewhere.json"}]))
    made, other = (record["uri"] for record in records)
    held = sys.getrefcount(made), sys.getrefcount(other)
    usual, odd = parse_calls(records)
    assert (sys.getrefcount(made), sys.getrefcount(other)) == (held[0], held[1] + 1)  # only the odd one kept
    assert (usual.uri, odd.uri) == (made, "/elsewhere.json") and usual != odd
    assert usual == parse_call(TWILIO_RECORD) and pickle.loads(pickle.dumps(usual)) == usual
    assert replace(usual, account_sid="AC" + "c" * 32).uri == made  # another account's SID: still as sent
    assert Call(sid=SID).uri is None


def test_hostile_values_become_unknown_or_stay_text() -> None:
    record = {
        **TWILIO_RECORD,
        "status": "on-hold-new-status",  # unknown enums are kept as sent
        "direction": {"nested": True},
        "to": 14155551212,
        "from": ["sip:a@b"],
        "answered_by": True,
        "date_created": 5,
        "date_updated": "Tue, 31 Feb 2010 20:36:29 +0000",  # the SDK's CallInstance raises on this one
        "start_time": "Tue, 31 Aug 2010 99:36:29 +0000",
        "end_time": "yesterday",
        "duration": "12.5",
        "queue_time": -4,
        "price": float("nan"),
        "custom": {"b": 1, "a": [2]},
    }
    call = parse_call(record)
    assert call.status == "on-hold-new-status" and call.direction is None
    assert call.to == "14155551212" and call.from_ is None and call.answered_by is None and call.price is None
    assert call.date_created is call.date_updated is call.start_time is call.end_time is None
    assert call.duration is None and call.queue_time is None
    assert ("custom", '{"b": 1, "a": [2]}') in call.extra


def test_dates_in_other_offsets_or_minus_zero_are_utc() -> None:
    call = parse_call(
        {
            "sid": SID,
            "date_created": "Tue, 31 Aug 2010 22:36:29 +0200",
            "date_updated": "Tue, 31 Aug 2010 20:36:29 -0000",
        }
    )
    assert call.date_created == call.date_updated == datetime(2010, 8, 31, 20, 36, 29, tzinfo=UTC)
    assert call.date_created.tzinfo is UTC


HOSTILE_SIDS = ["CA\x1b]0;pwned\x07" + "a" * 24, "CA" + "a" * 32 + "\n", "CA[bold]x[/bold]", "AC" + "a" * 32]


@pytest.mark.parametrize(
    "record",
    [None, [], "CA…", 5, {}, {"sid": None}, {"sid": 7}, {"sid": "  "}, *({"sid": s} for s in HOSTILE_SIDS)],
)
def test_a_record_that_cannot_be_a_call_is_malformed(record: object) -> None:
    with pytest.raises(MalformedResponse):
        parse_call(record)


def test_a_list_keeps_the_usable_records() -> None:
    assert [c.sid for c in parse_calls([TWILIO_RECORD, None, {"sid": 3}, {"sid": SID[:-1] + "b"}])] == [
        SID,
        SID[:-1] + "b",
    ]


@given(JSON)
def test_any_json_value_parses_or_is_malformed(value: object) -> None:
    for record in (
        value,
        {"sid": SID, "status": value, "date_created": value, "duration": value, "x": value},
    ):
        try:
            call = parse_call(record)
        except MalformedResponse:
            continue
        assert isinstance(call, Call)
        assert call == parse_call(record)  # deterministic, so polls diff cleanly
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in call.extra)


def test_dedupe_keeps_the_record_updated_last_then_the_later_one() -> None:
    older = Call(SID, "ringing", date_updated=datetime(2026, 1, 1, tzinfo=UTC))
    newer = Call(SID, "in-progress", date_updated=datetime(2026, 1, 2, tzinfo=UTC))
    other = Call(SID[:-1] + "b", "queued")
    assert dedupe_calls([newer, other, older]) == [newer, other]
    assert dedupe_calls([older, other, newer]) == [newer, other]
    assert dedupe_calls([Call(SID, "queued"), Call(SID, "ringing")]) == [Call(SID, "ringing")]


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (401, 20003, AuthError),
        (403, None, AuthError),
        (404, 20404, NotFound),
        (429, 20429, RateLimited),
        (400, 21220, CallNotLive),
        (400, 21205, InvalidRequest),
        (400, 20007, InvalidRequest),
        (500, 20500, ServerError),
        (502, None, ServerError),
        (302, None, MalformedResponse),
    ],
)
def test_status_and_code_pick_the_error(status: int, code: int | None, kind: type[GatewayError]) -> None:
    body = json.dumps({"code": code, "message": "Twilio says", "more_info": "https://x/1", "status": status})
    error = error_from_response(status, body, {"Retry-After": "2"})
    assert type(error) is kind and error.status == status and error.code == code
    if kind is not MalformedResponse:
        assert error.message == "Twilio says" and error.more_info == "https://x/1"


def test_retry_after_is_read_in_seconds_and_ignored_when_unusable() -> None:
    assert error_from_response(429, "", {"Retry-After": "1.5"}).retry_after == 1.5  # type: ignore[attr-defined]
    for header in ("Wed, 21 Oct 2015 07:28:00 GMT", "-1", "nan", "inf"):
        assert error_from_response(429, "", {"Retry-After": header}).retry_after is None  # type: ignore[attr-defined]


def test_a_non_json_error_body_still_maps_by_status() -> None:
    error = error_from_response(503, "<html>\x1b[31mBad gateway</html>", None)
    assert (
        isinstance(error, ServerError)
        and error.message == "The API answered HTTP 503."
        and error.code is None
    )


def test_sdk_exceptions_map_with_twilio_s_own_message() -> None:
    rest = TwilioRestException(400, "/x", "Unable to update record: Call is not in-progress.", 21220, "POST")
    error = map_exception(rest)
    assert (
        isinstance(error, CallNotLive) and error.message == "Call is not in-progress." and error.status == 400
    )
    page = TwilioException("Unable to fetch page", Response(404, '{"code": 20404, "message": "gone"}', {}))
    assert isinstance(map_exception(page), NotFound) and map_exception(page).message == "gone"
    assert isinstance(
        map_exception(TwilioException("Page Records can not be deserialized")), MalformedResponse
    )


def test_parse_failures_timeouts_and_the_unexpected_are_mapped() -> None:
    assert isinstance(map_exception(json.JSONDecodeError("x", "doc", 0)), MalformedResponse)
    assert isinstance(map_exception(KeyError("calls")), MalformedResponse)
    assert isinstance(map_exception(TimeoutError()), RequestTimeout)
    unexpected = map_exception(RuntimeError("boom"))
    assert type(unexpected) is GatewayError and "RuntimeError" in unexpected.message


def test_classify_prefers_twilio_s_code_over_the_status() -> None:
    assert isinstance(classify(400, 20003, "m"), AuthError)
    assert isinstance(classify(None, None, "m"), MalformedResponse)
