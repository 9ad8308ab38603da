"""Form bodies of `POST Calls.json` (create) and `POST Calls/{Sid}.json` (update), checked as Twilio does."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from calltui.simulator import errors
from calltui.simulator.twiml import MAX_INLINE

METHODS = ("GET", "POST")
UPDATE_STATUSES = ("completed", "canceled")
_INTEGERS = (
    "Timeout",
    "TimeLimit",
    "MachineDetectionTimeout",
    "MachineDetectionSpeechThreshold",
    "MachineDetectionSpeechEndThreshold",
    "MachineDetectionSilenceTimeout",
)
_BOOLEANS = ("Record",)
# SID-valued fields: their prefix, and Twilio's code for a malformed one.
_SIDS = {"ApplicationSid": ("AP", 21218), "Byoc": ("BY", 20001)}
_METHOD_FIELDS = (
    "Method",
    "FallbackMethod",
    "StatusCallbackMethod",
    "RecordingStatusCallbackMethod",
    "AsyncAmdStatusCallbackMethod",
)
# Url and FallbackUrl share Twilio's 21205; callback URLs have their own code.
_URL_FIELDS = {
    "Url": 21205,
    "FallbackUrl": 21205,
    "StatusCallback": 21609,
    "AsyncAmdStatusCallback": 21609,
    "ClientNotificationUrl": 21609,
}


@dataclass(frozen=True, slots=True)
class Instructions:
    """Where the call's TwiML comes from: a URL (with its method and fallback) or inline."""

    url: str | None = None
    method: str = "POST"
    fallback_url: str | None = None
    fallback_method: str = "POST"
    twiml: str | None = None


@dataclass(frozen=True, slots=True)
class Update:
    status: str | None
    instructions: Instructions | None


@dataclass(frozen=True, slots=True)
class Create:
    to: str
    from_: str
    instructions: Instructions | None
    """None when the call runs an ApplicationSid."""


def parse_update(form: Mapping[str, str]) -> Update:
    _check_types(form)
    status = form.get("Status")
    if status is not None and status not in UPDATE_STATUSES:
        raise errors.invalid(f"Status must be one of {', '.join(UPDATE_STATUSES)}")
    return Update(status, _instructions(form))


def parse_create(form: Mapping[str, str]) -> Create:
    _check_types(form)
    to, from_ = form.get("To", "").strip(), form.get("From", "").strip()
    if not to:
        raise errors.ApiError(400, 21201, "No 'To' number is specified")
    if not from_:
        raise errors.ApiError(400, 21213, "No 'From' number is specified")
    instructions = _instructions(form)
    if instructions is None and not form.get("ApplicationSid"):
        raise errors.ApiError(400, 21205, "Url parameter is required: give Url, Twiml or ApplicationSid.")
    return Create(to, from_, instructions)


def _instructions(form: Mapping[str, str]) -> Instructions | None:
    url, twiml = form.get("Url"), form.get("Twiml")
    if url is not None and twiml is not None:
        raise errors.invalid("Twiml and Url are mutually exclusive")
    if twiml is not None:
        if len(twiml) > MAX_INLINE:
            raise errors.invalid(f"Twiml must be at most {MAX_INLINE} characters")
        return Instructions(twiml=twiml)
    if url is None:
        return None
    return Instructions(
        url=url,
        method=form.get("Method", "POST"),
        fallback_url=form.get("FallbackUrl"),
        fallback_method=form.get("FallbackMethod", "POST"),
    )


def _check_types(form: Mapping[str, str]) -> None:
    for name in _METHOD_FIELDS:
        if name in form and form[name] not in METHODS:
            raise errors.invalid(f"{name} must be GET or POST")
    for name, code in _URL_FIELDS.items():
        if name in form and not is_http_url(form[name]):
            raise errors.ApiError(400, code, f"{name} is not a valid URL: {form[name]}")
    for name in _INTEGERS:
        if name in form and not re.fullmatch(r"[+-]?\d{1,9}", form[name].strip()):
            raise errors.invalid(f"{name} must be an integer")
    for name, (prefix, code) in _SIDS.items():
        if name in form and not re.fullmatch(prefix + "[0-9a-fA-F]{32}", form[name]):
            raise errors.ApiError(400, code, f"{name} must be {prefix} followed by 32 hex digits")
    for name in _BOOLEANS:
        if name in form and form[name].lower() not in ("true", "false"):
            raise errors.invalid(f"{name} must be true or false")


def is_http_url(value: str) -> bool:
    """An absolute http(s) URL with a host: what Twilio can fetch."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in value)
