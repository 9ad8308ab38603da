"""The list endpoint's query string: filters, page size and page token, validated as Twilio does."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from calltui.domain.call import ALL_STATUSES, CALL_SID_RE
from calltui.simulator import errors
from calltui.simulator.store import Entry

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
FILTERS = (
    *("To", "From", "ParentCallSid", "Status"),
    *("StartTime", "StartTime<", "StartTime>", "EndTime", "EndTime<", "EndTime>"),
)
_TOKEN = re.compile(r"^P([AB])(CA[0-9a-fA-F]{32})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Looser forms Twilio's own examples send ("06/11/2019 22:05:25 MST"); a trailing zone name is ignored.
_LOOSE = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y")


@dataclass(frozen=True, slots=True)
class ListQuery:
    filters: tuple[tuple[str, str], ...]
    """The filters as given, in request order: Twilio echoes them into every paging URI."""
    status: str | None
    match: Callable[[Entry], bool] | None
    page_size: int
    page: int
    token: str | None
    after: str | None
    """SID the page starts after (`PA` token)."""
    before: str | None
    """SID the page ends before (`PB` token, the previous page)."""


def parse(query: Mapping[str, str]) -> ListQuery:
    # One value per filter (the first, if repeated), in the order the request gave them.
    filters = tuple((name, query[name]) for name in dict.fromkeys(query) if name in FILTERS)
    given = dict(filters)
    status = given.get("Status")
    if status is not None and status not in ALL_STATUSES:
        raise errors.invalid(f"Status must be one of {', '.join(ALL_STATUSES)}")
    parent = given.get("ParentCallSid")
    if parent is not None and not CALL_SID_RE.match(parent):
        raise errors.invalid("ParentCallSid must be a Call SID (CA followed by 32 hex digits)")
    page_size, page, token = paging_params(query)
    after = before = None
    if token is not None:
        found = _TOKEN.match(token)
        if not found:
            raise errors.invalid_page_token()
        after, before = (found[2], None) if found[1] == "A" else (None, found[2])
    return ListQuery(filters, status, _matcher(given), page_size, page, token, after, before)


def paging_params(query: Mapping[str, str]) -> tuple[int, int, str | None]:
    """PageSize, Page and PageToken of any list, checked as Twilio does (the token's form is the list's)."""
    page_size = _int(query, "PageSize", DEFAULT_PAGE_SIZE)
    if page_size > MAX_PAGE_SIZE:
        raise errors.page_size_too_large(page_size)
    if page_size < 1:
        raise errors.invalid("PageSize must be at least 1")
    page = _int(query, "Page", 0)
    if page < 0:
        raise errors.invalid("Page must not be negative")
    token = query.get("PageToken")
    if token is None and page > 0:
        raise errors.invalid("PageToken is required for paging.")
    return page_size, page, token


def _int(query: Mapping[str, str], name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"[+-]?\d{1,9}", raw.strip()):
        raise errors.invalid(f"{name} must be an integer")
    return int(raw)


def _matcher(given: dict[str, str]) -> Callable[[Entry], bool] | None:
    """One predicate for every filter but Status (the store walks the status index for that)."""
    tests: list[Callable[[Entry], bool]] = []
    if "To" in given:
        tests.append(lambda e, v=given["To"]: e.raw.get("to") == v)
    if "From" in given:
        tests.append(lambda e, v=given["From"]: e.raw.get("from") == v)
    if "ParentCallSid" in given:
        tests.append(lambda e, v=given["ParentCallSid"]: e.parent == v)
    for field in ("StartTime", "EndTime"):
        for suffix in ("", "<", ">"):
            name = field + suffix
            if name in given:
                low, high = _bounds(name, given[name], suffix)
                attr = "start_ts" if field == "StartTime" else "end_ts"
                tests.append(lambda e, a=attr, lo=low, hi=high: _within(getattr(e, a), lo, hi))
    if not tests:
        return None
    return lambda entry: all(test(entry) for test in tests)


def _within(value: float | None, low: float | None, high: float | None) -> bool:
    """low <= value < high; a call without that time never matches a filter on it."""
    return value is not None and (low is None or value >= low) and (high is None or value < high)


def _bounds(name: str, raw: str, suffix: str) -> tuple[float | None, float | None]:
    """[low, high) in epoch seconds. `X` = that UTC day, `X>` = on or after, `X<` = on or before."""
    moment, whole_day = _parse_when(name, raw)
    day_start = datetime.combine(moment.date(), time(), UTC)
    if suffix == "":
        return day_start.timestamp(), (day_start + timedelta(days=1)).timestamp()
    if suffix == ">":
        return moment.timestamp(), None
    end = day_start + timedelta(days=1) if whole_day else moment + timedelta(seconds=1)
    return None, end.timestamp()


def _parse_when(name: str, raw: str) -> tuple[datetime, bool]:
    """(moment in UTC, whether only a day was given): YYYY-MM-DD, ISO 8601 or one of Twilio's loose forms."""
    text = raw.strip()
    if _DAY.match(text):
        try:
            return datetime.combine(date.fromisoformat(text), time(), UTC), True
        except ValueError:
            pass
    else:
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = _loose(text)
        if parsed is not None:
            try:
                return (parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)), False
            except OverflowError:  # year 1 east of UTC, year 9999 west of it
                pass
    raise errors.invalid(f"{name} must be a date (YYYY-MM-DD) or a date and time")


def _loose(text: str) -> datetime | None:
    words = text.split()
    candidates = [text, " ".join(words[:-1])] if len(words) > 2 else [text]
    for candidate in candidates:
        for form in _LOOSE:
            try:
                return datetime.strptime(candidate, form)
            except ValueError:
                continue
    return None
