"""Calls grouped by number (who calls, who is called), biggest groups first: how a flood shows itself."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from calltui.domain.call import Call

Side = Literal["from", "to"]


@dataclass(frozen=True, slots=True)
class NumberCount:
    number: str | None
    """None groups the calls that came without a number."""
    total: int
    by_status: Mapping[str, int]
    """Calls of this number by status; a missing status counts under ""."""


def count_by_number(calls: Iterable[Call], side: Side) -> list[NumberCount]:
    """One group per distinct `from` (or `to`) number, by count descending, then number; no number last."""
    groups: defaultdict[str | None, Counter[str]] = defaultdict(Counter)
    for call in calls:
        groups[call.from_ if side == "from" else call.to][call.status or ""] += 1
    counted = [NumberCount(number, sum(c.values()), dict(c)) for number, c in groups.items()]
    counted.sort(key=lambda g: (-g.total, g.number is None, g.number or ""))
    return counted
