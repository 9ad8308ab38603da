"""Fault injection: each kind does what it says, to matching requests only, as many times as asked."""

from __future__ import annotations

import json
import time

import aiohttp
import contract
import pytest
from sim_helpers import Clock, call_path, calls_path, http, running, sdk
from twilio.base.exceptions import TwilioException, TwilioRestException

from calltui.simulator import Simulator


async def status_and_body(session: aiohttp.ClientSession, url: str) -> tuple[int, bytes, dict]:
    async with session.get(url) as response:
        return response.status, await response.read(), dict(response.headers)


async def test_latency_delays_then_answers_normally() -> None:
    async with running() as sim, sdk(sim) as client:
        sid = sim.add_call()["sid"]
        sim.faults.add("latency", seconds=0.2, times=1)
        began = time.monotonic()
        assert [c.sid for c in await client.calls.list_async()] == [sid]
        assert time.monotonic() - began >= 0.2  # a lower bound: sleeping can only make it longer
        assert len(sim.faults) == 0


@pytest.mark.parametrize(("status", "code"), [(500, 20500), (502, 20500), (503, 20503)])
async def test_status_fault_answers_a_server_error_in_twilios_envelope(status: int, code: int | None) -> None:
    async with running(record_exchanges=False) as sim, http(sim) as session:
        sim.faults.add("status", status=status)
        got, body, _ = await status_and_body(session, calls_path())
        assert got == status
        contract.check_error_envelope(status, body)
        assert json.loads(body)["code"] == code


async def test_status_fault_takes_code_and_message() -> None:
    async with running() as sim, sdk(sim) as client:
        sid = sim.add_call()["sid"]
        sim.faults.add("status", status=503, code=20503, message="Service Unavailable", method="POST")
        assert (await client.calls(sid).fetch_async()).sid == sid  # GET is not matched
        with pytest.raises(TwilioRestException) as caught:
            await client.calls(sid).update_async(status="completed")
        assert (caught.value.status, caught.value.code) == (503, 20503)
        assert "Service Unavailable" in caught.value.msg
        assert sim.call(sid)["status"] == "in-progress"  # the write was not processed


@pytest.mark.parametrize(("retry_after", "header"), [(None, None), (2, "2"), (0.5, "0.5")])
async def test_rate_limit_is_429_20429_with_retry_after_only_when_given(
    retry_after: float | None, header: str | None
) -> None:
    async with running() as sim, http(sim) as session:
        sim.faults.add("rate_limit", retry_after=retry_after)
        status, body, headers = await status_and_body(session, calls_path())
        assert status == 429
        assert json.loads(body)["code"] == 20429
        assert headers.get("Retry-After") == header
        assert "Twilio-Concurrent-Requests" in headers


async def test_malformed_answers_200_with_a_body_that_is_not_json() -> None:
    async with running(record_exchanges=False) as sim, http(sim) as session, sdk(sim) as client:
        sim.faults.add("malformed", times=1)
        status, body, _ = await status_and_body(session, calls_path())
        assert status == 200
        with pytest.raises(ValueError):
            json.loads(body)
        sim.faults.add("malformed", body="<html>proxy error</html>")
        with pytest.raises(ValueError):
            await client.calls.list_async()


async def test_drop_closes_the_connection_without_an_answer() -> None:
    async with running() as sim, http(sim) as session:
        # Not `times=1`: aiohttp quietly retries a GET once when a reused connection drops.
        sim.faults.add("drop")
        with pytest.raises(aiohttp.ClientConnectionError):
            await status_and_body(session, calls_path())
        sim.faults.clear()
        status, _, _ = await status_and_body(session, calls_path())
        assert status == 200


async def test_auth_fault_refuses_good_credentials_as_a_rotated_token_would() -> None:
    async with running() as sim, sdk(sim) as client:
        sid = sim.add_call()["sid"]
        sim.faults.add("auth", path_contains=sid)
        with pytest.raises(TwilioRestException) as caught:
            await client.calls(sid).fetch_async()
        assert (caught.value.status, caught.value.code) == (401, 20003)
        assert len(await client.calls.list_async()) == 1  # the list path does not contain the sid


async def test_next_page_loop_points_next_page_uri_back_at_the_same_page() -> None:
    async with running() as sim, http(sim) as session:
        for _ in range(3):
            sim.add_call()
        sim.faults.add("next_page_loop")
        status, body, _ = await status_and_body(session, calls_path() + "?PageSize=1")
        assert status == 200
        page = json.loads(body)
        assert page["next_page_uri"] == page["uri"]
        _, body, _ = await status_and_body(session, page["next_page_uri"])
        assert json.loads(body)["next_page_uri"] == page["uri"]


async def test_next_page_404_hands_out_a_next_page_that_is_gone() -> None:
    async with running() as sim, sdk(sim) as client:
        for _ in range(3):
            sim.add_call()
        sim.faults.add("next_page_404", times=1)
        with pytest.raises(TwilioException) as caught:
            await client.calls.list_async(page_size=2)
        assert caught.value.args[1].status_code == 404
        assert len(await client.calls.list_async(page_size=2)) == 3  # used up: paging works again


async def test_times_method_and_path_select_which_requests_fail() -> None:
    async with running() as sim, http(sim) as session:
        sid = sim.add_call()["sid"]
        sim.faults.add("status", status=500, times=2, method="GET", path_contains="/Calls/")
        assert (await status_and_body(session, calls_path()))[0] == 200
        assert (await status_and_body(session, call_path(sid)))[0] == 500
        assert (await status_and_body(session, call_path(sid)))[0] == 500
        assert (await status_and_body(session, call_path(sid)))[0] == 200


async def test_faults_match_the_query_string_too_and_clear_removes_them() -> None:
    async with running() as sim, http(sim) as session:
        sim.faults.add("status", status=502, path_contains="Status=ringing")
        assert (await status_and_body(session, calls_path() + "?Status=ringing"))[0] == 502
        assert (await status_and_body(session, calls_path() + "?Status=queued"))[0] == 200
        sim.faults.clear()
        assert (await status_and_body(session, calls_path() + "?Status=ringing"))[0] == 200


async def test_twiml_documents_are_never_faulted() -> None:
    async with running() as sim, http(sim, None) as session:
        sim.faults.add("drop")
        assert (await status_and_body(session, "/twiml/hold"))[0] == 200
        sid = sim.add_call()["sid"]
        sim.faults.clear()
        sim.faults.add("status", status=500, path_contains="/twiml/")
        async with sdk(sim) as client:
            assert (
                await client.calls(sid).update_async(url=f"{sim.base_url}/twiml/hangup")
            ).status == "completed"


def test_fault_arguments_are_checked() -> None:
    faults = Simulator(initial_calls=0, traffic=False).faults
    with pytest.raises(ValueError):
        faults.add("explode")
    with pytest.raises(ValueError):
        faults.add("latency", status=500)
    with pytest.raises(ValueError):
        faults.add("drop", times=0)


async def test_a_staged_move_holds_its_read_moves_the_call_then_answers() -> None:
    clock = Clock()
    async with running(clock=clock) as sim, sdk(sim) as client:
        older = sim.add_call(status="ringing")["sid"]
        clock.advance(1)
        newest = sim.add_call(status="ringing")["sid"]
        sim.moves.add("ringing", "in-progress", after="in-progress", hold=0.2)
        began = time.monotonic()
        ringing = await client.calls.list_async(status="ringing")
        assert time.monotonic() - began >= 0.2  # no in-progress read came: held the whole time
        assert [c.sid for c in ringing] == [older]  # the newest moved before the read was answered
        assert sim.call(newest)["status"] == "in-progress" and len(sim.moves) == 0  # type: ignore[index]
        with pytest.raises(ValueError, match="can move to"):
            sim.moves.add("ringing", "queued")
        with pytest.raises(ValueError, match="at least 1"):
            sim.moves.add("ringing", "busy", times=0)
