"""The HTTP face of the simulator: Twilio's routes, auth, faults, recording, all as aiohttp handlers."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from calltui.domain.call import CALL_SID_RE
from calltui.simulator import accounts, calllog, errors, forms, paging, query, twiml
from calltui.simulator.auth import basic_user
from calltui.simulator.faults import Fault
from calltui.simulator.recording import Exchange, RecordedRequest, masked_form
from calltui.simulator.store import CallStore, Entry

if TYPE_CHECKING:
    from calltui.simulator.server import Simulator

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ACCOUNTS = "/2010-04-01/Accounts.json"
ACCOUNT = "/2010-04-01/Accounts/{account}.json"
CALLS = "/2010-04-01/Accounts/{account}/Calls.json"
CALL = "/2010-04-01/Accounts/{account}/Calls/{sid}.json"
CALL_LOG = "/2010-04-01/Accounts/{account}/Calls/{sid}/{name:Events|Notifications|Recordings}.json"
API_PREFIX = "/2010-04-01/"
FAULT_KEY = web.RequestKey("fault", Fault)
USER_KEY = web.RequestKey("user", str)
_CODES_BY_STATUS = {404: 20404, 405: 20004}


def build_app(sim: Simulator) -> web.Application:
    api = Api(sim)
    app = web.Application(middlewares=[api.recorder, api.injector, api.authorizer])
    app.router.add_get(ACCOUNTS, api.list_accounts)
    app.router.add_get(ACCOUNT, api.get_account)
    app.router.add_get(CALLS, api.list_calls)
    app.router.add_post(CALLS, api.create_call)
    app.router.add_get(CALL, api.get_call)
    app.router.add_post(CALL, api.update_call)
    app.router.add_get(CALL_LOG, api.list_call_log)
    app.router.add_route("*", "/twiml/{name}", api.get_twiml)
    return app


async def _form(request: web.Request) -> dict[str, str]:
    """The fields of a form-encoded POST (first value of each). Twilio reads no other body: {} otherwise."""
    if request.method != "POST" or request.content_type != "application/x-www-form-urlencoded":
        return {}
    fields: dict[str, str] = {}
    for key, value in (await request.post()).items():
        if isinstance(value, str):
            fields.setdefault(key, value)
    return fields


def json_response(body: dict[str, Any] | bytes, status: int = 200) -> web.Response:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return web.Response(status=status, body=data, content_type="application/json")


class Api:
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim

    # -- middlewares, outermost first ------------------------------------------------------------------

    @web.middleware
    async def recorder(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Record the request, turn errors into Twilio's JSON envelope, and keep the exchange if asked."""
        form = await _form(request)
        credentials = basic_user(request.headers.get("Authorization"))
        self.sim.requests.append(
            RecordedRequest(
                request.method,
                request.path,
                dict(request.query),
                masked_form(form),
                credentials[0] if credentials else None,
            )
        )
        try:
            response = await handler(request)
        except errors.ApiError as exc:
            response = exc.response()
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            # Twilio's code for these; any other refusal its generic one: every Twilio error has a code.
            code = _CODES_BY_STATUS.get(exc.status, 20001 if exc.status < 500 else 20500)
            message = errors.not_found(request.path).message if exc.status == 404 else exc.reason
            response = errors.error_response(exc.status, code, message)
        if request.path.startswith(API_PREFIX):
            response.headers["Twilio-Request-Id"] = "RQ" + secrets.token_hex(16)
        # Twilio's clock is the simulator's: the one its calls' start times come from.
        response.headers["Date"] = format_datetime(self.sim.clock().astimezone(UTC), usegmt=True)
        answered = request.transport is not None and not request.transport.is_closing()  # not dropped
        if self.sim.exchanges is not None and answered and isinstance(response, web.Response):
            self.sim.exchanges.append(
                Exchange(
                    request.method,
                    request.path,
                    tuple(request.query.items()),
                    await request.read(),
                    request.content_type,
                    credentials is not None,
                    response.status,
                    response.body if isinstance(response.body, bytes) else b"",
                    response.content_type,
                    fault.kind if (fault := request.get(FAULT_KEY)) else None,
                )
            )
        return response

    @web.middleware
    async def injector(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Apply the first matching fault to API requests (the /twiml documents are never faulted)."""
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        fault = self.sim.faults.take(request.method, request.path_qs)
        if fault is None:
            return await handler(request)
        request[FAULT_KEY] = fault  # the exchange is marked the test's own; paging faults bend next_page_uri
        if fault.kind == "latency":
            await asyncio.sleep(fault.seconds)
            return await handler(request)
        if fault.kind == "status":
            raise errors.ApiError(fault.status, fault.code, fault.message)
        if fault.kind == "rate_limit":
            raise errors.rate_limited(fault.retry_after)
        if fault.kind == "auth":
            raise errors.authenticate()
        if fault.kind == "malformed":
            return web.Response(status=200, body=fault.body.encode(), content_type="application/json")
        if fault.kind == "drop":
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)  # never reaches the client
        return await handler(request)

    @web.middleware
    async def authorizer(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Basic auth on every API path; the account in the URL must be the one authenticated, or one of
        its subaccounts."""
        if request.path.startswith(API_PREFIX):
            user = request[USER_KEY] = self.sim.credentials.check(request.headers.get("Authorization"))
            account = request.match_info.get("account")
            if account is not None and not self.sim.may_access(user, account):
                raise errors.authenticate()
        return await handler(request)

    # -- handlers --------------------------------------------------------------------------------------

    async def list_accounts(self, request: web.Request) -> web.Response:
        parsed = accounts.parse_query(request.query)
        listed = self.sim.accounts_visible_to(request[USER_KEY])
        return json_response(accounts.page(request.path, parsed, listed))

    async def get_account(self, request: web.Request) -> web.Response:
        account = request.match_info["account"]
        own = request[USER_KEY] in (account, self.sim.account_sid)
        return json_response(self.sim.account_resource(account, include_token=own))

    async def list_calls(self, request: web.Request) -> web.Response:
        parsed = query.parse(request.query)
        store = self._store(request)
        for move in await self.sim.moves.before_read(parsed.status, parsed.page):
            self.sim.apply_move(move, store)
        with store.lock:
            after = self._anchor(store, request, parsed.after)
            before = self._anchor(store, request, parsed.before)
            entries, more = store.select(
                status=parsed.status, match=parsed.match, after=after, before=before, limit=parsed.page_size
            )
            fault = request.get(FAULT_KEY)
            override = None
            if fault is not None and fault.kind == "next_page_loop":
                override = paging.page_uri(request.path, parsed, parsed.page, parsed.token)
            elif fault is not None and fault.kind == "next_page_404":
                # A well-formed token naming no call: following it answers 404. (Not from the seeded
                # RNG, which would shift every SID made after it.)
                token = "PACA" + secrets.token_hex(16)
                override = paging.page_uri(request.path, parsed, parsed.page + 1, token)
            body = paging.envelope(request.path, parsed, entries, more, next_override=override)
        self.sim.moves.answered(parsed.status)
        return json_response(body)

    def _store(self, request: web.Request) -> CallStore:
        return self.sim.stores[request.match_info["account"]]

    def _anchor(self, store: CallStore, request: web.Request, sid: str | None) -> tuple[float, str] | None:
        if sid is None:
            return None
        entry = store.entry(sid)
        if entry is None:
            raise errors.not_found(request.path)
        return entry.key

    async def create_call(self, request: web.Request) -> web.Response:
        create = forms.parse_create(await _form(request))
        return json_response(self.sim.create_call(create, request.match_info["account"]), status=201)

    async def get_call(self, request: web.Request) -> web.Response:
        with self._store(request).lock:  # a test thread may be editing this very record
            return json_response(self._call_entry(request).json())

    async def update_call(self, request: web.Request) -> web.Response:
        update = forms.parse_update(await _form(request))
        sid = self._call_entry(request).sid
        return json_response(await self.sim.update_call(sid, update))

    async def list_call_log(self, request: web.Request) -> web.Response:
        """A call's Events, Notifications or Recordings list."""
        sid = self._call_entry(request).sid
        key = calllog.NAMES[request.match_info["name"]]
        page = paging.offset_page(request.path, key, self.sim.log.records(key, sid), dict(request.query))
        fault = request.get(FAULT_KEY)
        if fault is not None and fault.kind == "next_page_loop":
            page["next_page_uri"] = page["uri"]
        elif fault is not None and fault.kind == "next_page_404":
            page["next_page_uri"] = page["uri"].replace(sid, "CA" + secrets.token_hex(16))  # no such call
        return json_response(page)

    def _call_entry(self, request: web.Request) -> Entry:
        sid = request.match_info["sid"]
        entry = self._store(request).entry(sid) if CALL_SID_RE.match(sid) else None
        if entry is None:
            raise errors.not_found(request.path)
        return entry

    async def get_twiml(self, request: web.Request) -> web.Response:
        document = twiml.DOCUMENTS.get(request.match_info["name"])
        if document is None:
            raise web.HTTPNotFound()
        return web.Response(text=document, content_type="application/xml")
