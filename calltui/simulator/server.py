"""`Simulator`: a Twilio-compatible Calls API on a local port, with test hooks and demo traffic."""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
import threading
from collections import deque
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web

from calltui.domain.call import ACCOUNT_SID_RE, API_KEY_SID_RE, ENDED_STATUSES
from calltui.simulator import errors, forms, lifecycle, records, twiml
from calltui.simulator.accounts import Subaccount
from calltui.simulator.api import build_app
from calltui.simulator.auth import Credentials
from calltui.simulator.calllog import CallLog
from calltui.simulator.faults import Faults
from calltui.simulator.moves import Move, Moves
from calltui.simulator.recording import Exchange, RecordedRequest
from calltui.simulator.store import CallStore
from calltui.simulator.traffic import TrafficGenerator

log = logging.getLogger(__name__)

DEMO_ACCOUNT_SID = "AC" + "0" * 32
MAX_EXCHANGES = 10_000


class Simulator:
    """One simulated account and its subaccounts: calls, credentials, faults and (once started) a server.

    The main account's credentials (its auth token, and its API keys, which act as Twilio's Main keys)
    reach its subaccounts too; a subaccount's own token and keys reach only that subaccount.

    Everything that changes calls is synchronous and guarded by the store's lock, so tests may call
    `add_call`/`set_call`/`end_call` from their own thread while the server runs in another.
    """

    def __init__(
        self,
        account_sid: str = DEMO_ACCOUNT_SID,
        auth_token: str | None = None,
        api_keys: dict[str, str] | None = None,
        seed: int = 1,
        initial_calls: int = 20,
        traffic: bool = True,
        tick: float = 1.0,
        target_active: int = 50,
        friendly_name: str = "Demo account",
        *,
        clock: Callable[[], datetime] | None = None,
        record_exchanges: bool = False,
        twiml_timeout: float = 5.0,
    ) -> None:
        if not ACCOUNT_SID_RE.match(account_sid):
            raise ValueError("account_sid must be AC followed by 32 hex digits")
        bad_keys = [sid for sid in api_keys or {} if not API_KEY_SID_RE.match(sid)]
        if bad_keys:
            raise ValueError(f"API key SIDs must be SK followed by 32 hex digits: {bad_keys}")
        self.account_sid = account_sid
        self.auth_token = auth_token or secrets.token_hex(16)
        self.credentials = Credentials(account_sid, self.auth_token, dict(api_keys or {}))
        self.friendly_name = friendly_name
        self.tick = tick
        self.traffic_enabled = traffic
        self.twiml_timeout = twiml_timeout
        self.clock = clock or (lambda: datetime.now(UTC))
        self.rng = random.Random(seed)
        self.store = CallStore()
        """The main account's calls."""
        self.stores: dict[str, CallStore] = {account_sid: self.store}
        self.subaccounts: dict[str, Subaccount] = {}
        self.faults = Faults()
        self.moves = Moves()
        """Calls to move while a list read is held (see `calltui.simulator.moves`)."""
        self.requests: list[RecordedRequest] = []
        """Per call SID, the Notifications Twilio's debugger would log (oldest first)."""
        self.exchanges: deque[Exchange] | None = deque(maxlen=MAX_EXCHANGES) if record_exchanges else None
        self.log = CallLog(account_sid, seed)
        self.traffic = TrafficGenerator(self.store, account_sid, seed, target_active, self.log)
        now = self.clock()
        self.created = now - timedelta(days=400)
        self.traffic.populate(initial_calls, now)
        self.base_url: str | None = None
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._traffic_task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()  # redirects still fetching their TwiML
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"Simulator({self.account_sid}, calls={len(self.store)}, base_url={self.base_url})"

    # -- serving ---------------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on the running loop; returns the base URL (`http://127.0.0.1:54321`)."""
        if self._runner is not None:
            raise RuntimeError("simulator already started")
        self._session = aiohttp.ClientSession()
        self._runner = web.AppRunner(build_app(self), handle_signals=False, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        bound = self._runner.addresses[0][1]
        self.base_url = f"http://[{host}]:{bound}" if ":" in host else f"http://{host}:{bound}"
        if self.traffic_enabled:
            self._traffic_task = asyncio.create_task(self._run_traffic())
        return self.base_url

    async def stop(self) -> None:
        tasks = [*self._background, *([self._traffic_task] if self._traffic_task else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._traffic_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        self.base_url = None

    async def settle(self) -> None:
        """Wait until redirects to outside URLs have fetched (or failed to fetch) their TwiML."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    def start_in_thread(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve from a daemon thread with its own loop (demo, benchmarks, sync tests)."""
        if self._thread is not None:
            raise RuntimeError("simulator already running in a thread")
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="calltui-simulator", daemon=True)
        self._thread.start()
        return asyncio.run_coroutine_threadsafe(self.start(host, port), loop).result(timeout=30)

    def stop_thread(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self.stop(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()
        self._loop = self._thread = None

    async def _run_traffic(self) -> None:
        while True:
            await asyncio.sleep(self.tick)
            try:
                self.traffic.step(self.clock())
            except Exception:  # a generator bug must not silently freeze the demo
                log.exception("traffic step failed")

    # -- test hooks ------------------------------------------------------------------------------------

    def add_call(
        self,
        status: str = "in-progress",
        from_: str = "+15550001111",
        to: str = "+15550002222",
        direction: str = "inbound",
        parent_call_sid: str | None = None,
        *,
        account_sid: str | None = None,
        **raw_fields: Any,
    ) -> dict[str, Any]:
        """Store a call whose fields fit `status` (times, duration, price), then overlay `raw_fields`.
        `account_sid`: a subaccount's SID puts the call under that subaccount."""
        store = self.stores[account_sid or self.account_sid]
        now = self.clock()
        number = to if direction == "inbound" else from_
        raw = records.new_call(
            sid=records.new_sid("CA", self.rng),
            account_sid=account_sid or self.account_sid,
            now=now,
            status=status,
            direction=direction,
            from_=from_,
            to=to,
            parent_call_sid=parent_call_sid,
            phone_number_sid=records.stable_sid("PN", number) if number.startswith("+") else None,
        )
        if status in ("in-progress", *ENDED_STATUSES):
            raw.update(records.answered_fields(now), status=status)
        if status in ENDED_STATUSES:
            raw.update(records.ended_fields(raw, status, now))
        raw.update(_raw(raw_fields))
        return store.add(raw, default_created=now)

    def set_call(self, sid: str, **raw_fields: Any) -> dict[str, Any]:
        """Overwrite raw fields exactly as given (hostile values included); `from_` means `from`."""
        return self._holding(sid).update(sid, _raw(raw_fields))

    def end_call(self, sid: str, status: str = "completed") -> dict[str, Any]:
        """End a call (and its live legs) as the far end hanging up would."""
        if status not in ENDED_STATUSES:
            raise ValueError(f"status must be one of {ENDED_STATUSES}")
        return lifecycle.end(self._holding(sid), sid, status, self.clock(), self.log)

    def move_call(self, sid: str, status: str) -> dict[str, Any]:
        """Move a call on as Twilio would: ring it, answer it, or end it (and its live legs)."""
        store, now = self._holding(sid), self.clock()
        if status == "ringing":
            return lifecycle.ring(store, sid, now)
        if status == "in-progress":
            return lifecycle.answer(store, sid, now)
        return self.end_call(sid, status)

    def apply_move(self, move: Move, store: CallStore) -> None:
        """A staged move, when its read arrives: its call, or the newest in the read's status, moves on."""
        sid = move.sid or next(iter(store.sids_with_status(move.read)), None)
        if sid is not None:
            self.move_call(sid, move.to)

    def call(self, sid: str) -> dict[str, Any] | None:
        store = self._store_of(sid)
        return store.get(sid) if store else None

    def add_subaccount(
        self,
        friendly_name: str = "Subaccount",
        *,
        api_keys: dict[str, str] | None = None,
        status: str = "active",
    ) -> dict[str, Any]:
        """Create a subaccount (with its own auth token, and API keys if given); returns its Account
        resource, auth token included, so a test can act as the subaccount itself."""
        if any(not API_KEY_SID_RE.match(sid) for sid in api_keys or {}):
            raise ValueError("API key SIDs must be SK followed by 32 hex digits")
        sid = records.new_sid("AC", self.rng)
        sub = Subaccount(sid, friendly_name, self.clock(), secrets.token_hex(16), status)
        self.credentials.add(sid, sub.auth_token, dict(api_keys or {}))
        self.subaccounts[sid] = sub
        self.stores[sid] = CallStore()
        return self.account_resource(sid, include_token=True)

    def _store_of(self, sid: str) -> CallStore | None:
        return next((store for store in self.stores.values() if sid in store), None)

    def _holding(self, sid: str) -> CallStore:
        store = self._store_of(sid)
        if store is None:
            raise KeyError(sid)
        return store

    def add_event(
        self,
        call_sid: str,
        url: str = "https://example.com/voice",
        method: str = "POST",
        response_code: int | None = 200,
        **fields: Any,
    ) -> dict[str, Any]:
        """Log a webhook request Twilio made for the call (`request_duration=`, `content_type=`,
        `response_body=`, `parameters=`; any other keyword overwrites a raw top-level field)."""
        return self.log.add_event(
            self._known(call_sid), self.clock(), url=url, method=method, response_code=response_code, **fields
        )

    def add_notification(
        self, call_sid: str, error_code: str | int | None = "11200", log: str = "0", **fields: Any
    ) -> dict[str, Any]:
        """Log an error (log "0") or warning ("1") for the call (`message_text=`, `request_url=`, ...)."""
        return self.log.add_notification(
            self._known(call_sid), self.clock(), error_code=error_code, log=log, **fields
        )

    def add_recording(self, call_sid: str, status: str = "completed", **fields: Any) -> dict[str, Any]:
        """Add a recording of the call (`source=`, `duration=`, `channels=`, `start_time=`, raw fields)."""
        return self.log.add_recording(self._known(call_sid), self.clock(), status=status, **fields)

    def _known(self, sid: str) -> str:
        self._holding(sid)  # raises KeyError for a call no account holds
        return sid

    # -- what the API does ------------------------------------------------------------------------------

    def account_resource(self, sid: str | None = None, *, include_token: bool) -> dict[str, Any]:
        """An Account (the main one by default); like Twilio, it shows the auth token only to the
        account's own auth token or, for a subaccount, to its parent's."""
        sub = self.subaccounts.get(sid or "")
        if sub is None:
            return records.account(
                sid=self.account_sid,
                friendly_name=self.friendly_name,
                created=self.created,
                auth_token=self.auth_token if include_token else None,
            )
        return records.account(
            sid=sub.sid,
            friendly_name=sub.friendly_name,
            created=sub.created,
            auth_token=sub.auth_token if include_token else None,
            owner=self.account_sid,
            status=sub.status,
        )

    def accounts_visible_to(self, user: str) -> list[dict[str, Any]]:
        """What `GET /Accounts.json` lists for `user`: the main account and every subaccount for the main
        account's credentials, only itself for a subaccount's (oldest first, as Twilio lists them)."""
        owner = self.credentials.owner(user)
        sids = [self.account_sid, *self.subaccounts] if owner == self.account_sid else [owner]
        return [self.account_resource(sid, include_token=user == owner) for sid in sids]

    def may_access(self, user: str, account_sid: str) -> bool:
        """Whether `user` may use `/Accounts/{account_sid}/…`: its own account, or a subaccount of it."""
        owner = self.credentials.owner(user)
        return account_sid == owner or (owner == self.account_sid and account_sid in self.subaccounts)

    def create_call(self, create: forms.Create, account_sid: str | None = None) -> dict[str, Any]:
        now = self.clock()
        store = self.stores[account_sid or self.account_sid]
        raw = records.new_call(
            sid=records.new_sid("CA", self.rng),
            account_sid=account_sid or self.account_sid,
            now=now,
            status="queued",
            direction="outbound-api",
            from_=create.from_,
            to=create.to,
            phone_number_sid=records.stable_sid("PN", create.from_) if create.from_.startswith("+") else None,
        )
        return store.add(raw, default_created=now)

    async def update_call(self, sid: str, update: forms.Update) -> dict[str, Any]:
        """Apply `POST Calls/{Sid}.json`: end the call (Status) or redirect it (Url/Twiml).

        Inline TwiML and this simulator's own /twiml documents take effect before the answer. Other URLs
        are fetched afterwards, as Twilio does: the answer shows the call as it was, and a document that
        hangs up ends it a moment later. A URL that cannot be fetched leaves the call as it is.
        """
        instructions = update.instructions
        ends = None
        if instructions is not None and instructions.twiml is not None:
            try:
                ends = twiml.ends_call(instructions.twiml)
            except twiml.TwimlError as exc:
                raise errors.invalid(f"Twiml is not valid TwiML: {exc}") from None
        store = self._holding(sid)
        raw = store.get(sid)
        if not lifecycle.is_live(raw):
            raise errors.not_live()
        assert raw is not None
        if update.status == "completed" or (update.status == "canceled" and raw["status"] != "in-progress"):
            return lifecycle.end(store, sid, update.status, self.clock(), self.log)
        # Status=canceled leaves a call in progress alone; a redirect alongside it still applies.
        if instructions is None:
            return raw
        if ends is None and instructions.url is not None:
            own = twiml.own_document(instructions.url, self.base_url)
            if own is not None:
                self.log.fetched(
                    raw, instructions.url, instructions.method, self.clock(), self.log.own_fetch(own)
                )
                ends = _ends(own)
            else:
                self._spawn(self._redirect_later(sid, raw, instructions))
        return self._apply_redirect(sid, bool(ends))

    def _apply_redirect(self, sid: str, ends: bool) -> dict[str, Any]:
        store = self._holding(sid)
        with store.lock:
            raw = store.get(sid)
            if not lifecycle.is_live(raw):
                return raw or {}  # ended meanwhile (a hang-up, its parent, the generator)
            if ends:
                return lifecycle.end(store, sid, "completed", self.clock(), self.log)
            return store.update(sid, {"date_updated": records.rfc2822(self.clock())})

    async def _redirect_later(self, sid: str, raw: dict[str, Any], instructions: forms.Instructions) -> None:
        """Fetch Url (then FallbackUrl) as Twilio would; apply the document if one could be fetched."""
        sources = (
            (instructions.url, instructions.method),
            (instructions.fallback_url, instructions.fallback_method),
        )
        for url, method in sources:
            if url is None or self._session is None:
                continue
            own = twiml.own_document(url, self.base_url)
            if own is not None:
                fetched = self.log.own_fetch(own)
            else:
                params = records.twilio_params(raw)
                fetched = await twiml.fetch(self._session, url, method, params, self.twiml_timeout)
            self.log.fetched(raw, url, method, self.clock(), fetched)
            if fetched.document is not None:
                if _ends(fetched.document):
                    self._apply_redirect(sid, True)
                return

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)


def _ends(document: str) -> bool:
    """Whether a fetched document hangs up; one that is not TwiML is ignored, as Twilio's 12100 would be."""
    try:
        return twiml.ends_call(document)
    except twiml.TwimlError:
        return False


def _raw(fields: dict[str, Any]) -> dict[str, Any]:
    """Raw JSON field names from keyword arguments (`from` is a Python keyword)."""
    return {("from" if key == "from_" else key): value for key, value in fields.items()}
