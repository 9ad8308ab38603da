"""Subaccounts and the Accounts list (`GET /2010-04-01/Accounts.json`), paged as Twilio pages it."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from calltui.simulator import errors
from calltui.simulator.paging import list_uri
from calltui.simulator.query import paging_params

ACCOUNT_STATUSES = ("active", "suspended", "closed")
_TOKEN = re.compile(r"^PA(AC[0-9a-fA-F]{32})$")
_FIELDS = {"FriendlyName": "friendly_name", "Status": "status"}


@dataclass(slots=True)
class Subaccount:
    """A subaccount of the simulated (main) account. Holds its auth token: no repr of it."""

    sid: str
    friendly_name: str
    created: datetime
    auth_token: str
    status: str = "active"

    def __repr__(self) -> str:
        return f"Subaccount({self.sid}, {self.friendly_name!r}, {self.status})"


@dataclass(frozen=True, slots=True)
class AccountsQuery:
    filters: tuple[tuple[str, str], ...]
    page_size: int
    page: int
    after: str | None
    """Account SID the page starts after (`PA` token)."""


def parse_query(query: Mapping[str, str]) -> AccountsQuery:
    filters = tuple((name, query[name]) for name in dict.fromkeys(query) if name in _FIELDS)
    status = dict(filters).get("Status")
    if status is not None and status not in ACCOUNT_STATUSES:
        raise errors.invalid(f"Status must be one of {', '.join(ACCOUNT_STATUSES)}")
    page_size, page, token = paging_params(query)
    after = None
    if token is not None:
        found = _TOKEN.match(token)
        if not found:
            raise errors.invalid_page_token()
        after = found[1]
    return AccountsQuery(filters, page_size, page, after)


def page(path: str, query: AccountsQuery, accounts: Sequence[dict[str, Any]]) -> bytes:
    """One page of `accounts` (already in Twilio's order) that match the query, in Twilio's envelope."""
    wanted = dict(query.filters)
    matching = [
        account
        for account in accounts
        if all(account.get(_FIELDS[name]) == value for name, value in wanted.items())
    ]
    sids = [account["sid"] for account in matching]
    if query.after is not None and query.after not in sids:
        raise errors.not_found(path)
    start_at = sids.index(query.after) + 1 if query.after is not None else 0
    shown = matching[start_at : start_at + query.page_size]
    more = start_at + query.page_size < len(matching)
    start = query.page * query.page_size
    uri = partial(list_uri, path, query.filters, query.page_size)
    body = {
        "accounts": shown,
        "end": start + len(shown) - 1 if shown else start,
        "first_page_uri": uri(0, None),
        "next_page_uri": uri(query.page + 1, f"PA{shown[-1]['sid']}") if more else None,
        "page": query.page,
        "page_size": query.page_size,
        "previous_page_uri": None,
        "start": start,
        "uri": uri(query.page, f"PA{query.after}" if query.after else None),
    }
    return json.dumps(body).encode()
