"""The list envelope: `calls` plus Twilio's paging fields, with PageToken cursors (`PA<sid>` / `PB<sid>`)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from calltui.simulator.query import ListQuery
from calltui.simulator.store import Entry


def page_uri(path: str, query: ListQuery, page: int, token: str | None) -> str:
    """Filters first, then PageSize, Page and PageToken, form-encoded as Twilio does (`+` → `%2B`)."""
    pairs = [*query.filters, ("PageSize", str(query.page_size)), ("Page", str(page))]
    if token is not None:
        pairs.append(("PageToken", token))
    return f"{path}?{urlencode(pairs)}"


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
