"""Fault injection: make matching API requests slow, fail, rate-limited, garbled, dropped or mis-paged."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

KINDS = frozenset(
    {"latency", "status", "rate_limit", "malformed", "drop", "auth", "next_page_loop", "next_page_404"}
)
_PARAMS = {
    "latency": {"seconds"},
    "status": {"status", "code", "message"},
    "rate_limit": {"retry_after"},
    "malformed": {"body"},
    "drop": set(),
    "auth": set(),
    "next_page_loop": set(),
    "next_page_404": set(),
}
L = TypeVar("L", bound="_Limited")
# Twilio's codes for its own server errors; every Twilio error carries one, its generic 20500 or 20001 else.
_SERVER_CODES = {500: 20500, 503: 20503}


class _Limited(Protocol):
    times: int | None


@dataclass(slots=True)
class Fault:
    kind: str
    method: str | None = None
    path_contains: str | None = None
    times: int | None = None
    """Matching requests still to affect; None means until cleared."""
    params: dict[str, Any] = field(default_factory=dict)

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method.upper() == method.upper()) and (
            self.path_contains is None or self.path_contains in path
        )

    @property
    def seconds(self) -> float:
        return float(self.params.get("seconds", 1.0))

    @property
    def status(self) -> int:
        return int(self.params.get("status", 500))

    @property
    def code(self) -> int | None:
        return self.params.get("code", _SERVER_CODES.get(self.status, 20500 if self.status >= 500 else 20001))

    @property
    def message(self) -> str:
        return str(self.params.get("message", "Internal Server Error"))

    @property
    def retry_after(self) -> float | None:
        value = self.params.get("retry_after")
        return None if value is None else float(value)

    @property
    def body(self) -> str:
        return str(self.params.get("body", '{"calls": [{"sid": "CA'))


class Staged(Generic[L]):
    """Things staged for coming requests (faults, moves), each used up after its `times`. Safe to edit
    from another thread."""

    def __init__(self) -> None:
        self._items: list[L] = []
        self._lock = threading.Lock()

    def _stage(self, item: L) -> L:
        if item.times is not None and item.times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._items.append(item)
        return item

    def _use(self, item: L) -> None:
        """Count one use of `item` (under the lock); it leaves when it has none left."""
        if item.times is not None:
            item.times -= 1
            if item.times == 0:
                self._items.remove(item)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


class Faults(Staged[Fault]):
    """The active faults, first added first applied."""

    def add(
        self,
        kind: str,
        *,
        method: str | None = None,
        path_contains: str | None = None,
        times: int | None = None,
        **params: Any,
    ) -> Fault:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(KINDS)}")
        unknown = set(params) - _PARAMS[kind]
        if unknown:
            raise ValueError(f"fault {kind!r} takes no {sorted(unknown)}")
        return self._stage(Fault(kind, method, path_contains, times, params))

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault matching this request, counting one use of it."""
        with self._lock:
            for fault in self._items:
                if fault.matches(method, path):
                    self._use(fault)
                    return fault
        return None
