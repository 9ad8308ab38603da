"""List envelopes: `calls` (PageToken cursors `PA<sid>` / `PB<sid>`) and a call's events, notifications and
recordings (cursor `PT<offset>`), each with Twilio's paging fields."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from calltui.simulator import errors
from calltui.simulator.query import ListQuery, paging_params
from calltui.simulator.store import Entry

_OFFSET_TOKEN = re.compile(r"^PT(\d{1,9})$")


def page_uri(path: str, query: ListQuery, page: int, token: str | None) -> str:
    return list_uri(path, query.filters, query.page_size, page, token)


def list_uri(
    path: str, filters: Sequence[tuple[str, str]], page_size: int, page: int, token: str | None
) -> str:
    """Filters first, then PageSize, Page and PageToken, form-encoded as Twilio does (`+` → `%2B`)."""
    pairs = [*filters, ("PageSize", str(page_size)), ("Page", str(page))]
    if token is not None:
        pairs.append(("PageToken", token))
    return f"{path}?{urlencode(pairs)}"


def offset_page(path: str, key: str, records: list[dict[str, Any]], query: dict[str, str]) -> dict[str, Any]:
    """One page of a short list kept in memory (a call's events, ...), paged by offset."""
    page_size, page, token = paging_params(query)
    start = 0
    if token is not None:
        found = _OFFSET_TOKEN.match(token)
        if not found:
            raise errors.invalid_page_token()
        start = int(found[1])
    shown = records[start : start + page_size]
    more = start + page_size < len(records)
    return {
        key: shown,
        "end": start + len(shown) - 1 if shown else start,
        "first_page_uri": list_uri(path, (), page_size, 0, None),
        "next_page_uri": list_uri(path, (), page_size, page + 1, f"PT{start + page_size}") if more else None,
        "page": page,
        "page_size": page_size,
        "previous_page_uri": (
            list_uri(path, (), page_size, page - 1, f"PT{max(0, start - page_size)}") if page > 0 else None
        ),
        "start": start,
        "uri": list_uri(path, (), page_size, page, token),
    }


def envelope(
    path: str, query: ListQuery, entries: list[Entry], has_more: bool, *, next_override: str | None = None
) -> bytes:
    """The page as JSON bytes. `next_override` replaces next_page_uri (fault injection)."""
    start = query.page * query.page_size
    next_uri = page_uri(path, query, query.page + 1, f"PA{entries[-1].sid}") if has_more and entries else None
    previous = (
        page_uri(path, query, query.page - 1, f"PB{entries[0].sid}") if query.page > 0 and entries else None
    )
    meta = {
        "end": start + len(entries) - 1 if entries else start,
        "first_page_uri": page_uri(path, query, 0, None),
        "next_page_uri": next_override or next_uri,
        "page": query.page,
        "page_size": query.page_size,
        "previous_page_uri": previous,
        "start": start,
        "uri": page_uri(path, query, query.page, query.token),
    }
    # Records are cached as JSON: splice them in rather than re-serialising a 1000-call page.
    return b'{"calls":[' + b",".join(e.json() for e in entries) + b"]," + json.dumps(meta).encode()[1:]
