"""Modifying live calls: redirect (Url / Twiml) and end (Status=completed / canceled), as Twilio does."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from sim_helpers import Clock, call_path, http, running, sdk
from twilio.base.exceptions import TwilioRestException

HANGUP = "<Response><Say>Bye</Say><Hangup/></Response>"


@contextlib.asynccontextmanager
async def twiml_server(document: str) -> AsyncIterator[tuple[str, list[tuple[str, dict[str, str]]]]]:
    """A customer's web server serving one TwiML document; yields its URL and the requests it got."""
    seen: list[tuple[str, dict[str, str]]] = []

    async def serve(request: web.Request) -> web.Response:
        params = dict(request.query) if request.method == "GET" else dict(await request.post())
        seen.append((request.method, params))  # type: ignore[arg-type]
        return web.Response(text=document, content_type="application/xml")

    app = web.Application()
    app.router.add_route("*", "/voice", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/voice", seen
    finally:
        await runner.cleanup()


async def test_completed_hangs_up_a_call_in_progress_with_end_time_duration_and_price() -> None:
    clock = Clock()
    async with running(clock=clock) as sim, sdk(sim) as client:
        sid = sim.add_call(status="in-progress")["sid"]
        clock.advance(61)
        ended = await client.calls(sid).update_async(status="completed")
        assert (ended.status, ended.duration, ended.price) == ("completed", "61", "-0.02600")
        assert ended.end_time == clock.now.replace(microsecond=0)
        assert sim.call(sid)["status"] == "completed"
        assert sim.requests[-1].form == {"Status": "completed"}


async def test_ending_a_call_ends_the_legs_it_dialed() -> None:
    async with running() as sim, sdk(sim) as client:
        parent = sim.add_call()["sid"]
        talking = sim.add_call(direction="outbound-dial", parent_call_sid=parent)["sid"]
        ringing = sim.add_call(status="ringing", direction="outbound-dial", parent_call_sid=parent)["sid"]
        done = sim.add_call(status="no-answer", direction="outbound-dial", parent_call_sid=parent)["sid"]
        await client.calls(parent).update_async(status="completed")
        assert [sim.call(s)["status"] for s in (talking, ringing, done)] == [
            "completed",
            "canceled",
            "no-answer",
        ]


@pytest.mark.parametrize("status", ["queued", "ringing"])
async def test_canceled_ends_a_call_not_yet_answered(status: str) -> None:
    async with running() as sim, sdk(sim) as client:
        sid = sim.add_call(status=status)["sid"]
        ended = await client.calls(sid).update_async(status="canceled")
        assert (ended.status, ended.start_time, ended.duration) == ("canceled", None, "0")


async def test_canceled_does_not_affect_a_call_in_progress_but_completed_ends_a_ringing_one() -> None:
    async with running() as sim, sdk(sim) as client:
        talking = sim.add_call(status="in-progress")["sid"]
        assert (await client.calls(talking).update_async(status="canceled")).status == "in-progress"
        ringing = sim.add_call(status="ringing")["sid"]
        assert (await client.calls(ringing).update_async(status="completed")).status == "completed"


@pytest.mark.parametrize(
    "twiml", ["<Response><Hangup/></Response>", '<?xml version="1.0"?><Response><Reject/></Response>', HANGUP]
)
async def test_inline_twiml_that_hangs_up_ends_the_call(twiml: str) -> None:
    async with running() as sim, sdk(sim) as client:
        sid = sim.add_call()["sid"]
        assert (await client.calls(sid).update_async(twiml=twiml)).status == "completed"


async def test_inline_twiml_that_keeps_the_call_going_leaves_it_live() -> None:
    async with running() as sim, sdk(sim) as client:
        sid = sim.add_call()["sid"]
        twiml = "<Response><Say>Hold on</Say><Dial><Queue>support</Queue></Dial></Response>"
        assert (await client.calls(sid).update_async(twiml=twiml)).status == "in-progress"


@pytest.mark.parametrize(
    ("name", "status"), [("hangup", "completed"), ("reject", "completed"), ("hold", "in-progress")]
)
async def test_redirect_to_the_simulators_own_twiml(name: str, status: str) -> None:
    async with running() as sim, sdk(sim) as client, http(sim, None) as session:
        async with session.get(f"/twiml/{name}") as response:
            assert response.status == 200 and response.content_type == "application/xml"
        sid = sim.add_call()["sid"]
        updated = await client.calls(sid).update_async(url=f"{sim.base_url}/twiml/{name}", method="GET")
        assert updated.status == status


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_redirect_fetches_the_url_afterwards_with_twilios_call_parameters(method: str) -> None:
    async with running() as sim, sdk(sim) as client, twiml_server(HANGUP) as (url, seen):
        sid = sim.add_call(from_="+15550001111", to="client:alice")["sid"]
        answer = await client.calls(sid).update_async(url=url, method=method)
        assert answer.status == "in-progress"  # answered before the fetch, as Twilio does
        await sim.settle()
        assert sim.call(sid)["status"] == "completed"
        assert len(seen) == 1
        got_method, params = seen[0]
        assert got_method == method
        assert params["CallSid"] == sid and params["CallStatus"] == "in-progress"
        assert (params["From"], params["To"], params["Direction"]) == (
            "+15550001111",
            "client:alice",
            "inbound",
        )


async def test_unfetchable_url_leaves_the_call_as_it_is_and_fallback_url_is_tried() -> None:
    async with running() as sim, sdk(sim) as client, twiml_server(HANGUP) as (fallback, seen):
        sid = sim.add_call()["sid"]
        dead = "http://127.0.0.1:9/nothing-listens-here"
        for url in (dead, f"{sim.base_url}/twiml/nope"):
            assert (await client.calls(sid).update_async(url=url)).status == "in-progress"
            await sim.settle()
            assert sim.call(sid)["status"] == "in-progress"
        assert seen == []
        await client.calls(sid).update_async(url=dead, fallback_url=fallback, fallback_method="GET")
        await sim.settle()
        assert sim.call(sid)["status"] == "completed" and seen[0][0] == "GET"


async def test_served_document_that_is_not_twiml_changes_nothing() -> None:
    async with running() as sim, sdk(sim) as client, twiml_server("<html>Hangup</html>") as (url, seen):
        sid = sim.add_call()["sid"]
        assert (await client.calls(sid).update_async(url=url)).status == "in-progress"
        await sim.settle()
        assert len(seen) == 1 and sim.call(sid)["status"] == "in-progress"


@pytest.mark.parametrize(
    "change",
    [{"status": "completed"}, {"status": "canceled"}, {"url": "https://x.test/a"}, {"twiml": HANGUP}],
)
@pytest.mark.parametrize("ended", ["completed", "busy", "no-answer", "failed", "canceled"])
async def test_a_call_that_is_not_live_cannot_be_redirected_or_ended(change: dict, ended: str) -> None:
    async with running() as sim, sdk(sim) as client:
        sid = sim.add_call(status=ended)["sid"]
        with pytest.raises(TwilioRestException) as caught:
            await client.calls(sid).update_async(**change)
        assert (caught.value.status, caught.value.code) == (400, 21220)
        assert "Call is not in-progress. Cannot redirect." in caught.value.msg
        assert sim.call(sid)["status"] == ended


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"Url": "https://x.test/a", "Twiml": HANGUP}, 20001),
        ({"Status": "in-progress"}, 20001),
        ({"Status": "busy"}, 20001),
        ({"Url": "not a url"}, 21205),
        ({"Url": "ftp://x.test/a"}, 21205),
        ({"Url": "https://x.test/a", "FallbackUrl": "/relative"}, 21205),
        ({"Url": "https://x.test/a", "Method": "DELETE"}, 20001),
        ({"StatusCallback": "nope"}, 21609),
        ({"TimeLimit": "soon"}, 20001),
        ({"Twiml": "<Response><Hangup/>"}, 20001),
        ({"Twiml": "<Hangup/>"}, 20001),
        ({"Twiml": "<Response>" + "<Pause/>" * 500 + "</Response>"}, 20001),
    ],
)
async def test_invalid_updates_are_refused_and_change_nothing(form: dict, code: int) -> None:
    async with running() as sim, http(sim) as session:
        sid = sim.add_call()["sid"]
        async with session.post(call_path(sid), data=form) as response:
            body = await response.json()
        assert (response.status, body["code"]) == (400, code)
        assert sim.call(sid)["status"] == "in-progress"


async def test_update_of_an_unknown_call_is_404() -> None:
    async with running() as sim, sdk(sim) as client:
        with pytest.raises(TwilioRestException) as caught:
            await client.calls("CA" + "e" * 32).update_async(status="completed")
        assert (caught.value.status, caught.value.code) == (404, 20404)


async def test_update_with_nothing_to_do_returns_the_call_unchanged() -> None:
    async with running() as sim, http(sim) as session:
        raw = sim.add_call()
        async with session.post(call_path(raw["sid"]), data={"StatusCallbackMethod": "GET"}) as response:
            assert response.status == 200
            assert await response.json() == raw
