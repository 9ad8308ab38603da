"""`TwilioGateway`: the `CallGateway` the app uses, over the twilio SDK, on a loop of its own."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from contextlib import aclosing
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from calltui import allocator
from calltui.domain.account import AccountInfo
from calltui.domain.actions import Hangup, Redirect
from calltui.domain.call import ACCOUNT_SID_RE, ACTIVE_STATUSES, Call, is_call_sid
from calltui.domain.errors import (
    ConnectionFailed,
    GatewayError,
    InvalidRequest,
    MalformedResponse,
    ReadOnlyViolation,
)
from calltui.gateway.parse import ParseCache, ParsedCalls, parse_call, parse_calls, parse_error_codes
from calltui.gateway.parse_accounts import account_text, parse_accounts
from calltui.gateway.runner import LoopThread
from calltui.settings import Settings

if TYPE_CHECKING:  # the SDK itself is imported on the gateway's thread (see calltui.gateway.sdk)
    from twilio.base.version import Version
    from twilio.rest import Client

    from calltui.domain.inspector import CallEvent, CallNotification, CallRecording
    from calltui.gateway.transport import GatewayHttpClient

T = TypeVar("T")

PAGE_SIZE = 1000  # Twilio's maximum; a bigger PageSize is refused (20007).
MAX_PAGES = 50  # Per list: 50,000 calls in one status is beyond what a terminal table is for.
RECENT_LIMIT = 1000
ENDED_PAGES = 3  # Per reconciliation: calls it does not find there are fetched one by one, a few per poll.
_EPOCH = datetime.min.replace(tzinfo=UTC)


class TwilioGateway:
    """The Calls API through the twilio SDK.

    The SDK runs on a private event loop in a daemon thread (started by `start()` or the first call),
    so neither HTTP nor the JSON parsing of 1,000-call pages ever stalls the caller's loop. Every public
    method is awaitable from any loop and raises only `calltui.domain.errors.GatewayError`s.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        max_pages: int = MAX_PAGES,
        on_date: Callable[[str | None], object] | None = None,
    ) -> None:
        if not ACCOUNT_SID_RE.match(settings.account_sid):
            raise InvalidRequest("The account SID must be AC followed by 32 hex digits.")
        self.read_only = settings.read_only
        self._settings = settings
        self._max_pages = max_pages
        self._on_date = on_date
        """Told every answer's `Date` header (from the SDK's thread)."""
        self._lock = threading.Lock()
        self._runner: LoopThread | None = None
        self._closed = False
        # The rest lives on the runner's loop and is only touched there.
        self._client: Client | None = None
        self._http: GatewayHttpClient | None = None
        self._tasks: set[asyncio.Task[object]] = set()
        self._closing = False
        self._active_cache = ParseCache()  # polls of the active list reuse unchanged calls

    # -- the CallGateway API ------------------------------------------------------------------

    async def list_active(self) -> list[Call]:
        return await self._call(lambda api: _giving_back(self._list_active(api)))

    async def list_recent(self, since: datetime) -> list[Call]:
        return await self._call(lambda api: _giving_back(self._list_recent(api, since)))

    async def list_children(self, parent_sid: str) -> list[Call]:
        _check_sid(parent_sid)
        return await self._call(lambda api: self._read_calls(api, {"ParentCallSid": parent_sid}))

    # The details screen's reads: their parsers are imported when it first asks, not before the first paint.

    async def list_events(self, sid: str) -> list[CallEvent]:
        from calltui.gateway.parse_inspector import parse_event

        return await self._subresource(sid, "Events", "events", parse_event)

    async def list_notifications(self, sid: str) -> list[CallNotification]:
        from calltui.gateway.parse_inspector import parse_notification

        return await self._subresource(sid, "Notifications", "notifications", parse_notification)

    async def list_recordings(self, sid: str) -> list[CallRecording]:
        from calltui.gateway.parse_inspector import parse_recording

        return await self._subresource(sid, "Recordings", "recordings", parse_recording)

    async def find_ended(self, since: datetime, wanted: Collection[Call]) -> list[Call]:
        calls = tuple(wanted)
        return await self._call(lambda api: _giving_back(self._find_ended(api, since, calls)))

    async def fetch(self, sid: str) -> Call:
        _check_sid(sid)
        return await self._call(lambda api: self._fetch(api, sid))

    async def redirect(self, sid: str, action: Redirect) -> Call:
        self._check_write(sid)
        if not (action.twiml or action.url):
            raise InvalidRequest("A redirect needs a TwiML URL or inline TwiML.")
        return await self._call(lambda api: self._update(api, sid, action.parameters()))

    async def hangup(self, sid: str, action: Hangup) -> Call:
        self._check_write(sid)
        return await self._call(lambda api: self._update(api, sid, action.parameters()))

    async def recent_errors(self, sid: str, since: datetime) -> list[int]:
        _check_sid(sid)
        return await self._call(lambda api: self._recent_errors(api, sid, since))

    async def account_name(self) -> str | None:
        try:
            return await self._call(self._account_name)
        except GatewayError:
            return None

    async def list_subaccounts(self) -> list[AccountInfo]:
        return await self._call(self._list_accounts)

    def start(self) -> None:
        """Start the gateway's thread now rather than on the first call."""
        with self._lock:
            if self._closed:
                raise ConnectionFailed("calltui has closed its connection to the API.")
            if self._runner is None:
                self._runner = LoopThread("calltui-gateway")

    async def close(self) -> None:
        """Cancel what is in flight, close the HTTP session, stop the thread. Idempotent."""
        with self._lock:
            runner, self._runner = self._runner, None
            self._closed = True
        if runner is None:
            return
        try:
            await runner.run(self._shutdown())
        finally:
            runner.stop()

    # -- on the gateway's loop ----------------------------------------------------------------

    async def _call(self, op: Callable[[Version], Awaitable[T]]) -> T:
        self.start()
        runner = self._runner
        if runner is None:  # closed between start() and here
            raise ConnectionFailed("calltui has closed its connection to the API.")
        return await runner.run(self._guarded(op))

    async def _guarded(self, op: Callable[[Version], Awaitable[T]]) -> T:
        # The SDK loads here the first time: on the gateway's thread, after the first paint.
        from calltui.gateway import sdk

        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            return await op(self._api())
        except asyncio.CancelledError:
            if not self._closing:
                raise
            error: GatewayError = ConnectionFailed("calltui closed its connection to the API.")
        except Exception as exc:
            error = sdk.map_exception(exc)
        finally:
            self._tasks.discard(task)
        raise sdk.detach(error)

    def _api(self) -> Version:
        """The 2010-04-01 API version object; the client is built on first use, inside this loop."""
        from calltui.gateway import sdk

        if self._client is None:
            settings = self._settings
            self._http = sdk.GatewayHttpClient(settings.request_timeout, self._on_date)
            client = sdk.Client(
                settings.username, settings.secret.reveal(), settings.account_sid, http_client=self._http
            )
            # Set explicitly: given None, the SDK would read TWILIO_REGION/EDGE from os.environ, and
            # on a custom api_url they would rewrite its host name.
            client.region = None if settings.api_url else settings.region
            client.edge = None if settings.api_url else settings.edge
            if settings.api_url:
                client.api.base_url = settings.api_url.rstrip("/")
            self._client = client
        return self._client.api.v2010

    async def _shutdown(self) -> None:
        self._closing = True
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._http is not None:
            await self._http.close()

    async def _list_active(self, api: Version) -> list[Call]:
        seen = ParsedCalls()
        parse = partial(self._active_cache.parse, seen=seen)
        calls: list[Call] = []
        # One list after the other, in the order a call moves (queued → ringing → in-progress): a call that
        # moves on while we read lands in a list read later, so it cannot miss all three (it may be seen
        # twice; the later record wins). Read at once, a call answered between the in-progress read and the
        # ringing read would be in neither answer.
        for status in ACTIVE_STATUSES:
            calls += await self._read_calls(api, {"Status": status}, parse, raw=True)
        self._active_cache.keep(seen)
        return dedupe_calls(calls)

    async def _list_recent(self, api: Version, since: datetime) -> list[Call]:
        from calltui.gateway import sdk

        params = {"EndTime>": _iso(since), "PageSize": RECENT_LIMIT}
        page = await sdk.first_page(api, self._calls_uri, params)  # capped: the newest 1,000 are plenty
        ended = [call for call in parse_calls(page) if not call.is_active]
        return sorted(ended, key=lambda c: c.end_time or c.date_updated or _EPOCH, reverse=True)

    async def _find_ended(self, api: Version, since: datetime, wanted: Collection[Call]) -> list[Call]:
        remaining = {call.sid for call in wanted}
        created = [call.date_created for call in wanted]
        # Twilio lists calls newest created first: past the oldest wanted call, none of them can follow.
        oldest = None if None in created else min(c for c in created if c is not None)
        from calltui.gateway import sdk
        from calltui.gateway.raw_json import record_sid

        params = {"EndTime>": _iso(since), "PageSize": PAGE_SIZE}
        found: list[Call] = []
        read = 0
        pages = sdk.read_pages(api, self._calls_uri, params, max_pages=self._max_pages, raw=True)
        async with aclosing(pages):  # left early once every call is found
            async for records in pages:
                read += 1
                # Only the wanted records are decoded: the rest of a 1,000-call page is other calls' ends,
                # and decoding them all made 30,000 objects a page for nothing.
                ours = [r for r in records if record_sid(r) in remaining]
                for call in parse_calls(ours):
                    if call.sid in remaining and not call.is_active:
                        found.append(call)
                        remaining.discard(call.sid)
                last = _created(records[-1]) if records else None
                if not remaining or read >= ENDED_PAGES or (oldest and last and last < oldest):
                    break
        return found

    async def _read_calls(
        self,
        api: Version,
        filters: dict[str, object],
        parse: Callable[[list[object]], list[Call]] = parse_calls,
        *,
        raw: bool = False,
    ) -> list[Call]:
        """Every call on every page; `raw`: records reach `parse` as the bytes of their JSON where they can
        (see paging), which every parser reads, and the parse cache compares without decoding."""
        from calltui.gateway import sdk

        params = {**filters, "PageSize": PAGE_SIZE}
        pages = sdk.read_pages(api, self._calls_uri, params, max_pages=self._max_pages, raw=raw)
        return [call async for records in pages for call in parse(records)]

    async def _subresource(
        self, sid: str, name: str, key: str, parse: Callable[[Mapping[object, object]], T]
    ) -> list[T]:
        """Every record of `Calls/{sid}/{name}.json`, all pages (bounded like the calls lists), parsed on
        the gateway's loop like the calls are."""
        _check_sid(sid)
        uri = f"/Accounts/{self._settings.account_sid}/Calls/{sid}/{name}.json"

        async def read(api: Version) -> list[T]:
            from calltui.gateway import sdk
            from calltui.gateway.parse_inspector import parse_all

            params: dict[str, object] = {"PageSize": PAGE_SIZE}
            return parse_all(
                await sdk.read_records(api, uri, params, max_pages=self._max_pages, key=key), parse
            )

        return await self._call(read)

    async def _fetch(self, api: Version, sid: str) -> Call:
        return parse_call(await api.fetch_async(method="GET", uri=self._call_uri(sid)))

    async def _update(self, api: Version, sid: str, data: dict[str, str]) -> Call:
        return parse_call(await api.update_async(method="POST", uri=self._call_uri(sid), data=data))

    async def _recent_errors(self, api: Version, sid: str, since: datetime) -> list[int]:
        # Newest first: one page of 50 reaches far past the minute a verification looks at.
        uri = f"/Accounts/{self._settings.account_sid}/Calls/{sid}/Notifications.json"
        payload = await api.fetch_async(method="GET", uri=uri, params={"PageSize": 50})
        return parse_error_codes(payload, since)

    async def _account_name(self, api: Version) -> str | None:
        payload = await api.fetch_async(method="GET", uri=f"/Accounts/{self._settings.account_sid}.json")
        return account_text(payload.get("friendly_name")) if isinstance(payload, dict) else None

    async def _list_accounts(self, api: Version) -> list[AccountInfo]:
        from calltui.gateway import sdk

        params: dict[str, object] = {"PageSize": PAGE_SIZE}
        records = await sdk.read_records(
            api, "/Accounts.json", params, max_pages=self._max_pages, key="accounts"
        )
        return parse_accounts(records)

    # -- helpers ------------------------------------------------------------------------------

    @property
    def _calls_uri(self) -> str:
        return f"/Accounts/{self._settings.account_sid}/Calls.json"

    def _call_uri(self, sid: str) -> str:
        return f"/Accounts/{self._settings.account_sid}/Calls/{sid}.json"

    def _check_write(self, sid: str) -> None:
        if self.read_only:
            raise ReadOnlyViolation("calltui is in read-only mode: nothing was sent.")
        if self._settings.dry_run:  # the ActionRunner never gets here in a dry run; this is the backstop
            raise ReadOnlyViolation("calltui is in dry-run mode: nothing was sent.")
        _check_sid(sid)


def _check_sid(sid: str) -> None:
    """SIDs go into URL paths: anything but CA + 32 hex is refused before a request is built."""
    if not isinstance(sid, str) or not is_call_sid(sid):
        raise InvalidRequest("That is not a call SID (CA followed by 32 hex digits); nothing was sent.")


async def _giving_back(read: Awaitable[T]) -> T:
    """`read`, a read of 1,000-record pages, then the free pages its records left in the heap given back to
    the system (see calltui/allocator.py), here in the gateway's thread."""
    found = await read
    allocator.give_back_free_memory()
    return found


def _iso(moment: datetime) -> str:
    """A datetime filter's value as the SDK would send it (UTC, `%Y-%m-%dT%H:%M:%SZ`)."""
    from calltui.gateway import sdk

    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return str(sdk.serialize.iso8601_datetime(utc))


def _created(record: object) -> datetime | None:
    try:
        return parse_call(record).date_created
    except MalformedResponse:
        return None


def dedupe_calls(calls: Iterable[Call]) -> list[Call]:
    """One record per SID. A call seen twice (it moved between status lists or pages while we read)
    keeps the record updated last; on a tie the later one, as lists are read in lifecycle order."""
    kept: dict[str, Call] = {}
    for call in calls:
        before = kept.get(call.sid)
        if before is None or (call.date_updated or _EPOCH) >= (before.date_updated or _EPOCH):
            kept[call.sid] = call
    return list(kept.values())
