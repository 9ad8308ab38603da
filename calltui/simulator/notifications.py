"""A call's Notifications (Twilio's debugger log for the call): what the simulator records, in Twilio's shape.

The simulator records one kind: error 11200 when a redirect's TwiML URL (and its fallback) cannot be
fetched — what Twilio's Monitor logs as "HTTP retrieval failure".
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from calltui.simulator import records

RETRIEVAL_FAILURE = 11200
MAX_PAGE_SIZE = 1000


def retrieval_failure(
    *, account_sid: str, call_sid: str, url: str, method: str, now: datetime, index: int
) -> dict[str, Any]:
    """An 11200 error notification for `call_sid`; `index` (per call) keeps SIDs distinct and stable."""
    stamp = records.rfc2822(now)
    sid = records.stable_sid("NO", f"{call_sid}:{index}")
    return {
        "account_sid": account_sid,
        "api_version": records.API_VERSION,
        "call_sid": call_sid,
        "date_created": stamp,
        "date_updated": stamp,
        "error_code": str(RETRIEVAL_FAILURE),
        "log": "0",
        "message_date": stamp,
        "message_text": urlencode({"msg": "HTTP retrieval failure", "url": url}),
        "more_info": f"https://www.twilio.com/docs/errors/{RETRIEVAL_FAILURE}",
        "request_method": method if method in ("GET", "POST") else "POST",
        "request_url": url,
        "sid": sid,
        "uri": f"/2010-04-01/Accounts/{account_sid}/Calls/{call_sid}/Notifications/{sid}.json",
    }


def envelope(path: str, notifications: list[dict[str, Any]], page_size: int) -> bytes:
    """One page, newest first (the simulator keeps few per call: no second page)."""
    shown = list(reversed(notifications))[:page_size]
    uri = f"{path}?{urlencode({'PageSize': page_size, 'Page': 0})}"
    body = {
        "notifications": shown,
        "end": max(0, len(shown) - 1),
        "first_page_uri": uri,
        "next_page_uri": None,
        "page": 0,
        "page_size": page_size,
        "previous_page_uri": None,
        "start": 0,
        "uri": uri,
    }
    return json.dumps(body).encode()
