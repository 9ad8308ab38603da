"""The SDK's aiohttp client, with every request bounded in time and every failure mapped to a domain error.

Mapping here, where the HTTP answer is still whole, keeps Retry-After for every method (the SDK's
TwilioRestException drops the headers) and gives Twilio's own message without the SDK's prefixes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response

from calltui.gateway.errors import error_from_response, map_exception, redact


class GatewayHttpClient(AsyncTwilioHttpClient):
    """Create inside the running event loop that will use it (aiohttp binds its session to that loop).

    `max_retries` stays off: the SDK would resend a POST on 5xx. Backing off is the poller's job.
    """

    def __init__(self, request_timeout: float, on_date: Callable[[str | None], object] | None = None) -> None:
        super().__init__()
        self.request_timeout = request_timeout
        self._on_date = on_date
        """Told each answer's `Date` header: Twilio's clock, for durations (see monitor.skew)."""

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        try:
            response = await asyncio.wait_for(
                super().request(method, url, params, data, headers, auth, None, allow_redirects),
                self.request_timeout,
            )
        except Exception as exc:
            error = map_exception(exc, write=method.upper() != "GET")
        else:
            if self._on_date is not None:
                self._on_date(response.headers.get("Date") if response.headers else None)
            if 200 <= response.status_code < 300:
                return response
            error = error_from_response(response.status_code, response.text, response.headers)
        finally:
            self._forget_last()
        # Raised outside the except block so no SDK exception rides along as __context__.
        raise redact(error, auth[1] if auth else "")

    def _forget_last(self) -> None:
        """The SDK keeps the last request (with the credentials) and answer (a page of up to 1,000 calls,
        ~0.5 MB of text) for its own tests until the next request: nothing reads them, so they go now."""
        self._test_only_last_request = None
        self._test_only_last_response = None
