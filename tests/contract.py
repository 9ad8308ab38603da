"""Check requests and responses against Twilio's own OpenAPI spec for the 2010-04-01 API (openapi-core).

The spec is vendored in tests/twilio-oai/ (Twilio's file at tag 2.6.7, MIT, provenance in its README) and
loaded once per process. Twilio's custom formats are checked as Twilio uses them:
`date-time-rfc-2822` must be exactly `Tue, 31 Aug 2010 20:36:29 +0000`; the list filters typed `date-time`
also take `YYYY-MM-DD`, which Twilio documents for them. Error answers, which the spec does not describe,
must be Twilio's envelope {code, message, more_info, status}.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from openapi_core import Config, OpenAPI
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.testing import MockRequest, MockResponse

# Vendored with its licence and provenance (tests/twilio-oai/README.md): nothing beside the repo is needed.
SPEC_PATH = Path(__file__).resolve().parent / "twilio-oai" / "twilio_api_v2010.json"
TWILIO_HOST = "https://api.twilio.com"
API_PREFIX = "/2010-04-01/"

_RFC2822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
    r"\d{2}:\d{2}:\d{2} \+0000$"
)


class ExchangeLike(Protocol):
    method: str
    path: str
    query: Sequence[tuple[str, str]]
    request_body: bytes
    request_content_type: str
    authenticated: bool
    status: int
    body: bytes
    content_type: str
    fault: str | None


class ContractError(AssertionError):
    pass


@functools.cache
def spec() -> dict[str, Any]:
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))


def _is_rfc2822(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC2822.match(value):
        return False
    try:
        datetime.strptime(value, "%a, %d %b %Y %H:%M:%S +0000")
    except ValueError:
        return False
    return True


def _is_date_or_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_currency(value: object) -> bool:
    return not isinstance(value, str) or bool(re.fullmatch(r"[A-Z]{3}", value))


def _is_uri_map(value: object) -> bool:
    return not isinstance(value, dict) or all(
        isinstance(v, str) and v.startswith("/") for v in value.values()
    )


def as_twilio_answers(published: dict[str, Any]) -> dict[str, Any]:
    """The spec, where real answers differ from it, widened to accept them (tests/twilio_payloads/ shows
    each): a call with no trunk has `"trunk_sid": ""`, and a recording's price is a string like "-0.0025"."""
    spec = copy.deepcopy(published)
    schemas = spec["components"]["schemas"]
    schemas["api.v2010.account.call"]["properties"]["trunk_sid"].update(
        pattern="^(TK[0-9a-fA-F]{32})?$", minLength=0
    )
    price = schemas["api.v2010.account.call.call_recording"]["properties"]["price"]
    price.pop("type")
    price["anyOf"] = [{"type": "number", "nullable": True}, {"type": "string", "nullable": True}]
    return spec


@functools.cache
def openapi() -> OpenAPI:
    config = Config(
        extra_format_validators={
            "date-time-rfc-2822": _is_rfc2822,
            "date-time": _is_date_or_datetime,
            "currency": _is_currency,
            "uri-map": _is_uri_map,
        },
        # Every documented field must be present (null is fine where the spec says nullable).
        response_properties_default_policy="required",
    )
    return OpenAPI.from_dict(as_twilio_answers(spec()), config=config)


def _request(
    method: str,
    path: str,
    query: Iterable[tuple[str, str]] = (),
    body: bytes = b"",
    content_type: str = "application/x-www-form-urlencoded",
    authenticated: bool = True,
) -> MockRequest:
    # The security scheme is only checked for presence: a placeholder stands in for real credentials.
    headers = {"Authorization": "Basic QUM6cGxhY2Vob2xkZXI="} if authenticated else {}
    return MockRequest(
        TWILIO_HOST, method, path, args=list(query), headers=headers, data=body, content_type=content_type
    )


def validate_request(
    method: str,
    path: str,
    query: Iterable[tuple[str, str]] = (),
    body: bytes = b"",
    content_type: str = "application/x-www-form-urlencoded",
    authenticated: bool = True,
) -> None:
    """Raise ContractError if the spec would refuse this request (params, form fields, auth)."""
    try:
        openapi().validate_request(_request(method, path, query, body, content_type or "", authenticated))
    except Exception as exc:
        raise ContractError(f"{method} {path}: request breaks the spec: {_explain(exc)}") from exc


def validate_response(
    method: str,
    path: str,
    status: int,
    body: bytes,
    *,
    query: Iterable[tuple[str, str]] = (),
    content_type: str = "application/json",
) -> None:
    """Raise ContractError unless the answer has the spec's shape (or Twilio's error envelope)."""
    request = _request(method, path, query)
    response = MockResponse(body, status_code=status, content_type=content_type)
    try:
        openapi().validate_response(request, response)
    except (ResponseNotFound, PathError) as exc:
        # The spec documents successes only; any refusal (even of an unknown path) is Twilio's envelope.
        if status < 400:
            raise ContractError(f"{method} {path} -> {status} is not in the spec: {exc}") from None
        check_error_envelope(status, body)
    except Exception as exc:
        raise ContractError(
            f"{method} {path} -> {status}: response breaks the spec: {_explain(exc)}"
        ) from exc


def check_error_envelope(status: int, body: bytes) -> None:
    try:
        data = json.loads(body)
    except ValueError:
        raise ContractError(f"error {status} is not JSON: {body[:200]!r}") from None
    problems = []
    if not isinstance(data, dict):
        problems.append("not an object")
    else:
        if data.get("status") != status:
            problems.append(f"status {data.get('status')!r} != {status}")
        if not isinstance(data.get("message"), str):
            problems.append("message is not a string")
        code = data.get("code")
        if not isinstance(code, int) or isinstance(code, bool):  # every Twilio error has its code
            problems.append(f"code {code!r} is not an integer")
        elif data.get("more_info") != f"https://www.twilio.com/docs/errors/{code}":
            problems.append("more_info does not point at the code's page")
    if problems:
        raise ContractError(f"error {status} envelope: {', '.join(problems)}: {data!r}")


def validate_exchange(exchange: ExchangeLike) -> None:
    """Validate the answer of one recorded exchange (API paths only; /twiml documents are not in the spec).
    An answer a test injected (a fault: a 502, a body cut short) is the test's own and is not Twilio's."""
    if not exchange.path.startswith(API_PREFIX) or exchange.fault:
        return
    validate_response(
        exchange.method,
        exchange.path,
        exchange.status,
        exchange.body,
        query=exchange.query,
        content_type=exchange.content_type,
    )


def validate_exchanges(exchanges: Iterable[ExchangeLike]) -> int:
    """Validate them all; raise one ContractError listing every failure. Returns how many were checked."""
    failures, count = [], 0
    for exchange in exchanges:
        count += 1
        try:
            validate_exchange(exchange)
        except ContractError as exc:
            failures.append(str(exc))
    if failures:
        raise ContractError(
            f"{len(failures)} of {count} exchanges break the contract:\n" + "\n".join(failures)
        )
    return count


def _explain(exc: BaseException) -> str:
    """The deepest causes' messages: openapi-core nests the useful part (which field, which rule)."""
    parts = [str(exc)]
    cause = exc.__cause__ or exc.__context__
    while cause is not None:
        details = getattr(cause, "schema_errors", None)
        parts.append("; ".join(e.message for e in details) if details else str(cause))
        cause = cause.__cause__ or cause.__context__
    return " <- ".join(p[:500] for p in parts if p)
