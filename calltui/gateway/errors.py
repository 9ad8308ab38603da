"""Turning HTTP error answers, SDK exceptions and transport failures into calltui's domain errors."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import aiohttp
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.response import Response

from calltui.domain.errors import (
    AuthError,
    CallNotLive,
    ConnectionFailed,
    GatewayError,
    InvalidRequest,
    MalformedResponse,
    NotFound,
    RateLimited,
    RequestTimeout,
    ServerError,
)
from calltui.domain.text import clean

_MESSAGE_LIMIT = 300
# What the SDK puts before Twilio's own message in TwilioRestException.msg.
_SDK_PREFIXES = ("Unable to fetch record: ", "Unable to update record: ", "Unable to create record: ")
# Parse failures inside the SDK or our own reading of a 2xx body: the answer is not the Calls API's shape.
_MALFORMED = (ValueError, KeyError, AttributeError, TypeError, IndexError, RecursionError)


def error_from_response(status: int, body: str, headers: Mapping[str, str] | None = None) -> GatewayError:
    """The domain error for a non-2xx answer, using Twilio's JSON error envelope when there is one."""
    envelope = _envelope(body)
    code = _as_int(envelope.get("code"))
    message = _text(envelope.get("message")) or f"The API answered HTTP {status}."
    more_info = _text(envelope.get("more_info")) or None
    retry_after = _retry_after(headers)
    return classify(status, code, message, more_info=more_info, retry_after=retry_after)


def classify(
    status: int | None,
    code: int | None,
    message: str,
    *,
    more_info: str | None = None,
    retry_after: float | None = None,
) -> GatewayError:
    """Pick the error class: Twilio's code first (it is more precise), then the HTTP status."""
    kw: dict[str, Any] = {"code": code, "status": status, "more_info": more_info}
    status = status or 0
    if code == 21220:
        return CallNotLive(message, **kw)
    if code == 20003 or status in (401, 403):
        return AuthError(message, **kw)
    if code == 20429 or status == 429:
        return RateLimited(message, retry_after=retry_after, **kw)
    if code == 20404 or status == 404:
        return NotFound(message, **kw)
    if 400 <= status < 500:
        return InvalidRequest(message, **kw)
    if status >= 500:
        return ServerError(message, **kw)
    return MalformedResponse(f"The API answered HTTP {status}, which calltui does not expect here.", **kw)


def map_exception(exc: BaseException, *, write: bool = False) -> GatewayError:
    """The domain error for anything the SDK or aiohttp raised. `write`: the request was a POST."""
    if isinstance(exc, GatewayError):
        return exc
    if isinstance(exc, TwilioRestException):
        msg = str(exc.msg or "")
        for prefix in _SDK_PREFIXES:
            msg = msg.removeprefix(prefix)
        return classify(exc.status, _as_int(exc.code), _text(msg) or f"The API answered HTTP {exc.status}.")
    if isinstance(exc, TwilioException):
        response = exc.args[1] if len(exc.args) > 1 else None
        if isinstance(response, Response):  # "Unable to fetch page": list/page calls carry the response
            return error_from_response(response.status_code, response.text, response.headers)
        return MalformedResponse(f"The API's answer could not be read: {_text(exc)}")
    # aiohttp's timeouts are also OSErrors and connection errors: test them first.
    if isinstance(exc, TimeoutError):
        return RequestTimeout("The API did not answer in time.")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return ConnectionFailed(f"Cannot reach the API: {_text(exc)}")
    if isinstance(exc, aiohttp.ClientConnectionError | aiohttp.ClientPayloadError):
        return _dropped(exc, write)
    if isinstance(exc, aiohttp.ClientError):
        return ConnectionFailed(f"Talking to the API failed: {_text(exc)}")
    if isinstance(exc, _MALFORMED):
        return MalformedResponse(f"The API's answer could not be read ({type(exc).__name__}).")
    return GatewayError(f"Unexpected failure talking to the API ({type(exc).__name__}).")


def redact(error: GatewayError, secret: str) -> GatewayError:
    """`error` with `secret` masked in its message (a hostile server could echo it back)."""
    if secret and secret in error.message:
        error.message = error.message.replace(secret, "********")
        error.args = (error.message,)
    return error


def detach(error: GatewayError) -> GatewayError:
    """`error` without traceback or chained exceptions: SDK frames hold the credentials in their locals,
    and a crash report that prints locals must not show them."""
    error.__traceback__ = None
    error.__context__ = None
    error.__cause__ = None
    return error


def _dropped(exc: BaseException, write: bool) -> ConnectionFailed:
    """The connection broke after the request may have been sent: a write's outcome is unknown."""
    if not write:
        return ConnectionFailed(f"The connection to the API broke: {_text(exc) or type(exc).__name__}")
    error = ConnectionFailed(
        "The connection broke before Twilio answered; the change may or may not have been applied."
    )
    error.outcome_unknown = True
    return error


def _envelope(body: str) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (ValueError, TypeError, RecursionError):
        return {}
    return payload if isinstance(payload, dict) else {}


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value) < 12:
        return int(value)
    return None


def _text(value: object) -> str:
    return clean(value, _MESSAGE_LIMIT) if isinstance(value, str | BaseException) else ""


def _retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds form; an HTTP date is ignored)."""
    if not headers:
        return None
    try:
        seconds = float(headers.get("Retry-After", ""))
    except (TypeError, ValueError):
        return None
    return seconds if 0 <= seconds < 86_400 else None
