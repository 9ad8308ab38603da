"""The simulator speaks the Calls API as the twilio SDK expects: paging, filters, fetch, create, account.

Every simulator here records its exchanges and checks them against Twilio's OpenAPI spec on exit.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from sim_helpers import ACCOUNT, KEY_SECRET, KEY_SID, Clock, calls_path, http, running, sdk

from calltui.simulator import Simulator

SPEC_CALL_FIELDS = {
    "sid", "date_created", "date_updated", "parent_call_sid", "account_sid", "to", "to_formatted", "from",
    "from_formatted", "phone_number_sid", "status", "start_time", "end_time", "duration", "price",
    "price_unit", "direction", "answered_by", "api_version", "forwarded_from", "group_sid", "caller_name",
    "queue_time", "trunk_sid", "uri", "subresource_uris",
}  # fmt: skip
RFC2822 = re.compile(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$")


def add_calls(sim: Simulator, clock: Clock, count: int, **fields: object) -> list[str]:
    """`count` calls one second apart; returns their SIDs oldest first."""
    sids = []
    for _ in range(count):
        clock.advance(1)
        sids.append(sim.add_call(**fields)["sid"])
    return sids


async def get_json(session, url: str, status: int = 200) -> dict:
    async with session.get(url) as response:
        assert response.status == status, await response.text()
        return await response.json()


async def test_sdk_lists_120_calls_over_three_pages_newest_first() -> None:
    clock = Clock()
    async with running(clock=clock) as sim, sdk(sim) as client:
        sids = add_calls(sim, clock, 120)
        listed = await client.calls.list_async(page_size=50)
        assert [c.sid for c in listed] == sids[::-1]
        pages = [r for r in sim.requests if r.path == calls_path()]
        assert [r.query.get("Page") for r in pages] == [None, "1", "2"]
        assert "PageToken" not in pages[0].query
        assert pages[1].query["PageToken"] == "PA" + sids[-50]
        assert pages[2].query["PageToken"] == "PA" + sids[-100]


async def test_envelope_fields_and_links_forward_and_back() -> None:
    clock = Clock()
    async with running(clock=clock) as sim, http(sim) as session:
        sids = add_calls(sim, clock, 5, status="ringing")[::-1]  # newest first
        first = await get_json(session, calls_path() + "?Status=ringing&PageSize=2")
        assert [c["sid"] for c in first["calls"]] == sids[:2]
        assert (first["page"], first["page_size"], first["start"], first["end"]) == (0, 2, 0, 1)
        assert first["previous_page_uri"] is None
        assert first["uri"] == first["first_page_uri"] == calls_path() + "?Status=ringing&PageSize=2&Page=0"
        assert (
            first["next_page_uri"]
            == calls_path() + f"?Status=ringing&PageSize=2&Page=1&PageToken=PA{sids[1]}"
        )

        second = await get_json(session, first["next_page_uri"])
        assert [c["sid"] for c in second["calls"]] == sids[2:4]
        assert (second["page"], second["start"], second["end"]) == (1, 2, 3)
        assert second["uri"] == first["next_page_uri"]
        assert second["previous_page_uri"].endswith(f"Page=0&PageToken=PB{sids[2]}")

        back = await get_json(session, second["previous_page_uri"])
        assert [c["sid"] for c in back["calls"]] == sids[:2]
        assert back["next_page_uri"] is not None

        last = await get_json(session, second["next_page_uri"])
        assert [c["sid"] for c in last["calls"]] == sids[4:]
        assert last["next_page_uri"] is None
        assert (last["start"], last["end"]) == (4, 4)

        empty = await get_json(session, calls_path() + "?Status=busy")
        assert (empty["calls"], empty["start"], empty["end"], empty["next_page_uri"]) == ([], 0, 0, None)


async def test_paging_is_a_cursor_calls_arriving_meanwhile_do_not_shift_pages() -> None:
    clock = Clock()
    async with running(clock=clock) as sim, http(sim) as session:
        sids = add_calls(sim, clock, 6)[::-1]
        first = await get_json(session, calls_path() + "?PageSize=3")
        add_calls(sim, clock, 4)  # newer: they belong before page 0, not in page 1
        second = await get_json(session, first["next_page_uri"])
        assert [c["sid"] for c in first["calls"] + second["calls"]] == sids


async def test_filters_are_echoed_encoded_in_every_paging_uri() -> None:
    clock = Clock()
    async with running(clock=clock) as sim, http(sim) as session:
        add_calls(sim, clock, 3, to="+15550009999")
        page = await get_json(session, calls_path() + "?To=%2B15550009999&StartTime%3E=2026-03-01&PageSize=1")
        query = urlsplit(page["next_page_uri"]).query
        assert query.startswith("To=%2B15550009999&StartTime%3E=2026-03-01&PageSize=1&Page=1&PageToken=PA")
        assert dict(parse_qsl(query))["To"] == "+15550009999"
        follow = await get_json(session, page["next_page_uri"])
        assert len(follow["calls"]) == 1


@pytest.mark.parametrize("status", ["queued", "ringing", "in-progress", "completed", "busy", "canceled"])
async def test_status_filter_returns_only_that_status(status: str) -> None:
    clock = Clock()
    async with running(clock=clock) as sim, sdk(sim) as client:
        expected = {}
        for each in ("queued", "ringing", "in-progress", "completed", "busy", "canceled"):
            expected[each] = set(add_calls(sim, clock, 2, status=each))
        listed = await client.calls.list_async(status=status)
        assert {c.sid for c in listed} == expected[status]
        assert {c.status for c in listed} == {status}


async def test_to_from_and_parent_filters() -> None:
    clock = Clock()
    async with running(clock=clock) as sim, sdk(sim) as client:
        parent = sim.add_call(from_="+15551110000", to="+15552220000")["sid"]
        legs = {
            to: sim.add_call(direction="outbound-dial", from_="+15551110000", to=to, parent_call_sid=parent)[
                "sid"
            ]
            for to in ("client:alice", "sip:bob@example.com")
        }
        other = sim.add_call(from_="client:alice", to="+15552220000")["sid"]

        async def sids(**filters: object) -> set[str]:
            return {c.sid for c in await client.calls.list_async(**filters)}

        assert await sids(parent_call_sid=parent) == set(legs.values())
        assert await sids(to="+15552220000") == {parent, other}
        assert await sids(from_="client:alice") == {other}
        assert await sids(from_="+15551110000", to="sip:bob@example.com") == {legs["sip:bob@example.com"]}
        assert await sids(parent_call_sid=other) == set()


async def test_start_and_end_time_filters_by_day_and_by_instant() -> None:
    clock = Clock(datetime(2026, 3, 1, 23, 0, 0, tzinfo=UTC))
    async with running(clock=clock) as sim, sdk(sim) as client:
        day1 = sim.add_call(status="completed")["sid"]  # started and ended 2026-03-01 23:00
        clock.advance(2 * 3600)
        day2 = sim.add_call(status="in-progress")["sid"]  # started 2026-03-02 01:00, still live
        clock.advance(24 * 3600)
        day3 = sim.add_call(status="completed")["sid"]  # 2026-03-03 01:00
        ringing = sim.add_call(status="ringing")["sid"]  # no start time: never matches a time filter

        async def sids(**filters: object) -> set[str]:
            return {c.sid for c in await client.calls.list_async(**filters)}

        assert await sids(start_time=date(2026, 3, 2)) == {day2}
        assert await sids(start_time="2026-03-01") == {day1}
        assert await sids(start_time_after=date(2026, 3, 2)) == {day2, day3}
        assert await sids(start_time_after=datetime(2026, 3, 2, 1, 0, 1, tzinfo=UTC)) == {day3}
        assert await sids(start_time_before="2026-03-02") == {day1, day2}
        assert await sids(start_time_before=datetime(2026, 3, 2, 0, 59, 59, tzinfo=UTC)) == {day1}
        assert await sids(end_time=date(2026, 3, 3)) == {day3}
        assert await sids(end_time_before="2026-03-02") == {day1}
        assert await sids(end_time_after="2026-03-02") == {day3}
        assert ringing not in await sids(start_time_before="2030-01-01")
        sent = [r.query for r in sim.requests if "StartTime>" in r.query]
        assert "2026-03-02T01:00:01Z" in {q["StartTime>"] for q in sent}  # the SDK's datetime format


async def test_loose_date_formats_from_twilios_examples_are_accepted() -> None:
    async with running() as sim, http(sim) as session:
        sim.add_call(status="completed")
        for value in (
            "06%2F11%2F2019+22%3A05%3A25+MST",
            "2019-06-11+22%3A05%3A25.000",
            "2019-06-11T22:05:25%2B02:00",
        ):
            page = await get_json(session, calls_path() + f"?StartTime%3C={value}")
            assert page["calls"] == []


async def test_fetch_returns_every_spec_field_typed_as_twilio_does() -> None:
    clock = Clock()
    async with running(clock=clock) as sim, sdk(sim) as client:
        sid = sim.add_call(status="in-progress", from_="+14158675308", to="client:alice")["sid"]
        live = sim.call(sid)
        assert live is not None and live.keys() >= SPEC_CALL_FIELDS
        assert (live["end_time"], live["duration"], live["price"]) == (None, None, None)
        assert RFC2822.match(live["start_time"]) and live["from_formatted"] == "(415) 867-5308"
        assert live["to_formatted"] == "client:alice"
        assert live["uri"] == f"/2010-04-01/Accounts/{ACCOUNT}/Calls/{sid}.json"
        assert live["subresource_uris"]["events"] == f"/2010-04-01/Accounts/{ACCOUNT}/Calls/{sid}/Events.json"

        clock.advance(75)
        sim.end_call(sid)
        call = await client.calls(sid).fetch_async()
        assert (call.sid, call.status, call._from, call.to) == (
            sid,
            "completed",
            "+14158675308",
            "client:alice",
        )
        assert call.duration == "75" and call.price == "-0.02600" and call.price_unit == "USD"
        assert call.end_time - call.start_time == timedelta(seconds=75)
        assert call.start_time.tzinfo is not None


async def test_queued_and_ringing_calls_have_no_start_time_yet() -> None:
    async with running() as sim:
        for status in ("queued", "ringing"):
            raw = sim.add_call(status=status)
            assert (raw["start_time"], raw["end_time"], raw["duration"], raw["price"]) == (None,) * 4


async def test_create_queues_an_outbound_api_call() -> None:
    async with running() as sim, sdk(sim) as client:
        created = await client.calls.create_async(
            to="+15557654321", from_="+15551234567", url="https://x.test/a"
        )
        assert (created.status, created.direction, created.to, created._from) == (
            "queued",
            "outbound-api",
            "+15557654321",
            "+15551234567",
        )
        inline = await client.calls.create_async(
            to="sip:bob@example.com", from_="+15551234567", twiml="<Response/>"
        )
        listed = {c.sid for c in await client.calls.list_async(status="queued")}
        assert listed == {created.sid, inline.sid}
        assert sim.requests[-1].form == {} and sim.requests[0].form["To"] == "+15557654321"


async def test_account_resource_carries_friendly_name_and_token_only_for_the_account_itself() -> None:
    async with running(friendly_name="Support line") as sim:
        async with sdk(sim) as client:
            account = await client.api.accounts(ACCOUNT).fetch_async()
            assert (account.sid, account.friendly_name, account.status) == (ACCOUNT, "Support line", "active")
        async with sdk(sim, KEY_SID, KEY_SECRET) as client:
            account = await client.api.accounts(ACCOUNT).fetch_async()
            assert account.friendly_name == "Support line" and account.auth_token is None


async def test_api_key_authenticates_for_its_account() -> None:
    async with running() as sim, sdk(sim, KEY_SID, KEY_SECRET) as client:
        sid = sim.add_call()["sid"]
        assert [c.sid for c in await client.calls.list_async()] == [sid]
        assert sim.requests[-1].auth_user == KEY_SID


async def test_hostile_raw_values_are_served_verbatim_without_breaking_the_list() -> None:
    async with running(record_exchanges=False) as sim, http(sim) as session:
        sid = sim.add_call()["sid"]
        sim.set_call(
            sid, status="weird", from_=12345, caller_name="\x1b[31mEVIL\x07", duration=None, price=9.5
        )
        sim.set_call(
            sim.add_call()["sid"], date_created="not a date", start_time="garbage", subresource_uris=[]
        )
        page = await get_json(session, calls_path())
        hostile = next(c for c in page["calls"] if c["sid"] == sid)
        assert (hostile["status"], hostile["from"], hostile["caller_name"], hostile["price"]) == (
            "weird",
            12345,
            "\x1b[31mEVIL\x07",
            9.5,
        )
        assert len(page["calls"]) == 2
        filtered = await get_json(session, calls_path() + "?StartTime%3E=2000-01-01")
        assert [c["sid"] for c in filtered["calls"]] == [sid]  # "garbage" is no start time: never matches


def test_test_hooks_copy_records_and_reject_unknown_sids() -> None:
    sim = Simulator(initial_calls=0, traffic=False)
    raw = sim.add_call(status="ringing", answered_by="human")
    raw["status"] = "tampered"
    assert sim.call(raw["sid"])["status"] == "ringing"
    assert sim.call(raw["sid"])["answered_by"] == "human"
    assert sim.call("CA" + "f" * 32) is None
    with pytest.raises(KeyError):
        sim.set_call("CA" + "f" * 32, status="completed")
    with pytest.raises(ValueError):
        sim.end_call(raw["sid"], status="in-progress")
    with pytest.raises(ValueError):
        Simulator(account_sid="AC123")
    assert sim.auth_token not in repr(sim) and sim.auth_token not in repr(sim.credentials)
