"""Reading every page of a list (calls, or a call's events, notifications, recordings) through the SDK's
paging, with guards against a server that loops."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

from twilio.base.page import Page
from twilio.base.version import Version
from twilio.http.response import Response

from calltui.domain.errors import MalformedResponse
from calltui.gateway.raw_json import decode_page


class RecordsPage(Page):
    """A page whose records stay JSON objects (see calltui.gateway.parse for why).

    The envelope's list key ("calls", "events", ...) rides in the SDK's `solution` dict, which the SDK
    hands on to every next page.
    """

    def load_page(self, payload: Any) -> list[object]:
        key = self._solution.get("key", "calls")
        records = payload.get(key) if isinstance(payload, dict) else None
        if not isinstance(records, list):
            raise MalformedResponse(f"The API's page of {key} has no '{key}' list.")
        return records

    def get_instance(self, payload: Any) -> object:
        return payload


class RawRecordsPage(RecordsPage):
    """A page whose records stay the bytes of their JSON (see calltui.gateway.raw_json), for the parse
    cache to compare; a page only the standard library can read gives JSON objects instead."""

    @classmethod
    def process_response(cls, response: Response) -> Any:
        if response.status_code != 200:
            return super().process_response(response)  # raises as the SDK does
        return decode_page(response.text)


async def first_page(
    version: Version, uri: str, params: dict[str, object], key: str = "calls", *, raw: bool = False
) -> Page:
    response = await version.page_async(method="GET", uri=uri, params=params)
    return (RawRecordsPage if raw else RecordsPage)(version, response, {"key": key})


async def read_pages(
    version: Version,
    uri: str,
    params: dict[str, object],
    *,
    max_pages: int,
    key: str = "calls",
    raw: bool = False,
) -> AsyncIterator[list[object]]:
    """The records of every page in turn, following next_page_uri exactly as given (it carries PageToken).
    A caller that turns each page into calls as it comes holds one page of raw JSON at a time, not the
    whole list (at 50,000 calls, 100 MB). With `raw`, records are the bytes of their JSON where they can be.

    A next page already read, or more than `max_pages` pages, raises MalformedResponse: a server
    bug must not turn a poll into an endless loop.
    """
    page = await first_page(version, uri, params, key, raw=raw)
    seen: set[str] = set()
    while True:
        yield list(page)
        url = page.next_page_url
        if url is None:
            return
        if url in seen:
            raise MalformedResponse("The API's next_page_uri leads back to a page already read.")
        seen.add(url)
        if len(seen) >= max_pages:
            raise MalformedResponse(f"The API kept offering more pages after {max_pages}; stopped there.")
        page = cast(Page, await page.next_page_async())  # not None: next_page_url is set


async def read_records(
    version: Version, uri: str, params: dict[str, object], *, max_pages: int, key: str = "calls"
) -> list[object]:
    """Every record on every page (see `read_pages`)."""
    pages = read_pages(version, uri, params, max_pages=max_pages, key=key)
    return [record async for records in pages for record in records]
