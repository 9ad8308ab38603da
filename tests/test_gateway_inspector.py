"""TwilioGateway's call inspector lists (Events, Notifications, Recordings) against the simulator."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from conftest import FROZEN_NOW, make_settings

from calltui.domain.errors import InvalidRequest, MalformedResponse, NotFound, ServerError
from calltui.gateway import TwilioGateway
from calltui.simulator import Simulator


@pytest.fixture
async def gateway(sim: Simulator) -> AsyncIterator[TwilioGateway]:
    assert sim.base_url
    made = TwilioGateway(make_settings(sim.base_url), max_pages=3)
    yield made
    await made.close()


def junk_page(key: str, records: list[object]) -> str:
    return json.dumps({key: records, "next_page_uri": None, "page": 0, "page_size": 50})


async def test_events_notifications_and_recordings_are_parsed(sim: Simulator, gateway: TwilioGateway) -> None:
    sid = sim.add_call()["sid"]
    sim.add_event(
        sid, "https://app.example.com/voice", "GET", 502, request_duration=1500, content_type="text/html"
    )
    sim.add_notification(
        sid, 11200, message_text="[red]boom[/red]", request_url="https://app.example.com/voice"
    )
    sim.add_notification(sid, "15003", log="1")
    sim.add_recording(sid, duration=61, channels=2, source="DialVerb")
    [event] = await gateway.list_events(sid)
    assert (event.method, event.url, event.response_code, event.request_duration) == (
        "GET",
        "https://app.example.com/voice",
        502,
        1500,
    )
    assert event.failed and event.date_created == FROZEN_NOW and event.content_type == "text/html"
    error, warning = await gateway.list_notifications(sid)
    assert (error.error_code, error.level, error.message_text) == ("11200", "error", "[red]boom[/red]")
    assert error.more_info == "https://www.twilio.com/docs/errors/11200" and error.when == FROZEN_NOW
    assert (warning.error_code, warning.level) == ("15003", "warning")
    [recording] = await gateway.list_recordings(sid)
    assert (recording.status, recording.source, recording.duration, recording.channels) == (
        "completed",
        "DialVerb",
        61,
        2,
    )
    assert recording.price == "-0.00500" and recording.start_time == FROZEN_NOW


async def test_every_page_is_read(sim: Simulator, gateway: TwilioGateway) -> None:
    sid = sim.add_call()["sid"]
    for n in range(1001):
        sim.add_event(sid, f"https://app.example.com/{n}", request_duration=n)
    events = await gateway.list_events(sid)
    assert [e.request_duration for e in events] == list(range(1001))
    pages = [r.query for r in sim.requests if r.path.endswith("/Events.json")]
    assert [q["PageSize"] for q in pages] == ["1000", "1000"] and pages[1]["PageToken"] == "PT1000"


async def test_junk_records_and_fields_do_not_hide_the_rest(sim: Simulator, gateway: TwilioGateway) -> None:
    sid = sim.add_call()["sid"]
    records = [
        5,
        "x",
        None,
        {"request": "junk", "response": {"response_code": "abc", "date_created": 7, "request_duration": -3}},
        {"request": {"url": ["x"], "method": {}}, "response": {"response_code": "404", "response_body": 5}},
    ]
    sim.faults.add("malformed", path_contains="/Events.json", body=junk_page("events", records))
    junk, found = await gateway.list_events(sid)
    assert junk.url is None and junk.response_code is None and junk.date_created is None and junk.failed
    assert junk.request_duration is None
    assert (found.url, found.method, found.response_code, found.response_body) == (None, None, 404, None)
    notes = [{"sid": 7, "log": 0, "error_code": 11200, "message_date": "31 Feb", "more_info": {"a": 1}}]
    sim.faults.add("malformed", path_contains="/Notifications.json", body=junk_page("notifications", notes))
    [note] = await gateway.list_notifications(sid)
    assert (note.sid, note.log, note.error_code, note.when, note.more_info) == (
        "7",
        "0",
        "11200",
        None,
        None,
    )
    assert note.level == "error"
    recs = [{"duration": "1.5", "channels": True, "price": -0.01, "status": ["x"]}]
    sim.faults.add("malformed", path_contains="/Recordings.json", body=junk_page("recordings", recs))
    [recording] = await gateway.list_recordings(sid)
    assert (recording.duration, recording.channels, recording.price, recording.status) == (
        None,
        None,
        "-0.01",
        None,
    )


async def test_a_page_without_its_list_is_malformed(sim: Simulator, gateway: TwilioGateway) -> None:
    sid = sim.add_call()["sid"]
    sim.faults.add("malformed", path_contains="/Recordings.json", body=junk_page("calls", []))
    with pytest.raises(MalformedResponse, match="recordings"):
        await gateway.list_recordings(sid)


async def test_errors_are_mapped(sim: Simulator, gateway: TwilioGateway) -> None:
    sid = sim.add_call()["sid"]
    sim.faults.add("status", path_contains="/Notifications.json", status=500, times=1)
    with pytest.raises(ServerError) as raised:
        await gateway.list_notifications(sid)
    assert raised.value.code == 20500
    with pytest.raises(NotFound):
        await gateway.list_events("CA" + "9" * 32)
    sim.add_event(sid)
    sim.faults.add("next_page_loop", path_contains="/Events.json")
    with pytest.raises(MalformedResponse, match="already read"):
        await gateway.list_events(sid)
    sim.faults.clear()
    sim.faults.add("next_page_404", path_contains="/Recordings.json")
    with pytest.raises(NotFound):
        await gateway.list_recordings(sid)


@pytest.mark.parametrize("bad", ["CA123", "../Accounts", "CA" + "g" * 32])
async def test_a_bad_sid_sends_nothing(sim: Simulator, gateway: TwilioGateway, bad: str) -> None:
    for listing in (gateway.list_events, gateway.list_notifications, gateway.list_recordings):
        with pytest.raises(InvalidRequest):
            await listing(bad)
    assert sim.requests == []
