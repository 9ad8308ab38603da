"""Twilio-shaped JSON for calls and the account: field names, string types and nulls as Twilio sends them."""

from __future__ import annotations

import contextlib
import hashlib
import math
import random
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

API_VERSION = "2010-04-01"
API_ROOT = f"/{API_VERSION}/Accounts"

CALL_SUBRESOURCES = {
    "notifications": "Notifications",
    "recordings": "Recordings",
    "payments": "Payments",
    "events": "Events",
    "siprec": "Siprec",
    "streams": "Streams",
    "transcriptions": "Transcriptions",
    "user_defined_message_subscriptions": "UserDefinedMessageSubscriptions",
    "user_defined_messages": "UserDefinedMessages",
}
ACCOUNT_SUBRESOURCES = {
    "available_phone_numbers": "AvailablePhoneNumbers",
    "calls": "Calls",
    "conferences": "Conferences",
    "incoming_phone_numbers": "IncomingPhoneNumbers",
    "notifications": "Notifications",
    "outgoing_caller_ids": "OutgoingCallerIds",
    "recordings": "Recordings",
    "transcriptions": "Transcriptions",
    "addresses": "Addresses",
    "signing_keys": "SigningKeys",
    "connect_apps": "ConnectApps",
    "sip": "SIP",
    "authorized_connect_apps": "AuthorizedConnectApps",
    "usage": "Usage",
    "keys": "Keys",
    "applications": "Applications",
    "short_codes": "SMS/ShortCodes",
    "queues": "Queues",
    "messages": "Messages",
    "balance": "Balance",
}

# Per started minute, as Twilio bills voice; negative because Twilio reports charges that way.
_RATE_PER_MINUTE = 0.013
_NANP = re.compile(r"\+1(\d{3})(\d{3})(\d{4})")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NUMBERS = {name: number for number, name in enumerate(_MONTHS, start=1)}
_OWN_FORMAT = re.compile(r"^[A-Z][a-z]{2}, (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) \+0000$")


def rfc2822(moment: datetime) -> str:
    """`Tue, 31 Aug 2010 20:36:29 +0000`: always UTC with a numeric offset, as Twilio sends it."""
    t = moment.astimezone(UTC)
    # Spelled out rather than strftime: locale-independent, and hot when building 10,000 calls.
    return (
        f"{_DAYS[t.weekday()]}, {t.day:02d} {_MONTHS[t.month - 1]} {t.year:04d} "
        f"{t.hour:02d}:{t.minute:02d}:{t.second:02d} +0000"
    )


def parse_rfc2822(value: object) -> datetime | None:
    """The datetime in a raw field, or None when it is null or not an RFC 2822 date."""
    if not isinstance(value, str):
        return None
    ours = _OWN_FORMAT.match(value)
    if ours and ours[2] in _MONTH_NUMBERS:
        day, month, year, hour, minute, second = ours.groups()
        with contextlib.suppress(ValueError):
            return datetime(
                int(year), _MONTH_NUMBERS[month], int(day), int(hour), int(minute), int(second), tzinfo=UTC
            )
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def new_sid(prefix: str, rng: random.Random) -> str:
    return f"{prefix}{rng.getrandbits(128):032x}"


def stable_sid(prefix: str, key: str) -> str:
    """A SID derived from `key`, so one phone number always has the same PN sid."""
    return prefix + hashlib.sha256(key.encode()).hexdigest()[:32]


def formatted(endpoint: str | None) -> str | None:
    """`(415) 867-5308` for North American numbers; anything else as given (E.164, client:, sip:)."""
    if endpoint is None:
        return None
    match = _NANP.fullmatch(endpoint)
    return f"({match[1]}) {match[2]}-{match[3]}" if match else endpoint


def new_call(
    *,
    sid: str,
    account_sid: str,
    now: datetime,
    status: str,
    direction: str,
    from_: str,
    to: str,
    parent_call_sid: str | None = None,
    caller_name: str | None = None,
    phone_number_sid: str | None = None,
    forwarded_from: str | None = None,
    answered_by: str | None = None,
    trunk_sid: str | None = None,
) -> dict[str, Any]:
    """A call as Twilio lists it the moment it exists: nothing about its start, end or cost yet."""
    base = f"{API_ROOT}/{account_sid}/Calls/{sid}"
    stamp = rfc2822(now)
    return {
        "sid": sid,
        "date_created": stamp,
        "date_updated": stamp,
        "parent_call_sid": parent_call_sid,
        "account_sid": account_sid,
        "to": to,
        "to_formatted": formatted(to),
        "from": from_,
        "from_formatted": formatted(from_),
        "phone_number_sid": phone_number_sid,
        "status": status,
        "start_time": None,
        "end_time": None,
        "duration": None,
        "price": None,
        "price_unit": "USD",
        "direction": direction,
        "answered_by": answered_by,
        "api_version": API_VERSION,
        "forwarded_from": forwarded_from,
        "group_sid": None,
        "caller_name": caller_name,
        "queue_time": "0",
        "trunk_sid": trunk_sid,
        "uri": f"{base}.json",
        "subresource_uris": {key: f"{base}/{name}.json" for key, name in CALL_SUBRESOURCES.items()},
    }


def ringing_fields(raw: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Leaving the queue: Twilio reports how long the call waited, in milliseconds."""
    created = parse_rfc2822(raw.get("date_created")) or now
    waited = max(0, int((now - created).total_seconds() * 1000))
    return {"status": "ringing", "queue_time": str(waited), "date_updated": rfc2822(now)}


def answered_fields(now: datetime) -> dict[str, Any]:
    stamp = rfc2822(now)
    return {"status": "in-progress", "start_time": stamp, "duration": None, "date_updated": stamp}


def ended_fields(raw: dict[str, Any], status: str, now: datetime) -> dict[str, Any]:
    """End of a call: end time, whole seconds connected (0 if never answered) and the charge for them."""
    started = parse_rfc2822(raw.get("start_time"))
    if started is not None and started > now:
        now = started  # a leg answered just after its parent hung up ends with it, not before it began
    seconds = int((now - started).total_seconds()) if started else 0
    stamp = rfc2822(now)
    return {
        "status": status,
        "end_time": stamp,
        "duration": str(seconds),
        "price": f"{-math.ceil(seconds / 60) * _RATE_PER_MINUTE:.5f}" if seconds else "0.00000",
        "date_updated": stamp,
    }


def account(
    *,
    sid: str,
    friendly_name: str,
    created: datetime,
    auth_token: str | None,
    owner: str | None = None,
    status: str = "active",
) -> dict[str, Any]:
    """The Account resource (`GET /2010-04-01/Accounts/{Sid}.json`); `owner` is a subaccount's parent."""
    stamp = rfc2822(created)
    return {
        "auth_token": auth_token,
        "date_created": stamp,
        "date_updated": stamp,
        "friendly_name": friendly_name,
        "owner_account_sid": owner or sid,
        "sid": sid,
        "status": status,
        "subresource_uris": {k: f"{API_ROOT}/{sid}/{name}.json" for k, name in ACCOUNT_SUBRESOURCES.items()},
        "type": "Full",
        "uri": f"{API_ROOT}/{sid}.json",
    }


def twilio_params(raw: dict[str, Any]) -> dict[str, str]:
    """The parameters Twilio sends with a TwiML request for this call."""
    params = {
        "CallSid": raw.get("sid"),
        "AccountSid": raw.get("account_sid"),
        "From": raw.get("from"),
        "To": raw.get("to"),
        "Caller": raw.get("from"),
        "Called": raw.get("to"),
        "CallStatus": raw.get("status"),
        "Direction": raw.get("direction"),
        "ApiVersion": API_VERSION,
        "ParentCallSid": raw.get("parent_call_sid"),
        "CallerName": raw.get("caller_name"),
    }
    return {key: str(value) for key, value in params.items() if value is not None}
