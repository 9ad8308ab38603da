"""Twilio's JSON error envelope and the errors the simulated Calls API answers with."""

from __future__ import annotations

import json

from aiohttp import web

MORE_INFO = "https://www.twilio.com/docs/errors/{code}"


class ApiError(Exception):
    """An error answer: HTTP status plus Twilio's code and message."""

    def __init__(self, status: int, code: int | None, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def response(self) -> web.Response:
        return error_response(self.status, self.code, self.message, self.headers)


def error_response(
    status: int, code: int | None, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    body = {
        "code": code,
        "message": message,
        "more_info": MORE_INFO.format(code=code) if code else None,
        "status": status,
    }
    return web.Response(
        status=status, body=json.dumps(body).encode(), content_type="application/json", headers=headers
    )


def authenticate() -> ApiError:
    return ApiError(401, 20003, "Authenticate", {"WWW-Authenticate": 'Basic realm="Twilio API"'})


def not_found(path: str) -> ApiError:
    return ApiError(404, 20404, f"The requested resource {path} was not found")


def invalid(message: str) -> ApiError:
    """20001: a parameter Twilio refuses (bad value, missing PageToken, mutually exclusive pair)."""
    return ApiError(400, 20001, message)


def not_live() -> ApiError:
    return ApiError(400, 21220, "Call is not in-progress. Cannot redirect.")


def page_size_too_large(size: int) -> ApiError:
    return ApiError(400, 20007, f"PageSize {size} exceeds the maximum of 1000")


def invalid_page_token() -> ApiError:
    return ApiError(400, 21481, "Invalid PageToken")


def rate_limited(retry_after: float | None) -> ApiError:
    headers = {"Twilio-Concurrent-Requests": "101"}
    if retry_after is not None:
        headers["Retry-After"] = f"{retry_after:g}"
    return ApiError(429, 20429, "Too Many Requests", headers)
