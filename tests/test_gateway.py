"""TwilioGateway over real HTTP (the twilio SDK on the gateway's own thread) against the simulator."""

from __future__ import annotations

import asyncio
import socket
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta, timezone
from threading import current_thread

import contract
import pytest
from sim_helpers import assert_no_secret, posts

from calltui import allocator
from calltui.domain.actions import Hangup, Redirect
from calltui.domain.errors import (
    AuthError,
    CallNotLive,
    ConnectionFailed,
    GatewayError,
    InvalidRequest,
    MalformedResponse,
    NotFound,
    RateLimited,
    ReadOnlyViolation,
    RequestTimeout,
    ServerError,
)
from calltui.gateway import TwilioGateway
from calltui.secret import Secret
from calltui.settings import Settings
from calltui.simulator import Simulator

AC = "AC" + "1" * 32
TOKEN = "tok-" + "5ec2e7" * 5
SK = "SK" + "2" * 32
KEY_SECRET = "key-" + "feed" * 7
CALLS = f"/2010-04-01/Accounts/{AC}/Calls.json"
TWIML = "<Response><Say>Moving you now</Say></Response>"

MakeGateway = Callable[..., TwilioGateway]


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    simulator = Simulator(
        account_sid=AC,
        auth_token=TOKEN,
        api_keys={SK: KEY_SECRET},
        seed=1,
        initial_calls=0,
        traffic=False,
        friendly_name="Gateway tests",
        record_exchanges=True,
    )
    await simulator.start("127.0.0.1", 0)
    try:
        yield simulator
    finally:
        await simulator.stop()
    # Whatever a test provoked, every request the gateway sent must be one Twilio's spec accepts.
    assert simulator.exchanges is not None
    for exchange in simulator.exchanges:
        contract.validate_request(
            exchange.method,
            exchange.path,
            exchange.query,
            exchange.request_body,
            exchange.request_content_type,
            exchange.authenticated,
        )


@pytest.fixture
async def make_gateway(sim: Simulator) -> AsyncIterator[MakeGateway]:
    """Gateways on the simulator (or elsewhere); every one is closed after the test."""
    made: list[TwilioGateway] = []

    def make(*, max_pages: int = 50, **overrides: object) -> TwilioGateway:
        values: dict[str, object] = {
            "account_sid": AC,
            "username": AC,
            "secret": Secret(TOKEN),
            "api_url": sim.base_url,
            "request_timeout": 5.0,
        }
        values.update(overrides)
        gateway = TwilioGateway(Settings(**values), max_pages=max_pages)  # type: ignore[arg-type]
        made.append(gateway)
        return gateway

    yield make
    for gateway in made:
        await gateway.close()


@pytest.fixture
def gateway(make_gateway: MakeGateway) -> TwilioGateway:
    return make_gateway()


def list_requests(sim: Simulator) -> list[dict[str, str]]:
    return [r.query for r in sim.requests if r.method == "GET" and r.path == CALLS]


def add_calls(sim: Simulator, count: int, status: str, **fields: object) -> list[str]:
    return [sim.add_call(status=status, **fields)["sid"] for _ in range(count)]


# -- reading ----------------------------------------------------------------------------------


async def test_list_active_follows_every_page_of_every_status(sim: Simulator, gateway: TwilioGateway) -> None:
    expected = {
        *add_calls(sim, 2500, "in-progress"),
        *add_calls(sim, 3, "ringing"),
        *add_calls(sim, 2, "queued"),
    }
    add_calls(sim, 4, "completed")
    calls = await gateway.list_active()
    assert len(calls) == len(expected) and {c.sid for c in calls} == expected
    queries = list_requests(sim)
    assert sorted(q["Status"] for q in queries) == ["in-progress"] * 3 + ["queued", "ringing"]
    assert all(q["PageSize"] == "1000" for q in queries)
    assert sum("PageToken" in q for q in queries) == 2  # pages 2 and 3 follow next_page_uri


async def test_a_read_leaves_the_sdk_holding_neither_the_page_nor_the_credentials(
    sim: Simulator, gateway: TwilioGateway
) -> None:
    """The SDK keeps its last request and answer until the next request: a page body held between polls."""
    add_calls(sim, 3, "in-progress")
    await gateway.list_active()
    http = gateway._http
    assert http is not None
    assert http._test_only_last_response is None and http._test_only_last_request is None


async def test_after_reading_pages_of_calls_the_gateway_gives_the_heap_s_free_pages_back_off_the_loop(
    sim: Simulator, gateway: TwilioGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    given_back_in: list[str] = []
    monkeypatch.setattr(
        allocator, "give_back_free_memory", lambda: given_back_in.append(current_thread().name)
    )
    add_calls(sim, 3, "in-progress")
    calls = await gateway.list_active()
    await gateway.fetch(add_calls(sim, 1, "ringing")[0])  # one record: nothing worth giving back
    await gateway.find_ended(datetime(2000, 1, 1, tzinfo=UTC), calls)  # pages of records, as list_active
    await gateway.list_recent(datetime(2000, 1, 1, tzinfo=UTC))
    assert len(given_back_in) == 3 and current_thread().name not in given_back_in  # the gateway's thread


async def test_list_active_keeps_calls_with_hostile_fields(sim: Simulator, gateway: TwilioGateway) -> None:
    (sid,) = add_calls(sim, 1, "in-progress")
    # The SDK's own CallInstance raises on each of these dates; the call must still show.
    sim.set_call(sid, date_created=5, start_time="Tue, 31 Feb 2010 20:36:29 +0000", duration="abc",
                 direction={"x": 1}, to="\x1b[31mred", queue_time=None)  # fmt: skip
    (call,) = await gateway.list_active()
    assert call.sid == sid and call.status == "in-progress" and call.to == "\x1b[31mred"
    assert call.date_created is call.start_time is call.duration is call.direction is None


async def test_a_poll_reuses_the_call_of_an_unchanged_record_and_parses_a_changed_one(
    sim: Simulator, gateway: TwilioGateway
) -> None:
    same, moved = add_calls(sim, 2, "ringing")
    before = {c.sid: c for c in await gateway.list_active()}
    sim.move_call(moved, "in-progress")
    after = {c.sid: c for c in await gateway.list_active()}
    assert after[same] is before[same]
    assert after[moved].status == "in-progress" and before[moved].status == "ringing"


async def test_a_page_with_json_only_python_reads_is_read_as_before(
    sim: Simulator, gateway: TwilioGateway
) -> None:
    """NaN and 1e400 are refused by the fast JSON reader, not by Python's: such a page (or record) is read
    by Python's, and every call on it still shows."""
    nan, inf, plain = add_calls(sim, 3, "in-progress")
    sim.set_call(nan, queue_time=float("nan"), price=float("nan"))
    for _ in range(2):  # the second poll may reuse what the first parsed: it must still be right
        calls = {c.sid: c for c in await gateway.list_active()}
        assert set(calls) == {nan, inf, plain}
        assert calls[nan].queue_time is None and calls[nan].price is None
    sim.set_call(nan, queue_time=5, price="-0.01")
    sim.set_call(inf, duration=float("inf"))  # on a page msgspec reads, refused in its record
    calls = {c.sid: c for c in await gateway.list_active()}
    assert calls[nan].queue_time == 5 and calls[nan].price == "-0.01"
    assert calls[inf].duration is None and calls[inf].status == "in-progress"


async def test_fetch_parses_the_simulator_s_record(sim: Simulator, gateway: TwilioGateway) -> None:
    raw = sim.add_call(status="ringing", from_="+15550001111", to="client:bob", direction="inbound")
    call = await gateway.fetch(raw["sid"])
    assert (call.sid, call.status, call.from_, call.to, call.direction) == (
        raw["sid"], "ringing", "+15550001111", "client:bob", "inbound",
    )  # fmt: skip
    assert call.date_created is not None and call.date_created.tzinfo is UTC
    assert call.account_sid == AC


async def test_list_children_filters_on_the_parent(sim: Simulator, gateway: TwilioGateway) -> None:
    parent = sim.add_call(status="in-progress")["sid"]
    children = set(add_calls(sim, 2, "in-progress", parent_call_sid=parent, direction="outbound-dial"))
    add_calls(sim, 3, "in-progress")
    assert {c.sid for c in await gateway.list_children(parent)} == children
    assert list_requests(sim)[-1] == {"ParentCallSid": parent, "PageSize": "1000"}


async def test_list_recent_asks_for_calls_ended_since_and_sorts_newest_first(
    sim: Simulator, gateway: TwilioGateway
) -> None:
    old, newer, newest, _live = add_calls(sim, 4, "in-progress")
    for sid in (old, newer, newest):
        sim.end_call(sid, status="completed")
    base = datetime(2030, 1, 1, tzinfo=UTC)
    stamp = "%a, %d %b %Y %H:%M:%S +0000"
    sim.set_call(old, end_time=(base - timedelta(days=1)).strftime(stamp))
    sim.set_call(newer, end_time=(base + timedelta(minutes=1)).strftime(stamp))
    sim.set_call(newest, end_time=(base + timedelta(minutes=2)).strftime(stamp))
    since = base.astimezone(timezone(timedelta(hours=2)))  # any zone: sent as UTC
    calls = await gateway.list_recent(since)
    assert [c.sid for c in calls] == [newest, newer]
    assert list_requests(sim)[-1] == {"EndTime>": "2030-01-01T00:00:00Z", "PageSize": "1000"}


async def test_account_name_is_the_friendly_name_or_none(sim: Simulator, gateway: TwilioGateway) -> None:
    assert await gateway.account_name() == "Gateway tests"
    sim.faults.add("status", status=500)
    assert await gateway.account_name() is None


async def test_an_api_key_authenticates_for_the_account(sim: Simulator, make_gateway: MakeGateway) -> None:
    gateway = make_gateway(username=SK, secret=Secret(KEY_SECRET))
    add_calls(sim, 2, "ringing")
    assert len(await gateway.list_active()) == 2
    assert {r.auth_user for r in sim.requests} == {SK}
    with pytest.raises(AuthError):
        await make_gateway(username=SK, secret=Secret(TOKEN)).list_active()


async def test_the_gateway_is_awaitable_from_another_thread_s_loop(
    sim: Simulator, gateway: TwilioGateway
) -> None:
    add_calls(sim, 3, "queued")
    from_here = await gateway.list_active()
    from_there = await asyncio.to_thread(asyncio.run, gateway.list_active())
    assert {c.sid for c in from_there} == {c.sid for c in from_here} and len(from_here) == 3


async def test_every_answer_the_gateway_read_meets_twilio_s_spec(
    sim: Simulator, gateway: TwilioGateway
) -> None:
    parent, ringing = sim.add_call(status="in-progress")["sid"], sim.add_call(status="ringing")["sid"]
    add_calls(sim, 1001, "in-progress", parent_call_sid=parent)
    await gateway.list_active()
    await gateway.list_children(parent)
    await gateway.list_recent(datetime(2020, 1, 1, tzinfo=UTC))
    await gateway.fetch(parent)
    await gateway.redirect(parent, Redirect(url="https://example.com/next.xml"))
    await gateway.redirect(parent, Redirect(twiml=TWIML))
    await gateway.hangup(ringing, Hangup("canceled"))
    await gateway.hangup(parent, Hangup("completed"))
    assert await gateway.account_name() == "Gateway tests"
    assert sim.exchanges is not None
    assert contract.validate_exchanges(sim.exchanges) == len(sim.requests) == 13


# -- writing ----------------------------------------------------------------------------------


async def test_redirect_to_a_url_posts_url_and_method(sim: Simulator, gateway: TwilioGateway) -> None:
    (sid,) = add_calls(sim, 1, "in-progress")
    call = await gateway.redirect(sid, Redirect(url="https://example.com/hold.xml", method="GET"))
    assert call.sid == sid
    (post,) = posts(sim)
    assert post.path == f"/2010-04-01/Accounts/{AC}/Calls/{sid}.json"  # type: ignore[attr-defined]
    assert post.form == {"Url": "https://example.com/hold.xml", "Method": "GET"}  # type: ignore[attr-defined]


async def test_redirect_with_inline_twiml_posts_only_twiml(sim: Simulator, gateway: TwilioGateway) -> None:
    (sid,) = add_calls(sim, 1, "in-progress")
    await gateway.redirect(sid, Redirect(twiml=TWIML))
    assert [p.form for p in posts(sim)] == [{"Twiml": TWIML}]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("status", "end"), [("in-progress", "completed"), ("ringing", "canceled")])
async def test_hangup_sends_the_status_and_ends_the_call(
    sim: Simulator, gateway: TwilioGateway, status: str, end: str
) -> None:
    sid, bystander = add_calls(sim, 2, status)
    call = await gateway.hangup(sid, Hangup(end))  # type: ignore[arg-type]
    assert [p.form for p in posts(sim)] == [{"Status": end}]  # type: ignore[attr-defined]
    assert call.sid == sid and call.status == end
    assert sim.call(sid)["status"] == end and sim.call(bystander)["status"] == status  # type: ignore[index]


async def test_read_only_refuses_every_write_before_sending(
    sim: Simulator, make_gateway: MakeGateway
) -> None:
    gateway = make_gateway(read_only=True)
    (sid,) = add_calls(sim, 1, "in-progress")
    writes = [
        lambda: gateway.redirect(sid, Redirect(url="https://example.com/t")),
        lambda: gateway.redirect(sid, Redirect(twiml=TWIML)),
        lambda: gateway.hangup(sid, Hangup("completed")),
        lambda: gateway.hangup(sid, Hangup("canceled")),
    ]
    for write in writes:
        with pytest.raises(ReadOnlyViolation):
            await write()
    assert gateway.read_only and sim.requests == []
    assert len(await gateway.list_active()) == 1  # reading still works


@pytest.mark.parametrize(
    "sid", ["CA123", "ca" + "a" * 32, "CA" + "g" * 32, "../Accounts", "CA" + "a" * 32 + "/x", ""]
)
async def test_a_malformed_sid_is_refused_without_a_request(
    sim: Simulator, gateway: TwilioGateway, sid: str
) -> None:
    for attempt in (
        gateway.fetch(sid),
        gateway.redirect(sid, Redirect(url="https://example.com/t")),
        gateway.hangup(sid, Hangup()),
        gateway.list_children(sid),
    ):
        with pytest.raises(InvalidRequest):
            await attempt
    assert sim.requests == []


async def test_an_empty_redirect_is_refused_without_a_request(sim: Simulator, gateway: TwilioGateway) -> None:
    (sid,) = add_calls(sim, 1, "in-progress")
    with pytest.raises(InvalidRequest):
        await gateway.redirect(sid, Redirect())
    assert sim.requests == []


# -- errors -----------------------------------------------------------------------------------


async def test_refused_credentials_are_an_auth_error(sim: Simulator, gateway: TwilioGateway) -> None:
    sim.faults.add("auth")
    with pytest.raises(AuthError) as info:
        await gateway.list_active()
    assert (info.value.status, info.value.code) == (401, 20003)


async def test_an_unknown_call_is_not_found(sim: Simulator, gateway: TwilioGateway) -> None:
    with pytest.raises(NotFound) as info:
        await gateway.fetch("CA" + "f" * 32)
    assert (info.value.status, info.value.code) == (404, 20404) and "was not found" in info.value.message


@pytest.mark.parametrize(("retry_after", "expected"), [(7, 7.0), (None, None)])
async def test_rate_limiting_carries_retry_after_on_reads_and_writes(
    sim: Simulator, gateway: TwilioGateway, retry_after: float | None, expected: float | None
) -> None:
    (sid,) = add_calls(sim, 1, "in-progress")
    sim.faults.add("rate_limit", retry_after=retry_after)
    for attempt in (gateway.list_active(), gateway.hangup(sid, Hangup())):
        with pytest.raises(RateLimited) as info:
            await attempt
        assert (info.value.status, info.value.code, info.value.retry_after) == (429, 20429, expected)
    assert sim.call(sid)["status"] == "in-progress"  # type: ignore[index]


async def test_acting_on_an_ended_call_is_call_not_live(sim: Simulator, gateway: TwilioGateway) -> None:
    (sid,) = add_calls(sim, 1, "in-progress")
    sim.end_call(sid, status="completed")
    for attempt in (gateway.redirect(sid, Redirect(twiml=TWIML)), gateway.hangup(sid, Hangup())):
        with pytest.raises(CallNotLive) as info:
            await attempt
        assert (info.value.status, info.value.code) == (400, 21220)


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_are_server_errors_and_not_resent(
    sim: Simulator, gateway: TwilioGateway, status: int
) -> None:
    (sid,) = add_calls(sim, 1, "in-progress")
    sim.faults.add("status", status=status)
    with pytest.raises(ServerError) as info:
        await gateway.hangup(sid, Hangup())
    assert info.value.status == status and len(posts(sim)) == 1  # the SDK's retries stay off


async def test_a_slow_answer_times_out(sim: Simulator, make_gateway: MakeGateway) -> None:
    gateway = make_gateway(request_timeout=0.2)
    sim.faults.add("latency", seconds=1.0, times=1)
    with pytest.raises(RequestTimeout) as info:
        await gateway.list_active()
    assert info.value.outcome_unknown


async def test_a_closed_port_is_a_connection_failure(make_gateway: MakeGateway) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectionFailed):
        await make_gateway(api_url=f"http://127.0.0.1:{port}").list_active()


async def test_a_dropped_connection_fails_and_a_dropped_write_is_outcome_unknown(
    sim: Simulator, gateway: TwilioGateway
) -> None:
    (sid,) = add_calls(sim, 1, "in-progress")
    sim.faults.add("drop")
    with pytest.raises(ConnectionFailed) as read:
        await gateway.fetch(sid)
    with pytest.raises(ConnectionFailed) as write:
        await gateway.hangup(sid, Hangup())
    assert not read.value.outcome_unknown and write.value.outcome_unknown


@pytest.mark.parametrize(
    "body", ["<html>oops</html>", "[]", '{"calls": 5}', '{"page": 0}', '{"calls": [{"sid']
)
async def test_a_malformed_page_is_malformed(sim: Simulator, gateway: TwilioGateway, body: str) -> None:
    sim.faults.add("malformed", body=body)
    with pytest.raises(MalformedResponse):
        await gateway.list_active()


async def test_a_malformed_record_is_malformed(sim: Simulator, gateway: TwilioGateway) -> None:
    (sid,) = add_calls(sim, 1, "in-progress")
    for body in ("not json", '"a string"', '{"status": "in-progress"}'):
        sim.faults.add("malformed", body=body, times=1)
        with pytest.raises(MalformedResponse):
            await gateway.fetch(sid)


async def test_a_looping_next_page_stops_with_malformed(sim: Simulator, gateway: TwilioGateway) -> None:
    add_calls(sim, 3, "in-progress")
    sim.faults.add("next_page_loop")
    with pytest.raises(MalformedResponse):
        await gateway.list_active()
    assert len(list_requests(sim)) <= 6  # three lists, at most one page read twice each


async def test_a_next_page_that_404s_is_not_found(sim: Simulator, gateway: TwilioGateway) -> None:
    add_calls(sim, 1001, "in-progress")
    sim.faults.add("next_page_404")
    with pytest.raises(NotFound):
        await gateway.list_active()


async def test_more_pages_than_the_cap_stop_with_malformed(sim: Simulator, make_gateway: MakeGateway) -> None:
    add_calls(sim, 2001, "queued")  # three pages; the real cap is 50, a small one keeps this test fast
    with pytest.raises(MalformedResponse, match="more pages"):
        await make_gateway(max_pages=2).list_active()
    assert len(list_requests(sim)) == 2  # two queued pages; the lists after it are not read


async def outcome(call: Awaitable[object]) -> GatewayError | None:
    """The error `call` raised, caught here so its traceback holds no frame with the test's secrets."""
    try:
        await call
    except GatewayError as exc:
        return exc
    return None


FAULTS: list[tuple[str, dict[str, object]]] = [
    ("auth", {}),
    ("status", {"status": 500}),
    ("status", {"status": 400, "code": 21205, "message": f"echo {TOKEN}"}),
    ("rate_limit", {"retry_after": 1}),
    ("malformed", {"body": TOKEN}),
    ("drop", {}),
    ("latency", {"seconds": 1.0}),
    ("next_page_loop", {}),
    ("next_page_404", {}),
]


@pytest.mark.parametrize(("kind", "params"), FAULTS, ids=[f"{k}-{i}" for i, (k, _) in enumerate(FAULTS)])
async def test_no_error_shows_the_secret(
    sim: Simulator, make_gateway: MakeGateway, kind: str, params: dict[str, object]
) -> None:
    gateway = make_gateway(request_timeout=0.3)
    (sid,) = add_calls(sim, 1, "in-progress")
    add_calls(sim, 1001, "queued")
    sim.faults.add(kind, **params)
    outcomes = [await outcome(gateway.list_active()), await outcome(gateway.fetch(sid))]
    outcomes.append(await outcome(gateway.hangup(sid, Hangup())))
    errors = [error for error in outcomes if error is not None]
    assert errors
    for error in errors:
        shown = [str(error), repr(error), error.summary(), str(error.more_info), repr(error.args)]
        # A crash report that prints locals walks the traceback and any chained exceptions.
        shown += traceback.format_exception(error)
        shown += traceback.TracebackException.from_exception(error, capture_locals=True).format()
        assert_no_secret(shown, AC, TOKEN)


# -- lifecycle --------------------------------------------------------------------------------


async def test_close_is_idempotent_and_later_calls_fail_cleanly(gateway: TwilioGateway) -> None:
    await gateway.list_active()
    await gateway.close()
    await gateway.close()
    with pytest.raises(ConnectionFailed):
        await gateway.list_active()


async def test_close_before_any_call_and_after_start(make_gateway: MakeGateway) -> None:
    await make_gateway().close()
    started = make_gateway()
    started.start()
    await started.close()


async def test_close_ends_a_request_in_flight(sim: Simulator, gateway: TwilioGateway) -> None:
    sim.faults.add("latency", seconds=2.0)  # the simulator's shutdown waits this out
    pending = asyncio.ensure_future(gateway.list_active())
    while not sim.requests:  # wait until the request has reached the simulator
        await asyncio.sleep(0.01)
    await gateway.close()
    with pytest.raises(ConnectionFailed):
        await pending
