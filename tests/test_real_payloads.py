"""Twilio's own published response bodies (tests/twilio_payloads/, each source in its sources.json) served
over HTTP to the real twilio SDK through calltui's gateway: every value Twilio sent is kept, with the type it
was sent as, and the table, the details and the inspector show them."""

from __future__ import annotations

import json
import typing
from collections.abc import AsyncIterator, Callable
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from textual.widgets import DataTable
from uihelpers import first_poll, table_text, until

from calltui.domain.actions import Hangup, Redirect
from calltui.domain.call import Call
from calltui.domain.inspector import CallEvent, CallNotification, CallRecording
from calltui.gateway import TwilioGateway
from calltui.monitor.audit import AuditLog
from calltui.monitor.history import UrlHistory
from calltui.secret import Secret
from calltui.settings import Settings
from calltui.ui.app import CallTuiApp
from calltui.ui.screens.details import DetailsScreen
from calltui.userconfig import UserConfig

CORPUS = Path(__file__).parent / "twilio_payloads"
SOURCES: dict[str, dict[str, str]] = json.loads((CORPUS / "sources.json").read_text(encoding="utf-8"))
ACCOUNT = "AC" + "f" * 32
TWILIO_DATE = "%a, %d %b %Y %H:%M:%S +0000"

RINGING = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"  # calls_active_derived.json
LIVE = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa0"
FETCHED = {  # a call's SID -> the body Twilio gave when it was fetched
    "CA47e13748ed59a5733d2c1c1c69a83a28": "call_fetch_2011.json",
    "CAe1644a7eed5088b159577c5802d8be38": "call_fetch_2010_docs.json",
    RINGING: "call_fetch_2023.json",
}
SUBRESOURCES = {  # (call, list) -> body
    (LIVE, "Events"): "events_2023.json",
    (LIVE, "Notifications"): "notifications_error_and_warning_derived.json",
    (LIVE, "Recordings"): "recordings_2023.json",
    (RINGING, "Recordings"): "recordings_in_progress_derived.json",
    (RINGING, "Notifications"): "notifications_2023.json",
    ("CA47e13748ed59a5733d2c1c1c69a83a28", "Recordings"): "recordings_2016_docs.json",
}

# What each inspector value leaves out of Twilio's record, and why: anything else Twilio sends must be kept.
NOT_SHOWN = {
    # identity and links the details screen already has from the call itself
    CallEvent: {"request.parameters"},  # the webhook's own form: long, and the details show its outcome
    CallNotification: {
        "account_sid", "call_sid", "api_version", "uri", "date_updated",
        # 2010 records: the webhook exchange a notification quotes, shown by the Events tab instead
        "response_body", "response_headers", "request_variables",
    },
    CallRecording: {
        "account_sid", "call_sid", "api_version", "uri", "date_created", "date_updated", "conference_sid",
        "encryption_details",  # key material of an encrypted recording: nothing an operator reads
    },
}  # fmt: skip


def body(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def records(name: str, key: str) -> list[dict[str, Any]]:
    return list(json.loads(body(name))[key])


def test_every_payload_names_its_source() -> None:
    payloads = {path.name for path in CORPUS.glob("*.json")} - {"sources.json"}
    assert payloads == set(SOURCES)
    for name, source in SOURCES.items():
        assert source["source"] and source["shows"], name
        # A body changed from what Twilio published says so in its name and says what changed.
        assert ("_derived" in name) == bool(source.get("derived")), name
        if "_derived" not in name:
            assert "@" in source["source"], f"{name}: no repository commit"


# -- a server that answers as Twilio did -------------------------------------------------------


def _page_for(request: web.Request) -> bytes:
    """The Calls list: live calls by Status (as Twilio filters), the ended ones of 2010-11, no children."""
    query = request.query
    if "Page" in query or "PageToken" in query:  # a next page the published body does not continue to
        return _empty(request, "calls")
    if "Status" in query:
        page = json.loads(body("calls_active_derived.json"))
        page["calls"] = [call for call in page["calls"] if call["status"] == query["Status"]]
        return json.dumps(page).encode()
    if "EndTime>" in query:
        return body("calls_page_2011.json")
    return _empty(request, "calls")


def _empty(request: web.Request, key: str) -> bytes:
    return json.dumps(
        {key: [], "page": 1, "page_size": 50, "uri": request.path_qs, "next_page_uri": None}
    ).encode()


async def _answer(request: web.Request) -> web.Response:
    tail = [part.removesuffix(".json") for part in request.path.split("/")[4:]]  # after /Accounts/AC…/
    if tail == ["Calls"]:
        payload = _page_for(request)
    elif len(tail) == 2 and request.method == "POST":
        form = await request.post()
        payload = body("call_cancel_2023.json" if "Status" in form else "call_update_2023.json")
    elif len(tail) == 2 and tail[1] in FETCHED:
        payload = body(FETCHED[tail[1]])
    elif len(tail) == 3:
        name = SUBRESOURCES.get((tail[1], tail[2]))
        next_page = "Page" in request.query
        payload = body(name) if name and not next_page else _empty(request, tail[2].lower())
    else:
        error = {
            "code": 20404,
            "message": "not found",
            "more_info": "https://www.twilio.com/docs/errors/20404",
        }
        return web.json_response({**error, "status": 404}, status=404)
    return web.Response(body=payload, content_type="application/json")


@pytest.fixture
async def twilio_url() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_route("*", "/{path:.*}", _answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def gateway(twilio_url: str) -> AsyncIterator[TwilioGateway]:
    settings = Settings(account_sid=ACCOUNT, username=ACCOUNT, secret=Secret("t" * 32), api_url=twilio_url)
    made = TwilioGateway(settings)
    try:
        yield made
    finally:
        await made.close()


# -- field by field ---------------------------------------------------------------------------


def as_sent(value: object) -> object:
    """A kept value written back the way Twilio wrote it."""
    if isinstance(value, datetime):
        assert value.utcoffset() is not None and not value.utcoffset(), value  # aware, UTC
        return value.strftime(TWILIO_DATE)
    if isinstance(value, int):
        return str(value)
    return value


def assert_typed(value: object, owner: type, name: str) -> None:
    """The value has the type the domain declares (a date is a datetime, a count an int, text a str)."""
    declared = typing.get_type_hints(owner)[name]
    allowed = tuple(t for t in typing.get_args(declared) if t is not type(None)) or (declared,)
    assert value is None or isinstance(value, allowed), (owner.__name__, name, value)


def assert_call_kept(record: dict[str, Any], call: Call) -> None:
    modelled = {f.name for f in fields(Call)} - {"extra"}
    extra = dict(call.extra)
    for key, sent in record.items():
        if key == "subresource_uris":  # links, not information
            continue
        name = "from_" if key == "from" else key
        if name in modelled:
            kept = getattr(call, name)
            assert_typed(kept, Call, name)
            assert as_sent(kept) == sent, f"{call.sid} {key}: sent {sent!r}, kept {kept!r}"
        else:  # a field this version does not model rides along as text, unless null
            assert extra.get(key) == (sent if sent is None or isinstance(sent, str) else json.dumps(sent))
    missing = modelled - {"from_" if k == "from" else k for k in record}
    assert all(getattr(call, name) is None for name in missing), "a value calltui made up"


def assert_kept(record: dict[str, Any], value: object, renames: dict[str, str] | None = None) -> None:
    """An inspector value keeps every field of its record, except those NOT_SHOWN names."""
    owner = type(value)
    flat = {**record}
    for nested in ("request", "response"):
        if isinstance(record.get(nested), dict):
            flat.pop(nested)
            flat.update({f"{nested}.{k}": v for k, v in record[nested].items()})
    modelled = {f.name for f in fields(owner)}  # type: ignore[arg-type]
    for key, sent in flat.items():
        name = (renames or {}).get(key, key.split(".")[-1])
        if key in NOT_SHOWN[owner]:
            continue
        assert name in modelled, f"{owner.__name__} drops {key!r} ({sent!r})"
        kept = getattr(value, name)
        assert_typed(kept, owner, name)
        assert as_sent(kept) == (str(sent) if isinstance(sent, int) else sent), (
            owner.__name__,
            key,
            sent,
            kept,
        )


async def test_live_calls_keep_every_value(gateway: TwilioGateway) -> None:
    calls = {call.sid: call for call in await gateway.list_active()}
    sent = records("calls_active_derived.json", "calls")
    assert set(calls) == {record["sid"] for record in sent}
    for record in sent:
        assert_call_kept(record, calls[record["sid"]])
    ringing = calls[RINGING]
    assert ringing.status == "ringing" and ringing.duration == 0 and ringing.start_time is not None
    assert calls[LIVE].caller_name == "" and calls[LIVE].trunk_sid == ""  # kept as sent; shown as unknown


async def test_old_records_keep_every_value(gateway: TwilioGateway) -> None:
    """Calls of 2010-11: no queue_time, price_unit, trunk_sid or *_formatted, some on api_version 2008."""
    calls = {call.sid: call for call in await gateway.list_recent(datetime(2010, 1, 1, tzinfo=UTC))}
    sent = records("calls_page_2011.json", "calls")
    assert len(calls) == len(sent) == 50
    for record in sent:
        assert_call_kept(record, calls[record["sid"]])
    assert {call.queue_time for call in calls.values()} == {None}
    assert {call.api_version for call in calls.values()} == {"2010-04-01", "2008-08-01"}


@pytest.mark.parametrize("sid", sorted(FETCHED))
async def test_fetched_calls_keep_every_value(gateway: TwilioGateway, sid: str) -> None:
    assert_call_kept(json.loads(body(FETCHED[sid])), await gateway.fetch(sid))


async def test_answers_to_actions_keep_every_value(gateway: TwilioGateway) -> None:
    moved = await gateway.redirect(LIVE, Redirect(url="https://example.com/twiml"))
    assert_call_kept(json.loads(body("call_update_2023.json")), moved)
    ended = await gateway.hangup(LIVE, Hangup())
    assert_call_kept(json.loads(body("call_cancel_2023.json")), ended)


async def test_a_calls_events_notifications_and_recordings_keep_every_value(gateway: TwilioGateway) -> None:
    [event] = await gateway.list_events(LIVE)
    [sent_event] = records("events_2023.json", "events")
    assert_kept(sent_event, event)
    assert event.response_code == 201 and event.request_duration == 50

    notes = await gateway.list_notifications(LIVE)
    sent_notes = records("notifications_error_and_warning_derived.json", "notifications")
    for record, note in zip(sent_notes, notes, strict=True):
        assert_kept(record, note)
    assert [note.level for note in notes] == ["error", "warning"]  # log "0" and "1"

    for sid, name in ((LIVE, "recordings_2023.json"), (RINGING, "recordings_in_progress_derived.json")):
        recordings = await gateway.list_recordings(sid)
        for record, recording in zip(records(name, "recordings"), recordings, strict=True):
            assert_kept(record, recording)
    [old] = await gateway.list_recordings("CA47e13748ed59a5733d2c1c1c69a83a28")
    assert_kept(records("recordings_2016_docs.json", "recordings")[0], old)
    assert old.price == "-0.00250"  # the decimals Twilio sent, not a float's


async def test_recent_errors_read_the_error_level_notifications(gateway: TwilioGateway) -> None:
    """log "0" is an error, log "1" a warning: only the error counts against an action's outcome."""
    assert await gateway.recent_errors(LIVE, datetime(2010, 1, 1, tzinfo=UTC)) == [11200]


# -- on screen --------------------------------------------------------------------------------


def screen_cells(app: CallTuiApp, table_id: str) -> list[list[str]]:
    table = app.screen.query_one(f"#{table_id}", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


@pytest.fixture
def make_app(gateway: TwilioGateway, tmp_path: Path) -> Callable[[], CallTuiApp]:
    def build() -> CallTuiApp:
        audit = AuditLog(tmp_path / "audit.jsonl")
        audit.open()
        return CallTuiApp(
            gateway,
            account_sid=ACCOUNT,
            audit=audit,
            history=UrlHistory(None),
            interval=3600.0,
            user_config=UserConfig(grace_seconds=0.0),
        )

    return build


async def open_details(app: CallTuiApp, pilot: Any, sid: str) -> None:
    await first_poll(app, pilot)
    assert app.table.move_cursor_to(sid)
    await pilot.press("enter")
    assert isinstance(app.screen, DetailsScreen)
    await until(pilot, lambda: screen_cells(app, "details-recordings"), "the recordings")
    await until(pilot, lambda: screen_cells(app, "details-notifications"), "the notifications")


async def test_the_table_shows_real_live_calls(make_app: Callable[[], CallTuiApp]) -> None:
    app = make_app()
    async with app.run_test(size=(160, 30)) as pilot:
        await first_poll(app, pilot)
        text = table_text(app)
        assert "client:alice" in text and "sip:desk-7@example.sip.twilio.com" in text
        ringing = next(line for line in text.splitlines() if line.startswith("ringing"))
        assert "+13051416799" in ringing and "+13051913581" in ringing


async def test_details_show_empty_strings_as_unknown_and_every_extra(
    make_app: Callable[[], CallTuiApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await open_details(app, pilot, LIVE)
        shown = dict(screen_cells(app, "details-fields"))
        assert shown["caller_name"] == "—" and shown["trunk_sid"] == "—"  # Twilio's "" as its null is shown
        assert shown["from"] == "client:alice" and shown["annotation"] == "billingreferencetag2"
        assert shown["price_unit"] == "JPY" and shown["queue_time (ms)"] == "1000"
        notes = screen_cells(app, "details-notifications")
        assert [row[1:3] for row in notes] == [["error", "11200"], ["warning", "15003"]]
        assert notes[1][4] == "—"  # request_url ""
        [recording] = screen_cells(app, "details-recordings")
        assert recording[1:5] == ["completed", "StartCallRecordingAPI", "0:04", "2"]


async def test_a_recording_of_minus_one_seconds_says_it_is_still_recording(
    make_app: Callable[[], CallTuiApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await open_details(app, pilot, RINGING)
        [recording] = screen_cells(app, "details-recordings")
        assert recording[1] == "in-progress" and recording[3] == "-1 (still recording)"
