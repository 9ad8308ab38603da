"""Shared pieces of the simulator tests: credentials, a running simulator whose answers are checked against
Twilio's OpenAPI spec, and real twilio SDK clients pointed at it."""

from __future__ import annotations

import base64
import contextlib
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import contract
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from calltui.simulator import Simulator

ACCOUNT = "AC" + "1" * 32
TOKEN = "simulator-test-token"
KEY_SID = "SK" + "2" * 32
KEY_SECRET = "simulator-test-key-secret"


def posts(sim: Simulator) -> list:
    """The write requests the simulator received (redirects, hang-ups), oldest first."""
    return [r for r in sim.requests if r.method == "POST"]


def calls_path(account: str = ACCOUNT) -> str:
    return f"/2010-04-01/Accounts/{account}/Calls.json"


def call_path(sid: str, account: str = ACCOUNT) -> str:
    return f"/2010-04-01/Accounts/{account}/Calls/{sid}.json"


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def assert_no_secret(texts: Iterable[str], username: str, secret: str) -> None:
    """The secret appears in none of `texts` in any form it travels in: itself, base64(username:secret)
    inside basic auth, and the Authorization header's whole value."""
    header = basic(username, secret)
    forms = (secret, header.removeprefix("Basic "), header)
    leaks = [(n, form is secret) for n, text in enumerate(texts) for form in forms if form in text]
    assert not leaks, f"the secret leaked (text index, as itself): {leaks}"


class Clock:
    """A clock the test moves by hand, so times in records are exact."""

    def __init__(self, start: datetime = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@contextlib.asynccontextmanager
async def running(**options: Any) -> AsyncIterator[Simulator]:
    """A started simulator (static unless told otherwise). On a clean exit every answer it gave must
    match the spec, so each test doubles as a contract test."""
    settings: dict[str, Any] = {
        "account_sid": ACCOUNT,
        "auth_token": TOKEN,
        "api_keys": {KEY_SID: KEY_SECRET},
        "seed": 7,
        "initial_calls": 0,
        "traffic": False,
        "record_exchanges": True,
        **options,
    }
    sim = Simulator(**settings)
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()
    if sim.exchanges is not None:
        contract.validate_exchanges(sim.exchanges)


@contextlib.asynccontextmanager
async def sdk(sim: Simulator, username: str = ACCOUNT, password: str = TOKEN) -> AsyncIterator[Client]:
    """The real twilio SDK (async HTTP client) talking to `sim`."""
    http = AsyncTwilioHttpClient()
    client = Client(username, password, account_sid=ACCOUNT, http_client=http)
    assert sim.base_url is not None
    client.api.base_url = sim.base_url
    try:
        yield client
    finally:
        await http.close()


@contextlib.asynccontextmanager
async def http(
    sim: Simulator, username: str | None = ACCOUNT, password: str = TOKEN
) -> AsyncIterator[aiohttp.ClientSession]:
    """A bare aiohttp session on `sim`'s base URL, with basic auth unless `username` is None."""
    headers = {"Authorization": basic(username, password)} if username else {}
    async with aiohttp.ClientSession(base_url=sim.base_url, headers=headers) as session:
        yield session
