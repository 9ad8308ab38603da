"""A call's Events, Notifications and Recordings lists: Twilio's shapes and paging, test hooks, and the
records the lifecycle leaves behind (webhook fetches, status callbacks, 11200s, recordings).

Every simulator here records its exchanges and checks them against Twilio's OpenAPI spec on exit.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from sim_helpers import ACCOUNT, Clock, call_path, http, running, sdk
from test_simulator_updates import HANGUP, twiml_server
from twilio.base.exceptions import TwilioException

from calltui.simulator import Simulator
from calltui.simulator.calllog import STATUS_CALLBACK, VOICE_URL


def log_path(sid: str, name: str) -> str:
    return call_path(sid).removesuffix(".json") + f"/{name}.json"


async def test_sdk_reads_what_the_hooks_logged_in_twilios_shapes() -> None:
    clock = Clock()
    async with running(clock=clock) as sim, sdk(sim) as client:
        sid = sim.add_call()["sid"]
        sim.add_event(
            sid, "https://app.example.com/voice", "GET", 200, request_duration=87, response_body="<R/>"
        )
        sim.add_notification(sid, 11200, message_text="fetch failed", request_url="https://app.example.com/x")
        sim.add_recording(sid, source="DialVerb", duration=61, channels=2)
        call = client.calls(sid)
        [event] = await call.events.list_async()
        assert event.request["url"] == "https://app.example.com/voice" and event.request["method"] == "GET"
        assert event.response["response_code"] == 200 and event.response["request_duration"] == 87
        assert event.response["date_created"] == "Mon, 02 Mar 2026 12:00:00 +0000"
        [note] = await call.notifications.list_async()
        assert (note.error_code, note.log, note.message_text) == ("11200", "0", "fetch failed")
        assert note.more_info == "https://www.twilio.com/docs/errors/11200" and note.sid.startswith("NO")
        assert note.request_url == "https://app.example.com/x" and note.call_sid == sid
        [recording] = await call.recordings.list_async()
        assert (recording.status, recording.source, recording.duration, recording.channels) == (
            "completed",
            "DialVerb",
            "61",
            2,
        )
        assert recording.price == Decimal("-0.00500") and recording.sid.startswith(
            "RE"
        )  # a string, as Twilio


async def test_lists_page_like_the_calls_list() -> None:
    async with running() as sim, sdk(sim) as client, http(sim) as session:
        sid = sim.add_call()["sid"]
        for n in range(5):
            sim.add_event(sid, f"https://app.example.com/step/{n}")
        events = await client.calls(sid).events.list_async(page_size=2)
        assert [e.request["url"] for e in events] == [f"https://app.example.com/step/{n}" for n in range(5)]
        pages = [r for r in sim.requests if r.path == log_path(sid, "Events")]
        assert [r.query.get("PageToken") for r in pages] == [None, "PT2", "PT4"]
        async with session.get(log_path(sid, "Events") + "?PageSize=2&Page=1&PageToken=PT2") as response:
            page = await response.json()
        assert (page["start"], page["end"], page["page"]) == (2, 3, 1)
        assert dict(parse_qsl(urlsplit(page["previous_page_uri"]).query))["PageToken"] == "PT0"
        for bad in ("PageToken=CAjunk", "Page=1", "PageSize=1001"):
            async with session.get(log_path(sid, "Notifications") + "?" + bad) as response:
                assert response.status == 400
                assert (await response.json())["code"] in (21481, 20001, 20007)


@pytest.mark.parametrize("name", ["Events", "Notifications", "Recordings"])
async def test_empty_and_unknown_calls(name: str) -> None:
    async with running() as sim, http(sim) as session:
        sid = sim.add_call()["sid"]
        async with session.get(log_path(sid, name)) as response:
            body = await response.json()
        assert body[name.lower()] == [] and body["next_page_uri"] is None
        async with session.get(log_path("CA" + "9" * 32, name)) as response:
            assert response.status == 404 and (await response.json())["code"] == 20404


async def test_hooks_refuse_an_unknown_call() -> None:
    sim = Simulator(account_sid=ACCOUNT, initial_calls=0, traffic=False)
    for hook in (sim.add_event, sim.add_notification, sim.add_recording):
        with pytest.raises(KeyError):
            hook("CA" + "9" * 32)


async def test_a_fault_on_one_subresource_leaves_the_others_alone() -> None:
    async with running() as sim, sdk(sim) as client:
        sid = sim.add_call()["sid"]
        sim.add_notification(sid)
        sim.faults.add("status", status=503, path_contains="/Events.json")
        with pytest.raises(TwilioException):
            await client.calls(sid).events.list_async()
        assert len(await client.calls(sid).notifications.list_async()) == 1


async def test_redirect_fetches_are_logged_and_a_failed_one_raises_11200() -> None:
    async with running() as sim, sdk(sim) as client, twiml_server(HANGUP) as (good, _seen):
        sid = sim.add_call()["sid"]
        await client.calls(sid).update_async(url=f"{sim.base_url}/twiml/hold", method="GET")
        missing = f"{sim.base_url}/twiml/nope"
        await client.calls(sid).update_async(url=missing, fallback_url=good)
        await sim.settle()
        events = await client.calls(sid).events.list_async()
        got = [(e.request["url"], e.request["method"], e.response["response_code"]) for e in events]
        assert got == [
            (f"{sim.base_url}/twiml/hold", "GET", 200),
            (missing, "POST", 404),
            (good, "POST", 200),
        ]
        assert events[0].request["parameters"]["call_sid"] == sid
        [note] = await client.calls(sid).notifications.list_async()
        assert (note.error_code, note.log, note.request_url) == ("11200", "0", missing)
        assert "404" in note.message_text


def run_traffic(seed: int, seconds: int) -> Simulator:
    clock = Clock()
    sim = Simulator(
        account_sid=ACCOUNT, seed=seed, initial_calls=40, traffic=False, clock=clock, target_active=40
    )
    for _ in range(seconds):
        sim.traffic.step(clock.advance(1))
    return sim


async def test_generated_calls_leave_fetches_callbacks_and_some_recordings() -> None:
    sim = run_traffic(3, 600)
    ended = [
        sid for sid in sim.store.sids_with_status("completed") if sim.call(sid)["parent_call_sid"] is None
    ]
    assert len(ended) > 20
    recorded = 0
    for sid in ended:
        events = sim.log.records("events", sid)
        urls = [e["request"]["url"] for e in events]
        assert urls[-1] == STATUS_CALLBACK
        assert events[-1]["request"]["parameters"]["call_status"] == "completed"
        if sim.call(sid)["direction"] == "inbound":
            assert urls[0] == VOICE_URL
        recordings = sim.log.records("recordings", sid)
        recorded += bool(recordings)
        for recording in recordings:
            assert recording["duration"] == sim.call(sid)["duration"]
    assert 0 < recorded < len(ended)


def test_the_log_is_seeded() -> None:
    first, second = run_traffic(5, 120), run_traffic(5, 120)
    sids = first.store.sids_with_status("completed")
    assert sids and sids == second.store.sids_with_status("completed")
    for kind in ("events", "notifications", "recordings"):
        assert [first.log.records(kind, s) for s in sids] == [second.log.records(kind, s) for s in sids]
    assert any(first.log.records("events", s) for s in sids)


async def test_generated_records_match_the_spec() -> None:
    """The traffic's own records, served and validated against the spec on exit."""
    clock = Clock()
    async with running(seed=4, initial_calls=30, clock=clock, target_active=30) as sim, http(sim) as session:
        for _ in range(300):
            sim.traffic.step(clock.advance(1))
        seen = 0
        for sid in sim.store.sids_with_status("completed")[:15]:
            for name in ("Events", "Notifications", "Recordings"):
                async with session.get(log_path(sid, name)) as response:
                    assert response.status == 200
                    seen += len((await response.json())[name.lower()])
        assert seen > 15
