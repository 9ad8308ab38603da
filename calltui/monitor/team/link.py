"""The connection to the team's Redis: every call bounded by a timeout, every failure one exception type.

A Redis that hangs (not refused) is the dangerous failure, so nothing here waits longer than `timeout`
(plus the block time of a blocking read), and redis-py's own retries are off: the team retries on its own
schedule, with backoff, and the table never waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from calltui.secret import Secret

if TYPE_CHECKING:
    from redis.asyncio import Redis

T = TypeVar("T")
DEFAULT_TIMEOUT = 1.0
"""Seconds any one Redis call may take before the team counts as offline."""


@dataclass(frozen=True, slots=True)
class TeamConfig:
    """Team mode's settings (`--team`, `--name`)."""

    url: Secret
    """`redis://` or `rediss://`, maybe with an ACL user and password: never shown, logged or stored."""
    who: str
    """The operator's name, as teammates see it."""
    request_timeout: float = 10.0
    """The gateway's: a claim outlives the grace window and one request."""


class TeamUnavailable(Exception):
    """Redis could not be reached or answered too slowly; the message never holds the URL."""


class TeamLink:
    """Two clients on one URL: one for quick calls, one for the blocking stream reads."""

    def __init__(self, url: Secret, *, timeout: float = DEFAULT_TIMEOUT, block: float = 1.0) -> None:
        self.timeout = timeout
        self.block = block
        """Seconds a blocking read waits for new entries."""
        self._url = url
        self._quick: Redis | None = None
        self._blocking: Redis | None = None

    def _client(self, socket_timeout: float) -> Redis:
        from redis.asyncio import Redis  # imported late: team mode only
        from redis.asyncio.retry import Retry  # the asyncio one: redis converts a sync one, with a warning
        from redis.backoff import NoBackoff

        return Redis.from_url(
            self._url.reveal(),
            socket_timeout=socket_timeout,
            socket_connect_timeout=self.timeout,
            retry=Retry(NoBackoff(), 0),
            health_check_interval=0,
        )

    async def call(self, what: Callable[[Redis], Awaitable[T]]) -> T:
        """`what(client)`, within the timeout; TeamUnavailable when Redis does not answer in time."""
        if self._quick is None:
            self._quick = self._client(self.timeout)
        return await self._bounded(what(self._quick), self.timeout)

    async def read(self, what: Callable[[Redis], Awaitable[T]]) -> T:
        """A blocking read (XREAD BLOCK), allowed its block time on top of the timeout."""
        if self._blocking is None:
            self._blocking = self._client(self.block + self.timeout)
        return await self._bounded(what(self._blocking), self.block + self.timeout)

    async def _bounded(self, work: Awaitable[T], seconds: float) -> T:
        from redis.exceptions import RedisError

        try:
            return await asyncio.wait_for(work, seconds)
        except (TimeoutError, RedisError, OSError) as exc:
            # The exception's text may name the host; the URL and its password are never in it.
            await self.reset()
            raise TeamUnavailable(type(exc).__name__) from None

    async def reset(self) -> None:
        """Drop both connections: the next call connects afresh (after a Redis restart, say)."""
        clients, self._quick, self._blocking = (self._quick, self._blocking), None, None
        for client in clients:
            if client is not None:
                await _close_quietly(client)

    async def close(self) -> None:
        await self.reset()


async def _close_quietly(client: Any) -> None:
    from redis.exceptions import RedisError

    with contextlib.suppress(TimeoutError, RedisError, OSError):
        await asyncio.wait_for(client.aclose(), 1.0)
